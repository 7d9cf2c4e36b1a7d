"""Semantic checks the ODCS JSON Schema cannot express, run on the contract model.

Errors are what cannot compile: unknown logical types, datasets sharing a name, empty names.
The rest is a warning at the same position, because the contract still compiles: duplicate
schema object names, ids or rule names (assertion names are made unique), primary-key positions
with gaps or repeats (the key is ordered by position), empty rules (skipped), and relationship
targets that name nothing in this contract (they may point into other contracts, and
relationships generate no check). Rule-specific checks happen while lowering each rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .diagnostics import Diagnostic, Level
from .model import Contract, JsonPath, Property, SchemaObject
from .vocabulary import LOGICAL_TYPES, LOGICAL_TYPES_V32

Problem = tuple[Level, JsonPath, str]


def semantic_errors(contract: Contract, path: str) -> list[Diagnostic]:
    """Every semantic problem of a contract, positioned."""
    return [
        Diagnostic(path, contract.where(where), level, message)
        for level, where, message in _problems(contract)
    ]


def _problems(contract: Contract) -> Iterator[Problem]:
    """All problems, contract-wide checks first, then per schema object."""
    schemas = list(contract.schemas)
    yield from _duplicates(schemas, lambda s: s.name, "schema object name", "warning")
    with_ids = [s for s in schemas if s.id is not None]
    yield from _duplicates(with_ids, lambda s: str(s.id), "schema object id", "warning")
    yield from _duplicates(schemas, lambda s: s.dataset, "dataset (physicalName or name)", "error")
    allowed = LOGICAL_TYPES_V32 if contract.api_version >= "v3.2" else LOGICAL_TYPES
    targets = _relationship_targets(schemas)
    for schema in schemas:
        if not schema.dataset:
            yield "error", schema.path, "a schema object needs a non-empty name (or physicalName)"
        yield from _schema_problems(schema, allowed, targets)


def _schema_problems(
    schema: SchemaObject, allowed: frozenset[str], targets: set[str]
) -> Iterator[Problem]:
    """Problems inside one schema object."""
    props = schema.all_properties()
    for prop in props:
        yield from _property_problems(prop, allowed)
    yield from _primary_key_positions(props)
    for ref, where in schema.relationships:
        if not _is_external(ref) and ref not in targets:
            role = "source" if where[-1] == "from" else "target"
            yield "warning", where, (
                f"relationship {role} {ref!r} does not name a schema object or property of this "
                "contract (relationships generate no check; if it points into another contract, "
                "write it as that contract's reference)"
            )
    seen: dict[str, JsonPath] = {}
    for rule in [*schema.quality, *(r for p in props for r in p.quality)]:
        if rule.empty:
            yield "warning", rule.path, (
                "empty quality rule {}: it checks nothing and is skipped; give it a type "
                "(library, sql, custom, text)"
            )
        elif rule.name is not None:
            if rule.name in seen:
                yield "warning", rule.path, (
                    f"duplicate quality rule name {rule.name!r} in schema object "
                    f"{schema.name!r}; its assertion is named with a number"
                )
            seen.setdefault(rule.name, rule.path)


def _property_problems(prop: Property, allowed: frozenset[str]) -> Iterator[Problem]:
    """Empty column names and unknown logicalTypes."""
    if not prop.inside_array and not prop.column_path[-1]:
        yield "error", prop.path, "a property needs a non-empty name (or physicalName)"
    if prop.logical_type is not None and prop.logical_type not in allowed:
        label = prop.dotted_name or prop.name
        yield "error", (*prop.path, "logicalType"), (
            f"Property {label!r}: unknown logicalType {prop.logical_type!r}"
        )


def _primary_key_positions(props: list[Property]) -> Iterator[Problem]:
    """primaryKeyPosition values should be 1..n without gaps or repeats."""
    keyed = [p for p in props if p.primary_key and p.primary_key_position is not None]
    positions = sorted(int(p.primary_key_position or 0) for p in keyed)
    if positions and positions != list(range(1, len(positions) + 1)):
        shown = ", ".join(str(n) for n in positions)
        yield "warning", (*keyed[0].path, "primaryKeyPosition"), (
            f"primaryKeyPosition values are {shown}, not 1..{len(positions)}: the key is "
            "ordered by position; number its properties 1, 2, ... without gaps or repeats"
        )


def _duplicates(
    schemas: list[SchemaObject], key: Callable[[SchemaObject], str], what: str, level: Level
) -> Iterator[Problem]:
    """A problem for every schema object whose key was already used."""
    seen: dict[str, SchemaObject] = {}
    for schema in schemas:
        value = key(schema)
        if value in seen:
            also = seen[value].path[1]
            yield level, schema.path, f"duplicate {what} {value!r} (also schema[{also}])"
        seen.setdefault(value, schema)


def _relationship_targets(schemas: list[SchemaObject]) -> set[str]:
    """Every reference a relationship may use: shorthand `object.property` (names, dotted for
    nested properties) and fully qualified `schema/<id>/properties/<id>` (ids)."""
    targets: set[str] = set()
    for schema in schemas:
        for name in {schema.name, schema.dataset}:
            targets.add(name)
            targets.update(f"{name}.{prop.dotted_name}" for prop in schema.all_properties())
        if schema.id is not None:
            targets.add(f"schema/{schema.id}")
            targets.update(_qualified(f"schema/{schema.id}", schema.properties))
    return targets


def _qualified(prefix: str, props: tuple[Property, ...]) -> Iterator[str]:
    """`prefix/properties/<id>` for every property with an id, nested ones included."""
    for prop in props:
        if prop.id is not None:
            ref = f"{prefix}/properties/{prop.id}"
            yield ref
            yield from _qualified(ref, prop.properties)


def _is_external(ref: str) -> bool:
    """A reference into another contract (`file.yaml#/...`, a URL, a file path)."""
    return "#" in ref or "://" in ref or ref.split("/")[0].endswith((".yaml", ".yml", ".json"))
