"""How configuration messages show what was written: quoted text, YAML/TOML words, choices."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from ..diagnostics import yaml_words

__all__ = ["alternatives", "quote", "show", "suggestion"]


def quote(text: str, limit: int = 60) -> str:
    """Quote text for a one-line message."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"'{text}'" if text.isprintable() else repr(text)


def show(value: Any, table: str) -> str:
    """A value as a message shows it; ``table`` names a mapping ("a table" / "a mapping")."""
    if isinstance(value, str):
        return quote(value)
    return yaml_words(value, mapping=table)


def alternatives(words: Sequence[Any]) -> str:
    """``'a', 'b' or 'c'``."""
    quoted = [quote(str(w)) for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def suggestion(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` was probably meant to be."""
    for candidate in (word.lower(), word.replace("_", "-").lower()):
        for choice in choices:
            if choice.lower() == candidate:
                return choice
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None
