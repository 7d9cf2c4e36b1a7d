"""The error types of the contract lifecycle, and the exit codes of a run."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_OK = 0
"""No P0 assertion failed and every dataset matched its schema."""
EXIT_FAILED = 1
"""A P0 assertion failed, or a dataset did not match its schema (or the contract has errors)."""
EXIT_USAGE = 2
"""How the checks were called is wrong: unknown dataset, unreadable file, bad option."""
EXIT_RUN_ERROR = 3
"""The run itself failed unexpectedly; what was measured is still reported."""
EXIT_PUBLISH_FAILED = 4
"""The checks ran but their results could not be delivered (they are kept in a file)."""


class ContractValidationError(Exception):
    """The contract itself is invalid (for example an unknown logicalType)."""


class SchemaValidationError(Exception):
    """The data does not match the schema its contract declares.

    ``dataset`` names the dataset and ``problems`` lists every problem found in it. When several
    datasets fail together, ``errors`` holds one error per dataset (``dataset`` and ``problems``
    are then those of the first one) and the message lists them all.
    """

    def __init__(
        self,
        dataset: str,
        problems: Sequence[str],
        *,
        errors: Sequence[SchemaValidationError] = (),
    ) -> None:
        self.dataset = dataset
        self.problems: tuple[str, ...] = tuple(problems)
        self.errors: tuple[SchemaValidationError, ...] = tuple(errors)
        if self.errors:
            message = "\n".join(str(error) for error in self.errors)
        else:
            header = f"Dataset '{dataset}' does not match its contract:"
            message = "\n".join((header, *self.problems))
        super().__init__(message)


class ContractWarning(UserWarning):
    """A non-fatal problem with a contract; the offending rule is skipped."""


class UsageError(Exception):
    """How the checks were called is wrong: no data, unreadable data, bad options (exit 2)."""


def required_message(path: str) -> str:
    """The DQX specification's message for a required column that holds NULL values."""
    return f"Property '{path}' is required (required: true)\n  but contains null values"


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its class name when the message is empty)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def summary(error: BaseException, limit: int = 500) -> str:
    """The first lines of an error's message, on one line, at most ``limit`` characters."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = "; ".join(lines[:3]) if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
