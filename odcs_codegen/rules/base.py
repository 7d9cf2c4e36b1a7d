"""What every rule kind works with: the target it measures, the context, its result, errors.

A rule kind turns one rule (or property constraint, or SLA entry) into a `Planned` measure:
the metric (SQL in the module's dialect, or the row count), the columns it reads, how the
generated code names and describes it. `lower` attaches the comparison, name and severity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..diagnostics import Level
from ..dialects import Dialect
from ..measures import Measure, Measures
from ..model import JsonPath, Property, Rule, SchemaObject
from ..sqlrules import QueryError

__all__ = [
    "Context",
    "Planned",
    "RuleError",
    "Skip",
    "Target",
    "check_value_types",
    "count_of",
    "number_of",
    "values_of",
]


@dataclass(frozen=True, slots=True)
class Planned:
    """What a rule measures, before its comparison is attached.

    `reads` are the top-level columns it reads (a broken one blocks it at run time), `hint` the
    name of its metric in generated code, `tag` its assertion tag, `unit` its value's unit in
    reports and `failure` the reason reported when the comparison fails.
    """

    measure: Measure
    reads: tuple[str, ...]
    summary: str
    hint: str
    tag: str
    unit: str | None = None
    failure: str | None = None


class RuleError(Exception):
    """A rule that cannot compile: an error at `path` (else at the rule)."""

    def __init__(self, message: str, path: JsonPath | None = None) -> None:
        super().__init__(message)
        self.path = path


class Skip(Exception):
    """A rule that cannot run here (another engine): a warning, and a SKIPPED_RULES entry."""


@dataclass(frozen=True, slots=True)
class Target:
    """What a rule is written on: its schema object and, for property rules, the property."""

    schema: SchemaObject
    prop: Property | None
    props: tuple[Property, ...]  # every property of the schema object, depth first

    @property
    def label(self) -> str:
        """The rule's target in messages: the dotted property name, else the schema object."""
        return self.prop.dotted_name if self.prop else self.schema.name

    def find(self, name: str) -> Property | None:
        """The property called `name`: by dotted name, then name, then physical column path."""
        candidates = [p for p in self.props if not p.inside_array]
        for key in (
            lambda p: p.dotted_name,
            lambda p: p.name,
            lambda p: ".".join(p.column_path),
        ):
            for prop in candidates:
                if key(prop) == name:
                    return prop
        return None


class Context(Protocol):
    """What rule kinds need from the lowering of one contract."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def m(self) -> Measures: ...

    def report(self, level: Level, path: JsonPath, message: str, *, key: bool = False) -> None:
        """Record a diagnostic at `path`."""


def column_of(ctx: Context, prop: Property) -> str:
    """The quoted column (or struct field) of a property."""
    return ctx.m.column(prop.column_path)


def reads(*props: Property) -> tuple[str, ...]:
    """The top-level columns the properties live in."""
    return tuple(dict.fromkeys(p.column_path[0] for p in props))


def pattern_of(ctx: Context, value: Any, where: str) -> str:
    """A regular expression, checked by the dialect's own regex engine."""
    if not isinstance(value, str):
        raise RuleError(f"{where} must be a string, got: {value!r}")
    try:
        ctx.dialect.check_regex(value)
    except QueryError as problem:
        raise RuleError(f"invalid regular expression {value!r}: {problem}") from None
    return value


def as_text(ctx: Context, col: str, logical_type: str | None) -> str:
    """A column as text for regex matching (a no-op for string columns)."""
    return col if logical_type == "string" else ctx.dialect.as_text(col)


def is_number(value: Any) -> bool:
    """A YAML int or float (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_of(value: Any, where: str) -> int | float:
    """A finite number that a double holds (integers up to 2**53), or RuleError."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > 2**53:
            raise RuleError(f"{where} is too large: integers above 2**53 lose precision")
        return value
    if not is_number(value) or not math.isfinite(value):
        raise RuleError(f"{where} must be a number, got: {show(value)[:60]}")
    return float(value)


def count_of(value: Any, where: str) -> int:
    """A non-negative integer, or RuleError."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError(f"{where} must be a non-negative integer, got: {value!r}")
    return value


def show(value: Any) -> str:
    """A value as the messages print it: numbers bare, strings quoted."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def names_of(value: Any, where: str) -> list[str]:
    """A non-empty list of property names."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where} must be a non-empty list of property names")
    return [str(v) for v in value]


def values_of(value: Any, where: str) -> list[Any]:
    """A list of scalar values."""
    if not isinstance(value, list) or any(isinstance(v, Mapping | list) for v in value):
        raise RuleError(f"{where} must be a list of values, got: {show(value)}")
    return list(value)


_COMPARABLE: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "date": (str,),
    "timestamp": (str,),
    "time": (str,),
}


def check_value_types(values: Sequence[Any], logical_type: str | None, where: str) -> None:
    """Values comparable with the column's logicalType (else the database rejects the query)."""
    types = _COMPARABLE.get(str(logical_type))
    if types is None:
        return
    for v in values:
        if v is None:
            continue
        bad_bool = isinstance(v, bool) and bool not in types
        if bad_bool or not isinstance(v, types):
            article = "an" if str(logical_type)[0] in "aeiou" else "a"
            raise RuleError(
                f"{where} holds {v!r}, which cannot be compared with {article} "
                f"{logical_type} column"
            )


def unit_of(rule: Rule) -> bool:
    """True for `unit: percent`, False for rows (the default)."""
    unit = (rule.unit or "rows").lower()
    if unit not in ("rows", "percent"):
        raise RuleError(f"unit must be 'rows' or 'percent', got: {rule.unit!r}")
    return unit == "percent"


def counted(
    ctx: Context, sql: str, percent: bool, what: str, tag: str, target: str, cols: tuple[str, ...]
) -> Planned:
    """A row count, or its percentage of all rows (0 on an empty table)."""
    hint = f"{target} {what}"
    if percent:
        measure = Measure(ctx.m.ratio(sql, "100.0"))
        return Planned(measure, cols, f"{what} (%)", f"{hint} percent", tag, unit="%")
    return Planned(Measure(sql), cols, what, hint, tag)
