"""A content-addressed cache of compiled modules, so unchanged contracts are not recompiled.

The key hashes everything a module depends on: the contract's bytes, its module name and
relative path, the compiler settings, the odcs-codegen version and its code (templates, modules,
schemas: an edited checkout invalidates the cache too). Entries are
small JSON files; the cache can be deleted at any time (the next build is simply cold).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .diagnostics import Diagnostic, Position
from .render import templates_dir

_PACKAGE = Path(__file__).parent


def default_cache_dir() -> Path:
    """`$ODCS_CODEGEN_CACHE`, else `$XDG_CACHE_HOME/odcs-codegen`, else `~/.cache/odcs-codegen`."""
    explicit = os.environ.get("ODCS_CODEGEN_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "odcs-codegen"


@cache
def _code_digest() -> str:
    """A hash of the templates and of the package's own files (any change invalidates)."""
    digest = hashlib.sha256()
    files = [*templates_dir().rglob("*"), *_PACKAGE.rglob("*.py"), *_PACKAGE.rglob("*.json")]
    for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(contract: bytes, *parts: str) -> str:
    """The key of one compiled module: its inputs, version, templates and settings."""
    digest = hashlib.sha256()
    for part in (__version__, _code_digest(), *parts):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(contract)
    return digest.hexdigest()


class Entry(NamedTuple):
    """A cached module: its source, its diagnostics and the JSON data kept with it."""

    source: str
    diagnostics: list[Diagnostic]
    extra: dict[str, Any]


class ModuleCache:
    """Compiled module text and diagnostics by key, as JSON files in one folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str) -> Entry | None:
        """The cached entry, or None (also when the entry is unreadable)."""
        if self.folder is None:
            return None
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
            diagnostics = [_diagnostic(d) for d in entry["diagnostics"]]
            return Entry(entry["source"], diagnostics, dict(entry.get("extra") or {}))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(
        self,
        key: str,
        source: str,
        diagnostics: Sequence[Diagnostic],
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Store an entry (best effort: a cache that cannot be written is skipped); ``extra``
        is JSON data kept with it."""
        if self.folder is None:
            return
        entry = {
            "source": source,
            "diagnostics": [_plain(d) for d in diagnostics],
            "extra": dict(extra or {}),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = self.folder / f".{key}.{os.getpid()}.tmp"
            temp.write_text(json.dumps(entry), "utf-8")
            os.replace(temp, self.folder / f"{key}.json")
        except OSError:
            return


def _plain(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as JSON data."""
    position = [d.position.line, d.position.column] if d.position else None
    return {"path": d.path, "position": position, "level": d.level, "message": d.message}


def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    """A diagnostic from JSON data."""
    position = Position(*data["position"]) if data["position"] else None
    return Diagnostic(data["path"], position, data["level"], data["message"])
