"""`type: sql` rules: placeholder substitution and the checks that keep a query one SELECT.

A contract's query becomes a scalar subquery inside dqlib's single aggregate scan. Before that,
comments and trailing semicolons are removed, and the cleaned text must parse (DuckDB's own
parser) as exactly one SELECT, also once wrapped, so a query can never close the subquery,
start a second statement or run anything but itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import duckdb

PLACEHOLDERS: Mapping[str, str] = {
    "object": "table",
    "table": "table",
    "model": "table",
    "property": "column",
    "column": "column",
    "field": "column",
}
_PLACEHOLDER = re.compile(r"\$?\{\s*(object|table|model|property|column|field)\s*\}")


class QueryError(ValueError):
    """The query cannot be used as a sql rule; the message says why."""


def strip_comments(query: str) -> str:
    """`query` without `--` and `/* */` comments (outside quotes) and trailing semicolons."""
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch in "'\"":
            end = _closing_quote(query, i)
            out.append(query[i:end])
            i = end
        elif query.startswith("--", i):
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            if end < 0:
                raise QueryError("unterminated /* comment")
            out.append(" ")
            i = end + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out).strip().rstrip(";").strip()


def _closing_quote(text: str, start: int) -> int:
    """Index just past the quoted token starting at `start` (doubled quotes stay inside)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise QueryError("unterminated quoted string")


def substitute(query: str, names: Mapping[str, str | None]) -> str:
    """Replace `{table}`/`${object}`/`{model}`... and `{column}`/`${property}`/`{field}`...
    by the quoted names in `names` (keys "table" and "column")."""

    def replace(match: re.Match[str]) -> str:
        kind = PLACEHOLDERS[match.group(1)]
        value = names.get(kind)
        if value is None:
            raise QueryError(f"placeholder {match.group(0)} has no {kind} here (schema-level rule)")
        return value

    return _PLACEHOLDER.sub(replace, query)


def check_duckdb_select(query: str, wrapped: str) -> None:
    """Raise QueryError unless `query` parses as one SELECT and `wrapped` as one expression."""
    statements = _parse(query)
    if len(statements) != 1:
        raise QueryError(f"a sql rule must be one query, found {len(statements)} statements")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(f"a sql rule must be a SELECT query, found {statements[0].type.name}")
    if len(_parse(f"SELECT {wrapped} AS value")) != 1:
        raise QueryError("the query does not fit in a scalar subquery")


def check_duckdb_regex(pattern: str) -> None:
    """Raise QueryError unless DuckDB's regex engine (RE2) accepts `pattern`."""
    try:
        _connection().execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None


def check_duckdb_cast(value: str, sql_type: str) -> None:
    """Raise QueryError unless DuckDB can cast the string `value` to `sql_type`."""
    if sql_type not in ("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ"):
        raise QueryError(f"unsupported type {sql_type}")
    try:
        _connection().execute(f"SELECT CAST(? AS {sql_type}) IS NOT NULL", [value]).fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None


@cache
def _connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory connection for compile-time checks (no data, nothing persisted)."""
    return duckdb.connect(":memory:")


def _parse(sql: str) -> list[duckdb.Statement]:
    """DuckDB's parse of `sql` (no execution); QueryError with the parser's first line."""
    try:
        return list(duckdb.extract_statements(sql))
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None
