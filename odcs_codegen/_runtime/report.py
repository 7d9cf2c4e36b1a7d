"""The report of a run: every assertion's verdict, the schema problems, counts and exit code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .errors import EXIT_FAILED, EXIT_OK, EXIT_RUN_ERROR, SchemaValidationError
from .schema import Dataset
from .suite import Outcome, Run, run_data

__all__ = ["Report", "plural", "verify"]


def plural(count: int, noun: str) -> str:
    """``1 assertion``, ``2 assertions``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Report(NamedTuple):
    """A run of one contract's checks, as every report format shows it."""

    contract: str
    datasets: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    schema_errors: tuple[SchemaValidationError, ...] = ()
    errors: tuple[str, ...] = ()
    version: str = ""
    sources: tuple[tuple[str, str], ...] = ()  # (dataset, where its data comes from)
    started: str = ""  # ISO 8601 time of the run

    @classmethod
    def of(cls, contract: str, run: Run, **details: Any) -> Report:
        """The report of ``run``."""
        return cls(
            contract,
            run.datasets,
            run.outcomes,
            run.schema_errors,
            run.errors,
            **details,
        )

    @property
    def passed(self) -> int:
        """How many assertions passed."""
        return sum(not outcome.failed for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        """How many assertions failed."""
        return sum(outcome.failed for outcome in self.outcomes)

    @property
    def p0_failures(self) -> int:
        """How many P0 assertions failed."""
        return sum(
            outcome.failed and outcome.severity == "P0" for outcome in self.outcomes
        )

    @property
    def exit_code(self) -> int:
        """0 when no P0 assertion failed; 1 when one did or a schema did not match; 3 when the
        run itself failed."""
        if self.errors:
            return EXIT_RUN_ERROR
        return EXIT_FAILED if self.schema_errors or self.p0_failures else EXIT_OK

    def summary(self) -> dict[str, Any]:
        """The counts, the schema problems, run errors and the exit code, as JSON-ready data."""
        return {
            "contract": self.contract,
            "datasets": list(self.datasets),
            "assertions": len(self.outcomes),
            "passed": self.passed,
            "failed": self.failed,
            "p0_failures": self.p0_failures,
            "schema_valid": not self.schema_errors,
            "schema_errors": [
                {"dataset": error.dataset, "problems": list(error.problems)}
                for error in self.schema_errors
            ],
            "errors": list(self.errors),
            "exit_code": self.exit_code,
        }

    def summary_line(self) -> str:
        """``16 assertions: 15 passed, 1 failed (0 P0 failures)``, and schema failures."""
        line = (
            f"{plural(len(self.outcomes), 'assertion')}: {self.passed} passed, "
            f"{self.failed} failed ({plural(self.p0_failures, 'P0 failure')})"
        )
        if self.schema_errors:
            names = ", ".join(f"'{error.dataset}'" for error in self.schema_errors)
            line += f"; schema problems in {plural(len(self.schema_errors), 'dataset')}: {names}"
        if self.errors:
            line += f"; {plural(len(self.errors), 'run error')}"
        return line

    def ordered(self) -> list[Outcome]:
        """Failed first, then by severity, then as the contract lists them."""
        indexed = list(enumerate(self.outcomes))
        indexed.sort(key=lambda pair: (not pair[1].failed, pair[1].severity, pair[0]))
        return [outcome for _, outcome in indexed]


def verify(
    checks: Sequence[Any],
    datasets: Sequence[Dataset],
    data: Mapping[str, Any],
    *,
    contract: str,
    version: str = "",
    partition: str | None = None,
) -> Report:
    """Run ``checks`` on ``data`` (dataset name -> Arrow table, Spark DataFrame, data source or
    file path) and return the Report: every assertion's verdict with its reason, and the
    schema problems (``partition``: see ``suite.run_data``).
    """
    import datetime

    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    run = run_data(checks, datasets, data, suite_name=contract, partition=partition)
    return Report.of(contract, run, version=version, started=started)
