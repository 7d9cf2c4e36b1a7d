"""The `Dialect` base class: standard SQL spellings, overridden per database."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..sqlrules import DUCKDB, QueryError, check_duckdb_cast, check_duckdb_regex

Scalar = None | bool | int | float | str


class Dialect:
    """Spells identifiers, literals and the aggregates the compiler needs (ANSI-ish defaults).

    Every method returns a SQL fragment; inputs named `expr`/`cond` are fragments already built
    by this dialect, inputs named `name`/`value` are raw contract data and are quoted here.
    """

    name = "ansi"
    double_type = "DOUBLE PRECISION"
    lexicon = DUCKDB
    regex_engine = "RE2"
    """The regex engine patterns run in (ECMA-262 lookaround and backreferences are not RE2's)."""
    runtime_source: str | None = None
    """The runtime module of its data source (None: the package cannot run its checks itself)."""
    runtime_modules: tuple[str, ...] = ()
    """Every runtime module of its engine (only packages of this dialect carry them)."""

    # --- compile-time checks -----------------------------------------------------------------
    def check_regex(self, pattern: str) -> None:
        """QueryError unless the engine's regex syntax accepts `pattern` (RE2, through DuckDB)."""
        try:
            check_duckdb_regex(pattern)
        except QueryError as problem:
            hint = ""
            if "invalid perl operator" in str(problem) or "invalid escape" in str(problem):
                hint = (
                    f"; {self.regex_engine} has no lookahead, lookbehind or backreferences: "
                    "rewrite the pattern without them"
                )
            raise QueryError(f"{problem}{hint}") from None

    def check_cast(self, value: str, sql_type: str) -> None:
        """QueryError unless `value` is a valid literal of DATE, TIME, TIMESTAMP or TIMESTAMPTZ."""
        check_duckdb_cast(value, sql_type)

    def check_select(self, query: str, wrapped: str) -> None:
        """QueryError unless `query` is one SELECT that fits in a scalar subquery (`wrapped`).

        The structure (one statement, balanced parentheses) is always checked by `prepare`;
        a dialect with a parser at hand checks the grammar too.
        """

    # --- quoting -------------------------------------------------------------------------
    def quote_identifier(self, name: str) -> str:
        """A delimited identifier: always quoted, embedded quotes doubled."""
        if "\x00" in name:
            raise ValueError("identifier contains a NUL character")
        return '"' + name.replace('"', '""') + '"'

    def quote_string(self, value: str) -> str:
        """A string literal: single-quoted, embedded quotes doubled, backslashes literal."""
        if "\x00" in value:
            raise ValueError("string contains a NUL character")
        return "'" + value.replace("'", "''") + "'"

    def literal(self, value: Scalar) -> str:
        """A SQL literal for a contract value (string, number, boolean or null)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if math.isfinite(value):
                return repr(value)
            return f"CAST({self.quote_string(repr(value))} AS {self.double_type})"
        return self.quote_string(value)

    def typed_literal(self, value: str, sql_type: str) -> str:
        """A literal of a temporal type, e.g. CAST('2024-01-01' AS DATE)."""
        return f"CAST({self.quote_string(value)} AS {sql_type})"

    def as_text(self, expr: str) -> str:
        """A value cast to text."""
        return f"CAST({expr} AS VARCHAR)"

    def temporal_type(self, sql_type: str) -> str:
        """The dialect's name of DATE, TIME, TIMESTAMP or TIMESTAMPTZ."""
        return sql_type

    def field(self, expr: str, name: str) -> str:
        """A field of a struct value."""
        return f"struct_extract({expr}, {self.quote_string(name)})"

    # --- aggregates ------------------------------------------------------------------------
    def count_where(self, cond: str) -> str:
        """Rows where `cond` is true; 0 (never NULL) on an empty table."""
        return f"COUNT(*) FILTER (WHERE {cond})"

    def aggregate_where(self, function: str, expr: str, cond: str) -> str:
        """`function(expr)` over the rows where `cond` holds."""
        return f"{function}({expr}) FILTER (WHERE {cond})"

    def count_distinct(self, exprs: Sequence[str], cond: str) -> str:
        """Distinct values (or tuples) of `exprs` among the rows where `cond` holds."""
        target = exprs[0] if len(exprs) == 1 else "(" + ", ".join(exprs) + ")"
        return f"COUNT(DISTINCT {target}) FILTER (WHERE {cond})"

    def percent(self, numerator: str, denominator: str, scale: str = "100.0") -> str:
        """scale * numerator / denominator, 0 when the denominator is 0."""
        return f"COALESCE({scale} * ({numerator}) / NULLIF({denominator}, 0), 0)"

    def is_number(self, expr: str) -> str:
        """True where a numeric value is not NaN (NaN is ignored by the statistics)."""
        return f"NOT isnan(CAST({expr} AS {self.double_type}))"

    def matches(self, expr: str, pattern: str) -> str:
        """True where the regular expression matches somewhere in the string (as in ECMA-262
        and JSON Schema, which ODCS points to: anchor it with ^...$ to match the whole)."""
        return f"regexp_matches({expr}, {self.quote_string(pattern)})"

    def length(self, expr: str, kind: str) -> str:
        """Length of a string, list or map value."""
        return {"string": f"length({expr})", "list": f"len({expr})", "map": f"cardinality({expr})"}[
            kind
        ]

    def percentile(self, expr: str, fraction: float, cond: str) -> str:
        """The interpolated percentile (0..1) of the values where `cond` holds."""
        return f"quantile_cont({expr}, {fraction!r}) FILTER (WHERE {cond})"

    def hours_since(self, expr: str) -> str:
        """Hours between now and the newest value of a date or timestamp column (naive = UTC)."""
        return f"(epoch(now()) - epoch(MAX({expr}))) / 3600.0"

    def list_is_unique(self, expr: str) -> str:
        """True where a list has no repeated element."""
        return f"len({expr}) = len(list_distinct({expr}))"

    def is_multiple_of(self, expr: str, divisor: str) -> str:
        """True where a number is an integer multiple of `divisor`."""
        return f"CAST({expr} AS DECIMAL(38, 10)) % CAST({divisor} AS DECIMAL(38, 10)) = 0"

    def scalar_subquery(self, query: str) -> str:
        """A user query as one value of the aggregate SELECT (newline ends a trailing comment)."""
        return f"({query}\n)"
