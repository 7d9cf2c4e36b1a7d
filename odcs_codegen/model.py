"""The contract model: a schema-valid ODCS contract as frozen, typed, positioned objects.

    Contract                        apiVersion, id, name, version, status, description, ...
    ├── schemas: tuple[SchemaObject]    name, physicalName -> dataset
    │   ├── properties: tuple[Property] name, physicalName -> column, logicalType, required,
    │   │   │                           unique, primaryKey, partitioned, logicalTypeOptions,
    │   │   │                           enum; items (arrays) and properties (objects) nest
    │   │   └── quality: tuple[Rule]
    │   └── quality: tuple[Rule]        schema-level rules
    └── sla: tuple[SlaEntry]            slaProperties

    Rule                            type (library, sql, custom, text), name, severity, unit,
    ├── threshold: Threshold | None     the one operator and its value
    └── implementation                  a dqx `implementation`, parsed (positions inside it)

`build_model.build` makes it once, after validation; later stages read it, never the YAML.
Every node keeps its `path` in the document; `Contract.where(path)` is its position (for a dqx
implementation written as a YAML string, the position inside that string).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import JsonPath as JsonPath
from .diagnostics import Position

Scalar = str | int | float | bool | None




@dataclass(frozen=True, slots=True)
class Threshold:
    """A rule's comparison: its operator and the value as written (checked when lowered)."""

    operator: str
    value: Any
    path: JsonPath


@dataclass(frozen=True, slots=True)
class Implementation:
    """A `type: custom, engine: dqx` rule's implementation, parsed.

    `data` is the mapping; `paths` maps its keys to document paths (a YAML string is positioned
    inside the string); `thresholds` are the operators written inside it.
    """

    data: Mapping[str, Any]
    path: JsonPath
    thresholds: tuple[Threshold, ...]
    error: str | None = None  # why the implementation could not be read

    def key_path(self, key: str) -> JsonPath:
        """The document path of one of its keys."""
        return (*self.path, key)


@dataclass(frozen=True, slots=True)
class Rule:
    """One quality rule of a schema object or property."""

    path: JsonPath
    type: str  # library, sql, custom, text ("" when it says neither type nor metric)
    name: str | None
    id: str | None
    description: str | None
    severity: str | None
    dimension: str | None
    unit: str | None
    thresholds: tuple[Threshold, ...]
    metric: str | None = None  # library: the v3.1 metric name (a v3.0 `rule:` mapped)
    legacy_rule: str | None = None  # library: the v3.0 `rule:` as written
    arguments: Mapping[str, Any] = field(default_factory=dict)
    query: str | None = None  # sql
    engine: str | None = None  # custom
    implementation: Implementation | None = None  # custom, engine dqx
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """A rule written as `{}`: it checks nothing."""
        return not self.raw


@dataclass(frozen=True, slots=True)
class Property:
    """A property (a column, a struct field or an array's items)."""

    path: JsonPath
    name: str
    physical_name: str | None
    logical_type: str | None
    required: bool
    unique: bool
    primary_key: bool
    primary_key_position: int | None
    partitioned: bool
    partition_key_position: int | None
    options: Mapping[str, Any]
    enum: tuple[Scalar, ...] | None
    items: Property | None
    properties: tuple[Property, ...]
    quality: tuple[Rule, ...]
    dotted_name: str  # `address.city`, `lines[]`
    column_path: tuple[str, ...]  # the data's names: ("address", "city")
    inside_array: bool
    timezone: str | None  # the zone a timestamp must carry (timezone: true)
    id: str | None = None

    @property
    def column(self) -> str:
        """The data column: `physicalName`, else `name`."""
        return self.physical_name or self.name


@dataclass(frozen=True, slots=True)
class SchemaObject:
    """A schema object: one dataset."""

    path: JsonPath
    name: str
    physical_name: str | None
    id: str | None
    properties: tuple[Property, ...]
    quality: tuple[Rule, ...]
    relationships: tuple[tuple[str, JsonPath], ...] = ()  # (reference, path) of from/to

    @property
    def dataset(self) -> str:
        """The dataset name: `physicalName`, else `name`."""
        return self.physical_name or self.name

    def all_properties(self) -> list[Property]:
        """Every property, depth first: nested object fields and array items included."""
        found: list[Property] = []
        stack = list(reversed(self.properties))
        while stack:
            prop = stack.pop()
            found.append(prop)
            children = [*prop.properties, *([prop.items] if prop.items else [])]
            stack.extend(reversed(children))
        return found


@dataclass(frozen=True, slots=True)
class SlaEntry:
    """One slaProperties entry."""

    path: JsonPath
    property: str
    value: Any
    unit: str | None
    element: str | None


@dataclass(frozen=True, slots=True)
class Contract:
    """A whole contract, and where each of its parts is written."""

    api_version: str
    id: str
    name: str | None
    version: str
    status: str
    domain: str | None
    data_product: str | None
    tags: tuple[str, ...]
    description: str | None
    schemas: tuple[SchemaObject, ...]
    sla: tuple[SlaEntry, ...]
    servers: tuple[dict[str, Scalar], ...]
    sla_default_element: str | None
    source_sha256: str
    positions: Callable[[JsonPath], Position | None]
    key_positions: Callable[[JsonPath], Position | None]

    def where(self, path: JsonPath, *, key: bool = False) -> Position | None:
        """The position of the value (or, with `key`, of the key) at `path`."""
        return self.key_positions(path) if key else self.positions(path)
