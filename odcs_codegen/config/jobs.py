"""Jobs: one build each (contracts, output, compiler choices), built from a checked
configuration."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from ..options import OPTIONS
from ..settings import DEFAULT_LINE_LENGTH, DEFAULT_SEVERITIES, Limits, Options
from .project import black_line_length

if TYPE_CHECKING:
    from ..orchestration.outputs import Orchestration

__all__ = ["DEFAULT_JOB", "FILTER_KEYS", "Config", "Filter", "Job", "jobs_of", "override"]

DEFAULT_JOB: Final = "default"  # the name of the job of a configuration without `jobs`
_GLOB_MAGIC: Final = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class Filter:
    """Include/exclude regular expressions, with OpenMetadata filter-pattern semantics."""

    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def allows(self, *names: str) -> bool:
        """False when any name matches an exclude; with includes, True only if one matches.

        Patterns are matched with ``re.search`` (anchor them with ``^``/``$`` to match whole
        names; ``(?i)`` makes one case-insensitive).
        """
        if any(re.search(p, name) for p in self.excludes for name in names):
            return False
        if self.includes:
            return any(re.search(p, name) for p in self.includes for name in names)
        return True

    @property
    def active(self) -> bool:
        """Whether the filter can drop anything."""
        return bool(self.includes or self.excludes)


_NO_FILTER: Final = Filter()
_LIMITS: Final = Limits()
_OPTIONS: Final = Options()


@dataclass(frozen=True, slots=True)
class Job:
    """One build: which contracts, where the package goes and every compiler choice."""

    name: str = DEFAULT_JOB
    sources: tuple[Path, ...] = ()  # absolute; globs expanded
    output: Path | None = None  # absolute
    dialect: str = _OPTIONS.dialect
    line_length: int | None = None  # None: the output project's [tool.black], else black's 88
    between: str = _OPTIONS.between
    default_severity: str = _OPTIONS.default_severity
    constraint_severity: str = _OPTIONS.constraint_severity
    severities: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_SEVERITIES))
    )
    contract_filter: Filter = _NO_FILTER
    dataset_filter: Filter = _NO_FILTER
    rule_filter: Filter = _NO_FILTER
    cache: bool = True
    max_bytes: int = _LIMITS.max_bytes
    max_depth: int = _LIMITS.max_depth
    max_nodes: int = _LIMITS.max_nodes
    package: str | None = None  # None: the output folder's name
    airflow_dags: Path | None = None  # absolute
    airflow: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    dagster: Path | None = None  # absolute
    dagster_asset_key: str | None = None

    def options(self) -> Options:
        """The lowering options of this job."""
        return Options(
            dialect=self.dialect,
            severities=dict(self.severities),
            default_severity=self.default_severity,
            constraint_severity=self.constraint_severity,
            between=cast(Literal["inclusive", "exclusive"], self.between),
            dataset_filter=self.dataset_filter if self.dataset_filter.active else None,
            rule_filter=self.rule_filter if self.rule_filter.active else None,
        )

    def effective_line_length(self) -> int:
        """`line-length` when set, else the `[tool.black] line-length` of the project the output
        folder is in (so the project's own black leaves generated files alone), else 88."""
        if self.line_length is not None:
            return self.line_length
        if self.output is not None:
            found = black_line_length(self.output)
            if found is not None:
                return found
        return DEFAULT_LINE_LENGTH

    def orchestration(self) -> Orchestration:
        """The job's Airflow and Dagster outputs (for a job with an output folder)."""
        from ..orchestration.outputs import Orchestration

        assert self.output is not None
        return Orchestration(
            self.output,
            package=self.package,
            airflow_dags=self.airflow_dags,
            airflow=self.airflow,
            dagster=self.dagster,
            dagster_asset_key=self.dagster_asset_key,
        )

    def limits(self) -> Limits:
        """The loader limits of this job."""
        return Limits(max_bytes=self.max_bytes, max_depth=self.max_depth, max_nodes=self.max_nodes)


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded configuration: the file it came from (None = built-in defaults) and its jobs."""

    path: Path | None
    jobs: tuple[Job, ...]

    @property
    def folder(self) -> Path:
        """The folder relative paths and contract-filter names are taken from."""
        return self.path.parent if self.path is not None else Path.cwd()

    def job(self, name: str) -> Job:
        """The job called ``name``; ValueError naming the known jobs otherwise."""
        for job in self.jobs:
            if job.name == name:
                return job
        known = ", ".join(job.name for job in self.jobs)
        raise ValueError(f"unknown job {name!r} (expected one of: {known})")

    def filter_path(self, contract: Path) -> str:
        """The name ``contract-filter`` matches: the path relative to :attr:`folder`, with '/'."""
        absolute = Path(contract).absolute()
        try:
            return absolute.relative_to(self.folder).as_posix()
        except ValueError:
            pass
        try:
            return Path(os.path.relpath(absolute, self.folder)).as_posix()
        except ValueError:  # another drive (Windows)
            return absolute.as_posix()


# Config keys (kebab-case) and the Job fields they set.
_FIELDS: Final[Mapping[str, str]] = {"name": "name", **{o.key: o.field for o in OPTIONS}}
FILTER_KEYS: Final = ("contract-filter", "dataset-filter", "rule-filter")
_PATH_FIELDS: Final = ("output", "airflow_dags", "dagster")  # relative to the config's folder


def override(job: Job, **changes: Any) -> Job:
    """``job`` with command-line values replacing its own; None (and empty ``sources``) is ignored.

    ``sources`` and ``output`` are converted to Paths (made absolute against the current folder);
    ``severities`` words are merged over the job's. Unknown names raise TypeError.
    """
    names = {f.name for f in fields(Job)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise TypeError(f"unknown job settings: {', '.join(unknown)}")
    values = {key: value for key, value in changes.items() if value is not None}
    if "sources" in values:
        sources = values["sources"]
        if isinstance(sources, str | os.PathLike):
            sources = [sources]
        if sources:
            values["sources"] = tuple(Path(source).absolute() for source in sources)
        else:
            del values["sources"]
    for name in _PATH_FIELDS:
        if name in values:
            values[name] = Path(values[name]).absolute()
    if "severities" in values:
        merged = dict(job.severities)
        merged.update({str(k).lower(): v for k, v in values["severities"].items()})
        values["severities"] = MappingProxyType(merged)
    return replace(job, **values)


# --------------------------------------------------------------------------- discovery


def _expand(entries: Iterable[str], folder: Path) -> tuple[Path, ...]:
    """Source entries as absolute paths; globs expanded and sorted.

    A glob that matches nothing is kept as written, so that the build reports it as missing.
    """
    found: list[Path] = []
    for entry in entries:
        path = Path(entry)
        absolute = path if path.is_absolute() else folder / path
        if _GLOB_MAGIC.search(entry) is None:
            found.append(absolute)
            continue
        pattern = entry if path.is_absolute() else os.path.join(glob.escape(str(folder)), entry)
        matches = sorted(glob.glob(pattern, recursive=True))
        found.extend([Path(m) for m in matches] or [absolute])
    return tuple(dict.fromkeys(found))


def _filter(value: Mapping[str, Sequence[str]]) -> Filter:
    """A Filter from its (validated) table."""
    return Filter(tuple(value.get("includes", ())), tuple(value.get("excludes", ())))


def _job(values: Mapping[str, Any], folder: Path) -> Job:
    """A Job from the (validated, merged) keys of one job."""
    changes: dict[str, Any] = {}
    for key, value in values.items():
        name = _FIELDS[key]
        if key == "sources":
            value = _expand([value] if isinstance(value, str) else value, folder)
        elif name in _PATH_FIELDS:
            value = folder / value
        elif key in ("severity", "airflow"):
            value = MappingProxyType(dict(value))
        elif key in FILTER_KEYS:
            value = _filter(value)
        changes[name] = value
    return replace(Job(), **changes)


def _words(table: Mapping[str, Any]) -> dict[str, str]:
    """Severity words of a table, lower-cased."""
    words = table.get("severity", {})
    return {str(word).lower(): level for word, level in words.items()}


PROJECT_KEYS = frozenset({"jobs", "openmetadata"})
"""Top-level keys that are not options of a job."""


def jobs_of(data: Mapping[str, Any], folder: Path) -> tuple[Job, ...]:
    """Every job of a validated configuration, with the top-level keys inherited."""
    common = {key: value for key, value in data.items() if key not in PROJECT_KEYS}
    entries: list[Mapping[str, Any]] = data.get("jobs") or [{"name": DEFAULT_JOB}]
    jobs = []
    for entry in entries:
        values = {**common, **entry}
        values["severity"] = {**DEFAULT_SEVERITIES, **_words(common), **_words(entry)}
        jobs.append(_job(values, folder))
    return tuple(jobs)
