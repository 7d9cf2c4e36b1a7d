"""Apache Spark SQL: backtick identifiers, `size()`, `RLIKE` with Java regexes, `percentile`.

Spark SQL has no TIME type, so a rule that needs a TIME literal is refused at generate time.
Timestamps follow DuckDB's rules: the runtime pins the session time zone to UTC during a run,
so a naive (TIMESTAMP_NTZ) value is read as UTC, as DuckDB reads a naive TIMESTAMP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..sqlrules import SPARK, QueryError, check_sqlglot_select
from .base import Dialect

__all__ = ["Spark", "check_java_regex"]

# Constructs RE2 or ECMA-262 accept that Java's java.util.regex rejects or reads differently.
_JAVA_DIFFERENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[\[:\^?[a-z]+:\]"), "POSIX classes like [[:alpha:]]: use \\p{Alpha}"),
    (re.compile(r"\(\?P[<=>]"), "Python/RE2 named groups (?P<name>...): use (?<name>...)"),
    (re.compile(r"\\u\{"), "\\u{...} code points: use \\x{...}"),
    (re.compile(r"\[\^?\]"), "an empty character class [] or [^]"),
)
_ESCAPE_OR_CLASS = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]", re.DOTALL)
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")


def check_java_regex(pattern: str) -> None:
    """QueryError unless `pattern` means the same in Java's regex engine (Spark's RLIKE).

    Java, unlike RE2, supports lookaround and backreferences. The syntax is checked with
    Python's `re` (close to Java's), plus the constructs the two read differently.
    """
    for construct, hint in _JAVA_DIFFERENCES:
        if construct.search(pattern):
            raise QueryError(f"Java regular expressions (Spark) do not support {hint}")
    bare = _ESCAPE_OR_CLASS.sub("x", pattern)
    for brace in re.finditer(r"\{", bare):
        if not _QUANTIFIER.match(bare, brace.start()) or brace.start() == 0:
            raise QueryError(
                "Java regular expressions (Spark) read '{' as a repetition: escape it as \\{"
            )
    try:
        re.compile(pattern)
    except re.error as problem:
        raise QueryError(f"invalid regular expression: {problem}") from None


class Spark(Dialect):
    """Spark SQL spellings (Spark 3.5 and 4.x)."""

    name = "spark"
    double_type = "DOUBLE"
    lexicon = SPARK
    regex_engine = "Java's regex engine (Spark)"
    runtime_source = "spark_source"
    runtime_modules = ("spark_dialect", "spark_source", "spark_types")

    def check_regex(self, pattern: str) -> None:
        """Java regex semantics (see `check_java_regex`)."""
        check_java_regex(pattern)

    def check_cast(self, value: str, sql_type: str) -> None:
        """Spark SQL has no TIME type; other literals as DuckDB parses ISO 8601."""
        if sql_type == "TIME":
            raise QueryError("Spark SQL has no TIME type, so a time bound cannot be compared")
        super().check_cast(value, sql_type)

    def check_select(self, query: str, wrapped: str) -> None:
        """Spark's own parser when a Spark session is active, else sqlglot's Spark dialect;
        a double-quoted name is refused (Spark SQL reads it as a string, DuckDB as a column)."""
        from ..sqlrules import check_spark_select, tokens

        for kind, text in tokens(query, self.lexicon):
            if kind == "quoted" and text.startswith('"'):
                raise QueryError(
                    f"Spark SQL reads {text} as a string, not a column: quote names with "
                    "backticks (`name`) in a Spark contract's queries"
                )
        if not check_spark_select(query, wrapped):
            check_sqlglot_select(query, wrapped, "spark")

    def quote_identifier(self, name: str) -> str:
        """A backtick-quoted identifier, embedded backticks doubled."""
        if "\x00" in name:
            raise ValueError("identifier contains a NUL character")
        return "`" + name.replace("`", "``") + "`"

    def quote_string(self, value: str) -> str:
        """A single-quoted literal; Spark strings process backslash escapes."""
        if "\x00" in value:
            raise ValueError("string contains a NUL character")
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        return "'" + escaped.replace("\n", "\\n").replace("\r", "\\r") + "'"

    def as_text(self, expr: str) -> str:
        return f"CAST({expr} AS STRING)"

    def temporal_type(self, sql_type: str) -> str:
        return {"TIMESTAMP": "TIMESTAMP_NTZ", "TIMESTAMPTZ": "TIMESTAMP"}.get(sql_type, sql_type)

    def field(self, expr: str, name: str) -> str:
        return f"{expr}.{self.quote_identifier(name)}"

    def count_distinct(self, exprs: Sequence[str], cond: str) -> str:
        return f"COUNT(DISTINCT {', '.join(exprs)}) FILTER (WHERE {cond})"

    def is_number(self, expr: str) -> str:
        """Not NULL and not NaN (Spark's isnan(NULL) is false, not NULL)."""
        return f"{expr} IS NOT NULL AND NOT isnan(CAST({expr} AS DOUBLE))"

    def matches(self, expr: str, pattern: str) -> str:
        return f"{expr} RLIKE {self.quote_string(pattern)}"

    def length(self, expr: str, kind: str) -> str:
        """Characters of a string; elements of a list or entries of a map (NULL for NULL)."""
        if kind == "string":
            return f"length({expr})"
        return f"IF({expr} IS NULL, NULL, size({expr}))"

    def percentile(self, expr: str, fraction: float, cond: str) -> str:
        return f"percentile({expr}, {fraction!r}) FILTER (WHERE {cond})"

    def hours_since(self, expr: str) -> str:
        """Microseconds since the epoch, through TIMESTAMP in the run's UTC session time zone
        (dates at midnight UTC, naive timestamps as UTC)."""
        newest = f"unix_micros(CAST(MAX({expr}) AS TIMESTAMP))"
        return f"(unix_micros(current_timestamp()) - {newest}) / 3600000000.0"

    def list_is_unique(self, expr: str) -> str:
        return f"size({expr}) = size(array_distinct({expr}))"
