"""Calling dqlib without its side effects on the run: the report owns stdout, and the engine
gets the query exactly as the dialect built it.

dqlib 0.5 passes every batched query through ``sqlparse.format`` before running it. That only
re-indents (identifiers and keywords mean the same to the engines), costs tens of milliseconds a
run, grows with the number of rules, and fails outright on a query of more than 10,000 tokens
(sqlparse's ``MAX_GROUPING_TOKENS``, reached from about 100 rules on one dataset), which would
fail every verdict of that dataset. During a call, ``dqx.analyzer`` formats nothing.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["quiet_dqlib"]


class _DropNoise(logging.Filter):
    """dqlib's warning for a dataset without assertions is noise in a report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "EMPTY analysis report" not in record.getMessage()


_NOISE = _DropNoise()
_FORMATTER = "sqlparse"  # the name dqx.analyzer formats its queries with


class _AsBuilt:
    """Stands in for the ``sqlparse`` module inside ``dqx.analyzer``: no reformatting."""

    @staticmethod
    def format(sql: str, *_args: Any, **_options: Any) -> str:
        return sql


class _Unformatted:
    """While any run lasts, ``dqx.analyzer`` sends its queries unformatted (see the module
    docstring); runs in several threads share one swap, undone when the last one ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._saved: Any = None

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        import dqx.analyzer as analyzer

        with self._lock:
            if self._runs == 0:
                self._saved = getattr(analyzer, _FORMATTER, None)
                if self._saved is not None:  # None: a dqlib that no longer formats
                    setattr(analyzer, _FORMATTER, _AsBuilt)
            self._runs += 1
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                if self._runs == 0 and self._saved is not None:
                    setattr(analyzer, _FORMATTER, self._saved)
                    self._saved = None


_unformatted = _Unformatted()


@contextlib.contextmanager
def quiet_dqlib() -> Iterator[None]:
    """Keep stdout for the report (whatever a library prints goes to stderr), drop dqlib's
    noise, and run its queries as built."""
    logger = logging.getLogger("dqx.analyzer")
    logger.addFilter(_NOISE)
    try:
        with contextlib.redirect_stdout(sys.stderr), _unformatted():
            yield
    finally:
        logger.removeFilter(_NOISE)
