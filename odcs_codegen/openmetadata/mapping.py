"""An ODCS contract as OpenMetadata create requests, as plain JSON-ready data.

A schema object becomes a table (``physicalName``, else ``name``) with its columns: the data
type from ``physicalType`` when OpenMetadata knows it (``VARCHAR(40)`` -> ``VARCHAR``, length
40), else from ``logicalType``; descriptions; tags (classification ``ODCS``); ``primaryKey``
and ``unique`` as column constraints, or table constraints when several columns form the key.
The test cases are those the published results use (same names, same definitions): they come
from the compiled checks through the runtime's ``openmetadata_payload``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

from .._runtime.openmetadata_payload import (
    Batch,
    TableLocation,
    build_batch,
    describe_checks,
    planned_outcomes,
)
from .._runtime.report import Report

__all__ = ["TAG_CLASSIFICATION", "column_type", "contract_tables", "planned_batch"]

#: The classification ODCS tags are created under.
TAG_CLASSIFICATION = "ODCS"

_LOGICAL = {
    "string": "STRING",
    "integer": "BIGINT",
    "number": "NUMBER",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "time": "TIME",
    "array": "ARRAY",
    "object": "STRUCT",
    "map": "MAP",
}
_KNOWN = frozenset(
    (
        *("NUMBER", "TINYINT", "SMALLINT", "INT", "BIGINT", "BYTEINT", "BYTES", "FLOAT"),
        *("DOUBLE", "DECIMAL", "NUMERIC", "TIMESTAMP", "TIMESTAMPZ", "TIME", "DATE"),
        *("DATETIME", "INTERVAL", "STRING", "MEDIUMTEXT", "TEXT", "CHAR", "LONG", "VARCHAR"),
        *("BOOLEAN", "BINARY", "VARBINARY", "ARRAY", "BLOB", "MAP", "STRUCT", "JSON", "UUID"),
        *("VARIANT", "GEOGRAPHY", "GEOMETRY", "ENUM", "SET", "UNION", "XML", "BIT", "MONEY"),
    )
)
_ALIASES = {
    "INTEGER": "INT",
    "INT4": "INT",
    "INT32": "INT",
    "INT8": "BIGINT",
    "INT64": "BIGINT",
    "INT2": "SMALLINT",
    "FLOAT4": "FLOAT",
    "REAL": "FLOAT",
    "FLOAT8": "DOUBLE",
    "FLOAT64": "DOUBLE",
    "DOUBLE PRECISION": "DOUBLE",
    "BOOL": "BOOLEAN",
    "TIMESTAMPTZ": "TIMESTAMPZ",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPZ",
    "TIMESTAMP_TZ": "TIMESTAMPZ",
    "TIMESTAMP_NTZ": "TIMESTAMP",
    "CHARACTER VARYING": "VARCHAR",
    "CHARACTER": "CHAR",
    "NVARCHAR": "VARCHAR",
    "BIGNUMERIC": "NUMERIC",
    "BYTEA": "BINARY",
    "LIST": "ARRAY",
    "RECORD": "STRUCT",
    "ROW": "STRUCT",
    "OBJECT": "STRUCT",
}
_PHYSICAL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ]*)\s*(?:\(\s*(\d+)(?:\s*,\s*(\d+))?\s*\))?")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def column_type(logical: Any, physical: Any) -> dict[str, Any]:
    """``dataType`` (and ``dataLength``, ``precision``, ``scale``, ``dataTypeDisplay``)."""
    found: dict[str, Any] = {}
    if isinstance(physical, str) and physical.strip():
        found["dataTypeDisplay"] = physical.strip()[:1000]
        match = _PHYSICAL.match(physical)
        if match:
            name = " ".join(match.group(1).upper().split())
            name = _ALIASES.get(name, name)
            if name in _KNOWN:
                found["dataType"] = name
                size, scale = match.group(2), match.group(3)
                if size and name in ("CHAR", "VARCHAR", "BINARY", "VARBINARY"):
                    found["dataLength"] = int(size)
                elif size and name in ("DECIMAL", "NUMERIC"):
                    found["precision"] = int(size)
                    found["scale"] = int(scale or 0)
    if "dataType" not in found:
        found["dataType"] = _LOGICAL.get(str(logical).lower(), "UNKNOWN")
    if found["dataType"] in ("CHAR", "VARCHAR", "BINARY", "VARBINARY"):
        found.setdefault("dataLength", 1)
    found.setdefault("dataTypeDisplay", str(logical or found["dataType"]).lower())
    return found


def tag_names(value: Any) -> list[str]:
    """ODCS tags as OpenMetadata tag names (letters, digits, ``_`` and ``-``)."""
    if not isinstance(value, list):
        return []
    names = [_NAME_UNSAFE.sub("_", str(tag)).strip("_") for tag in value]
    return sorted({name for name in names if name})


def _labels(value: Any) -> list[dict[str, Any]]:
    return [
        {
            "tagFQN": f"{TAG_CLASSIFICATION}.{name}",
            "source": "Classification",
            "labelType": "Automated",
            "state": "Confirmed",
        }
        for name in tag_names(value)
    ]


def _description(value: Any) -> str | None:
    """A description: a string, or a contract's ``description`` mapping as Markdown."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, Mapping):
        parts = [f"**{key}**: {text}" for key, text in value.items() if isinstance(text, str)]
        return "\n\n".join(parts) or None
    return None


def _column(prop: Mapping[str, Any], single_key: bool) -> dict[str, Any]:
    name = str(prop.get("physicalName") or prop.get("name"))
    column: dict[str, Any] = {
        "name": name,
        **column_type(prop.get("logicalType"), prop.get("physicalType")),
    }
    description = _description(prop.get("description"))
    if description:
        column["description"] = description
    labels = _labels(prop.get("tags"))
    if labels:
        column["tags"] = labels
    if prop.get("primaryKey") is True and single_key:
        column["constraint"] = "PRIMARY_KEY"
    elif prop.get("unique") is True:
        column["constraint"] = "UNIQUE"
    elif prop.get("required") is True:
        column["constraint"] = "NOT_NULL"
    children = [
        _column(child, False)
        for child in prop.get("properties") or []
        if isinstance(child, Mapping) and child.get("name")
    ]
    if children:
        column["children"] = children
    items = prop.get("items")
    if column["dataType"] == "ARRAY":
        logical = items.get("logicalType") if isinstance(items, Mapping) else None
        physical = items.get("physicalType") if isinstance(items, Mapping) else None
        column["arrayDataType"] = column_type(logical, physical)["dataType"]
    return column


def _table(schema: Mapping[str, Any], schema_fqn: str) -> dict[str, Any]:
    """The CreateTableRequest of one schema object."""
    props = [p for p in schema.get("properties") or [] if isinstance(p, Mapping)]
    keys = [p for p in props if p.get("primaryKey") is True and p.get("name")]
    keys.sort(key=lambda p: p.get("primaryKeyPosition") or 0)
    table: dict[str, Any] = {
        "name": str(schema.get("physicalName") or schema.get("name")),
        "databaseSchema": schema_fqn,
        "tableType": "View" if schema.get("physicalType") == "view" else "Regular",
        "columns": [_column(p, len(keys) == 1) for p in props if p.get("name")],
    }
    description = _description(schema.get("description"))
    if description:
        table["description"] = description
    labels = _labels(schema.get("tags"))
    if labels:
        table["tags"] = labels
    if len(keys) > 1:
        names = [str(p.get("physicalName") or p.get("name")) for p in keys]
        table["tableConstraints"] = [{"constraintType": "PRIMARY_KEY", "columns": names}]
    return table


def contract_tables(path: Path, schema_fqn: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The CreateTableRequests of a contract file, and every tag it uses."""
    document = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(document, Mapping):
        raise ValueError(f"{path}: not an ODCS contract (a mapping)")
    schemas = [s for s in document.get("schema") or [] if isinstance(s, Mapping)]
    tables = [_table(s, schema_fqn) for s in schemas if s.get("name")]
    tags = set(tag_names(document.get("tags")))
    for schema in schemas:
        tags.update(tag_names(schema.get("tags")))
        for prop in schema.get("properties") or []:
            if isinstance(prop, Mapping):
                tags.update(tag_names(prop.get("tags")))
    return tables, sorted(tags)


def planned_batch(module: Any, location: TableLocation) -> Batch:
    """The test definitions and cases of a compiled contract module (no results): the ones
    a run's publication uses, named the same way."""
    infos = describe_checks(module.CHECKS, getattr(module, "RULE_IDS", None))
    contract = str(getattr(module, "CONTRACT_NAME", None) or module.__name__)
    datasets = tuple(dataset.name for dataset in module.DATASETS)
    report = Report(contract, datasets, tuple(planned_outcomes(module.CHECKS)))
    return build_batch(report, infos, location)._replace(results=())
