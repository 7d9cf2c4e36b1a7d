"""DuckDB, the default dialect: what dqlib's own engine runs."""

from __future__ import annotations

from .base import Dialect


class DuckDB(Dialect):
    """DuckDB SQL (the defaults of `Dialect` are DuckDB's spellings)."""

    name = "duckdb"
    double_type = "DOUBLE"

    def quote_string(self, value: str) -> str:
        """A string literal; a backslash is spelled chr(92), because dqlib passes every query
        through sqlparse, which reads \\' as an escaped quote and would rewrite what follows."""
        if "\\" not in value:
            return super().quote_string(value)
        parts = [super(DuckDB, self).quote_string(part) for part in value.split("\\")]
        return "(" + " || chr(92) || ".join(parts) + ")"
