"""What each rule measures, as one aggregate SQL expression per metric.

Counts never return NULL and ratios are 0 on an empty table. A statistic that is undefined on
the data (the mean of no values) is NULL here; the runtime guards every metric, so that NULL
or NaN fails only its own assertion, with the reason.
NULL is never an invalid value and never a duplicate (SQL UNIQUE semantics); NaN is ignored by
the numeric statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .dialects import Dialect
from .dialects.base import Scalar
from .ir import MetricKind


@dataclass(frozen=True, slots=True)
class Measure:
    """A metric: an aggregate SQL expression (``sql``), a ``type: sql`` rule's query (``query``)
    or dqlib's row count (``rows``)."""

    sql: str
    kind: MetricKind = "sql"


ROW_COUNT = Measure("", "rows")


class Measures:
    """Builds the measures of the ODCS rules in one SQL dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect

    # --- column references -----------------------------------------------------------------
    def column(self, path: Sequence[str]) -> str:
        """A quoted column, or a struct field of one (`address.city`)."""
        expr = self.d.quote_identifier(path[0])
        for field in path[1:]:
            expr = self.d.field(expr, field)
        return expr

    def in_list(self, expr: str, values: Sequence[Scalar]) -> str:
        """`expr IN (...)` over the non-null values (FALSE for an empty list)."""
        literals = [self.d.literal(v) for v in values if v is not None]
        return f"{expr} IN ({', '.join(literals)})" if literals else "FALSE"

    # --- counts ----------------------------------------------------------------------------
    def count(self, cond: str) -> str:
        """Rows where `cond` holds."""
        return self.d.count_where(cond)

    def ratio(self, numerator: str, scale: str) -> str:
        """`numerator` per row of the table, times `scale` (100.0 = percent, 1.0 = fraction)."""
        return self.d.percent(numerator, "COUNT(*)", scale)

    def nulls(self, col: str) -> str:
        """NULL rows."""
        return self.count(f"{col} IS NULL")

    def missing(self, col: str, missing_values: Sequence[Scalar]) -> str:
        """NULL rows plus rows holding one of `missing_values`."""
        listed = [v for v in missing_values if v is not None]
        if not listed:
            return self.nulls(col)
        return self.count(f"{col} IS NULL OR {self.in_list(col, listed)}")

    def invalid(
        self,
        col: str,
        valid_values: Sequence[Scalar] | None,
        pattern: str | None,
        *,
        text: str | None = None,
    ) -> str:
        """Non-null rows neither in `valid_values` nor matching `pattern` (NULL is not invalid);
        `text` is the column as text for the regex (default: the column itself)."""
        accepted = []
        if valid_values is not None:
            accepted.append(self.in_list(col, valid_values))
        if pattern is not None:
            accepted.append(self.d.matches(text or col, pattern))
        return self.count(f"{col} IS NOT NULL AND NOT ({' OR '.join(accepted)})")

    def listed(self, col: str, values: Sequence[Scalar]) -> str:
        """Non-null rows holding one of `values`."""
        return self.count(f"{col} IS NOT NULL AND {self.in_list(col, values)}")

    def duplicates(self, cols: Sequence[str]) -> str:
        """Non-null key rows minus distinct non-null key tuples (NULL in a key: no duplicate)."""
        if len(cols) == 1:
            return f"COUNT({cols[0]}) - COUNT(DISTINCT {cols[0]})"
        present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        return f"{self.count(present)} - {self.d.count_distinct(cols, present)}"

    def key_violations(self, cols: Sequence[str]) -> str:
        """Rows with a NULL key column plus duplicate key rows (primary key semantics)."""
        any_null = " OR ".join(f"{c} IS NULL" for c in cols)
        return f"{self.count(any_null)} + {self.duplicates(cols)}"

    # --- statistics --------------------------------------------------------------------------
    def statistic(self, function: str, col: str, *, nan_possible: bool) -> str:
        """`function(col)` over the non-null (and non-NaN) values (NULL when there are none)."""
        return self._numeric(function, col, nan_possible)

    def total(self, col: str, *, nan_possible: bool) -> str:
        """Sum of the non-null, non-NaN values (0 for no values)."""
        return f"COALESCE({self._numeric('SUM', col, nan_possible)}, 0)"

    def _numeric(self, function: str, col: str, nan_possible: bool) -> str:
        """An aggregate that ignores NaN values when the column may hold them."""
        if nan_possible:
            return self.d.aggregate_where(function, col, self.d.is_number(col))
        return f"{function}({col})"

    def distinct(self, col: str) -> str:
        """Distinct non-null values."""
        return f"COUNT(DISTINCT {col})"

    def non_null(self, col: str) -> str:
        """Non-null values."""
        return f"COUNT({col})"

    def percentile(self, col: str, fraction: float, *, nan_possible: bool) -> str:
        """Interpolated percentile of the non-null, non-NaN values (NULL when there are none)."""
        cond = self.d.is_number(col) if nan_possible else f"{col} IS NOT NULL"
        return self.d.percentile(col, fraction, cond)

    def length(self, function: str, col: str, kind: str) -> str:
        """MIN/MAX/AVG of string, list or map lengths (NULL when there are no values)."""
        length = self.d.length(col, kind)
        return self.d.aggregate_where(function, length, f"{col} IS NOT NULL")

    def hours_since_newest(self, col: str) -> str:
        """Hours since the newest timestamp or date (NULL without any)."""
        return self.d.hours_since(col)
