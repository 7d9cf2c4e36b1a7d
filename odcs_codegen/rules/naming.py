"""How rules are named in messages and assertions, and the one did-you-mean of the compiler."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["did_you_mean", "rule_label"]


def rule_label(rule: Mapping[str, Any], target: str) -> str:
    """A rule's name, else its id, else `<target>: <what it checks>` (`target` is the dotted
    property name, or the schema object's name for schema-level rules)."""
    for key in ("name", "id"):
        value = rule.get(key)
        if isinstance(value, str) and value.strip():
            return value
    what = rule.get("metric") or rule.get("rule") or rule.get("type") or "rule"
    implementation = rule.get("implementation")
    if rule.get("type") == "custom" and isinstance(implementation, str):
        match = re.search(r"^\s*check:\s*(\w+)", implementation, re.MULTILINE)
        what = match.group(1) if match else what
    return f"{target}: {what}"


def did_you_mean(
    word: str, choices: Iterable[str], canonical: Mapping[str, str] | None = None
) -> str:
    """ "; did you mean 'x'?" for the choice `word` looks like (case first), else "";
    `canonical` names the spelling to suggest for each choice."""
    listed = sorted(choices)
    folded = [c for c in listed if c.casefold() == word.casefold()]
    close = folded or difflib.get_close_matches(word, listed, n=1, cutoff=0.5)
    if not close or close[0] == word:
        return ""
    return f"; did you mean {(canonical or {}).get(close[0], close[0])!r}?"
