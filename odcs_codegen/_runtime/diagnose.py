"""Finding out what went wrong with a metric, after the fact.

Both run extra queries only when something failed, so a run on good data stays one query per
dataset: ``broken_metrics`` bisects the metrics of a failed query to find the ones the database
rejects on their own; ``undefined_reasons`` evaluates metrics whose guarded value came out
infinite without the guard, to tell NULL, NaN, infinity and a query without rows apart.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .dialects import runtime_dialect
from .errors import first_line
from .measure import MetricInfo

__all__ = ["broken_metrics", "undefined_reasons"]


def _cte(source: Any) -> str:
    return str(source.cte(datetime.date.today()))


def broken_metrics(metrics: Mapping[str, MetricInfo], source: Any) -> dict[str, str]:
    """The metrics (keyed by their unguarded SQL) that fail on their own, with the error."""
    found: dict[str, str] = {}
    _probe(list(metrics.items()), source, found)
    return found


def _probe(
    group: Sequence[tuple[str, MetricInfo]], source: Any, found: dict[str, str]
) -> None:
    """Evaluate a group of guarded metrics in one query; split it while it fails."""
    if not group:
        return
    columns = ", ".join(f"{guarded} AS m{i}" for i, (guarded, _) in enumerate(group))
    try:
        source.query(f"SELECT {columns} FROM ({_cte(source)}) AS dataset")
        return
    except Exception as error:  # the database's error, whatever its class
        if len(group) == 1:
            found[group[0][1].sql] = first_line(error)
            return
    middle = len(group) // 2
    _probe(group[:middle], source, found)
    _probe(group[middle:], source, found)


def undefined_reasons(
    metrics: Sequence[MetricInfo], source: Any
) -> dict[MetricInfo, str]:
    """Why each metric has no finite value on the data (its unguarded value, in words)."""
    dialect = runtime_dialect(source.dialect)
    reasons: dict[MetricInfo, str] = {}
    expressions = [m for m in dict.fromkeys(metrics) if m.kind == "sql"]
    if expressions:
        select = dialect.diagnosis_select([m.sql for m in expressions], _cte(source))
        try:
            row = source.query(select).to_pylist()[0]
        except Exception:  # diagnosis is best effort: the verdict stands without it
            row = {}
        for i, metric in enumerate(expressions):
            if f"m{i}" in row:
                reasons[metric] = (
                    f"the metric is {_describe(row[f'm{i}'])} on this data"
                )
    for metric in dict.fromkeys(m for m in metrics if m.kind == "query"):
        try:
            rows = source.query(dialect.query_rows(metric.sql)).to_pylist()
        except Exception:
            continue
        if not rows:
            reasons[metric] = "the query returned no rows"
        else:
            first = next(iter(rows[0].values()), None)
            reasons[metric] = f"the query returned {_describe(first)}"
    return reasons


def _describe(value: Any) -> str:
    """NULL, NaN, infinity or -infinity (or the value) as a report says it."""
    if value is None:
        return "NULL"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return repr(value)
