"""The printer: IR nodes -> Python statements and expressions (the templates place them).

This is the only place, besides the templates, that writes Python; every value goes through
`pycode.literal` (or `pycode.sql_literal`), so contract text can only ever become data.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import ir
from .pycode import comment, list_literal, literal, sql_block, sql_literal


def _call(function: str, positional: Sequence[str], keywords: Sequence[tuple[str, str]]) -> str:
    arguments = [*positional, *(f"{key}={value}" for key, value in keywords)]
    return f"{function}({', '.join(arguments)})"


def column(col: ir.Column) -> str:
    """``Column("order_id", "integer", required=True)`` (defaults left out)."""
    keywords: list[tuple[str, str]] = []
    if col.required:
        keywords.append(("required", "True"))
    if col.items is not None:
        keywords.append(("items", column(col.items)))
    if col.fields:
        keywords.append(("fields", "(" + "".join(f"{column(f)}, " for f in col.fields) + ")"))
    if col.timezone is not None:
        keywords.append(("timezone", literal(col.timezone)))
    return _call("Column", [literal(col.name), literal(col.logical_type)], keywords)


def metric(step: ir.Metric) -> str:
    """``nulls = m.sql('COUNT(*) ...', reads=["x"])``."""
    if step.kind == "rows":
        return f"{step.variable} = m.num_rows()"
    reads = [("reads", list_literal(step.reads))]
    sql = sql_block(step.sql, STATEMENT_INDENT * 2) if step.kind == "sql" else sql_literal(step.sql)
    return f"{step.variable} = " + _call(f"m.{step.kind}", [sql], reads if step.reads else [])


def threshold(comparison: ir.Comparison) -> str:
    """The finishing call: ``.is_geq(100)``, ``.is_between(10, 500)``, ``.noop()``."""
    if comparison.operator == "none":
        return ".noop()"
    if comparison.operator in ("between", "not_between"):
        keywords = [("exclusive", "True")] if comparison.exclusive else []
        bounds = [literal(comparison.value), literal(comparison.upper)]
        return "." + _call(comparison.method, bounds, keywords)
    return "." + _call(comparison.method, [literal(comparison.value)], [])


def assertion(step: ir.Assertion) -> str:
    """``# summary`` then ``m.expect(metric, "name", severity=..., ...).is_eq(0)``."""
    keywords = [
        ("severity", literal(step.severity)),
        ("tags", list_literal(step.tags)),
        ("at", literal(step.source.label())),
    ]
    for key, value in (
        ("unit", step.unit),
        ("description", step.description),
        ("failure", step.failure),
    ):
        if value is not None:
            keywords.append((key, literal(value)))
    call = _call("m.expect", [step.metric.variable, literal(step.name)], keywords)
    return f"# {comment(step.summary)}\n{STATEMENT_INDENT}{call}{threshold(step.comparison)}"


STATEMENT_INDENT = "    "
"""The indentation of a check function's body (the line breaks inside SQL literals stay)."""


def step(node: ir.Step) -> str:
    """A check function's statement for one step."""
    return metric(node) if isinstance(node, ir.Metric) else assertion(node)
