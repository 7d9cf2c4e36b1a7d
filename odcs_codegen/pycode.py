"""Python source snippets built from contract data: the only way contract text reaches generated code.

Every value is emitted through `literal()` (a `repr()`-based literal checked to round-trip), and
every comment through `comment()`. Removing or bypassing these functions has security
implications: contract text is untrusted data, and generated modules are imported and executed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from typing import Any

JsonValue = None | bool | int | float | str | Sequence[Any] | Mapping[str, Any]


def literal(value: JsonValue) -> str:
    """Python source for a constant made of None, bools, numbers, strings, tuples/lists and dicts.

    Sequences become tuples and mappings become dicts (keys kept in their given order).
    """
    if value is None or isinstance(value, bool | int | str):
        text = repr(value)
    elif isinstance(value, float):
        text = _float_literal(value)
    elif isinstance(value, Mapping):
        items = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        text = "{" + items + "}"
    elif isinstance(value, Sequence):
        text = "(" + "".join(f"{literal(v)}, " for v in value) + ")"
    else:
        raise TypeError(f"cannot emit a literal of type {type(value).__name__}")
    return text


def _float_literal(value: float) -> str:
    """A float literal; non-finite values as float('inf') / float('nan') calls."""
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "float('nan')"
    return "float('inf')" if value > 0 else "-float('inf')"


def comment(text: str) -> str:
    """One line of comment text: non-printable characters (newlines too) escaped as in a repr."""
    escaped = repr(text)[1:-1] if not text.isprintable() else text
    return escaped


def is_string_literal_of(code: str, value: str) -> bool:
    """True when `code` parses as exactly the string constant `value` (a self-check helper)."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, ast.Constant) and node.value == value


def set_literal(values: Sequence[str]) -> str:
    """A set display of strings, sorted (``set()`` when empty)."""
    if not values:
        return "set()"
    return "{" + ", ".join(literal(v) for v in sorted(values)) + "}"
