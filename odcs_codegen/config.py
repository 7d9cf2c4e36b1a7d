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

import bisect
import contextlib
import difflib
import glob
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from .diagnostics import CompileError, Diagnostic, Position, sorted_diagnostics, yaml_words
from .loader import JsonPath, Limits, LoadedDocument, load_bytes
from .lower import DEFAULT_SEVERITIES, Options
from .options import OPTIONS, config_schema
from .render import DEFAULT_LINE_LENGTH

__all__ = [
    "DEFAULT_JOB",
    "SECTION",
    "Config",
    "Filter",
    "Job",
    "find_config",
    "load_config",
    "override",
]

STANDALONE: Final = "odcs-codegen.toml"  # a configuration file of its own, found like pyproject
SECTION: Final = "odcs-codegen"  # the table name under [tool]
DEFAULT_JOB: Final = "default"  # the name of the job of a configuration without `jobs`
_PYPROJECT: Final = "pyproject.toml"
_ROOT_MARKER: Final = ".git"
_GLOB_MAGIC: Final = re.compile(r"[*?\[]")


# --------------------------------------------------------------------------- public types


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
_FILTER_KEYS: Final = ("contract-filter", "dataset-filter", "rule-filter")


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
    if "output" in values:
        values["output"] = Path(values["output"]).absolute()
    if "severities" in values:
        merged = dict(job.severities)
        merged.update({str(k).lower(): v for k, v in values["severities"].items()})
        values["severities"] = MappingProxyType(merged)
    return replace(job, **values)


# --------------------------------------------------------------------------- discovery


def black_line_length(folder: Path) -> int | None:
    """The `[tool.black] line-length` of the nearest pyproject.toml at or above `folder` (up to
    the repository root), as black itself finds it; None when it sets none."""
    start = Path(folder).absolute()
    for candidate in (start, *start.parents):
        pyproject = candidate / _PYPROJECT
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return None
            tool = data.get("tool", {})
            black = tool.get("black", {}) if isinstance(tool, dict) else {}
            value = black.get("line-length") if isinstance(black, dict) else None
            valid = isinstance(value, int) and not isinstance(value, bool) and 40 <= value <= 200
            return value if valid else None  # black reads the nearest pyproject.toml only
        if (candidate / _ROOT_MARKER).exists():
            return None
    return None


def find_config(start: Path) -> Path | None:
    """The nearest `odcs-codegen.toml`, or pyproject.toml with a [tool.odcs-codegen] table,
    from ``start`` upward.

    The search stops after the repository root (the first folder containing ``.git``).
    A pyproject.toml that is not valid TOML raises CompileError.
    """
    folder = Path(start).absolute()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / STANDALONE).is_file():
            return candidate / STANDALONE
        pyproject = candidate / _PYPROJECT
        if pyproject.is_file():
            data = _parse_toml(_read_text(pyproject, _display(pyproject)), _display(pyproject))
            if _section(data) is not None:
                return pyproject
        if (candidate / _ROOT_MARKER).exists():
            return None
    return None


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
        file, shown = found, _display(found)
    file = file.absolute()
    source = _read_config(file, shown, pyproject=file.name == _PYPROJECT)
    data = source.data
    checker = _Checker(source)
    diagnostics = checker.check(data)
    if not diagnostics:
        jobs = _jobs(data, file.parent)
        diagnostics = list(checker.shared_outputs(jobs))
        if not diagnostics:
            return Config(path=file, jobs=jobs)
    raise CompileError(sorted_diagnostics(diagnostics))


def _display(path: Path) -> str:
    """How diagnostics name a discovered file: relative to the current folder when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class _Source:
    """A configuration file, parsed: its document, where the configuration is in it, its kind."""

    document: LoadedDocument
    root: JsonPath  # ("tool", "odcs-codegen") in a pyproject, () otherwise
    toml: bool

    @property
    def data(self) -> Any:
        """The configuration table."""
        data = self.document.data
        for step in self.root:
            data = data[step]
        return data


def _fail(path: str, position: Position | None, message: str) -> CompileError:
    """A CompileError with one error."""
    return CompileError([Diagnostic(path, position, "error", message)])


def _read_bytes(file: Path, shown: str) -> bytes:
    """The content of ``file``, or CompileError."""
    try:
        return file.read_bytes()
    except OSError as exc:
        raise _fail(shown, None, f"cannot read the file: {exc.strerror or exc}") from None


def _read_text(file: Path, shown: str) -> str:
    """The UTF-8 text of ``file`` (a BOM is dropped), or CompileError."""
    raw = _read_bytes(file, shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(shown, None, f"file is not valid UTF-8: {exc.reason}") from None


_TOML_AT: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _parse_toml(text: str, shown: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into a positioned CompileError."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_AT.search(message)
        position = None
        if found is not None:
            position = Position(int(found.group(1)), int(found.group(2)))
            message = message[: found.start()]
        raise _fail(shown, position, f"invalid TOML: {message}") from None


def _section(data: Mapping[str, Any]) -> Any:
    """The value of [tool.odcs-codegen] in parsed TOML, or None."""
    tool = data.get("tool")
    return tool.get(SECTION) if isinstance(tool, dict) else None


def _read_config(file: Path, shown: str, *, pyproject: bool) -> _Source:
    """Parse a configuration file: TOML (pyproject or top-level keys) or YAML."""
    suffix = file.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _Source(_load_yaml(_read_bytes(file, shown), shown), (), toml=False)
    if suffix != ".toml":
        raise _fail(
            shown,
            None,
            f"unsupported configuration file type {suffix or file.name!r} "
            "(expected .toml, .yaml or .yml)",
        )
    text = _read_text(file, shown)
    data = _parse_toml(text, shown)
    document = _toml_document(text, data, shown)
    section = _section(data)
    if section is None and (pyproject or file.name == _PYPROJECT):
        raise _fail(shown, None, f"no [tool.{SECTION}] table in {file.name}")
    if section is None:
        return _Source(document, (), toml=True)
    root: JsonPath = ("tool", SECTION)
    if not isinstance(section, dict):
        raise _fail(
            shown,
            document.position(root),
            f"[tool.{SECTION}] must be a table, got {_show(section, 'a table')}",
        )
    return _Source(document, root, toml=True)


def _load_yaml(raw: bytes, shown: str) -> LoadedDocument:
    """Load a YAML configuration with the contract loader, rewording its contract messages."""
    try:
        return load_bytes(raw, shown)
    except CompileError as error:
        reworded = [
            replace(
                d,
                message=d.message.replace("empty contract:", "empty configuration:").replace(
                    "a contract must be", "a configuration must be"
                ),
            )
            for d in error.diagnostics
        ]
        raise CompileError(reworded) from None


# --------------------------------------------------------------------------- TOML positions

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END: Final = re.compile(r"[,\]}#\r\n]")


class _TomlScanner:
    """Finds the positions of keys, table headers and values in valid TOML text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.positions: dict[JsonPath, Position] = {}
        self.key_positions: dict[JsonPath, Position] = {}
        self.array_tables: dict[JsonPath, int] = {}  # path of an array of tables -> its length
        self.table: JsonPath = ()

    def at(self, index: int) -> Position:
        """The 1-based line and column of character ``index``."""
        line = bisect.bisect_right(self.line_starts, index) - 1
        return Position(line + 1, index - self.line_starts[line] + 1)

    def scan(self) -> None:
        """Walk the whole text (raises IndexError/ValueError on text it does not follow)."""
        while True:
            self.skip(newlines=True)
            if self.index >= len(self.text):
                return
            if self.text[self.index] == "[":
                self.header()
            else:
                self.key_value(self.table)

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces, comments and (when ``newlines``) line breaks."""
        text, index = self.text, self.index
        while index < len(text):
            char = text[index]
            if char in " \t" or (newlines and char in "\r\n"):
                index += 1
            elif char == "#":
                end = text.find("\n", index)
                index = len(text) if end < 0 else end
            else:
                break
        self.index = index

    def note(self, path: JsonPath, index: int, *, final: bool) -> None:
        """Record ``index`` as the key and value position of ``path`` (final: overwrite)."""
        where = self.at(index)
        if final:
            self.key_positions[path] = self.positions[path] = where
        else:
            self.key_positions.setdefault(path, where)
            self.positions.setdefault(path, where)

    def key(self) -> list[tuple[str, int]]:
        """A dotted key: its parts and where each starts."""
        parts: list[tuple[str, int]] = []
        while True:
            self.skip(newlines=False)
            start = self.index
            if self.text[start] in "\"'":
                self.index = self.string_end(start)
                token = self.text[start : self.index]
                parts.append((str(tomllib.loads(f"k = {token}")["k"]), start))
            else:
                match = _BARE_KEY.match(self.text, start)
                if match is None:
                    raise ValueError(f"no key at {start}")
                parts.append((match.group(), start))
                self.index = match.end()
            self.skip(newlines=False)
            if self.text.startswith(".", self.index):
                self.index += 1
                continue
            return parts

    def header(self) -> None:
        """A ``[table]`` or ``[[array.of.tables]]`` header: it becomes the current table."""
        start = self.index
        array = self.text.startswith("[[", start)
        self.index += 2 if array else 1
        parts = self.key()
        self.index += 2 if array else 1
        path: JsonPath = ()
        for number, (name, _) in enumerate(parts):
            path = (*path, name)
            last = number == len(parts) - 1
            self.note(path, start, final=last and not array)
            if last and array:
                count = self.array_tables.get(path, 0)
                self.array_tables[path] = count + 1
                path = (*path, count)
                self.note(path, start, final=True)
            elif path in self.array_tables:
                path = (*path, self.array_tables[path] - 1)
        self.table = path

    def key_value(self, table: JsonPath) -> None:
        """``key = value`` inside ``table``."""
        parts = self.key()
        if not self.text.startswith("=", self.index):
            raise ValueError(f"no '=' at {self.index}")
        self.index += 1
        self.skip(newlines=False)
        path = table
        for number, (name, start) in enumerate(parts):
            path = (*path, name)
            final = number == len(parts) - 1
            self.note(path, start, final=final)
        self.value(path)

    def value(self, path: JsonPath) -> None:
        """A value: string, array, inline table or other scalar."""
        text, start = self.text, self.index
        self.positions[path] = self.at(start)
        char = text[start]
        if char in "\"'":
            self.index = self.string_end(start)
        elif char == "[":
            self.index += 1
            for item in range(len(text)):
                self.skip(newlines=True)
                if text[self.index] == "]":
                    break
                self.value((*path, item))
                self.skip(newlines=True)
                if text[self.index] == ",":
                    self.index += 1
            self.index += 1
        elif char == "{":
            self.index += 1
            while True:
                self.skip(newlines=True)
                if text[self.index] == "}":
                    break
                self.key_value(path)
                self.skip(newlines=True)
                if text[self.index] == ",":
                    self.index += 1
            self.index += 1
        else:
            end = _SCALAR_END.search(text, start)
            self.index = len(text) if end is None else end.start()
            if self.index == start:
                raise ValueError(f"no value at {start}")

    def string_end(self, start: int) -> int:
        """The index just after the string that starts at ``start``."""
        text = self.text
        quote = text[start]
        escapes = quote == '"'
        if text.startswith(quote * 3, start):
            index = start + 3
            while True:
                if escapes and text[index] == "\\":
                    index += 2
                elif text.startswith(quote * 3, index):
                    end = index + 3
                    for _ in range(2):  # up to two quotes may end the content
                        if text.startswith(quote, end):
                            end += 1
                    return end
                else:
                    index += 1
        index = start + 1
        while text[index] != quote:
            index += 2 if escapes and text[index] == "\\" else 1
        return index + 1


def _toml_document(text: str, data: dict[str, Any], shown: str) -> LoadedDocument:
    """Parsed TOML with the positions the scanner found (as many as it could)."""
    scanner = _TomlScanner(text)
    with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
        scanner.scan()  # positions are a courtesy: keep what was found before a surprise
    return LoadedDocument(
        path=shown,
        data=data,
        sha256="",
        positions=MappingProxyType(scanner.positions),
        key_positions=MappingProxyType(scanner.key_positions),
    )


# --------------------------------------------------------------------------- validation


@cache
def _schema() -> dict[str, Any]:
    """The configuration JSON Schema (built from the options table)."""
    return config_schema()


def _strict_integer(_checker: Any, instance: Any) -> bool:
    """JSON Schema 'integer', without booleans or floats such as 100.0."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator() -> Any:
    """A draft 2020-12 validator of the schema (floats are not integers here)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
    from jsonschema.validators import extend  # type: ignore[import-untyped,unused-ignore]

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
    strict = extend(Draft202012Validator, type_checker=checker)
    return strict(_schema())


_TYPE_WORDS: Final[Mapping[str, str]] = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "null": "null",
}
_PATTERN_HINTS: Final[Mapping[str, str]] = {
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "use letters, digits, '_', '-' and '.', starting with a letter or digit"
    ),
    "^[A-Za-z][A-Za-z0-9_-]*$": "use letters, digits, '_' and '-', starting with a letter",
}


def _quote(text: str, limit: int = 60) -> str:
    """Quote text for a one-line message."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"'{text}'" if text.isprintable() else repr(text)


def _show(value: Any, table: str) -> str:
    """A value as a message shows it; ``table`` names a mapping ("a table" / "a mapping")."""
    if isinstance(value, str):
        return _quote(value)
    return yaml_words(value, mapping=table)


def _alternatives(words: Sequence[Any]) -> str:
    """``'a', 'b' or 'c'``."""
    quoted = [_quote(str(w)) for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _suggestion(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` was probably meant to be."""
    for candidate in (word.lower(), word.replace("_", "-").lower()):
        for choice in choices:
            if choice.lower() == candidate:
                return choice
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


class _Checker:
    """Turns schema errors and the checks the schema cannot make into diagnostics."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.document = source.document
        self.table = "a table" if source.toml else "a mapping"
        self.data: Any = source.data

    # ------------------------------------------------------------------ positions

    def diagnostic(self, path: JsonPath, message: str, *, key: bool = False) -> Diagnostic:
        """An error at the value (or, with ``key``, the key) at config-relative ``path``."""
        full = (*self.source.root, *path)
        where = self.document.key_position(full) if key else self.document.position(full)
        return Diagnostic(self.document.path, where, "error", message)

    # ------------------------------------------------------------------ naming

    def job_label(self, index: int) -> str:
        """``job 'sales'``, or ``job #2`` when it has no usable name."""
        jobs = self.data.get("jobs") if isinstance(self.data, dict) else None
        entry = jobs[index] if isinstance(jobs, list) and index < len(jobs) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        return f"job {_quote(name)}" if isinstance(name, str) and name else f"job #{index + 1}"

    def subject(self, path: JsonPath) -> str:
        """How a message names the value at ``path``: ``'line-length' of job 'sales'``."""
        suffix = ""
        if len(path) >= 2 and path[0] == "jobs" and isinstance(path[1], int):
            label = self.job_label(path[1])
            if len(path) == 2:
                return label
            suffix, path = f" of {label}", path[2:]
        name = "'" + ".".join(str(p) for p in path if isinstance(p, str)) + "'"
        if path and isinstance(path[-1], int):
            name = f"item {path[-1] + 1} of {name}"
        return name + suffix

    def scope(self, path: JsonPath) -> str:
        """`` in job 'sales'`` (or `` in 'contract-filter'``) for the table at ``path``."""
        return f" in {self.subject(path)}" if path else ""

    # ------------------------------------------------------------------ checks

    def check(self, data: Any) -> list[Diagnostic]:
        """Every problem of the configuration ``data``."""
        found = [d for error in _validator().iter_errors(data) for d in self.schema_error(error)]
        found.extend(self.regex_errors(data))
        found.extend(self.duplicate_job_names(data))
        found.extend(self.severity_word_clashes(data))
        return found

    def schema_error(self, error: Any) -> list[Diagnostic]:
        """The diagnostics of one schema error."""
        path: JsonPath = tuple(error.absolute_path)
        keyword = error.validator
        schema: Any = error.schema
        value = error.instance
        subject = self.subject(path)
        if keyword == "additionalProperties":
            return self.unknown_keys(path, value, schema)
        if keyword == "required":
            missing = [k for k in error.validator_value if k not in value]
            return [self.diagnostic(path, f"{subject} needs a {_quote(k)}") for k in missing]
        if keyword == "pattern" and "propertyNames" in error.relative_schema_path:
            hint = _PATTERN_HINTS.get(str(error.validator_value), "")
            message = f"invalid key {_show(value, self.table)} in {subject}: {hint}"
            return [self.diagnostic((*path, str(value)), message, key=True)]
        return [self.diagnostic(path, self.value_message(path, keyword, error, subject))]

    def value_message(
        self, path: JsonPath, keyword: Any, error: Any, subject: str
    ) -> str:
        """The message of a schema error about one value."""
        value = error.instance
        shown = _show(value, self.table)
        schema: Any = error.schema
        if keyword == "type":
            types = error.validator_value
            names = [types] if isinstance(types, str) else list(types)
            words = [_TYPE_WORDS.get(t, self.table) for t in names]
            message = f"{subject} must be {' or '.join(words)}, got {shown}"
            if path == ("jobs",) and isinstance(value, dict) and self.source.toml:
                header = f"[[tool.{SECTION}.jobs]]" if self.source.root else "[[jobs]]"
                message += f"; write each job as a {header} table"
            return message
        if keyword == "enum":
            choices = [str(c) for c in error.validator_value]
            message = f"{subject} must be {_alternatives(choices)}, got {shown}"
            guess = _suggestion(value, choices) if isinstance(value, str) else None
            return message + (f"; did you mean {_quote(guess)}?" if guess else "")
        if keyword in ("minimum", "maximum"):
            low, high = schema.get("minimum"), schema.get("maximum")
            if low is not None and high is not None:
                return f"{subject} must be between {low} and {high}, got {shown}"
            if low is not None:
                return f"{subject} must be at least {low}, got {shown}"
            return f"{subject} must be at most {high}, got {shown}"
        if keyword in ("minLength", "minItems"):
            return f"{subject} must not be empty"
        if keyword == "pattern":
            hint = _PATTERN_HINTS.get(str(error.validator_value), "")
            if path[-1:] == ("name",):
                return f"invalid job name {shown}: {hint}"
            return f"{subject} must match {error.validator_value!r}, got {shown}"
        return f"{subject}: {error.message}"

    def unknown_keys(self, path: JsonPath, value: Any, schema: Any) -> list[Diagnostic]:
        """One diagnostic per key the table at ``path`` does not take."""
        expected = list(schema.get("properties", {}))
        found = []
        for key in value:
            if key in expected:
                continue
            message = f"unknown key {_quote(key)}{self.scope(path)} (expected one of: "
            message += ", ".join(expected) + ")"
            guess = _suggestion(key, expected)
            if guess is not None:
                message += f"; did you mean {_quote(guess)}?"
            elif key == "name" and not path:
                message += f"; 'name' belongs in a job ([[tool.{SECTION}.jobs]])"
            found.append(self.diagnostic((*path, key), message, key=True))
        return found

    def scopes(self, data: Any) -> Iterator[tuple[JsonPath, Mapping[str, Any]]]:
        """The top-level table and every job table, with their paths."""
        if not isinstance(data, dict):
            return
        yield (), data
        jobs = data.get("jobs")
        if isinstance(jobs, list):
            for index, job in enumerate(jobs):
                if isinstance(job, dict):
                    yield ("jobs", index), job

    def regex_errors(self, data: Any) -> Iterator[Diagnostic]:
        """Filter patterns that Python's ``re`` does not compile."""
        for base, table in self.scopes(data):
            for key in _FILTER_KEYS:
                patterns = table.get(key)
                if not isinstance(patterns, dict):
                    continue
                for part in ("includes", "excludes"):
                    items = patterns.get(part)
                    if not isinstance(items, list):
                        continue
                    for index, item in enumerate(items):
                        if not isinstance(item, str):
                            continue
                        try:
                            re.compile(item)
                        except re.error as exc:
                            path = (*base, key, part, index)
                            subject = self.subject((*base, key, part))
                            yield self.diagnostic(
                                path,
                                f"invalid regular expression {_quote(item)} in {subject}: {exc}",
                            )

    def duplicate_job_names(self, data: Any) -> Iterator[Diagnostic]:
        """Jobs that share a name."""
        seen: dict[str, int] = {}
        for base, table in self.scopes(data):
            name = table.get("name")
            if not base or not isinstance(name, str):
                continue
            if name in seen:
                first = self.document.position((*self.source.root, "jobs", seen[name], "name"))
                where = f" (first used at line {first.line})" if first else ""
                yield self.diagnostic((*base, "name"), f"duplicate job name {_quote(name)}{where}")
            else:
                seen[name] = cast(int, base[1])

    def shared_outputs(self, jobs: Sequence[Job]) -> Iterator[Diagnostic]:
        """Jobs that would write the same package folder."""
        owners: dict[Path, str] = {}
        for index, job in enumerate(jobs):
            if job.output is None:
                continue
            if job.output in owners:
                entry = self.data["jobs"][index]
                path: JsonPath = ("jobs", index, "output") if "output" in entry else ("jobs", index)
                message = (
                    f"{self.job_label(index)} has the same 'output' as {owners[job.output]}: "
                    "each job needs its own package folder"
                )
                yield self.diagnostic(path, message)
            else:
                owners[job.output] = self.job_label(index)

    def severity_word_clashes(self, data: Any) -> Iterator[Diagnostic]:
        """Severity words that differ only in case (words are case-insensitive)."""
        for base, table in self.scopes(data):
            words = table.get("severity")
            if not isinstance(words, dict):
                continue
            seen: dict[str, str] = {}
            for word in words:
                lower = word.lower()
                if lower in seen:
                    message = (
                        f"severity word {_quote(word)} repeats {_quote(seen[lower])} "
                        "(severity words are case-insensitive)"
                    )
                    yield self.diagnostic((*base, "severity", word), message, key=True)
                else:
                    seen[lower] = word


# --------------------------------------------------------------------------- building jobs


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
        elif key == "output":
            value = folder / value
        elif key == "severity":
            value = MappingProxyType(dict(value))
        elif key in _FILTER_KEYS:
            value = _filter(value)
        changes[name] = value
    return replace(Job(), **changes)


def _words(table: Mapping[str, Any]) -> dict[str, str]:
    """Severity words of a table, lower-cased."""
    words = table.get("severity", {})
    return {str(word).lower(): level for word, level in words.items()}


def _jobs(data: Mapping[str, Any], folder: Path) -> tuple[Job, ...]:
    """Every job of a validated configuration, with the top-level keys inherited."""
    common = {key: value for key, value in data.items() if key != "jobs"}
    entries: list[Mapping[str, Any]] = data.get("jobs") or [{"name": DEFAULT_JOB}]
    jobs = []
    for entry in entries:
        values = {**common, **entry}
        values["severity"] = {**DEFAULT_SEVERITIES, **_words(common), **_words(entry)}
        jobs.append(_job(values, folder))
    return tuple(jobs)
