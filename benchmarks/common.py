"""Shared helpers of the benchmarks: timing, rows of the result table, subprocesses, profiles.

Every measurement is repeated; rows report the minimum and the median. Ratios compare two
measurements taken in the same process, interleaved, so that the noise of a shared machine
hits both sides alike. Nothing here asserts a timing.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = Path(__file__).resolve().parent / "contracts"


@dataclass(frozen=True)
class Row:
    """One line of the result table.

    ``minimum`` and ``median`` are in ``unit`` (``s``, ``ms``, ``MB``, ``/s`` ...); ``ratio`` and
    ``note`` are free text (the ratio to the baseline named in the note, a target, ...).
    ``series`` (``panel|label``) and ``x`` place the row's median on the scaling plot.
    """

    section: str
    name: str
    minimum: float | None = None
    median: float | None = None
    unit: str = "s"
    ratio: str = ""
    note: str = ""
    series: str = ""
    x: float | None = None


@dataclass(frozen=True)
class Timing:
    """The wall times of one measurement, in seconds."""

    times: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def clock(action: Callable[[], object]) -> float:
    """The wall time of one call of ``action``, in seconds."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(actions: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Time every action ``repeat`` times, alternating between them (a, b, a, b, ...).

    Alternating spreads the machine's noise evenly over the compared measurements; the order
    is reversed every other round so neither side always runs right after the other.
    """
    times: dict[str, list[float]] = {name: [] for name in actions}
    names = list(actions)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(clock(actions[name]))
    return {name: Timing(tuple(values)) for name, values in times.items()}


def ratio(numerator: float, denominator: float) -> str:
    """``numerator / denominator`` as ``1.23x``."""
    if denominator <= 0:
        return "n/a"
    return f"{numerator / denominator:.2f}x"


def speedup(slow: float, fast: float) -> str:
    """How many times faster ``fast`` is than ``slow``, as ``123x faster`` (or ``2.0x slower``
    when ``fast`` took longer)."""
    if fast <= 0 or slow <= 0:
        return "n/a"
    value = slow / fast
    word = "faster" if value >= 1 else "slower"
    value = max(value, 1 / value)
    return f"{value:,.0f}x {word}" if value >= 10 else f"{value:.1f}x {word}"


def both(first: Timing, second: Timing, compare: Callable[[float, float], str]) -> str:
    """``compare`` of the minimums, then of the medians: ``1.05x (median 1.10x)``."""
    return f"{compare(first.min, second.min)} (median {compare(first.median, second.median)})"


def timing_row(
    section: str,
    name: str,
    timing: Timing,
    *,
    unit: str = "s",
    ratio: str = "",
    note: str = "",
    series: str = "",
    x: float | None = None,
) -> Row:
    """A row of a Timing, scaled to ``unit`` (``s`` or ``ms``)."""
    scale = 1000.0 if unit == "ms" else 1.0
    low, middle = timing.min * scale, timing.median * scale
    return Row(section, name, low, middle, unit, ratio, note, series, x)


def python_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of child Pythons: the project importable, no bytecode writes to stderr."""
    env = dict(os.environ)
    path = [str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if extra:
        env.update(extra)
    return env


# A small launcher: a child forked from a big benchmark process starts with the parent's
# resident pages counted in its ru_maxrss, so the measured command runs as the child of this
# fresh, small Python instead, which reports that child's peak RSS on its last stderr line.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
sys.stderr.write("\\n__maxrss_kib__ %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""
_MARKER = "__maxrss_kib__ "


def run_child(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[int, str, str, float, int]:
    """Run a child process; (exit code, stdout, stderr, wall seconds, peak RSS in bytes).

    The peak RSS is the command's own ``ru_maxrss``, read by a small launcher process (see
    ``_LAUNCHER``), so neither this process nor earlier children mix in. The wall time
    includes the launcher's start (about 20 ms).
    """
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv],
        capture_output=True,
        env=dict(env) if env is not None else python_env(),
        cwd=cwd,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    stderr, _, last = completed.stderr.rstrip("\n").rpartition("\n")
    if not last.startswith(_MARKER):
        raise RuntimeError(f"the launcher did not report the peak RSS:\n{completed.stderr[-3000:]}")
    peak = int(last[len(_MARKER) :]) * 1024
    return completed.returncode, completed.stdout, stderr, elapsed, peak


@dataclass(frozen=True)
class Child:
    """A command to time as a fresh process: its argv, environment and folder."""

    argv: tuple[str, ...]
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    exit_codes: tuple[int, ...] = (0, 1)


def interleaved_children(
    children: Mapping[str, Child],
    repeat: int,
    *,
    warm_up: bool = True,
    reported: Callable[[str, str, str], float] | None = None,
) -> dict[str, tuple[Timing, int]]:
    """Time every command ``repeat`` times as fresh processes, alternating (as `interleaved`);
    (wall times, the largest peak RSS in bytes) by name. ``warm_up`` runs each once first,
    untimed (file pages cached, bytecode and module caches written). ``reported(name, stdout,
    stderr)``: the seconds a child reports itself, used instead of its wall time."""
    walls: dict[str, list[float]] = {name: [] for name in children}
    peaks: dict[str, int] = {name: 0 for name in children}
    names = list(children)
    for round_ in range(repeat + int(warm_up)):
        for name in names if round_ % 2 == 0 else reversed(names):
            child = children[name]
            code, out, stderr, seconds, peak = run_child(child.argv, env=child.env, cwd=child.cwd)
            if code not in child.exit_codes:
                raise RuntimeError(f"{name}: {child.argv[0]} exited {code}:\n{stderr[-3000:]}")
            if reported is not None:
                seconds = reported(name, out, stderr)
            if warm_up and round_ == 0:
                continue
            walls[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    return {name: (Timing(tuple(walls[name])), peaks[name]) for name in names}


def differences(first: Timing, second: Timing) -> Timing:
    """Pairwise ``first - second`` of two interleaved timings (same round, same load)."""
    return Timing(tuple(a - b for a, b in zip(first.times, second.times, strict=True)))


def timed_child(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> float:
    """The wall time of a child process in seconds (it must exit with 0)."""
    start = time.perf_counter()
    completed = subprocess.run(
        list(argv),
        capture_output=True,
        env=dict(env) if env is not None else python_env(),
        cwd=cwd,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"{argv[0]} failed ({completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    return elapsed


def python_child(
    code: str, *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[str, int]:
    """Run ``code`` in a fresh Python; (its stdout, its peak RSS in bytes). Raises on failure."""
    code_, stdout, stderr, _, rss = run_child([sys.executable, "-c", code], env=env, cwd=cwd)
    if code_ != 0:
        raise RuntimeError(f"child Python failed ({code_}):\n{stderr[-3000:]}")
    return stdout, rss


def profile(action: Callable[[], object]) -> pstats.Stats:
    """cProfile one call of ``action``."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        action()
    finally:
        profiler.disable()
    return pstats.Stats(profiler, stream=io.StringIO())


def mb(value: float) -> float:
    """Bytes -> MiB."""
    return value / (1024 * 1024)


def format_table(rows: Iterable[Row]) -> str:
    """Rows as an aligned text table, one block per section."""
    lines: list[str] = []
    section = None
    header = ("measurement", "min", "median", "unit", "ratio", "note")
    body = [
        (
            row.section,
            row.name,
            _number(row.minimum),
            _number(row.median),
            row.unit,
            row.ratio,
            row.note,
        )
        for row in rows
    ]
    widths = [max([len(h), *(len(r[i + 1]) for r in body)]) for i, h in enumerate(header[:-1])]
    widths[0] = min(widths[0], 58)
    for item in body:
        if item[0] != section:
            section = item[0]
            lines.append("")
            lines.append(f"== {section}")
            lines.append(_cells(header, widths))
        lines.append(_cells(item[1:], widths))
    return "\n".join(lines).lstrip("\n")


def _cells(cells: Sequence[str], widths: Sequence[int]) -> str:
    first = cells[0].ljust(widths[0])
    numbers = [cells[1].rjust(widths[1]), cells[2].rjust(widths[2])]
    rest = [cells[3].ljust(widths[3]), cells[4].ljust(widths[4])]
    return "  ".join([first, *numbers, *rest, cells[5]]).rstrip()


def format_markdown(rows: Iterable[Row]) -> str:
    """Rows as Markdown tables, one per section."""
    out: list[str] = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out += [
                "",
                f"### {section}",
                "",
                "| measurement | min | median | unit | ratio | note |",
            ]
            out.append("|---|---:|---:|---|---|---|")
        cells = (row.name, _number(row.minimum), _number(row.median), row.unit, row.ratio, row.note)
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(out).lstrip("\n")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2g}"
