"""The ODCS vocabulary the compiler knows: operators, logical types, legacy rule names."""

from __future__ import annotations

from collections.abc import Mapping

OPERATORS: tuple[str, ...] = (  # in the standard's order
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
