"""The one table of options: every configuration key, its `Job` field, its JSON Schema and,
for the ones the command line takes, its flag.

`config_schema()` builds the configuration's JSON Schema from it (`config.schema.json` is that
schema, written by `tests/update_golden.py` for editors), and `add_flags()` the command-line
flags of `generate`, `check`, `diff` and `lint`. Adding an option is one entry here, one field
of `config.Job` (a test checks that they match) and where it is used.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["OPTIONS", "Option", "add_flags", "config_schema", "flag_values"]


@dataclass(frozen=True, slots=True)
class Option:
    """One option: configuration `key` (kebab-case), `Job` `field`, JSON Schema `schema`,
    `help`; `flag` True when the build commands take `--<key>` too."""

    key: str
    field: str
    schema: Mapping[str, Any]
    help: str
    flag: bool = False
    metavar: str | None = None


def _dialects() -> list[str]:
    from .dialects import DIALECTS

    return list(DIALECTS)


_LEVEL = {"$ref": "#/$defs/level"}
_FILTER = {"$ref": "#/$defs/filter"}
_LIMIT = {"type": "integer", "minimum": 1}

OPTIONS: tuple[Option, ...] = (
    Option(
        "sources",
        "sources",
        {"type": ["array", "string"], "items": {"type": "string", "minLength": 1}, "minLength": 1},
        "contract files, folders and glob patterns, relative to the configuration file's folder",
    ),
    Option(
        "output",
        "output",
        {"type": "string", "minLength": 1},
        "the generated package folder, relative to the configuration file's folder",
    ),
    Option("dialect", "dialect", {"enum": "dialects"}, "SQL dialect of the generated checks", True),
    Option(
        "line-length",
        "line_length",
        {"type": "integer", "minimum": 40, "maximum": 200},
        "line length of the generated code (default: the project's [tool.black], else 88)",
        True,
        "N",
    ),
    Option(
        "between",
        "between",
        {"enum": ["inclusive", "exclusive"]},
        "whether mustBeBetween / mustNotBeBetween bounds are inclusive or exclusive",
        True,
    ),
    Option("default-severity", "default_severity", _LEVEL, "the severity of rules that set none"),
    Option(
        "constraint-severity",
        "constraint_severity",
        _LEVEL,
        "the severity of unique / logicalTypeOptions / primaryKey assertions",
    ),
    Option(
        "severity",
        "severities",
        {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_-]*$"},
            "additionalProperties": _LEVEL,
        },
        "ODCS severity words (case-insensitive) mapped to dqx severities, merged over "
        "error = P0, warning = P1, info = P2",
    ),
    Option("contract-filter", "contract_filter", _FILTER, "which contract files are compiled"),
    Option("dataset-filter", "dataset_filter", _FILTER, "which schema objects get checks"),
    Option("rule-filter", "rule_filter", _FILTER, "which rules become assertions"),
    Option("cache", "cache", {"type": "boolean"}, "whether the incremental rebuild cache is used"),
    Option("max-bytes", "max_bytes", _LIMIT, "the largest contract file accepted, in bytes"),
    Option(
        "max-depth",
        "max_depth",
        {"type": "integer", "minimum": 1, "maximum": 200},
        "the deepest YAML nesting accepted; deeper contracts would generate Python that "
        "cannot be parsed",
    ),
    Option("max-nodes", "max_nodes", _LIMIT, "the most YAML nodes a contract may have"),
    Option(
        "package",
        "package",
        {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"},
        "the import name of the generated package in DAGs and Dagster files (default: the "
        "output folder's name)",
        True,
        "NAME",
    ),
    Option(
        "airflow-dags",
        "airflow_dags",
        {"type": "string", "minLength": 1},
        "also write one Airflow DAG file per contract into this folder",
        True,
        "DIR",
    ),
    Option(
        "airflow",
        "airflow",
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "retries": {"type": "integer", "minimum": 0},
                "retry-delay": {
                    "type": ["string", "integer"],
                    "pattern": r"^\s*\d+(\.\d+)?\s*(s|sec|m|min|h|hr|d)?\s*$",
                    "minimum": 0,
                },
                "owner": {"type": "string", "minLength": 1},
            },
        },
        "default_args of the generated DAGs: retries, retry-delay ('30s', '5m', '1h'), owner",
    ),
    Option(
        "dagster",
        "dagster",
        {"type": "string", "pattern": r"\.py$"},
        "also write the Dagster asset checks of the package to this .py file",
        True,
        "FILE",
    ),
    Option(
        "dagster-asset-key",
        "dagster_asset_key",
        {"type": "string", "minLength": 1},
        "the asset key of a dataset: {dataset}, {schema}, {module}, {contract}; '/' "
        "separates its parts (default: '{dataset}')",
    ),
)
"""Every option, in the order the documentation lists them."""

_DEFS: Mapping[str, Any] = {
    "name": {
        "description": (
            "The job's name: letters, digits, '_', '-' and '.', starting with a letter or digit."
        ),
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    },
    "level": {"description": "A dqx severity.", "enum": ["P0", "P1", "P2", "P3"]},
    "filter": {
        "description": (
            "Regular expressions (Python re.search): a name matching an exclude is dropped; "
            "with includes, only names matching one are kept."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "includes": {"$ref": "#/$defs/patterns"},
            "excludes": {"$ref": "#/$defs/patterns"},
        },
    },
    "patterns": {"type": "array", "items": {"type": "string"}},
}


def _option_schema(option: Option) -> dict[str, Any]:
    schema = dict(option.schema)
    if schema.get("enum") == "dialects":
        schema["enum"] = _dialects()
    if "$ref" in schema:
        return {"$ref": schema["$ref"], "description": option.help[0].upper() + option.help[1:]}
    return {"description": option.help[0].upper() + option.help[1:] + ".", **schema}


def _openmetadata_schema() -> dict[str, Any]:
    from .openmetadata.settings import SCHEMA

    return dict(SCHEMA)


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration (the top level, and each of `jobs`)."""
    properties = {option.key: {"$ref": f"#/$defs/{option.key}"} for option in OPTIONS}
    job = {
        "description": "One build. Every key but 'name' defaults to the top-level value.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {"name": {"$ref": "#/$defs/name"}, **properties},
    }
    jobs = {
        "description": (
            "Several builds, each with its own sources and output; without jobs the top "
            "level is the one job."
        ),
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "#/$defs/job"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:odcs-codegen:config",
        "title": "odcs-codegen configuration",
        "description": (
            "The [tool.odcs-codegen] table of pyproject.toml, or the top level of a --config "
            "file. Keys set here apply to every job; a job's keys override them."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {**properties, "jobs": jobs, "openmetadata": _openmetadata_schema()},
        "$defs": {
            "job": job,
            **_DEFS,
            **{option.key: _option_schema(option) for option in OPTIONS},
        },
    }


def add_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of the options the command line takes (`--dialect`, `--line-length`, ...)."""
    for option in OPTIONS:
        if not option.flag:
            continue
        schema = _option_schema(option)
        kwargs: dict[str, Any] = {"dest": option.field, "help": option.help}
        if "enum" in schema:
            kwargs["choices"] = schema["enum"]
        if schema.get("type") == "integer":
            kwargs["type"] = int
        if option.metavar:
            kwargs["metavar"] = option.metavar
        parser.add_argument(f"--{option.key}", **kwargs)


def flag_values(args: argparse.Namespace) -> dict[str, Any]:
    """The flagged options given on the command line, by `Job` field (None: not given)."""
    return {o.field: getattr(args, o.field, None) for o in OPTIONS if o.flag}
