"""BigQuery (GoogleSQL): dqlib's second dialect. Golden-tested only: a BigQuery package refuses
to run locally (it has no engine here), and its SQL is parsed by sqlglot in the tests."""

from __future__ import annotations

from collections.abc import Sequence

from ..sqlrules import BIGQUERY
from .base import Dialect


class BigQuery(Dialect):
    """GoogleSQL spellings: backtick identifiers, COUNTIF, IF() instead of FILTER."""

    name = "bigquery"
    double_type = "FLOAT64"
    lexicon = BIGQUERY
    regex_engine = "BigQuery's regex engine (RE2)"

    def quote_identifier(self, name: str) -> str:
        """A backtick-quoted identifier (backslash and backtick escaped)."""
        if "\x00" in name:
            raise ValueError("identifier contains a NUL character")
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"

    def quote_string(self, value: str) -> str:
        """A single-quoted literal; BigQuery strings process backslash escapes."""
        if "\x00" in value:
            raise ValueError("string contains a NUL character")
        escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
        return "'" + escaped.replace("\r", "\\r") + "'"

    def as_text(self, expr: str) -> str:
        return f"CAST({expr} AS STRING)"

    def temporal_type(self, sql_type: str) -> str:
        return {"TIMESTAMP": "DATETIME", "TIMESTAMPTZ": "TIMESTAMP"}.get(sql_type, sql_type)

    def field(self, expr: str, name: str) -> str:
        return f"{expr}.{self.quote_identifier(name)}"

    def count_where(self, cond: str) -> str:
        return f"COUNTIF({cond})"

    def aggregate_where(self, function: str, expr: str, cond: str) -> str:
        return f"{function}(IF({cond}, {expr}, NULL))"

    def count_distinct(self, exprs: Sequence[str], cond: str) -> str:
        target = exprs[0] if len(exprs) == 1 else "TO_JSON_STRING(STRUCT(" + ", ".join(exprs) + "))"
        return f"COUNT(DISTINCT IF({cond}, {target}, NULL))"

    def is_number(self, expr: str) -> str:
        return f"NOT IS_NAN(CAST({expr} AS FLOAT64))"

    def matches(self, expr: str, pattern: str) -> str:
        return f"REGEXP_CONTAINS({expr}, {self.quote_string(pattern)})"

    def length(self, expr: str, kind: str) -> str:
        if kind == "map":
            raise ValueError("BigQuery has no map type")
        return f"ARRAY_LENGTH({expr})" if kind == "list" else f"LENGTH({expr})"

    def percentile(self, expr: str, fraction: float, cond: str) -> str:
        offset = round(fraction * 1000)
        return f"APPROX_QUANTILES(IF({cond}, {expr}, NULL), 1000)[OFFSET({offset})]"

    def hours_since(self, expr: str) -> str:
        return f"TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), TIMESTAMP(MAX({expr})), SECOND) / 3600.0"

    def list_is_unique(self, expr: str) -> str:
        return f"ARRAY_LENGTH({expr}) = (SELECT COUNT(DISTINCT x) FROM UNNEST({expr}) AS x)"

    def is_multiple_of(self, expr: str, divisor: str) -> str:
        return f"MOD(CAST({expr} AS BIGNUMERIC), CAST({divisor} AS BIGNUMERIC)) = 0"
