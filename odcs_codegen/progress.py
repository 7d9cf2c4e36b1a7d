"""Progress on long work: a bar on a terminal, nothing anywhere else.

A bar is drawn only when both stdout and stderr are terminals, `TERM` is not `dumb` and no CI
variable is set, so CI logs, pipes and redirected output never carry it. It goes to stderr and
disappears when the work ends. Short work (under `MIN_ITEMS` items) shows no bar.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["MIN_ITEMS", "Advance", "interactive", "progress"]

#: Fewer items than this finish too fast for a bar to help.
MIN_ITEMS = 20

#: Called once per item done.
Advance = Callable[[], None]

_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD")


def interactive() -> bool:
    """Whether a person is watching: stdout and stderr are terminals and this is not CI."""
    if any(os.environ.get(name) for name in _CI_VARIABLES):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty() and sys.stderr.isatty()


def _nothing() -> None:
    """Advance nothing."""


@contextmanager
def progress(label: str, total: int) -> Iterator[Advance]:
    """A context whose value is called once per finished item; a bar only when interactive."""
    if total < MIN_ITEMS or not interactive():
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    console = Console(file=sys.stderr)
    with Progress(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
