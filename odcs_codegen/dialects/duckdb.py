"""DuckDB, the default dialect: what dqlib's own engine runs."""

from __future__ import annotations

from ..sqlrules import check_duckdb_select
from .base import Dialect


class DuckDB(Dialect):
    """DuckDB SQL (the defaults of `Dialect` are DuckDB's spellings)."""

    name = "duckdb"
    double_type = "DOUBLE"
    regex_engine = "DuckDB's regex engine (RE2)"
    runtime_source = "duckdb_source"
    runtime_modules = ("duckdb_source", "duckdb_files")

    def check_select(self, query: str, wrapped: str) -> None:
        """DuckDB's own parser: one SELECT, that also parses once wrapped."""
        check_duckdb_select(query, wrapped)

    def quote_string(self, value: str) -> str:
        """A string literal. A backslash is written as chr(92) via one replace(): dqlib passes
        every query through sqlparse, which reads \\' as an escaped quote and would rewrite the
        rest of the query."""
        if "\\" not in value:
            return super().quote_string(value)
        marker = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in value)
        spelled = super().quote_string(value.replace("\\", marker))
        return f"replace({spelled}, {super().quote_string(marker)}, chr(92))"
