"""The project configuration: ``[tool.odcs-codegen]`` in pyproject.toml, or a ``--config`` file.

Discovery looks for a ``pyproject.toml`` with a ``[tool.odcs-codegen]`` table in the start folder,
then in its parents, up to and including the repository root (the first folder that contains
``.git``); files without the table are skipped. ``--config FILE`` names the file instead: TOML
with the keys at the top level or under ``[tool.odcs-codegen]``, or YAML with the keys at the top
level.

The keys (kebab-case) are described by ``config.schema.json``. ``jobs`` lists several builds;
every job takes the top-level keys and overrides those it sets itself (``severity`` words are
merged: defaults, then top level, then job). Without ``jobs`` the top level is the one job,
called ``default``. Relative paths are relative to the configuration file's folder.

Every problem is a :class:`~odcs_codegen.diagnostics.CompileError` with positioned diagnostics.
YAML positions come from the loader; for TOML (``tomllib`` keeps none) a small scanner over the
already-parsed text finds every key, table header and value.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import CompileError, sorted_diagnostics
from .checker import Checker
from .jobs import DEFAULT_JOB, Config, Filter, Job, jobs_of, override
from .project import PYPROJECT, STANDALONE, black_line_length, display, find_config
from .reading import SECTION, read_config

__all__ = [
    "DEFAULT_JOB",
    "SECTION",
    "STANDALONE",
    "Config",
    "Filter",
    "Job",
    "black_line_length",
    "find_config",
    "load_config",
    "override",
]


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    """The configuration of ``explicit`` (``--config``), else the one found from ``start``.

    ``start`` defaults to the current folder; without a configuration file the result is the
    defaults: one job, ``default``, without sources or output.
    """
    if explicit is not None:
        file = Path(explicit)
        shown = str(explicit)
    else:
        found = find_config(Path.cwd() if start is None else start)
        if found is None:
            return Config(path=None, jobs=(Job(),))
        file, shown = found, display(found)
    file = file.absolute()
    source = read_config(file, shown, pyproject=file.name == PYPROJECT)
    data = source.data
    checker = Checker(source)
    diagnostics = checker.check(data)
    if not diagnostics:
        jobs = jobs_of(data, file.parent)
        diagnostics = list(checker.shared_outputs(jobs))
        if not diagnostics:
            return Config(path=file, jobs=jobs)
    raise CompileError(sorted_diagnostics(diagnostics))
