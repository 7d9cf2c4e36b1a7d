"""ODCS library metrics: nullValues, missingValues, invalidValues, duplicateValues, rowCount.

Each is one `LibraryKind`: where it may be written, which `arguments` it reads and how it
measures. NULL is never an invalid value and never a duplicate (SQL UNIQUE semantics);
`missingValues` counts NULLs plus the listed values; `unit: percent` is 0-100 of all rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..measures import ROW_COUNT
from ..model import Rule
from ..vocabulary import OPERATORS
from .base import (
    Context,
    Planned,
    RuleError,
    Target,
    as_text,
    check_value_types,
    column_of,
    counted,
    names_of,
    pattern_of,
    reads,
    unit_of,
    values_of,
)

__all__ = ["LIBRARY", "LibraryKind"]

Measure = Callable[[Context, Rule, Target, bool], Planned]


@dataclass(frozen=True, slots=True)
class LibraryKind:
    """One library metric: its `arguments` and how it measures (`percent`: unit: percent)."""

    name: str
    arguments: frozenset[str]
    measure: Measure


def _property(rule: Rule, target: Target) -> None:
    if target.prop is None:
        hint = " (or use arguments.properties)" if rule.metric == "duplicateValues" else ""
        raise RuleError(f"metric {rule.metric!r} must be on a property{hint}")


def _nulls(ctx: Context, rule: Rule, target: Target, percent: bool) -> Planned:
    _property(rule, target)
    assert target.prop is not None
    prop = target.prop
    sql = ctx.m.nulls(column_of(ctx, prop))
    return counted(ctx, sql, percent, "NULL rows", "nullValues", prop.dotted_name, reads(prop))


def _missing(ctx: Context, rule: Rule, target: Target, percent: bool) -> Planned:
    _property(rule, target)
    assert target.prop is not None
    prop = target.prop
    missing = values_of(rule.arguments.get("missingValues", []), "arguments.missingValues")
    check_value_types(missing, prop.logical_type, "arguments.missingValues")
    sql = ctx.m.missing(column_of(ctx, prop), missing)
    return counted(
        ctx, sql, percent, "missing rows", "missingValues", prop.dotted_name, reads(prop)
    )


def _invalid(ctx: Context, rule: Rule, target: Target, percent: bool) -> Planned:
    _property(rule, target)
    assert target.prop is not None
    prop = target.prop
    valid = rule.arguments.get("validValues")
    pattern = rule.arguments.get("pattern")
    if valid is None and pattern is None and prop.enum is not None:
        valid = list(prop.enum)  # v3.2.0: the enum values are the valid values
    if valid is None and pattern is None:
        raise RuleError(
            "invalidValues needs arguments.validValues or arguments.pattern (or an 'enum' "
            "on its property) to know which values are valid"
        )
    values = values_of(valid, "arguments.validValues") if valid is not None else None
    if values is not None:
        check_value_types(values, prop.logical_type, "arguments.validValues")
    regex = pattern_of(ctx, pattern, "arguments.pattern") if pattern is not None else None
    col = column_of(ctx, prop)
    sql = ctx.m.invalid(col, values, regex, text=as_text(ctx, col, prop.logical_type))
    return counted(ctx, sql, percent, "invalid rows", "invalid", prop.dotted_name, reads(prop))


def _duplicates(ctx: Context, rule: Rule, target: Target, percent: bool) -> Planned:
    if "properties" in rule.arguments:
        names = names_of(rule.arguments["properties"], "arguments.properties")
        where = (*rule.path, "arguments", "properties")
        props = []
        for index, name in enumerate(names):
            found = target.find(name)
            if found is None:
                message = f"property {name!r} does not exist in this schema object"
                raise RuleError(message, (*where, index))
            props.append(found)
        sql = ctx.m.duplicates([column_of(ctx, p) for p in props])
        label = "_".join(names)
        return counted(ctx, sql, percent, "duplicate rows", "duplicateValues", label, reads(*props))
    _property(rule, target)
    assert target.prop is not None
    prop = target.prop
    sql = ctx.m.duplicates([column_of(ctx, prop)])
    return counted(
        ctx, sql, percent, "duplicate rows", "duplicateValues", prop.dotted_name, reads(prop)
    )


def _rows(ctx: Context, rule: Rule, target: Target, percent: bool) -> Planned:
    if percent:
        raise RuleError("rowCount has no percent unit")
    return Planned(ROW_COUNT, (), "row count", "rows", "rowCount")


LIBRARY: Mapping[str, LibraryKind] = {
    kind.name: kind
    for kind in (
        LibraryKind("nullValues", frozenset(), _nulls),
        LibraryKind("missingValues", frozenset({"missingValues"}), _missing),
        LibraryKind("invalidValues", frozenset({"validValues", "pattern"}), _invalid),
        LibraryKind("duplicateValues", frozenset({"properties"}), _duplicates),
        LibraryKind("rowCount", frozenset(), _rows),
    )
}


def measure(ctx: Context, rule: Rule, target: Target) -> Planned:
    """The measure of a library rule (its `arguments` checked for strays)."""
    kind = LIBRARY.get(rule.metric or "")
    if kind is None:
        raise RuleError(f"unknown library rule {rule.legacy_rule or rule.metric!r}")
    if rule.legacy_rule is not None and "metric" not in rule.raw:
        hint = " with 'arguments.validValues'" if rule.legacy_rule == "validValues" else ""
        ctx.report(
            "warning",
            (*rule.path, "rule"),
            f"'rule: {rule.legacy_rule}' is deprecated since ODCS v3.1.0; write "
            f"'metric: {kind.name}'{hint}",
        )
    _stray_arguments(ctx, rule, kind)
    return kind.measure(ctx, rule, target, unit_of(rule))


_RULE_KEYS = frozenset(
    {
        *OPERATORS,
        *("id", "name", "description", "dimension", "severity", "unit", "type", "metric"),
        *("businessImpact", "tags", "schedule", "scheduler", "customProperties", "method"),
        *("authoritativeDefinitions", "query", "engine", "implementation", "rule"),
    }
)


def _stray_arguments(ctx: Context, rule: Rule, kind: LibraryKind) -> None:
    """Warn about `arguments` keys the metric does not read (a typo, or a rule key such as
    `severity` indented one level too deep)."""
    from .naming import did_you_mean

    written = rule.raw.get("arguments")
    for key in written if isinstance(written, Mapping) else ():
        if key in kind.arguments:
            continue
        takes = ", ".join(sorted(kind.arguments)) or "no arguments"
        message = f"unknown key {key!r} under 'arguments' is ignored ({kind.name} takes {takes})"
        if key in _RULE_KEYS:
            message += f"; {key!r} belongs on the rule: is it indented one level too deep?"
        else:
            message += did_you_mean(key, kind.arguments)
        ctx.report("warning", (*rule.path, "arguments", key), message, key=True)
