"""The rule kinds: one module per family, each kind one entry.

    library      nullValues, missingValues, invalidValues, duplicateValues, rowCount
    sql          type: sql (the contract author's query)
    dqx          type: custom, engine: dqx (the DQX vocabulary: `check:` values)
    constraints  required, unique, primaryKey, logicalTypeOptions keywords, enum
    sla          latency / ly / freshness

Each kind turns a rule into a `Planned` measure (`base.Planned`); `lower` adds the comparison,
name and severity. A new rule kind is an entry in its family's table (a new family: a module
here and one branch in `measure`).
"""

from __future__ import annotations

from ..model import Implementation, Rule
from . import dqx, library, sql
from .base import Context, Planned, RuleError, Skip, Target
from .naming import did_you_mean, rule_label

__all__ = [
    "KINDS",
    "Context",
    "Planned",
    "RuleError",
    "Skip",
    "Target",
    "did_you_mean",
    "measure",
    "rule_label",
]

KINDS: dict[str, tuple[str, ...]] = {
    "library": tuple(library.LIBRARY),
    "sql": ("sql",),
    "dqx": tuple(dqx.CHECKS),
}
"""The executable rule kinds of each family (constraints and SLA: see their modules)."""


def measure(ctx: Context, rule: Rule, target: Target) -> tuple[Planned, Rule | Implementation]:
    """What a `library`, `sql` or `custom` rule measures, and what holds its operator."""
    if rule.type == "library":
        return library.measure(ctx, rule, target), rule
    if rule.type == "sql":
        return sql.measure(ctx, rule, target), rule
    if rule.type == "custom":
        return dqx.measure(ctx, rule, target)
    if not rule.type:
        raise RuleError("a quality rule needs a 'type' (library, sql, custom, text) or a 'metric'")
    raise RuleError(f"unknown rule type {rule.type!r}; expected library, sql, custom or text")
