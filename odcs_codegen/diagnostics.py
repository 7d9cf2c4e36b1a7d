"""Positions and diagnostics: every problem the compiler reports is a `Diagnostic`.

A diagnostic prints as ``path:line:column: error: message`` (line and column are 1-based).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "note"]


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
