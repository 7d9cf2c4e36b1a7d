"""How diagnostics and drift are printed: plain text, GitHub annotations or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, Literal

from .diagnostics import Diagnostic

Format = Literal["text", "github", "json"]
FORMATS: tuple[str, ...] = ("text", "github", "json")


def github_annotation(d: Diagnostic) -> str:
    """A GitHub Actions workflow command: ``::error file=F,line=L,col=C::message``."""
    props = [f"file={_escape_property(d.path)}"]
    if d.position is not None:
        props += [f"line={d.position.line}", f"col={d.position.column}"]
    return f"::{d.level} {','.join(props)}::{_escape_data(d.message)}"


def _escape_data(text: str) -> str:
    """Escape a workflow command's message (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ':' and ',')."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as a JSON object."""
    return {
        "file": d.path,
        "line": d.position.line if d.position else None,
        "column": d.position.column if d.position else None,
        "level": d.level,
        "message": d.message,
    }


def print_diagnostics(diagnostics: Sequence[Diagnostic], fmt: Format) -> None:
    """Diagnostics as text lines on stderr, or GitHub annotations on stdout (where GitHub and
    ruff print them); JSON output is printed by the caller, on stdout."""
    for d in diagnostics:
        if fmt == "github":
            print(github_annotation(d), file=sys.stdout)
        elif fmt == "text":
            print(d.format(), file=sys.stderr)


def report_document(diagnostics: Sequence[Diagnostic], **extra: Any) -> dict[str, Any]:
    """The JSON data of a command: the diagnostics, their counts and any extra fields."""
    errors = sum(d.level == "error" for d in diagnostics)
    return {
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
        "errors": errors,
        "warnings": sum(d.level == "warning" for d in diagnostics),
        **extra,
    }


def dump(document: Any) -> str:
    """A JSON document as the commands print it."""
    return json.dumps(document, indent=2, ensure_ascii=False)
