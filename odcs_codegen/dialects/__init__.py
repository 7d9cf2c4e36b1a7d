"""SQL dialects: how one aggregate expression is spelled in one database.

Every SQL fragment in generated code is built from these primitives, and every identifier and
literal in it goes through `quote_identifier` / `quote_string` / `literal`. Adding a dialect is
one module with a subclass of `Dialect` that overrides what differs, registered in `DIALECTS`.
"""

from __future__ import annotations

from .base import Dialect
from .bigquery import BigQuery
from .duckdb import DuckDB
from .spark import Spark

DIALECTS: dict[str, Dialect] = {d.name: d for d in (DuckDB(), Spark(), BigQuery())}


def get_dialect(name: str) -> Dialect:
    """The dialect called `name`; ValueError naming the known ones otherwise."""
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ValueError(f"unknown SQL dialect {name!r}: choose one of {known}") from None


__all__ = ["DIALECTS", "Dialect", "get_dialect"]
