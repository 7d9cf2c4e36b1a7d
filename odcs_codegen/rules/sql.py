"""`type: sql` rules: the contract author's query, one value, measured in the same scan.

Placeholders (`{object}`, `{table}`, `{model}`, `{property}`, `{column}`, `{field}`, also with
`$`) become the quoted dataset and column; comments and a trailing `;` are removed; the query
must be one SELECT (the dialect's parser checks it where it has one). The runtime wraps it as a
scalar subquery; a query the database rejects fails only its own assertion.
"""

from __future__ import annotations

from ..measures import Measure
from ..model import Rule
from ..sqlrules import QueryError, prepare
from .base import Context, Planned, RuleError, Target, column_of, reads

__all__ = ["measure"]


def measure(ctx: Context, rule: Rule, target: Target) -> Planned:
    """The measure of a sql rule: its prepared query."""
    query = rule.query
    if query is None or not query.strip():
        raise RuleError("a sql rule needs a non-empty 'query'")
    names = {
        "table": ctx.dialect.quote_identifier(target.schema.dataset),
        "column": column_of(ctx, target.prop) if target.prop else None,
    }
    try:
        cleaned = prepare(query, names, ctx.dialect.lexicon)
        ctx.dialect.check_select(cleaned, ctx.dialect.scalar_subquery(cleaned))
    except QueryError as problem:
        raise RuleError(f"query: {problem}", (*rule.path, "query")) from None
    columns = reads(target.prop) if target.prop else ()
    return Planned(Measure(cleaned, "query"), columns, "query result", "query", "sql")
