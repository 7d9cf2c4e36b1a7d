"""Build the contract model (`model.Contract`) from a loaded, schema-valid document.

This is the one place that reads the YAML's mappings: it keeps every value as written (the
rule kinds check them when lowering) and parses dqx `implementation` strings, positioning their
keys inside the string, so that a problem in one points at its own line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .diagnostics import CompileError, Position
from .loader import Limits, LoadedDocument, load_bytes
from .model import (
    Contract,
    Implementation,
    JsonPath,
    Property,
    Rule,
    Scalar,
    SchemaObject,
    SlaEntry,
    Threshold,
)
from .vocabulary import LEGACY_RULES, OPERATORS

__all__ = ["build"]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _description(value: Any) -> str | None:
    """The contract description as text (a string, or the fields of a description object)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        parts = [f"{k.capitalize()}: {v}" for k, v in value.items() if isinstance(v, str)]
        return "\n".join(parts) or None
    return None


def _thresholds(holder: Mapping[str, Any], path: JsonPath) -> tuple[Threshold, ...]:
    return tuple(Threshold(op, holder[op], (*path, op)) for op in OPERATORS if op in holder)


class _Builder:
    """State of building one model: the document and the positions found inside strings."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.inner: dict[JsonPath, Position] = {}
        self.inner_keys: dict[JsonPath, Position] = {}
        self.found_relationships: list[tuple[str, JsonPath]] = []

    def position(self, path: JsonPath) -> Position | None:
        """A value's position, inside dqx implementation strings too."""
        for end in range(len(path), 0, -1):
            found = self.inner.get(path[:end])
            if found is not None:
                return found
        return self.doc.position(path)

    def key_position(self, path: JsonPath) -> Position | None:
        found = self.inner_keys.get(path)
        if found is None and path not in self.inner:
            found = self.doc.key_positions.get(path)
        return found if found is not None else self.position(path)

    # -- contract --------------------------------------------------------------------------
    def contract(self) -> Contract:
        data = _map(self.doc.data)
        schemas = tuple(
            self.schema(item, ("schema", i))
            for i, item in enumerate(_list(data.get("schema")))
            if isinstance(item, Mapping)
        )
        sla = tuple(
            SlaEntry(
                ("slaProperties", i),
                str(entry.get("property", "")),
                entry.get("value"),
                _text(entry.get("unit")),
                _text(entry.get("element")),
            )
            for i, entry in enumerate(_list(data.get("slaProperties")))
            if isinstance(entry, Mapping)
        )
        servers = tuple(
            {str(k): _scalar(v) for k, v in entry.items() if not isinstance(v, Mapping | list)}
            for entry in _list(data.get("servers"))
            if isinstance(entry, Mapping)
        )
        default_element = data.get("slaDefaultElement")
        return Contract(
            api_version=str(data.get("apiVersion", "")),
            id=str(data.get("id", "")),
            name=_text(data.get("name")),
            version=str(data.get("version", "")),
            status=str(data.get("status", "")),
            domain=_text(data.get("domain")),
            data_product=_text(data.get("dataProduct")),
            tags=tuple(str(t) for t in _list(data.get("tags"))),
            description=_description(data.get("description")),
            schemas=schemas,
            sla=sla,
            servers=servers,
            sla_default_element=default_element if isinstance(default_element, str) else None,
            source_sha256=self.doc.sha256,
            positions=self.position,
            key_positions=self.key_position,
        )

    def schema(self, data: Mapping[str, Any], path: JsonPath) -> SchemaObject:
        self.found_relationships = self.relationships(data, path)
        properties = self.properties(data.get("properties"), (*path, "properties"), "", (), False)
        relationships = self.found_relationships
        return SchemaObject(
            path=path,
            name=str(data.get("name", "")),
            physical_name=(
                data.get("physicalName") or None
                if isinstance(data.get("physicalName"), str)
                else None
            ),
            id=data.get("id") if isinstance(data.get("id"), str) else None,
            properties=properties,
            quality=self.rules(data, path),
            relationships=tuple(relationships),
        )

    def relationships(self, owner: Mapping[str, Any], path: JsonPath) -> list[tuple[str, JsonPath]]:
        found: list[tuple[str, JsonPath]] = []
        for index, rel in enumerate(_list(owner.get("relationships"))):
            if not isinstance(rel, Mapping):
                continue
            for key in ("from", "to"):
                value = rel.get(key)
                refs = [value] if isinstance(value, str) else _list(value)
                where = (*path, "relationships", index, key)
                found += [(str(ref), where) for ref in refs if isinstance(ref, str)]
        return found

    # -- properties ------------------------------------------------------------------------
    def properties(
        self, items: Any, path: JsonPath, prefix: str, columns: tuple[str, ...], in_array: bool
    ) -> tuple[Property, ...]:
        return tuple(
            self.property(prop, (*path, i), f"{prefix}{prop.get('name', '')}", columns, in_array)
            for i, prop in enumerate(_list(items))
            if isinstance(prop, Mapping)
        )

    def property(
        self,
        data: Mapping[str, Any],
        path: JsonPath,
        dotted: str,
        columns: tuple[str, ...],
        in_array: bool,
    ) -> Property:
        """One property named `dotted` (`address.city`, `lines[]`) in the report."""
        self.found_relationships += self.relationships(data, path)
        name = str(data.get("name", ""))
        physical = data.get("physicalName")
        physical = physical if isinstance(physical, str) and physical else None
        column_path = (*columns, physical or name)
        logical_type = _text(data.get("logicalType"))
        items_data = data.get("items")
        if logical_type == "vector":  # ODCS v3.2.0: a fixed-length list of numbers
            logical_type, items_data = "array", {"name": "items", "logicalType": "number"}
        items = None
        if isinstance(items_data, Mapping):
            items = self.property(items_data, (*path, "items"), f"{dotted}[]", column_path, True)
        options = _map(data.get("logicalTypeOptions"))
        enum = data.get("enum")
        return Property(
            path=path,
            name=name,
            physical_name=physical,
            logical_type=logical_type,
            required=data.get("required") is True,
            unique=data.get("unique") is True,
            primary_key=data.get("primaryKey") is True,
            primary_key_position=_int(data.get("primaryKeyPosition")),
            partitioned=data.get("partitioned") is True,
            partition_key_position=_int(data.get("partitionKeyPosition")),
            options=options,
            enum=tuple(_enum_value(v) for v in enum) if isinstance(enum, list) else None,
            items=items,
            properties=self.properties(
                data.get("properties"), (*path, "properties"), f"{dotted}.", column_path, in_array
            ),
            quality=self.rules(data, path),
            dotted_name=dotted,
            column_path=column_path,
            inside_array=in_array,
            timezone=(
                str(options.get("defaultTimezone", "Etc/UTC"))
                if options.get("timezone") is True
                else None
            ),
            id=data.get("id") if isinstance(data.get("id"), str) else None,
        )

    # -- rules -----------------------------------------------------------------------------
    def rules(self, owner: Mapping[str, Any], path: JsonPath) -> tuple[Rule, ...]:
        return tuple(
            self.rule(rule, (*path, "quality", i))
            for i, rule in enumerate(_list(owner.get("quality")))
            if isinstance(rule, Mapping)
        )

    def rule(self, data: Mapping[str, Any], path: JsonPath) -> Rule:
        kind = _rule_type(data)
        arguments = dict(_map(data.get("arguments")))
        legacy = data.get("rule") if isinstance(data.get("rule"), str) else None
        if legacy is not None and "validValues" in data:
            arguments.setdefault("validValues", data["validValues"])
        metric = data.get("metric") if isinstance(data.get("metric"), str) else None
        if metric is None and legacy is not None:
            metric = LEGACY_RULES.get(legacy)
        engine = _text(data.get("engine"))
        implementation = None
        if kind == "custom" and (engine or "").lower() == "dqx":
            implementation = self.implementation(data.get("implementation"), path)
        description = data.get("description")
        if kind == "text" and description is None:
            description = data.get("implementation")
        return Rule(
            path=path,
            type=kind,
            name=_text(data.get("name")),
            id=_text(data.get("id")),
            description=_text(description),
            severity=_text(data.get("severity")),
            dimension=_text(data.get("dimension")),
            unit=_text(data.get("unit")),
            thresholds=_thresholds(data, path),
            metric=metric,
            legacy_rule=legacy,
            arguments=arguments,
            query=data.get("query") if isinstance(data.get("query"), str) else None,
            engine=engine,
            implementation=implementation,
            raw=data,
        )

    def implementation(self, value: Any, rule_path: JsonPath) -> Implementation:
        """A dqx implementation: a mapping as is, a YAML string parsed and positioned."""
        path = (*rule_path, "implementation")
        if isinstance(value, Mapping):
            return Implementation(value, path, _thresholds(value, path))
        if not isinstance(value, str):
            message = "a dqx rule needs an 'implementation' (a YAML mapping or string)"
            return Implementation({}, path, (), message)
        try:
            parsed = load_bytes(value.encode("utf-8"), self.doc.path, Limits(max_bytes=65536))
        except CompileError as error:
            first = error.diagnostics[0].message if error.diagnostics else "invalid YAML"
            return Implementation({}, path, (), f"implementation is not valid YAML: {first}")
        if not isinstance(parsed.data, Mapping):
            return Implementation({}, path, (), "implementation must be a YAML mapping")
        self.position_inside(parsed, path)
        return Implementation(parsed.data, path, _thresholds(parsed.data, path))

    def position_inside(self, parsed: LoadedDocument, path: JsonPath) -> None:
        """Record where the keys and values of a parsed implementation string are in the file."""
        outer = self.doc.position(path)
        if outer is None:
            return
        shift = _shift(self.doc.text, outer)
        for inner_path, inner in parsed.positions.items():
            self.inner.setdefault((*path, *inner_path), shift(inner))
        for inner_path, inner in parsed.key_positions.items():
            self.inner_keys.setdefault((*path, *inner_path), shift(inner))


def _shift(text: str, outer: Position) -> Any:
    """How positions inside a scalar map to the file: block scalars start on the next line at
    their indentation, quoted scalars one column after the quote."""
    lines = text.splitlines()
    line = lines[outer.line - 1] if 0 < outer.line <= len(lines) else ""
    style = line[outer.column - 1 : outer.column]
    if style in ("|", ">") and outer.line < len(lines):
        following = next((ln for ln in lines[outer.line :] if ln.strip()), "")
        indent = len(following) - len(following.lstrip(" "))
        return lambda p: Position(outer.line + p.line, indent + p.column)
    offset = 1 if style in ("'", '"') else 0
    return lambda p: Position(outer.line, outer.column + offset + p.column - 1)


def _rule_type(data: Mapping[str, Any]) -> str:
    """library (explicit, or implied by metric/rule), sql, custom, text, or ""."""
    if "type" in data:
        return str(data["type"])
    if "metric" in data or "rule" in data:
        return "library"
    if "query" in data:
        return "sql"
    return ""


def _enum_value(entry: Any) -> Scalar:
    """A v3.2.0 enum entry's value (entries are `{value, label}` objects, or plain values)."""
    value = entry.get("value") if isinstance(entry, Mapping) else entry
    return _scalar(value)


def build(doc: LoadedDocument) -> Contract:
    """The model of a loaded, schema-valid contract."""
    return _Builder(doc).contract()
