"""Where a configuration is: discovery of odcs-codegen.toml / [tool.odcs-codegen] and the
project's black line length."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Final

from .reading import parse_toml, read_text, section

__all__ = ["PYPROJECT", "STANDALONE", "black_line_length", "display", "find_config"]

STANDALONE: Final = "odcs-codegen.toml"  # a configuration file of its own, found like pyproject
PYPROJECT: Final = "pyproject.toml"
_ROOT_MARKER: Final = ".git"


def black_line_length(folder: Path) -> int | None:
    """The `[tool.black] line-length` of the nearest pyproject.toml at or above `folder` (up to
    the repository root), as black itself finds it; None when it sets none."""
    start = Path(folder).absolute()
    for candidate in (start, *start.parents):
        pyproject = candidate / PYPROJECT
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
        pyproject = candidate / PYPROJECT
        if pyproject.is_file():
            data = parse_toml(read_text(pyproject, display(pyproject)), display(pyproject))
            if section(data) is not None:
                return pyproject
        if (candidate / _ROOT_MARKER).exists():
            return None
    return None


def display(path: Path) -> str:
    """How diagnostics name a discovered file: relative to the current folder when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
