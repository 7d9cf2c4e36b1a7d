"""Property constraints as assertions: `required`, `unique`, `primaryKey`, each
`logicalTypeOptions` keyword and the v3.2.0 `enum` (violating rows = 0).

Each keyword is one `Constraint`: the logicalTypes it applies to and the SQL condition of a
violating value. `required` keeps the DQX specification's wording when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._runtime.errors import required_message
from ..measures import Measure
from ..model import JsonPath, Property, SchemaObject
from ..sqlrules import QueryError
from .base import (
    Context,
    Planned,
    RuleError,
    as_text,
    column_of,
    count_of,
    number_of,
    pattern_of,
    reads,
)

__all__ = ["OPTIONS", "Found", "constraints", "primary_key"]

TEMPORAL_SQL_TYPES: Mapping[str, str] = {"date": "DATE", "timestamp": "TIMESTAMP", "time": "TIME"}
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)"
_ISO_TEMPORAL: Mapping[str, re.Pattern[str]] = {
    "date": re.compile(_DATE),
    "timestamp": re.compile(f"{_DATE}([T ]{_TIME}{_OFFSET}?)?"),
    "time": re.compile(_TIME),
}
_HAS_OFFSET = re.compile(f"[T ]{_TIME}{_OFFSET}$")

Condition = Callable[[Context, Any, str, Property], str | None]


@dataclass(frozen=True, slots=True)
class Found:
    """A constraint to assert: its keyword, planned measure, where it is written, severity
    (None: the configured constraint severity)."""

    keyword: str
    planned: Planned
    path: JsonPath
    severity: str | None = None


def _length(keyword: str, op: str, kind: str) -> Condition:
    def condition(ctx: Context, value: Any, col: str, prop: Property) -> str:
        return f"{ctx.dialect.length(col, kind)} {op} {count_of(value, keyword)}"

    return condition


def _unique_items(ctx: Context, value: Any, col: str, prop: Property) -> str | None:
    return f"NOT ({ctx.dialect.list_is_unique(col)})" if value is True else None


def _pattern(ctx: Context, value: Any, col: str, prop: Property) -> str:
    regex = pattern_of(ctx, value, "pattern")
    return f"NOT {ctx.dialect.matches(as_text(ctx, col, prop.logical_type), regex)}"


def _multiple(ctx: Context, value: Any, col: str, prop: Property) -> str:
    divisor = ctx.dialect.literal(number_of(value, "multipleOf"))
    return f"NOT ({ctx.dialect.is_multiple_of(col, divisor)})"


def _bound(keyword: str, op: str) -> Condition:
    def condition(ctx: Context, value: Any, col: str, prop: Property) -> str | None:
        if isinstance(value, bool):
            return None  # v3.0.x: exclusiveMinimum/exclusiveMaximum are booleans
        operator = op
        if prop.options.get(f"exclusive{keyword.capitalize()}") is True:
            operator = {"<": "<=", ">": ">="}[op]
        return f"{col} {operator} {bound_literal(ctx, value, keyword, prop.logical_type)}"

    return condition


OPTIONS: Mapping[str, Condition] = {
    "minLength": _length("minLength", "<", "string"),
    "maxLength": _length("maxLength", ">", "string"),
    "minItems": _length("minItems", "<", "list"),
    "maxItems": _length("maxItems", ">", "list"),
    "uniqueItems": _unique_items,
    "pattern": _pattern,
    "multipleOf": _multiple,
    "minimum": _bound("minimum", "<"),
    "maximum": _bound("maximum", ">"),
    "exclusiveMinimum": _bound("exclusiveMinimum", "<="),
    "exclusiveMaximum": _bound("exclusiveMaximum", ">="),
}
"""The logicalTypeOptions keywords that make assertions (format, timezone, ... do not)."""


def bound_literal(ctx: Context, value: Any, keyword: str, logical_type: str | None) -> str:
    """A minimum/maximum bound: a number, or a date/timestamp/time string of that type."""
    sql_type = TEMPORAL_SQL_TYPES.get(logical_type or "")
    if sql_type is None:
        return ctx.dialect.literal(number_of(value, keyword))
    if not isinstance(value, str) or not _ISO_TEMPORAL[logical_type or ""].fullmatch(value):
        raise RuleError(f"{keyword} must be an ISO 8601 {logical_type} string, got: {value!r}")
    if sql_type == "TIMESTAMP" and _HAS_OFFSET.search(value):
        sql_type = "TIMESTAMPTZ"
    try:
        ctx.dialect.check_cast(value, sql_type)
    except QueryError as problem:
        raise RuleError(f"{keyword} {value!r} is not a valid {logical_type}: {problem}") from None
    return ctx.dialect.typed_literal(value, ctx.dialect.temporal_type(sql_type))


_SUMMARIES: Mapping[str, str] = {"required": "NULL rows", "unique": "duplicate values"}
_HINTS: Mapping[str, str] = {"required": "nulls", "unique": "duplicates"}


def _planned(keyword: str, sql: str, prop: Property) -> Planned:
    summary = _SUMMARIES.get(keyword, f"{keyword}: violating rows")
    hint = f"{prop.dotted_name} {_HINTS.get(keyword, keyword + ' violations')}"
    failure = required_message(prop.dotted_name) if keyword == "required" else None
    return Planned(Measure(sql), reads(prop), summary, hint, keyword, failure=failure)


def constraints(ctx: Context, prop: Property) -> list[Found]:
    """The constraint assertions of one property (none inside arrays)."""
    if prop.inside_array:
        return []
    col = column_of(ctx, prop)
    found: list[Found] = []
    if prop.required:
        sql = ctx.m.nulls(col)
        found.append(
            Found("required", _planned("required", sql, prop), (*prop.path, "required"), "P0")
        )
    if prop.unique:
        sql = ctx.m.duplicates([col])
        found.append(Found("unique", _planned("unique", sql, prop), (*prop.path, "unique")))
    for keyword, value in prop.options.items():
        condition = OPTIONS.get(keyword)
        path = (*prop.path, "logicalTypeOptions", keyword)
        if condition is None:
            continue
        try:
            violation = condition(ctx, value, col, prop)
        except RuleError as problem:
            ctx.report("error", path, str(problem))
            continue
        if violation is not None:
            sql = ctx.m.count(f"{col} IS NOT NULL AND {violation}")
            found.append(Found(keyword, _planned(keyword, sql, prop), path))
    if prop.enum is not None:
        values = [v for v in prop.enum if v is not None]
        sql = ctx.m.invalid(col, values, None)
        found.append(Found("enum", _planned("enum", sql, prop), (*prop.path, "enum")))
    return found


def primary_key(ctx: Context, schema: SchemaObject, props: list[Property]) -> Found | None:
    """The composite primary key (`<dataset>: primaryKey`), its properties by position."""
    keys = [p for p in props if p.primary_key and not p.inside_array]
    if not keys:
        return None
    keys.sort(key=lambda p: (p.primary_key_position or 1 << 30, p.path))
    cols = [column_of(ctx, p) for p in keys]
    names = ", ".join(p.dotted_name for p in keys)
    planned = Planned(
        Measure(ctx.m.key_violations(cols)),
        reads(*keys),
        f"primary key ({names}): violating rows",
        f"{schema.dataset} key violations",
        "primaryKey",
    )
    return Found("primaryKey", planned, (*keys[0].path, "primaryKey"))
