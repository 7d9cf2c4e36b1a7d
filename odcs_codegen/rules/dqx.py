"""The DQX vocabulary (`type: custom, engine: dqx`): one `DqxCheck` per `check:` value.

Adding a check is one entry in `CHECKS` (its extra keys, whether it needs a numeric column, how
it measures) plus its tests. Statistics ignore NULL and NaN; `return: pct` is a 0-1 fraction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..measures import ROW_COUNT, Measure
from ..model import Implementation, Property, Rule
from ..vocabulary import OPERATORS
from .base import (
    Context,
    Planned,
    RuleError,
    Skip,
    Target,
    check_value_types,
    column_of,
    reads,
    values_of,
)
from .naming import did_you_mean

__all__ = ["CHECKS", "DqxCheck", "measure"]

Measurer = Callable[[Context, str, Implementation, Property], Planned]
NUMERIC_TYPES: frozenset[str | None] = frozenset({"integer", "number", None})


@dataclass(frozen=True, slots=True)
class DqxCheck:
    """One `check:` of the vocabulary: the keys it takes besides `check`/`column` and the
    operators, whether it needs a numeric column, and how it measures (None: the row count)."""

    name: str
    keys: frozenset[str]
    numeric: bool
    measure: Measurer | None


def _label(check: str, prop: Property) -> str:
    return f"{check}({prop.dotted_name})"


def _planned(check: str, prop: Property, sql: str) -> Planned:
    label = _label(check, prop)
    return Planned(Measure(sql), reads(prop), label, label, f"dqx-{check}")


def _count(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
    """missing / duplicates / whitelist / blacklist, as a count or a 0-1 fraction."""
    col = column_of(ctx, prop)
    if check == "missing":
        sql = ctx.m.nulls(col)
    elif check == "duplicates":
        sql = ctx.m.duplicates([col])
    else:
        values = values_of(impl.data.get("values"), "values")
        check_value_types(values, prop.logical_type, "values")
        invalid = check == "whitelist"
        sql = ctx.m.invalid(col, values, None) if invalid else ctx.m.listed(col, values)
    returns = str(impl.data.get("return", "count"))
    if returns not in ("count", "pct"):
        raise RuleError(
            f"return must be 'count' or 'pct', got {returns!r}", impl.key_path("return")
        )
    label = _label(check, prop)
    if returns == "pct":
        measure = Measure(ctx.m.ratio(sql, "1.0"))
        return Planned(
            measure, reads(prop), f"{label} (fraction)", f"{label} fraction", f"dqx-{check}"
        )
    return Planned(Measure(sql), reads(prop), label, label, f"dqx-{check}")


def _simple(sql: Callable[[Context, str], str]) -> Measurer:
    def measurer(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
        return _planned(check, prop, sql(ctx, column_of(ctx, prop)))

    return measurer


def _length(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
    default = {"array": "list", "map": "map"}.get(prop.logical_type or "", "string")
    column_type = str(impl.data.get("column_type", default))
    if column_type not in ("string", "list", "map"):
        raise RuleError(
            f"column_type must be string, list or map, got {column_type!r}",
            impl.key_path("column_type"),
        )
    function = {"min_length": "MIN", "max_length": "MAX", "avg_length": "AVG"}[check]
    return _planned(check, prop, ctx.m.length(function, column_of(ctx, prop), column_type))


def _statistic(function: str) -> Measurer:
    def measurer(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
        nan = prop.logical_type != "integer"
        return _planned(
            check, prop, ctx.m.statistic(function, column_of(ctx, prop), nan_possible=nan)
        )

    return measurer


def _sum(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
    nan = prop.logical_type != "integer"
    return _planned(check, prop, ctx.m.total(column_of(ctx, prop), nan_possible=nan))


def _percentile(ctx: Context, check: str, impl: Implementation, prop: Property) -> Planned:
    fraction = impl.data.get("percentile")
    if (
        not isinstance(fraction, int | float)
        or isinstance(fraction, bool)
        or not 0 <= fraction <= 1
    ):
        raise RuleError(
            f"percentile must be a number from 0.0 to 1.0, got: {fraction!r}",
            impl.key_path("percentile"),
        )
    nan = prop.logical_type != "integer"
    col = column_of(ctx, prop)
    return _planned(check, prop, ctx.m.percentile(col, fraction, nan_possible=nan))


_COUNTS = frozenset({"return"})
_LENGTHS = frozenset({"column_type"})
CHECKS: Mapping[str, DqxCheck] = {
    check.name: check
    for check in (
        DqxCheck("missing", _COUNTS, False, _count),
        DqxCheck("duplicates", _COUNTS, False, _count),
        DqxCheck("whitelist", _COUNTS | {"values"}, False, _count),
        DqxCheck("blacklist", _COUNTS | {"values"}, False, _count),
        DqxCheck("cardinality", frozenset(), False, _simple(lambda c, col: c.m.distinct(col))),
        DqxCheck("count", frozenset(), False, _simple(lambda c, col: c.m.non_null(col))),
        DqxCheck("min", frozenset(), True, _statistic("MIN")),
        DqxCheck("max", frozenset(), True, _statistic("MAX")),
        DqxCheck("mean", frozenset(), True, _statistic("AVG")),
        DqxCheck("sum", frozenset(), True, _sum),
        DqxCheck("variance", frozenset(), True, _statistic("VAR_SAMP")),
        DqxCheck("stddev", frozenset(), True, _statistic("STDDEV_SAMP")),
        DqxCheck("percentile", frozenset({"percentile"}), True, _percentile),
        DqxCheck("min_length", _LENGTHS, False, _length),
        DqxCheck("max_length", _LENGTHS, False, _length),
        DqxCheck("avg_length", _LENGTHS, False, _length),
        DqxCheck("num_rows", frozenset(), False, None),
    )
}
_COMMON = frozenset({"check", "column", *OPERATORS})
ALL_KEYS = _COMMON.union(*(check.keys for check in CHECKS.values()))


def measure(ctx: Context, rule: Rule, target: Target) -> tuple[Planned, Implementation]:
    """The measure of a `type: custom` rule, and the implementation that holds its operator."""
    engine = rule.engine or ""
    if engine.lower() != "dqx":
        raise Skip(f"type 'custom' with engine {engine!r} is not executable by DQX")
    impl = rule.implementation
    assert impl is not None
    if impl.error is not None:
        raise RuleError(impl.error, impl.path)
    check_value = impl.data.get("check")
    if isinstance(check_value, Mapping) and "function" in check_value:
        raise Skip("a Databricks DQX implementation (check.function) is not dqlib's vocabulary")
    check = CHECKS.get(str(check_value or ""))
    if check is None:
        known = ", ".join(sorted(CHECKS))
        raise RuleError(
            f"unknown dqx check {check_value!r}; expected one of: {known}",
            impl.key_path("check") if "check" in impl.data else impl.path,
        )
    _unknown_keys(ctx, impl, check)
    if check.measure is None:
        return Planned(ROW_COUNT, (), "row count", "rows", f"dqx-{check.name}"), impl
    prop = _column(impl, target)
    if check.numeric and prop.logical_type not in NUMERIC_TYPES:
        raise RuleError(
            f"check {check.name!r} needs a numeric column; {prop.dotted_name!r} is "
            f"logicalType {prop.logical_type!r}",
            impl.key_path("check"),
        )
    return check.measure(ctx, check.name, impl, prop), impl


def _column(impl: Implementation, target: Target) -> Property:
    """The property a column-level check measures (`column:`, else the rule's owner)."""
    name: Any = impl.data.get("column")
    if name is None:
        if target.prop is None:
            raise RuleError(f"check {impl.data.get('check')!r} needs a 'column'", impl.path)
        return target.prop
    found = target.find(str(name))
    if found is None:
        message = f"column {name!r} does not exist in this schema object"
        raise RuleError(message, impl.key_path("column"))
    return found


def _unknown_keys(ctx: Context, impl: Implementation, check: DqxCheck) -> None:
    """Keys the check does not read: warnings, with the key they look like."""
    for key in sorted(set(impl.data) - _COMMON - check.keys):
        message = f"unknown key {key!r} in the dqx implementation is ignored"
        ctx.report("warning", impl.key_path(key), message + did_you_mean(key, ALL_KEYS), key=True)
