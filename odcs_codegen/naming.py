"""Identifiers for generated code: sanitized, never a keyword or builtin, unique in their namespace.

Python NFKC-normalizes identifiers, so names are normalized before they are compared: two
contract names that differ only by case, punctuation or compatibility characters still get
distinct, stable identifiers (the real name is always kept as a string literal beside them).
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from pathlib import Path

_NOT_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
# Module names become file names (plus `.py` and the writer's temporary-file affixes), which
# most file systems cap at 255 bytes: longer identifiers keep a prefix and a digest of the rest.
MAX_IDENTIFIER = 100
_DIGEST = 8


def snake_identifier(name: str, *, prefix: str = "") -> str:
    """A lower-case ASCII identifier derived from `name` (with `prefix` when it would be empty,
    start with a digit, or collide with a keyword or builtin); names that sanitize to more than
    MAX_IDENTIFIER characters are cut and end in a digest of the whole sanitized name."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = _NOT_IDENTIFIER.sub("_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text)
    if len(text) > MAX_IDENTIFIER:
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()[:_DIGEST]
        text = text[: MAX_IDENTIFIER - _DIGEST - 1].rstrip("_") + "_" + digest
    if prefix and (not text or text[0].isdigit() or text in _RESERVED):
        text = f"{prefix}_{text}" if text else prefix
    if not text:
        text = "_"
    if text[0].isdigit():
        text = f"_{text}"
    if text in _RESERVED:
        text = f"{text}_"
    return text


class Namespace:
    """Hands out unique identifiers: the second `orders` becomes `orders_2`, and so on."""

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self._taken: set[str] = set(taken)

    def claim(self, identifier: str) -> str:
        """Return `identifier`, or the first free `identifier_N`, and mark it taken."""
        candidate, number = identifier, 1
        while unicodedata.normalize("NFKC", candidate) in self._taken:
            number += 1
            candidate = f"{identifier}_{number}"
        self._taken.add(unicodedata.normalize("NFKC", candidate))
        return candidate


def unique_label(label: str, taken: set[str], *, limit: int = 255) -> str:
    """A display label (assertion or check name) unique in `taken`: `x`, `x (2)`, `x (3)`...

    Whitespace runs become one space and labels are cut to `limit` characters (dqlib's
    maximum), then stripped: dqlib strips names before it checks that they are unique, so a cut
    that ended in a space would make a label collide with its twin. The result is added to
    `taken`.
    """
    base = " ".join(label.split()) or "rule"
    candidate, number = base[:limit].rstrip(), 1
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: limit - len(suffix)].rstrip() + suffix
    taken.add(candidate)
    return candidate


CONTRACT_SUFFIXES: tuple[str, ...] = (".odcs.yaml", ".odcs.yml", ".yaml", ".yml")
"""File names of contracts; the longest suffix that matches is cut off for the module name."""


def module_name(path: Path) -> str:
    """The Python module of a contract file: `orders.odcs.yaml` -> `orders`."""
    name = path.name
    for suffix in CONTRACT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return snake_identifier(name, prefix="contract")
