"""`type: sql` rules: placeholder substitution and the checks that keep a query one SELECT.

A contract's query becomes a scalar subquery inside dqlib's single aggregate scan. Before that,
comments and trailing semicolons are removed, and the cleaned text must parse (DuckDB's own
parser) as exactly one SELECT, also once wrapped, so a query can never close the subquery,
start a second statement or run anything but itself.
"""

from __future__ import annotations

import atexit
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # DuckDB is imported only when a query, regex or bound is checked
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


@dataclass(frozen=True, slots=True)
class Lexicon:
    """What a dialect's SQL text looks like to the scanner: quotes, escapes, comments."""

    quotes: str = "'\""
    backslash_escapes: bool = False
    hash_comments: bool = False
    verbatim_quotes: str = ""
    """Quotes inside which a backslash is an ordinary character (with backslash_escapes)."""


DUCKDB = Lexicon()
BIGQUERY = Lexicon(quotes="'\"`", backslash_escapes=True, hash_comments=True)
SPARK = Lexicon(quotes="'\"`", backslash_escapes=True, verbatim_quotes="`")


def _tokens(query: str, lexicon: Lexicon) -> list[tuple[str, str]]:
    """`query` as ("code" | "quoted" | "comment", text) pieces."""
    pieces: list[tuple[str, str]] = []
    i, n, start = 0, len(query), 0
    while i < n:
        if query[i] in lexicon.quotes:
            end = _closing_quote(query, i, lexicon)
            kind = "quoted"
        elif query.startswith("--", i) or (lexicon.hash_comments and query[i] == "#"):
            newline = query.find("\n", i)
            end, kind = (n if newline < 0 else newline), "comment"
        elif query.startswith("/*", i):
            close = query.find("*/", i + 2)
            if close < 0:
                raise QueryError("unterminated /* comment")
            end, kind = close + 2, "comment"
        else:
            i += 1
            continue
        if start < i:
            pieces.append(("code", query[start:i]))
        pieces.append((kind, query[i:end]))
        i = start = end
    if start < n:
        pieces.append(("code", query[start:]))
    return pieces


def _closing_quote(text: str, start: int, lexicon: Lexicon) -> int:
    """Index just past the quoted token starting at `start` (doubled quotes stay inside)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if lexicon.backslash_escapes and text[i] == "\\" and quote not in lexicon.verbatim_quotes:
            i += 2
            continue
        if text[i] == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise QueryError("unterminated quoted string")


def tokens(query: str, lexicon: Lexicon = DUCKDB) -> list[tuple[str, str]]:
    """`query` as ("code" | "quoted" | "comment", text) pieces (QueryError when unterminated)."""
    return _tokens(query, lexicon)


def prepare(query: str, names: Mapping[str, str | None], lexicon: Lexicon = DUCKDB) -> str:
    """The query without comments and trailing semicolons, placeholders (outside quotes)
    replaced by the quoted names in `names` ("table", "column"); QueryError unless it is one
    statement with balanced parentheses (so it cannot close the subquery it is put in)."""
    pieces = []
    for kind, text in _tokens(query, lexicon):
        if kind == "code":
            pieces.append(_PLACEHOLDER.sub(lambda m: _name_for(m, names), text))
        elif kind == "quoted":
            pieces.append(text)
        else:
            pieces.append(" " if not text.startswith(("--", "#")) else "")
    cleaned = "".join(pieces).strip().rstrip(";").strip()
    _check_structure(cleaned, lexicon)
    return cleaned


def _name_for(match: re.Match[str], names: Mapping[str, str | None]) -> str:
    """The quoted name a placeholder stands for."""
    kind = PLACEHOLDERS[match.group(1)]
    value = names.get(kind)
    if value is None:
        raise QueryError(f"placeholder {match.group(0)} has no {kind} here (schema-level rule)")
    return value


def _check_structure(query: str, lexicon: Lexicon) -> None:
    """One statement whose parentheses balance, outside quotes."""
    if not query:
        raise QueryError("the query is empty")
    depth = 0
    for kind, text in _tokens(query, lexicon):
        if kind != "code":
            continue
        if ";" in text:
            raise QueryError("a sql rule must be one query (found ';' between statements)")
        for ch in text:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth < 0:
                raise QueryError("unbalanced ')' in the query")
    if depth != 0:
        raise QueryError("unbalanced '(' in the query")


def check_duckdb_select(query: str, wrapped: str) -> None:
    """Raise QueryError unless `query` parses as one SELECT and `wrapped` as one expression."""
    import duckdb

    statements = _parse(query)
    if len(statements) != 1:
        raise QueryError(f"a sql rule must be one query, found {len(statements)} statements")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(f"a sql rule must be a SELECT query, found {statements[0].type.name}")
    if len(_parse(f"SELECT {wrapped} AS value")) != 1:
        raise QueryError("the query does not fit in a scalar subquery")


def check_spark_select(query: str, wrapped: str) -> bool:
    """Spark's own parser, when pyspark is imported and a session is active (none is started
    for it): QueryError unless `query` parses and, wrapped as a scalar subquery, is one
    expression (only a query fits there). False when no session is at hand."""
    module = sys.modules.get("pyspark.sql")
    session = getattr(getattr(module, "SparkSession", None), "getActiveSession", lambda: None)()
    state = getattr(getattr(session, "_jsparkSession", None), "sessionState", None)
    if state is None:
        return False
    try:
        parser = state().sqlParser()
        parser.parsePlan(query)
        parser.parseExpression(wrapped)
    except Exception as error:  # the JVM's ParseException, through py4j
        raise QueryError(_first_line(error)) from None
    return True


def check_sqlglot_select(query: str, wrapped: str, dialect: str) -> None:
    """sqlglot's parser for `dialect` when sqlglot is installed (else nothing is checked
    beyond `prepare`): QueryError unless `query` is one SELECT and `wrapped` one expression."""
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:
        return
    try:
        statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
        sqlglot.parse_one(f"SELECT {wrapped} AS value", read=dialect)
    except sqlglot.errors.SqlglotError as error:
        raise QueryError(_first_line(error)) from None
    if len(statements) != 1:
        raise QueryError(f"a sql rule must be one query, found {len(statements)} statements")
    if not isinstance(statements[0], exp.Query):
        kind = type(statements[0]).__name__.upper()
        raise QueryError(f"a sql rule must be a SELECT query, found {kind}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_duckdb_regex(pattern: str) -> None:
    """Raise QueryError unless DuckDB's regex engine (RE2) accepts `pattern`."""
    import duckdb

    try:
        _connection().execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None


def check_duckdb_cast(value: str, sql_type: str) -> None:
    """Raise QueryError unless DuckDB can cast the string `value` to `sql_type`."""
    if sql_type not in ("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ"):
        raise QueryError(f"unsupported type {sql_type}")
    import duckdb

    try:
        _connection().execute(f"SELECT CAST(? AS {sql_type}) IS NOT NULL", [value]).fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None


@cache
def _connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory connection for compile-time checks (no data, nothing persisted).

    It is dropped at exit: DuckDB reports a connection still alive at shutdown as a leak.
    """
    import duckdb

    atexit.register(_connection.cache_clear)
    return duckdb.connect(":memory:")


def _parse(sql: str) -> list[duckdb.Statement]:
    """DuckDB's parse of `sql` (no execution); QueryError with the parser's first line."""
    import duckdb

    try:
        return list(duckdb.extract_statements(sql))
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None


_BREAK_BEFORE = re.compile(r" (?=[-+] )| (?=FILTER \(WHERE )")


def layout(sql: str, lexicon: Lexicon = DUCKDB, width: int = 72) -> str:
    """Generated SQL laid out for review: when longer than `width`, a line break (and an
    indentation by depth) before every `+`/`-` between terms and every `FILTER (WHERE`,
    outside quotes; the SQL means the same."""
    if len(sql) <= width or "\n" in sql:
        return sql
    out: list[str] = []
    depth = 0
    for kind, text in _tokens(sql, lexicon):
        if kind != "code":
            out.append(text)
            continue
        start = 0
        for match in _BREAK_BEFORE.finditer(text):
            piece = text[start : match.start()]
            depth += piece.count("(") - piece.count(")")
            out.append(piece + "\n" + "    " * max(depth, 0))
            start = match.end()
        tail = text[start:]
        depth += tail.count("(") - tail.count(")")
        out.append(tail)
    return "".join(out)
