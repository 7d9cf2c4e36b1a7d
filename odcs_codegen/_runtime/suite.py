"""Running generated checks so that every assertion gets a verdict, whatever the data holds.

``execute`` checks each dataset's schema, then runs one dqlib suite per dataset (all its metrics
in one query) and turns dqlib's results into ``Outcome``s with exact values and reasons:

* a column missing or of the wrong type fails one P0 ``<column>: schema`` assertion and blocks
  only the assertions that read it (FAILED, the schema problem as the reason);
* a metric the database rejects is found by probing and fails only its own assertion, with the
  database's message; a CSV/JSON cell that does not parse becomes a schema problem of its column;
* a metric that is NULL, NaN or infinite on the data fails its assertion with what happened
  ("the query returned no rows", "NaN", ...);
* anything else unexpected fails the assertions of that dataset only, and is reported.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .diagnose import broken_metrics, undefined_reasons
from .engines import check_runnable, dialect_of
from .errors import SchemaValidationError, UsageError, first_line
from .files import CellError, Partition, parse_partition
from .measure import AssertionInfo, Recorder, recording, stop_recording
from .quiet import quiet_dqlib
from .schema import Dataset, column_problems

__all__ = ["Outcome", "Run", "execute", "open_data", "run_checks", "run_data"]

_MAX_ATTEMPTS = 12


class Outcome(NamedTuple):
    """The verdict of one assertion.

    ``value`` is the exact measured value (None when it was not measured or is undefined);
    ``reason`` says why a FAILED assertion failed. ``expectation`` is the threshold as people
    read it (``>= 5``, ``between 10 and 500``), ``at`` where the rule is written.
    """

    dataset: str
    check: str
    assertion: str
    severity: str
    status: str
    value: float | None
    reason: str | None = None
    expectation: str = ""
    unit: str | None = None
    at: str | None = None
    description: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the assertion failed."""
        return self.status != "PASSED"


class Run(NamedTuple):
    """Everything a run found: the verdicts, dqlib's results, schema problems and run errors."""

    datasets: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    results: tuple[Any, ...]
    schema_errors: tuple[SchemaValidationError, ...]
    errors: tuple[str, ...]


def open_data(
    datasets: Sequence[Dataset],
    data: Mapping[str, Any],
    *,
    dialect: str | None = None,
    partition: Partition | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """A data source per dataset, all in one workspace, from Arrow tables, Spark DataFrames,
    data sources or paths; and the workspaces opened here (the caller closes them).

    ``dialect`` (the checks' SQL dialect) picks the engine: DuckDB (the default) or Spark. A
    path is read with the column types the dataset declares; with ``partition`` only that
    partition is read and measured. Raises ValueError for unknown or missing datasets and
    UsageError for checks that cannot run here (BigQuery SQL).
    """
    from .engines import open_data as open_on_engine

    return open_on_engine(datasets, data, dialect=dialect, partition=partition)


def run_data(
    checks: Sequence[Any],
    datasets: Sequence[Dataset],
    data: Mapping[str, Any],
    *,
    suite_name: str,
    validate: bool = True,
    dialect: str | None = None,
    partition: Partition | str | None = None,
) -> Run:
    """``execute`` on ``data`` (dataset name -> Arrow table, Spark DataFrame, data source or
    file path), on the engine of the checks' dialect; ``partition`` (``COLUMN=VALUE``, or the
    value of the datasets' first partition key) restricts every metric to that slice."""
    dialect = dialect or dialect_of(checks)
    if dialect is not None:
        check_runnable(dialect)
    chosen = as_partition(partition, datasets)
    sources, created = open_data(datasets, data, dialect=dialect, partition=chosen)
    try:
        return execute(
            checks,
            datasets,
            sources,
            suite_name=suite_name,
            validate=validate,
            partition=chosen,
        )
    finally:
        for workspace in created:
            workspace.close()


def run_checks(
    checks: Sequence[Any],
    datasets: Sequence[Dataset],
    data: Mapping[str, Any],
    *,
    suite_name: str,
    validate: bool = True,
    dialect: str | None = None,
    partition: Partition | str | None = None,
) -> list[Any]:
    """dqlib's results of ``run_data``: one per assertion, each with its exact value; a failed
    assertion's metric holds the reason (``result.metric.failure()[0].error_message``).
    """
    run = run_data(
        checks,
        datasets,
        data,
        suite_name=suite_name,
        validate=validate,
        dialect=dialect,
        partition=partition,
    )
    return list(run.results)


def as_partition(
    partition: Partition | str | None, datasets: Sequence[Dataset]
) -> Partition | None:
    """``partition`` as a Partition: ``COLUMN=VALUE``, or a value of the datasets' first
    partition key (``Dataset.partition``). Raises UsageError for a bad one."""
    if partition is None or isinstance(partition, Partition):
        return partition
    default = next((d.partition for d in datasets if d.partition), None)
    try:
        return parse_partition(partition, default)
    except ValueError as error:
        raise UsageError(str(error)) from None


def execute(
    checks: Sequence[Any],
    datasets: Sequence[Dataset],
    sources: Mapping[str, Any],
    *,
    suite_name: str,
    validate: bool = True,
    day: datetime.date | None = None,
    partition: Partition | None = None,
) -> Run:
    """Run ``checks`` on ``sources`` (from ``open_data``); every assertion gets an Outcome.

    dqlib's result key carries ``day`` (default: the partition's date, else today) and, for a
    partition-scoped run, the tag ``partition`` (``COLUMN=VALUE``).
    """
    from dqx.common import ResultKey

    tags = {"partition": str(partition)} if partition is not None else {}
    day = day or (partition.day if partition is not None else None)
    key = ResultKey(yyyy_mm_dd=day or datetime.date.today(), tags=tags)
    for source in sources.values():
        source.workspace.lock()
    outcomes: list[Outcome] = []
    results: list[Any] = []
    schema_errors: list[SchemaValidationError] = []
    errors: list[str] = []
    for dataset in datasets:
        source = sources[dataset.name]
        dataset_checks = [
            c for c in checks if dataset.name in _datasets_of(c, datasets)
        ]
        runner = _DatasetRun(dataset, source, dataset_checks, suite_name, key, validate)
        runner.run()
        outcomes += runner.outcomes
        results += runner.results
        errors += runner.errors
        if runner.problems:
            problems = [p for ps in runner.problems.values() for p in ps]
            schema_errors.append(SchemaValidationError(dataset.name, problems))
    names = tuple(dataset.name for dataset in datasets)
    return Run(
        names, tuple(outcomes), tuple(results), tuple(schema_errors), tuple(errors)
    )


def _datasets_of(check: Any, datasets: Sequence[Dataset]) -> list[str]:
    """The datasets a decorated check declares (all, for a check that does not say)."""
    declared = getattr(check, "keywords", {}).get("datasets")
    return list(declared) if declared else [dataset.name for dataset in datasets]


class _DatasetRun:
    """One dataset's run: schema, suite, retries for rejected metrics, exact outcomes."""

    def __init__(
        self,
        dataset: Dataset,
        source: Any,
        checks: Sequence[Any],
        suite_name: str,
        key: Any,
        validate: bool,
    ) -> None:
        self.dataset = dataset
        self.source = source
        self.checks = checks
        self.suite_name = suite_name
        self.key = key
        self.validate = validate
        self.problems: dict[str, list[str]] = {}
        self.broken: dict[str, str] = {}
        self.outcomes: list[Outcome] = []
        self.results: list[Any] = []
        self.errors: list[str] = []

    def run(self) -> None:
        if self.validate:
            try:
                self.source.check_cells()
            except (
                Exception
            ) as error:  # reading the file failed: reported with its verdicts
                self.errors.append(
                    f"dataset '{self.dataset.name}': {first_line(error)}"
                )
        self.check_schema()
        recorder = Recorder()
        for _ in range(_MAX_ATTEMPTS):
            if not self.checks:
                return
            recorder = Recorder(self.blocked(), self.broken)
            suite = self.suite(recorder)
            try:
                with quiet_dqlib():
                    suite.run([self.source], self.key, enable_plugins=False)
            except CellError as error:
                self.source.demote(error.column or "", str(error))
                self.check_schema()
                continue
            except (
                Exception
            ) as error:  # the database's or dqlib's error, whatever its class
                found = broken_metrics(recorder.metrics, self.source)
                if not found or found.keys() <= self.broken.keys():
                    self.fail_all(recorder, error)
                    return
                self.broken.update(found)
                continue
            self.collect(suite, recorder)
            return
        self.fail_all(recorder, RuntimeError("too many retries"))

    def check_schema(self) -> None:
        if not self.validate:
            return
        found = column_problems(self.dataset, self.source.schema)
        declared = {column.name: column for column in self.dataset.columns}
        for column, problems in found.items():
            if "type mismatch" in problems[0] and column in declared:
                problems[0] += _sample_line(
                    self.source, declared[column].logical_type, column
                )
        for column, note in self.source.notes.items():
            found.setdefault(column, []).append(f"Property '{column}': {note}")
        self.problems = found

    def blocked(self) -> dict[str, dict[str, str]]:
        return {self.dataset.name: {c: "\n".join(p) for c, p in self.problems.items()}}

    def suite(self, recorder: Recorder) -> Any:
        from dqx.api import VerificationSuite
        from dqx.orm.repositories import InMemoryMetricDB

        token = recording(recorder)
        try:
            with quiet_dqlib():
                return VerificationSuite(
                    checks=list(self.checks),
                    db=InMemoryMetricDB(),
                    name=self.suite_name,
                    log_level=logging.ERROR,
                )
        finally:
            stop_recording(token)

    def collect(self, suite: Any, recorder: Recorder) -> None:
        """Exact values and reasons for every assertion of a finished suite."""
        from returns.result import Success

        values = {
            info.name: info.value for info in suite.provider.collect_symbols(suite.key)
        }
        pending: list[tuple[Any, Any, AssertionInfo | None, float | None]] = []
        for node, result in zip(
            suite.graph.assertions(), suite.collect_results(), strict=True
        ):
            info = recorder.assertions.get((result.check, result.assertion))
            symbols = list(node.actual.free_symbols)
            exact = values.get(str(symbols[0])) if len(symbols) == 1 else None
            value = float(exact.unwrap()) if isinstance(exact, Success) else None
            if value is None and isinstance(result.metric, Success):
                value = float(result.metric.unwrap())
            pending.append((node, result, info, value))
        undefined = [
            info.metric
            for _, _, info, value in pending
            if info is not None and info.blocked is None and not _finite(value)
        ]
        reasons = undefined_reasons(undefined, self.source) if undefined else {}
        for _, result, info, value in pending:
            self.add(result, info, value, reasons)

    def add(
        self,
        result: Any,
        info: AssertionInfo | None,
        value: float | None,
        reasons: Mapping[Any, str],
    ) -> None:
        status, reason = str(result.status), None
        if info is not None and info.blocked is not None:
            status, value, reason = "FAILED", None, info.blocked
        elif not _finite(value):
            status = "FAILED"
            reason = reasons.get(info.metric) if info is not None else None
            reason = (
                reason or _dqlib_reason(result) or "the metric could not be computed"
            )
            value = None
        elif status != "PASSED":
            reason = self.failure_reason(info, value)
        self.outcomes.append(
            _outcome(self.dataset.name, result, info, status, value, reason)
        )
        self.results.append(_with_verdict(result, status, value, reason))

    def failure_reason(
        self, info: AssertionInfo | None, value: float | None
    ) -> str | None:
        if info is None:
            return None
        if info.failure is not None:
            return info.failure
        shown = f"{_number(value)}{' ' + info.unit if info.unit else ''}"
        return f"{shown}, expected {info.expectation}" if info.expectation else None

    def fail_all(self, recorder: Recorder, error: BaseException) -> None:
        """Every assertion of the dataset FAILED with the run's error (reported once)."""
        from dqx.common import AssertionResult, EvaluationFailure
        from returns.result import Failure

        message = f"dataset '{self.dataset.name}': the run failed: {first_line(error)}"
        self.errors.append(message)
        for info in recorder.assertions.values():
            self.outcomes.append(
                Outcome(
                    self.dataset.name, info.check, info.name, info.severity, "FAILED", None,
                    message, info.expectation, info.unit, info.source, info.description,
                )
            )  # fmt: skip
            self.results.append(
                AssertionResult(
                    yyyy_mm_dd=self.key.yyyy_mm_dd,
                    suite=self.suite_name,
                    check=info.check,
                    assertion=info.name,
                    severity=info.severity,  # type: ignore[arg-type]
                    status="FAILED",
                    metric=Failure([EvaluationFailure(message, "", [])]),
                    expression="",
                    tags=self.key.tags,
                    assertion_tags=info.tags,
                )
            )


def _sample_line(source: Any, logical_type: str | None, column: str) -> str:
    """A line for a type mismatch: values that do not fit, or what the values look like."""
    misfit, values = source.sample(column, logical_type)
    if not values:
        return ""
    shown = ", ".join(repr(value) for value in values)
    return (
        f"\n  values that do not fit: {shown}"
        if misfit
        else f"\n  its values look like: {shown}"
    )


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _number(value: float | None) -> str:
    if value is None:
        return "no value"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _dqlib_reason(result: Any) -> str | None:
    from returns.result import Failure

    if isinstance(result.metric, Failure):
        messages = [str(failure.error_message) for failure in result.metric.failure()]
        return "; ".join(dict.fromkeys(messages)) or None
    return None


def _outcome(
    dataset: str,
    result: Any,
    info: AssertionInfo | None,
    status: str,
    value: float | None,
    reason: str | None,
) -> Outcome:
    return Outcome(
        dataset=dataset,
        check=str(result.check),
        assertion=str(result.assertion),
        severity=str(result.severity),
        status=status,
        value=value,
        reason=reason,
        expectation=info.expectation if info else "",
        unit=info.unit if info else None,
        at=info.source if info else None,
        description=info.description if info else None,
    )


def _with_verdict(
    result: Any, status: str, value: float | None, reason: str | None
) -> Any:
    """dqlib's result with the exact value, or a failure holding the reason."""
    from dqx.common import EvaluationFailure
    from returns.result import Failure, Success

    if value is None:
        failure = EvaluationFailure(reason or "no value", str(result.expression), [])
        return dataclasses.replace(result, status=status, metric=Failure([failure]))
    return dataclasses.replace(result, status=status, metric=Success(value))
