"""Semantic checks the ODCS JSON Schema cannot express, run on a schema-valid contract.

Errors are what cannot compile: unknown logical types, datasets sharing a name, empty names.
The rest is a warning at the same position, because the contract still compiles: duplicate
schema object names, ids or rule names (assertion names are made unique), primary-key positions
with gaps or repeats (the key is ordered by position), empty rules (skipped), and relationship
targets that name nothing in this contract (they may point into other contracts, and
relationships generate no check). Rule-specific checks happen while lowering each rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .contract import (
    LOGICAL_TYPES,
    LOGICAL_TYPES_V32,
    JsonPath,
    PropertyNode,
    SchemaNode,
    as_list,
    as_mapping,
    properties,
    rules,
    schema_objects,
)
from .diagnostics import Diagnostic, Level, Position

Problem = tuple[JsonPath, str]
_WARNINGS = (
    "relationship ",
    "duplicate schema object name",
    "duplicate schema object id",
    "duplicate quality rule name",
    "primaryKeyPosition values are",
    "empty quality rule",
)


def semantic_errors(
    data: Any, path: str, position: Callable[[JsonPath], Position | None]
) -> list[Diagnostic]:
    """Every semantic error of a contract, positioned."""
    contract = as_mapping(data)
    return [
        Diagnostic(path, position(where), _level(message), message)
        for where, message in _problems(contract)
    ]


def _level(message: str) -> Level:
    """Warnings for what does not stop compiling, errors for the rest."""
    return "warning" if message.startswith(_WARNINGS) else "error"


def _problems(contract: Mapping[str, Any]) -> Iterator[Problem]:
    """All problems, contract-wide checks first, then per schema object."""
    schemas = list(schema_objects(contract))
    yield from _duplicates(schemas, lambda s: s.name, "schema object name")
    yield from _duplicates(
        [s for s in schemas if isinstance(s.data.get("id"), str)],
        lambda s: str(s.data["id"]),
        "schema object id",
    )
    yield from _duplicates(schemas, lambda s: s.dataset, "dataset (physicalName or name)")
    version = str(contract.get("apiVersion", ""))
    allowed = LOGICAL_TYPES_V32 if version >= "v3.2" else LOGICAL_TYPES
    targets = _relationship_targets(schemas)
    for schema in schemas:
        if not schema.dataset:
            yield schema.path, "a schema object needs a non-empty name (or physicalName)"
        props = list(properties(schema))
        yield from _schema_problems(schema, props, allowed, targets)


def _schema_problems(
    schema: SchemaNode, props: list[PropertyNode], allowed: frozenset[str], targets: set[str]
) -> Iterator[Problem]:
    """Problems inside one schema object."""
    for prop in props:
        yield from _property_problems(prop, allowed)
    yield from _primary_key_positions(props)
    yield from _relationships(schema.data, schema.path, targets)
    for prop in props:
        yield from _relationships(prop.data, prop.path, targets)
    owners: list[tuple[Mapping[str, Any], JsonPath]] = [(schema.data, schema.path)]
    owners += [(p.data, p.path) for p in props]
    named: list[tuple[str, JsonPath]] = []
    for owner, owner_path in owners:
        for rule, path in rules(owner, owner_path):
            if isinstance(rule, Mapping) and not rule:
                yield path, (
                    "empty quality rule {}: it checks nothing and is skipped; give it a type "
                    "(library, sql, custom, text)"
                )
            elif isinstance(rule, Mapping) and isinstance(rule.get("name"), str):
                named.append((str(rule["name"]), path))
    seen: dict[str, JsonPath] = {}
    for name, path in named:
        if name in seen:
            yield path, (
                f"duplicate quality rule name {name!r} in schema object {schema.name!r}; "
                "its assertion is named with a number"
            )
        seen.setdefault(name, path)


def _property_problems(prop: PropertyNode, allowed: frozenset[str]) -> Iterator[Problem]:
    """Empty column names, unknown logicalType, and arrays without items."""
    logical_type = prop.data.get("logicalType")
    label = prop.dotted_name or prop.name
    if not prop.inside_array and not prop.column_path[-1]:
        yield prop.path, "a property needs a non-empty name (or physicalName)"
    if isinstance(logical_type, str) and logical_type not in allowed:
        yield (*prop.path, "logicalType"), (
            f"Property {label!r}: unknown logicalType {logical_type!r}"
        )


def _primary_key_positions(props: list[PropertyNode]) -> Iterator[Problem]:
    """primaryKeyPosition values must be 1..n without gaps or repeats."""
    keyed = [
        p
        for p in props
        if p.data.get("primaryKey") is True and isinstance(p.data.get("primaryKeyPosition"), int)
    ]
    positions = sorted(int(p.data["primaryKeyPosition"]) for p in keyed)
    if positions and positions != list(range(1, len(positions) + 1)):
        where = (*keyed[0].path, "primaryKeyPosition")
        shown = ", ".join(str(n) for n in positions)
        yield where, (
            f"primaryKeyPosition values are {shown}, not 1..{len(positions)}: the key is "
            "ordered by position; number its properties 1, 2, ... without gaps or repeats"
        )


def _duplicates(
    schemas: list[SchemaNode], key: Callable[[SchemaNode], str], what: str
) -> Iterator[Problem]:
    """A problem for every schema object whose key was already used."""
    seen: dict[str, SchemaNode] = {}
    for schema in schemas:
        value = key(schema)
        if value in seen:
            yield schema.path, f"duplicate {what} {value!r} (also schema[{seen[value].path[1]}])"
        seen.setdefault(value, schema)


def _relationship_targets(schemas: list[SchemaNode]) -> set[str]:
    """Every reference a relationship may use: shorthand `object.property` (names, dotted for
    nested properties) and fully qualified `schema/<id>/properties/<id>` (ids)."""
    targets: set[str] = set()
    for schema in schemas:
        schema_id = schema.data.get("id")
        for name in {schema.name, schema.dataset}:
            targets.add(name)
            targets.update(f"{name}.{prop.dotted_name}" for prop in properties(schema))
        if isinstance(schema_id, str):
            targets.add(f"schema/{schema_id}")
            targets.update(_qualified_property_refs(f"schema/{schema_id}", schema.data))
    return targets


def _qualified_property_refs(prefix: str, owner: Mapping[str, Any]) -> Iterator[str]:
    """`prefix/properties/<id>` for every property with an id, nested ones included."""
    for prop in as_list(owner.get("properties")):
        if isinstance(prop, Mapping) and isinstance(prop.get("id"), str):
            ref = f"{prefix}/properties/{prop['id']}"
            yield ref
            yield from _qualified_property_refs(ref, prop)


def _is_external(ref: str) -> bool:
    """A reference into another contract (`file.yaml#/...`, a URL, a file path)."""
    return "#" in ref or "://" in ref or ref.split("/")[0].endswith((".yaml", ".yml", ".json"))


def _relationships(
    owner: Mapping[str, Any], path: JsonPath, targets: set[str]
) -> Iterator[Problem]:
    """`from` and `to` references that name nothing in this contract (external refs skipped)."""
    for index, rel in enumerate(as_list(owner.get("relationships"))):
        if not isinstance(rel, Mapping):
            continue
        for key, role in (("from", "source"), ("to", "target")):
            for ref in _refs(rel.get(key)):
                if not _is_external(ref) and ref not in targets:
                    yield (*path, "relationships", index, key), (
                        f"relationship {role} {ref!r} does not name a schema object or property "
                        "of this contract (relationships generate no check; if it points into "
                        "another contract, write it as that contract's reference)"
                    )


def _refs(value: Any) -> list[str]:
    """The reference strings of a relationship's `from` or `to` (a string or a list)."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in as_list(value) if isinstance(v, str)]
