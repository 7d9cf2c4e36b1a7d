"""Positions and diagnostics: every problem the compiler reports is a `Diagnostic`.

A diagnostic prints as ``path:line:column: error: message`` (line and column are 1-based).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Level = Literal["error", "warning", "note"]
JsonPath = tuple[str | int, ...]
"""Where a value is in a document: mapping keys and list indexes from the root."""


def type_words(value: Any) -> str:
    """The JSON type of a value in words: a string, a number, a boolean, a list, a mapping, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    return "a list"


def yaml_words(value: Any, mapping: str = "a mapping", limit: int = 80) -> str:
    """What was written, as a message says it: null, true, 3, 'text', a list, an empty mapping."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if not value:
            return "an empty string"
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 4] + "...'"
    if isinstance(value, list | tuple):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return mapping if value else f"an empty {mapping.split()[-1]}"
    return str(value)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error or warning about a source file, with its position when known."""

    path: str
    position: Position | None
    level: Level
    message: str

    def format(self) -> str:
        """Render as ``path:line:col: level: message`` (or ``path: level: message``)."""
        where = self.path if self.path.isprintable() else repr(self.path)[1:-1]
        if self.position is not None:
            where = f"{where}:{self.position.line}:{self.position.column}"
        return f"{where}: {self.level}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then position, then message."""
        line, column = (self.position.line, self.position.column) if self.position else (0, 0)
        return (self.path, line, column, self.message)


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """A parsed contract: its data plus the positions of its values and keys."""

    path: str
    data: Any
    sha256: str
    positions: Mapping[JsonPath, Position]
    key_positions: Mapping[JsonPath, Position]
    text: str = ""  # the decoded source (to position text inside block scalars)

    def position(self, path: Sequence[str | int]) -> Position | None:
        """The position of the node at ``path``, else of its nearest recorded ancestor."""
        steps = tuple(path)
        for end in range(len(steps), -1, -1):
            found = self.positions.get(steps[:end])
            if found is not None:
                return found
        return None

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        """The position of the mapping key at ``path``, else :meth:`position`."""
        found = self.key_positions.get(tuple(path))
        return found if found is not None else self.position(path)


class CompileError(Exception):
    """Raised when a source has errors; carries every diagnostic found, errors and warnings."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Only the error-level diagnostics."""
        return tuple(d for d in self.diagnostics if d.level == "error")


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in a stable order, duplicates removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


class UsageError(Exception):
    """A problem with how the tool was called (exit code 2)."""


def display_path(path: Path) -> str:
    """How diagnostics name a file: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
