"""DuckDB, the default dialect: what dqlib's own engine runs."""

from __future__ import annotations

from .base import Dialect


class DuckDB(Dialect):
    """DuckDB SQL (the defaults of `Dialect` are DuckDB's spellings)."""

    name = "duckdb"
    double_type = "DOUBLE"
