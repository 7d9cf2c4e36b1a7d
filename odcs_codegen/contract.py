"""Read-only helpers over a parsed contract: walking schema objects, properties and rules.

They work on the plain JSON-like data of a `LoadedDocument` and yield each node with its JSON
path, so every diagnostic can point at the line and column it is about.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

JsonPath = tuple[str | int, ...]

OPERATORS: tuple[str, ...] = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
)

LEGACY_RULES: Mapping[str, str] = {
    "nullCheck": "nullValues",
    "duplicateCount": "duplicateValues",
    "uniqueCheck": "duplicateValues",
    "validValues": "invalidValues",
    "countCheck": "rowCount",
    "rowCount": "rowCount",
    **{name: name for name in ("nullValues", "missingValues", "invalidValues", "duplicateValues")},
}
"""v3.0's `rule:` names (and v3.1 names written under `rule:`) -> v3.1 `metric:` names."""

LOGICAL_TYPES: frozenset[str] = frozenset(
    {"string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"}
)
LOGICAL_TYPES_V32: frozenset[str] = LOGICAL_TYPES | {"map", "vector"}


@dataclass(frozen=True, slots=True)
class PropertyNode:
    """A property with its path, its dotted name (`address.city`) and its column name."""

    data: Mapping[str, Any]
    path: JsonPath
    dotted_name: str
    column_path: tuple[str, ...]
    inside_array: bool

    @property
    def name(self) -> str:
        """The property's `name` (may be empty in invalid input)."""
        return str(self.data.get("name", ""))


@dataclass(frozen=True, slots=True)
class SchemaNode:
    """A schema object (`schema[i]`) with its path and dataset name."""

    data: Mapping[str, Any]
    path: JsonPath

    @property
    def name(self) -> str:
        """The schema object's `name`."""
        return str(self.data.get("name", ""))

    @property
    def dataset(self) -> str:
        """The dataset name: `physicalName`, else `name`."""
        physical = self.data.get("physicalName")
        return str(physical) if isinstance(physical, str) and physical else self.name


def as_mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def schema_objects(contract: Mapping[str, Any]) -> Iterator[SchemaNode]:
    """Every mapping in `schema[]`."""
    for index, item in enumerate(as_list(contract.get("schema"))):
        if isinstance(item, Mapping):
            yield SchemaNode(item, ("schema", index))


def column_name(prop: Mapping[str, Any]) -> str:
    """The data column of a property: its `physicalName`, else its `name`."""
    physical = prop.get("physicalName")
    return str(physical) if isinstance(physical, str) and physical else str(prop.get("name", ""))


def properties(schema: SchemaNode) -> Iterator[PropertyNode]:
    """Every property of a schema object, depth first, nested objects and array items included."""
    stack: list[tuple[Any, JsonPath, str, tuple[str, ...], bool]] = [
        (schema.data.get("properties"), (*schema.path, "properties"), "", (), False)
    ]
    while stack:
        items, path, prefix, columns, in_array = stack.pop()
        children: list[tuple[Any, JsonPath, str, tuple[str, ...], bool]] = []
        for index, prop in enumerate(as_list(items)):
            if not isinstance(prop, Mapping):
                continue
            prop_path = (*path, index)
            dotted = f"{prefix}{prop.get('name', '')}"
            column_path = (*columns, column_name(prop))
            yield PropertyNode(prop, prop_path, dotted, column_path, in_array)
            children.extend(_children(prop, prop_path, dotted, column_path, in_array))
        stack.extend(reversed(children))


def _children(
    prop: Mapping[str, Any], path: JsonPath, dotted: str, columns: tuple[str, ...], in_array: bool
) -> list[tuple[Any, JsonPath, str, tuple[str, ...], bool]]:
    """The nested property lists of one property (object fields, array items)."""
    nested: list[tuple[Any, JsonPath, str, tuple[str, ...], bool]] = []
    if "properties" in prop:
        nested.append((prop["properties"], (*path, "properties"), f"{dotted}.", columns, in_array))
    items = prop.get("items")
    if isinstance(items, Mapping):
        nested.append(([items], (*path, "items"), f"{dotted}[]", columns, True))
    return nested


def top_level_properties(schema: SchemaNode) -> Iterator[PropertyNode]:
    """Only the direct properties of a schema object."""
    for prop in properties(schema):
        if len(prop.column_path) == 1 and not prop.inside_array:
            yield prop


def rules(owner: Mapping[str, Any], owner_path: JsonPath) -> Iterator[tuple[Any, JsonPath]]:
    """The quality rules of a schema object or property, with their paths."""
    for index, rule in enumerate(as_list(owner.get("quality"))):
        yield rule, (*owner_path, "quality", index)


def operators_of(rule: Mapping[str, Any]) -> list[str]:
    """The operator keys present in a rule (or an implementation mapping), in standard order."""
    return [op for op in OPERATORS if op in rule]
