"""The SQL a run adds around a generated metric, in each engine's spelling.

A generated metric is one aggregate expression. dqlib aborts a whole run on a NULL or NaN metric,
so every expression is *guarded*: NULL and NaN become +infinity, which fails only its own
assertion; the run then finds out why (``diagnosis_select``) and reports that reason instead.
A ``type: sql`` rule's query becomes a scalar subquery added to a row count, so the metric is an
aggregate (one row even on an empty table) whatever the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["RuntimeDialect", "runtime_dialect"]


class RuntimeDialect(NamedTuple):
    """How one engine spells the run's wrappers (see the module docstring)."""

    name: str
    double: str
    nan: str
    infinity: str
    nan_to_null: str  # a format with {x}: NULL where x is NaN, else x

    def as_double(self, expression: str) -> str:
        """``expression`` cast to the engine's double type."""
        return f"CAST(({expression}) AS {self.double})"

    def guard(self, expression: str) -> str:
        """``expression`` as a double that is never NULL or NaN (+infinity instead)."""
        return f"COALESCE({self.nan_to_null.format(x=self.as_double(expression))}, {self.infinity})"

    def query_metric(self, query: str) -> str:
        """A sql rule's query as an aggregate metric (the row count keeps it one row)."""
        return self.guard(f"CAST(({query}\n) AS {self.double}) + 0 * COUNT(*)")

    def diagnosis_select(self, expressions: Sequence[str], source: str) -> str:
        """One query that evaluates unguarded metric expressions over the dataset."""
        columns = ", ".join(
            f"{self.as_double(e)} AS m{i}" for i, e in enumerate(expressions)
        )
        return f"SELECT {columns} FROM ({source}) AS dataset"

    def query_rows(self, query: str) -> str:
        """The first rows of a sql rule's own query (to tell no rows from NULL)."""
        return f"SELECT * FROM ({query}\n) AS q LIMIT 2"


_DIALECTS: dict[str, RuntimeDialect] = {
    "duckdb": RuntimeDialect(
        "duckdb",
        "DOUBLE",
        "CAST('NaN' AS DOUBLE)",
        "CAST('inf' AS DOUBLE)",
        "NULLIF({x}, CAST('NaN' AS DOUBLE))",  # NaN equals NaN in DuckDB
    ),
    "spark": RuntimeDialect(
        "spark",
        "DOUBLE",
        "CAST('NaN' AS DOUBLE)",
        "CAST('Infinity' AS DOUBLE)",
        "NULLIF({x}, CAST('NaN' AS DOUBLE))",  # NaN equals NaN in Spark SQL
    ),
    "bigquery": RuntimeDialect(
        "bigquery",
        "FLOAT64",
        "CAST('nan' AS FLOAT64)",
        "CAST('inf' AS FLOAT64)",
        "IF(IS_NAN({x}), NULL, {x})",
    ),
}


def runtime_dialect(name: str) -> RuntimeDialect:
    """The wrappers of dialect ``name``; ValueError for an unknown one."""
    try:
        return _DIALECTS[name]
    except KeyError:
        known = ", ".join(sorted(_DIALECTS))
        raise ValueError(
            f"unknown SQL dialect '{name}'; expected one of: {known}"
        ) from None
