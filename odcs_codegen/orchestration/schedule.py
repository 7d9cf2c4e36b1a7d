"""An Airflow schedule from a contract's slaProperties: `frequency`, `timeOfAvailability`.

`1 h` -> hourly, `1 d` -> daily, `1 w` -> weekly, `1 y` -> yearly, other durations a
timedelta; a daily or weekly schedule runs at the time of availability (in UTC) when the
contract gives one. No frequency -> no schedule (manual runs). What was mapped and what was
not is said in plain words for the DAG's docstring.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..rules.sla import HOURS_PER_UNIT
from .facts import SlaFacts

__all__ = ["Schedule", "schedule_of", "span"]

_PRESETS = {1.0: "@hourly", 24.0: "@daily", 168.0: "@weekly", 8760.0: "@yearly"}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.I)


@dataclass(frozen=True, slots=True)
class Schedule:
    """``cron`` (an Airflow preset or cron expression), else ``seconds`` (a timedelta), else
    neither (manual runs); ``notes`` say where it came from and what was left out."""

    cron: str | None = None
    seconds: int | None = None
    notes: tuple[str, ...] = ()


def schedule_of(sla: Sequence[SlaFacts]) -> Schedule:
    """The schedule of the first ``frequency`` entry, at the first ``timeOfAvailability``."""
    frequencies = [s for s in sla if s.property.lower() == "frequency"]
    times = [s for s in sla if s.property.lower() == "timeofavailability"]
    notes = [f"not mapped: {_written(s)} (only the first one is used)" for s in frequencies[1:]]
    notes += [f"not mapped: {_written(s)} (only the first one is used)" for s in times[1:]]
    if not frequencies:
        unused = [f"not mapped: {_written(s)} (no frequency to apply it to)" for s in times]
        return Schedule(notes=("no slaProperties frequency: manual runs only", *unused))
    frequency = frequencies[0]
    hours = _hours(frequency)
    if hours is None:
        note = f"{_written(frequency)} is not a number of time units: manual runs only"
        return Schedule(notes=(note, *notes))
    at = _utc_time(times[0]) if times else None
    preset = _PRESETS.get(hours)
    source = f"from {_written(frequency)}"
    if times and at is None:
        notes.append(f"not mapped: {_written(times[0])} (not a time of day such as 09:00-08:00)")
    elif times and preset in ("@daily", "@weekly") and at is not None:
        hour, minute = at
        days = "*" if preset == "@daily" else "0"
        cron = f"{minute} {hour} * * {days}"
        every = "every day" if preset == "@daily" else "every Sunday"
        line = f"{every} at {hour:02d}:{minute:02d} UTC, {source} and {_written(times[0])}"
        return Schedule(cron=cron, notes=(line, *notes))
    elif times:
        notes.append(f"not mapped: {_written(times[0])} (applies to daily and weekly runs only)")
    if preset is not None:
        return Schedule(cron=preset, notes=(f"{preset}, {source}", *notes))
    seconds = round(hours * 3600)
    if seconds < 60:
        note = f"{_written(frequency)} is shorter than a minute: manual runs only"
        return Schedule(notes=(note, *notes))
    return Schedule(seconds=seconds, notes=(f"every {span(seconds)}, {source}", *notes))


def span(seconds: int) -> str:
    """``21600`` -> ``6 hours``, ``90`` -> ``90 seconds``."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count != 1 else "")
    return f"{seconds} seconds"


def _written(entry: SlaFacts) -> str:
    """An entry as the contract writes it: ``frequency 1 d``."""
    parts = [entry.property, str(entry.value), *([entry.unit] if entry.unit else [])]
    if entry.element:
        parts.append(f"({entry.element})")
    return " ".join(parts)


def _hours(entry: SlaFacts) -> float | None:
    """The entry's duration in hours (unit default: hours, as for latency)."""
    value = entry.value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    factor = HOURS_PER_UNIT.get((entry.unit or "h").lower())
    if factor is None or not number > 0 or number == float("inf"):
        return None
    return number * factor


def _utc_time(entry: SlaFacts) -> tuple[int, int] | None:
    """``09:00-08:00`` -> (17, 0): the time of day in UTC; None when it is not a time."""
    found = _TIME.match(str(entry.value).strip())
    if found is None:
        return None
    hour, minute, _, offset = found.groups()
    total = int(hour) * 60 + int(minute)
    if int(hour) > 23 or int(minute) > 59:
        return None
    if offset and offset.upper() != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        shift = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        total -= sign * shift
    total %= 24 * 60
    return total // 60, total % 60
