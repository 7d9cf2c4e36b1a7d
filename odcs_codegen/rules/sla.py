"""SLA properties: `latency` (synonyms `ly`, `freshness`) becomes the freshness assertion.

DQX specification 8.2: the timestamp column is the SLA `element` (`table.column`; the v3.0
`slaDefaultElement` when absent), else the first property with `partitioned: true` and
`partitionKeyPosition: 1`. Hours since the newest value, naive timestamps read as UTC. An
element that is not a column, or no column at all, is a warning: the check is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..measures import Measure
from ..model import Contract, Property, SchemaObject, SlaEntry
from .base import Context, Planned, RuleError, column_of, is_number, number_of, reads
from .naming import did_you_mean

__all__ = ["HOURS_PER_UNIT", "LATENCY_PROPERTIES", "Freshness", "freshness"]

LATENCY_PROPERTIES: frozenset[str] = frozenset({"latency", "ly", "freshness"})
HOURS_PER_UNIT: Mapping[str, float] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1 / 3600),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 1 / 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 1.0),
    **dict.fromkeys(("d", "day", "days"), 24.0),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 168.0),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 8760.0),
}
UNIT_SYMBOLS: Mapping[str, str] = {
    unit: next(u for u, f in HOURS_PER_UNIT.items() if f == factor)
    for unit, factor in HOURS_PER_UNIT.items()
}
"""Every time unit spelling -> its symbol (days -> d)."""


@dataclass(frozen=True, slots=True)
class Freshness:
    """A resolved latency entry: its assertion, on which schema object, and its threshold."""

    entry: SlaEntry
    hours: float
    prop: Property | None
    schema_index: int | None
    planned: Planned | None


def freshness(ctx: Context, contract: Contract, entry: SlaEntry) -> Freshness | None:
    """The freshness check of a latency entry (None for other properties, or a warning)."""
    if entry.property.lower() not in LATENCY_PROPERTIES:
        return None
    if not is_number(entry.value):
        ctx.report(
            "warning",
            (*entry.path, "value"),
            f"SLA latency value must be a number, got: {entry.value!r}; freshness check skipped",
        )
        return None
    unit = (entry.unit or "h").lower()
    factor = HOURS_PER_UNIT.get(unit)
    if factor is None:
        ctx.report(
            "warning",
            (*entry.path, "unit"),
            f"SLA latency unit {entry.unit!r} is not a time unit (s, min, h, d, w, y); "
            "freshness check skipped" + did_you_mean(unit, HOURS_PER_UNIT, UNIT_SYMBOLS),
        )
        return None
    try:
        hours = number_of(entry.value, "SLA latency value") * factor
    except RuleError as problem:
        ctx.report("warning", (*entry.path, "value"), f"{problem}; freshness check skipped")
        return None
    found = _timestamp_column(ctx, contract, entry)
    if found is None:
        return Freshness(entry, hours, None, None, None)
    prop, index = found
    col = column_of(ctx, prop)
    planned = Planned(
        Measure(ctx.m.hours_since_newest(col)),
        reads(prop),
        f"hours since the newest {prop.dotted_name}",
        f"hours since {prop.dotted_name}",
        "freshness",
        unit="h",
    )
    return Freshness(entry, hours, prop, index, planned)


def _timestamp_column(
    ctx: Context, contract: Contract, entry: SlaEntry
) -> tuple[Property, int] | None:
    """The column named by `element` (or `slaDefaultElement`), else the first partition key;
    it must be a date or timestamp."""
    element, where = entry.element, (*entry.path, "element")
    if element is None or not element.strip():
        element, where = contract.sla_default_element, ("slaDefaultElement",)
    found = _element_column(element, contract.schemas) if element else None
    if element and element.strip() and found is None:
        names = {name for s in contract.schemas for name in (s.name, s.dataset)}
        what = (
            "names a schema object, not a property (freshness needs a date or timestamp "
            "column: write object.column)"
            if element.strip() in names
            else "does not name a property of this contract"
        )
        ctx.report("warning", where, f"SLA element {element!r} {what}; freshness check skipped")
        return None
    if found is None:
        found = _partition_key(contract.schemas)
    if found is None:
        message = "SLA latency rule: no timestamp column could be resolved; freshness check skipped"
        ctx.report("warning", entry.path, message)
        return None
    logical_type = found[0].logical_type
    if logical_type not in (None, "date", "timestamp"):
        message = (
            f"SLA latency column {found[0].dotted_name!r} is logicalType {logical_type!r}; "
            "freshness needs a date or timestamp"
        )
        ctx.report("error", where if element else entry.path, message)
        return None
    return found


def _element_column(element: str, schemas: Sequence[SchemaObject]) -> tuple[Property, int] | None:
    """The property named by an SLA element (`table.column`, first of a comma list)."""
    table, _, column = element.split(",")[0].strip().rpartition(".")
    for index, schema in enumerate(schemas):
        if table and table not in (schema.name, schema.dataset):
            continue
        for prop in schema.all_properties():
            if column in (prop.name, ".".join(prop.column_path)) and not prop.inside_array:
                return prop, index
    return None


def _partition_key(schemas: Sequence[SchemaObject]) -> tuple[Property, int] | None:
    """The first property with `partitioned: true` and `partitionKeyPosition: 1`."""
    for index, schema in enumerate(schemas):
        for prop in schema.all_properties():
            if prop.partitioned and prop.partition_key_position == 1:
                return prop, index
    return None
