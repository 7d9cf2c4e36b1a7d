"""What generated check functions call: metrics of one dataset, and exact expectations on them.

    m = _runtime.Metrics(mp, ctx, "orders_tbl", SQL_DIALECT)
    nulls = m.sql('COUNT(*) FILTER (WHERE "order_id" IS NULL)', reads=["order_id"])
    m.expect(nulls, "order_id: required", severity="P0").is_eq(0)

* ``Metrics.sql`` / ``query`` / ``num_rows`` register a dqlib metric. Every SQL metric is guarded
  (``dialects.RuntimeDialect.guard``) so that no value of the data can abort a run.
* ``Metrics.expect`` mirrors dqlib's ``assert_that(...).config(...)``, but every comparison is
  exact: dqlib rounds an assertion's value to six significant digits before comparing, so the
  difference ``metric - threshold`` is compared with 0 (``outside`` for ranges).

During a run of ``suite.execute`` a ``Recorder`` is active: it replaces the metric of an assertion
that reads a column the schema check found broken (or whose SQL the database rejected) by a
stand-in and marks the assertion FAILED with the reason, adds one failed P0 assertion per broken
column, and records every assertion's expectation for the reports. Outside a run (checks composed
into your own ``VerificationSuite``) the functions only build metrics and assertions.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, NamedTuple

from sympy import Abs  # type: ignore[import-untyped,unused-ignore]

from .dialects import RuntimeDialect, runtime_dialect
from .versions import check_dqlib

check_dqlib()

__all__ = ["Expectation", "Measured", "MetricInfo", "Metrics", "Recorder", "outside"]

#: Bounds below this magnitude keep ``outside`` in the readable centre/half-width form.
_EXACT_CENTRE_LIMIT = 2**21


class MetricInfo(NamedTuple):
    """What one metric measures: its dataset, unguarded SQL and kind.

    ``kind`` is ``sql`` (an aggregate expression), ``query`` (a ``type: sql`` rule's query) or
    ``rows`` (dqlib's row count). ``reads`` are the top-level columns it reads.
    """

    dataset: str
    kind: str
    sql: str
    reads: tuple[str, ...] = ()


class Measured(NamedTuple):
    """A registered metric: its dqlib symbol and what it measures (``blocked``: why it is not
    measured in this run)."""

    symbol: Any
    info: MetricInfo
    blocked: str | None = None


class AssertionInfo(NamedTuple):
    """An assertion as the reports show it, recorded while the checks are built."""

    dataset: str
    check: str
    name: str
    severity: str
    metric: MetricInfo
    expectation: str
    unit: str | None
    source: str | None
    description: str | None
    failure: str | None
    blocked: str | None
    tags: frozenset[str] = frozenset()


class Recorder:
    """What one run knows while it builds its checks (see the module docstring).

    ``blocked`` maps a dataset to its broken columns and their schema problems; ``broken``
    maps a metric's SQL to the database's error.
    """

    def __init__(
        self,
        blocked: Mapping[str, Mapping[str, str]] | None = None,
        broken: Mapping[str, str] | None = None,
    ) -> None:
        self.blocked = dict(blocked or {})
        self.broken = dict(broken or {})
        self.assertions: dict[tuple[str, str], AssertionInfo] = {}
        self.metrics: dict[str, MetricInfo] = {}  # guarded SQL -> info
        self._schema_done: set[str] = set()

    def why_blocked(self, info: MetricInfo) -> str | None:
        """The reason a metric cannot be measured in this run, or None."""
        columns = self.blocked.get(info.dataset, {})
        for column in info.reads:
            if column in columns:
                return f"not measured: {columns[column]}"
        error = self.broken.get(info.sql)
        if error is not None:
            prefix = (
                "sql rule failed"
                if info.kind == "query"
                else "the database rejected it"
            )
            return f"{prefix}: {error}"
        return None

    def first_metrics_of(self, dataset: str) -> bool:
        """True the first time a dataset's metrics are built in this run."""
        if dataset in self._schema_done:
            return False
        self._schema_done.add(dataset)
        return True


_RECORDER: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "odcs_codegen_recorder", default=None
)


def recording(recorder: Recorder) -> contextvars.Token[Recorder | None]:
    """Make ``recorder`` the active one (reset with ``stop_recording``)."""
    return _RECORDER.set(recorder)


def stop_recording(token: contextvars.Token[Recorder | None]) -> None:
    """Restore the recorder that was active before ``recording``."""
    _RECORDER.reset(token)


class Metrics:
    """The metrics of one dataset inside a check function."""

    def __init__(
        self, mp: Any, ctx: Any, dataset: str, dialect: str = "duckdb"
    ) -> None:
        self._mp = mp
        self._ctx = ctx
        self._dataset = dataset
        self._dialect: RuntimeDialect = runtime_dialect(dialect)
        self._recorder = _RECORDER.get()
        if self._recorder is not None and self._recorder.first_metrics_of(dataset):
            self._schema_assertions(self._recorder.blocked.get(dataset, {}))

    def sql(self, expression: str, *, reads: Iterable[str] = ()) -> Measured:
        """An aggregate SQL expression over the dataset (columns quoted in its dialect)."""
        info = MetricInfo(self._dataset, "sql", expression, tuple(reads))
        return self._measure(info, self._dialect.guard(expression))

    def query(self, query: str, *, reads: Iterable[str] = ()) -> Measured:
        """A ``type: sql`` rule: its query's single value (a boolean counts as 0 or 1)."""
        info = MetricInfo(self._dataset, "query", query, tuple(reads))
        return self._measure(info, self._dialect.query_metric(query))

    def num_rows(self) -> Measured:
        """dqlib's row count of the dataset."""
        info = MetricInfo(self._dataset, "rows", "COUNT(*)")
        return Measured(self._mp.num_rows(dataset=self._dataset), info)

    def expect(
        self,
        metric: Measured,
        name: str,
        *,
        severity: str = "P1",
        tags: Iterable[str] = (),
        at: str | None = None,
        unit: str | None = None,
        description: str | None = None,
        failure: str | None = None,
    ) -> Expectation:
        """An assertion on ``metric``; finish it with ``is_eq(...)``, ``is_between(...)``, ...

        ``at`` is where the rule is written (``file:line:column``), ``unit`` the value's unit
        in reports, ``failure`` the reason reported when the comparison fails.
        """
        recorder = self._recorder
        config = {"name": name, "severity": severity, "tags": set(tags)}

        def record(expectation: str) -> None:
            if recorder is None:
                return
            check = self._ctx.current_check.name
            info = AssertionInfo(
                self._dataset, check, name.strip(), severity, metric.info, expectation, unit,
                at, description, failure, metric.blocked, frozenset(config["tags"]),
            )  # fmt: skip
            recorder.assertions[(check, info.name)] = info

        return Expectation(self._ctx, metric.symbol, config, record, unit)

    # -- internals ---------------------------------------------------------------------------

    def _measure(self, info: MetricInfo, guarded: str) -> Measured:
        recorder = self._recorder
        blocked = None
        if recorder is not None:
            blocked = recorder.why_blocked(info)
            if blocked is None:
                recorder.metrics[guarded] = info
        if (
            blocked is not None
        ):  # a stand-in: the assertion is reported FAILED with the reason
            return Measured(self._mp.num_rows(dataset=self._dataset), info, blocked)
        return Measured(self._mp.custom_sql(guarded, dataset=self._dataset), info)

    def _schema_assertions(self, problems: Mapping[str, str]) -> None:
        """One failed P0 assertion per column whose data does not fit the contract."""
        for column, problem in problems.items():
            stand_in = Measured(
                self._mp.num_rows(dataset=self._dataset),
                MetricInfo(self._dataset, "schema", "", (column,)),
                problem,
            )
            self.expect(
                stand_in, f"{column}: schema", severity="P0", tags=("odcs", "schema")
            ).noop()


class Expectation:
    """The comparison of an assertion, made exactly (see the module docstring)."""

    def __init__(
        self,
        ctx: Any,
        metric: Any,
        config: Mapping[str, Any],
        record: Any,
        unit: str | None,
    ) -> None:
        self._ctx = ctx
        self._metric = metric
        self._config = config
        self._record = record
        self._unit = f" {unit}" if unit else ""

    def is_eq(self, value: float) -> None:
        """``metric == value``."""
        self._against(value, "is_eq", "=")

    def is_neq(self, value: float) -> None:
        """``metric != value``."""
        self._against(value, "is_neq", "!=")

    def is_gt(self, value: float) -> None:
        """``metric > value``."""
        self._against(value, "is_gt", ">")

    def is_geq(self, value: float) -> None:
        """``metric >= value``."""
        self._against(value, "is_geq", ">=")

    def is_lt(self, value: float) -> None:
        """``metric < value``."""
        self._against(value, "is_lt", "<")

    def is_leq(self, value: float) -> None:
        """``metric <= value``."""
        self._against(value, "is_leq", "<=")

    def is_between(
        self, lower: float, upper: float, *, exclusive: bool = False
    ) -> None:
        """``lower <= metric <= upper`` (``exclusive``: strictly inside)."""
        validator = "is_lt" if exclusive else "is_leq"
        self._assert(outside(self._metric, lower, upper), validator)
        self._record(self._range("between", lower, upper, exclusive))

    def is_not_between(
        self, lower: float, upper: float, *, exclusive: bool = False
    ) -> None:
        """``metric < lower or metric > upper`` (``exclusive``: the bounds count as outside)."""
        validator = "is_geq" if exclusive else "is_gt"
        self._assert(outside(self._metric, lower, upper), validator)
        self._record(self._range("not between", lower, upper, exclusive))

    def noop(self) -> None:
        """Record the metric without a threshold."""
        self._ctx.assert_that(self._metric).config(**self._config).noop()
        self._record("")

    def _against(self, value: float, validator: str, text: str) -> None:
        """Compare ``metric - value`` with 0: exact, whatever dqlib's rounding."""
        self._assert(self._metric - value if value != 0 else self._metric, validator)
        self._record(f"{text} {_number(value)}{self._unit}")

    def _assert(self, actual: Any, validator: str) -> None:
        ready = self._ctx.assert_that(actual).config(**self._config)
        getattr(ready, validator)(0)

    def _range(self, text: str, lower: float, upper: float, exclusive: bool) -> str:
        bounds = f"{_number(lower)} and {_number(upper)}{self._unit}"
        return f"{text} {bounds}" + (" (exclusive)" if exclusive else "")


def _number(value: float) -> str:
    """A threshold for people: integers without ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def outside(metric: Any, lower: float, upper: float) -> Any:
    """A symbolic value that is <= 0 exactly when ``lower <= metric <= upper``.

    Assert ``.is_leq(0)`` for mustBeBetween and ``.is_gt(0)`` for mustNotBeBetween. Outside the
    range the value is the distance to the range (inside, minus the distance to the nearer
    bound), up to a factor of two for large bounds. The bounds become exact rationals of their
    decimal text. When both bounds are smaller than 2**21 in magnitude the value is
    ``abs(metric - c) - r`` with centre ``c`` and half width ``r``, so the expression reads like
    ``Abs(x_4 - 1001/2) - 999/2``: dqlib evaluates with 53-bit floats, and below 2**21 the
    rounding error stays under dqlib's 1e-9 tolerance. For larger bounds that form can misjudge
    a value equal to a bound, so the value is then ``(m - lower)*(m - upper)/(|m - lower| +
    |m - upper|)``, whose sign is exact in floating point (``abs(m - lower)`` if the bounds
    are the same float).
    """
    if not (math.isfinite(lower) and math.isfinite(upper)):
        raise ValueError(f"bounds must be finite numbers, got {lower} and {upper}")
    low, high = Fraction(str(lower)), Fraction(str(upper))
    if low > high:
        raise ValueError(f"lower bound {lower} is greater than upper bound {upper}")
    if max(abs(low), abs(high)) < _EXACT_CENTRE_LIMIT:
        centre, radius = (low + high) / 2, (high - low) / 2
        return _abs(metric - centre) - radius
    if float(low) == float(high):
        return _abs(metric - low)
    below, above = metric - low, metric - high
    return below * above / (_abs(below) + _abs(above))


def _abs(expression: Any) -> Any:
    """``Abs(expression)`` as written: sympy's simplification of it costs ~1.7 ms per call.

    dqlib evaluates the absolute value when it substitutes the metric's value.
    """
    return Abs(expression, evaluate=False)
