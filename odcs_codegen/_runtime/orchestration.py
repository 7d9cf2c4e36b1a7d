"""What generated orchestration code (scheduled tasks, asset checks) calls: one dataset's
run, and its verdict in the orchestrator's terms.

Nothing here imports an orchestrator: the generated orchestration files import theirs and
turn these plain results into their tasks' and checks' outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from .cli import close_workspaces, format_report, module_base_dir, run_module
from .engines import check_runnable
from .errors import UsageError, summary
from .opening import open_sources
from .report import Report
from .suite import Outcome, as_partition

__all__ = [
    "SCHEMA",
    "CheckResult",
    "ChecksFailed",
    "RunFailed",
    "UsageError",
    "check_results",
    "dataset_results",
    "report_text",
    "run_dataset",
    "task_result",
]

SCHEMA = ""
"""What a check names instead of an assertion to stand for the dataset's schema (its columns
and their types, always P0); no assertion is ever named so."""


class ChecksFailed(Exception):
    """A P0 assertion failed or the data does not match its schema: a verdict on the data,
    which running again on the same data would not change."""


class RunFailed(Exception):
    """The checks could not run to the end (unreadable data, a database error): worth a retry."""


def run_dataset(
    module: ModuleType,
    dataset: str,
    *,
    data: str | None = None,
    server: str | None = None,
    partition: str | None = None,
) -> Report:
    """Run the checks of one dataset of a generated module.

    ``data`` says where the dataset is (a file, a folder, ``DB.duckdb::TABLE``, or on Spark a
    table of the catalog); without it the contract's server ``server`` (default: its first
    local or duckdb server) is read. ``partition`` (``COLUMN=VALUE``, or a value of the
    dataset's partition key) restricts every metric to one partition. Raises UsageError for
    an unknown dataset or unreadable data.
    """
    dialect = str(getattr(module, "SQL_DIALECT", "duckdb"))
    check_runnable(dialect)
    chosen = tuple(d for d in module.DATASETS if d.name == dataset)
    if not chosen:
        known = ", ".join(d.name for d in module.DATASETS)
        raise UsageError(f"unknown dataset '{dataset}' (expected one of: {known})")
    scope = as_partition(partition, chosen)
    sources = open_sources(
        chosen,
        [f"{dataset}={data}"] if data else (),
        getattr(module, "SERVERS", ()),
        server=server,
        base_dir=module_base_dir(module),
        engine=dialect,
        partition=scope,
    )
    try:
        return run_module(module, sources, partition=scope, datasets=chosen)
    finally:
        close_workspaces(sources)


def task_result(report: Report) -> dict[str, Any]:
    """The summary of a run, with its failed assertions, as JSON-ready data (a scheduled task's
    return value). Raises RunFailed when the run did not finish and ChecksFailed when a P0
    assertion failed or the schema did not match; P1-P3 failures are only reported."""
    failures = [_failure(outcome) for outcome in report.ordered() if outcome.failed]
    if report.errors:
        raise RunFailed("; ".join(report.errors))
    if report.schema_errors or report.p0_failures:
        lines = [str(error) for error in report.schema_errors]
        lines += [
            f"{item['assertion']} ({item['severity']}): {item['reason']}"
            for item in failures
            if item["severity"] == "P0"
        ]
        raise ChecksFailed(report.summary_line() + "\n" + "\n".join(lines))
    return {**report.summary(), "failures": failures}


def report_text(report: Report) -> str:
    """The report as the table a terminal shows (for a task's log)."""
    return format_report(report, "table")


class CheckResult(NamedTuple):
    """One assertion as an orchestrator's check: passed or not, and what was measured."""

    name: str
    passed: bool
    metadata: dict[str, Any]


def check_results(
    report: Report, dataset: str, checks: Mapping[str, str]
) -> list[CheckResult]:
    """The result of every check in ``checks`` (check name -> assertion name, or ``SCHEMA``
    for the dataset's schema), in that order. An assertion the run has no verdict for fails
    with the reason."""
    pending = [o for o in report.outcomes if o.dataset == dataset]
    problems = [
        p for e in report.schema_errors if e.dataset == dataset for p in e.problems
    ]
    results = []
    for check, assertion in checks.items():
        if assertion == SCHEMA:
            results.append(_schema_result(check, problems, report.errors))
            continue
        outcome = next((o for o in pending if o.assertion == assertion), None)
        if outcome is None:
            reason = (
                "; ".join(report.errors) or "the run has no verdict for this assertion"
            )
            results.append(CheckResult(check, False, {"reason": reason}))
            continue
        pending.remove(outcome)
        results.append(CheckResult(check, not outcome.failed, _metadata(outcome)))
    return results


def dataset_results(
    module: ModuleType,
    dataset: str,
    checks: Mapping[str, str],
    *,
    data: str | None = None,
    server: str | None = None,
    partition: str | None = None,
) -> list[CheckResult]:
    """``run_dataset`` then ``check_results``; when the data cannot be read or the run fails,
    every check fails with the reason (never an exception)."""
    try:
        report = run_dataset(
            module, dataset, data=data, server=server, partition=partition
        )
    except Exception as error:  # a verdict for every check, whatever happened
        reason = f"the checks could not run: {summary(error)}"
        return [CheckResult(check, False, {"reason": reason}) for check in checks]
    return check_results(report, dataset, checks)


def _schema_result(
    check: str, problems: Sequence[str], errors: Sequence[str]
) -> CheckResult:
    """The dataset's schema check: passed when no column is missing or of the wrong type."""
    metadata: dict[str, Any] = {"problems": "\n".join(problems)} if problems else {}
    if errors:
        metadata["errors"] = "\n".join(errors)
    return CheckResult(check, not problems and not errors, metadata)


def _metadata(outcome: Outcome) -> dict[str, Any]:
    """What an orchestrator shows of an assertion: exact value, threshold, severity, reason."""
    fields = {
        "value": outcome.value,
        "threshold": outcome.expectation or None,
        "unit": outcome.unit,
        "severity": outcome.severity,
        "reason": outcome.reason,
        "rule": outcome.at,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _failure(outcome: Outcome) -> dict[str, Any]:
    """A failed assertion as JSON-ready data."""
    return {
        "dataset": outcome.dataset,
        "assertion": outcome.assertion,
        **_metadata(outcome),
    }
