"""Reading a configuration file: TOML (with positions) or YAML, as a positioned document."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from ..diagnostics import CompileError, Diagnostic, JsonPath, LoadedDocument, Position
from .toml_positions import toml_document
from .wording import show

__all__ = ["SECTION", "Source", "fail", "parse_toml", "read_config", "read_text", "section"]

SECTION: Final = "odcs-codegen"  # the table name under [tool]
_PYPROJECT: Final = "pyproject.toml"


@dataclass(frozen=True, slots=True)
class Source:
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


def fail(path: str, position: Position | None, message: str) -> CompileError:
    """A CompileError with one error."""
    return CompileError([Diagnostic(path, position, "error", message)])


def _read_bytes(file: Path, shown: str) -> bytes:
    """The content of ``file``, or CompileError."""
    try:
        return file.read_bytes()
    except OSError as exc:
        raise fail(shown, None, f"cannot read the file: {exc.strerror or exc}") from None


def read_text(file: Path, shown: str) -> str:
    """The UTF-8 text of ``file`` (a BOM is dropped), or CompileError."""
    raw = _read_bytes(file, shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(shown, None, f"file is not valid UTF-8: {exc.reason}") from None


_TOML_AT: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_toml(text: str, shown: str) -> dict[str, Any]:
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
        raise fail(shown, position, f"invalid TOML: {message}") from None


def section(data: Mapping[str, Any]) -> Any:
    """The value of [tool.odcs-codegen] in parsed TOML, or None."""
    tool = data.get("tool")
    return tool.get(SECTION) if isinstance(tool, dict) else None


def read_config(file: Path, shown: str, *, pyproject: bool) -> Source:
    """Parse a configuration file: TOML (pyproject or top-level keys) or YAML."""
    suffix = file.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return Source(_load_yaml(_read_bytes(file, shown), shown), (), toml=False)
    if suffix != ".toml":
        raise fail(
            shown,
            None,
            f"unsupported configuration file type {suffix or file.name!r} "
            "(expected .toml, .yaml or .yml)",
        )
    text = read_text(file, shown)
    data = parse_toml(text, shown)
    document = toml_document(text, data, shown)
    table = section(data)
    if table is None and (pyproject or file.name == _PYPROJECT):
        raise fail(shown, None, f"no [tool.{SECTION}] table in {file.name}")
    if table is None:
        return Source(document, (), toml=True)
    root: JsonPath = ("tool", SECTION)
    if not isinstance(table, dict):
        raise fail(
            shown,
            document.position(root),
            f"[tool.{SECTION}] must be a table, got {show(table, 'a table')}",
        )
    return Source(document, root, toml=True)


def _load_yaml(raw: bytes, shown: str) -> LoadedDocument:
    """Load a YAML configuration with the contract loader, rewording its contract messages."""
    from ..loader import load_bytes

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
