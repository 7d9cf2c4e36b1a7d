"""Python source snippets built from contract data: the only way contract text reaches code.

Every value is emitted through `literal()` (a `repr()`-based literal checked to round-trip), and
every comment through `comment()`. Removing or bypassing these functions has security
implications: contract text is untrusted data, and generated modules are imported and executed.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

JsonValue = None | bool | int | float | str | Sequence[Any] | Mapping[str, Any]


def literal(value: JsonValue) -> str:
    """Python source for a constant made of None, bools, numbers, strings, tuples/lists and dicts.

    Sequences become tuples and mappings become dicts (keys kept in their given order).
    """
    # The base classes' __repr__, never a subclass override; bytes are not a sequence of values.
    if value is None or isinstance(value, bool):
        text = repr(value)
    elif isinstance(value, int):
        text = _int_literal(value)
    elif isinstance(value, str):
        text = str.__repr__(value)
    elif isinstance(value, float):
        text = _float_literal(float(value))
    elif isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"cannot emit a literal of type {type(value).__name__}")
    elif isinstance(value, Mapping):
        items = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        text = "{" + items + "}"
    elif isinstance(value, Sequence):
        text = "(" + "".join(f"{literal(v)}, " for v in value) + ")"
    else:
        raise TypeError(f"cannot emit a literal of type {type(value).__name__}")
    return text


def _int_literal(value: int) -> str:
    """An int literal; hexadecimal beyond `sys.get_int_max_str_digits()` (repr would raise)."""
    try:
        return int.__repr__(value)
    except ValueError:
        return hex(value)


def _float_literal(value: float) -> str:
    """A float literal; non-finite values as float('inf') / float('nan') calls."""
    if math.isfinite(value):
        return float.__repr__(value)
    if math.isnan(value):
        return "float('nan')"
    return "float('inf')" if value > 0 else "-float('inf')"


# PEP 263: a comment matching `coding[:=]` on line 1 or 2 sets the encoding the module is read
# with. The header names the contract's path, so a folder called `coding=utf-7` would make
# Python decode `+ACI-` inside a string literal as a quote: code execution at import.
_ENCODING_DECLARATION = re.compile(r"coding([:=])")


def comment(text: str) -> str:
    """One line of comment text: non-printable characters (newlines too) escaped as in a repr,
    and `coding:` / `coding=` escaped (`coding\\x3a`) so that no comment declares an encoding."""
    escaped = repr(text)[1:-1] if not text.isprintable() else text
    return _ENCODING_DECLARATION.sub(
        lambda m: "coding\\x3a" if m.group(1) == ":" else "coding\\x3d", escaped
    )


def list_literal(values: Sequence[JsonValue]) -> str:
    """A list display: ``["a", "b"]``."""
    return "[" + ", ".join(literal(v) for v in values) + "]"


def sql_literal(sql: str) -> str:
    """A string literal of SQL that reads like the SQL: ``literal`` when one quote style avoids
    every escape, else a triple-quoted literal (checked to round-trip), else ``literal``."""
    plain = literal(sql)
    if "\\" in sql or not all(ch == "\n" or ch.isprintable() for ch in sql):
        return plain
    if "\n" not in sql and ("'" not in sql or '"' not in sql):
        return plain
    for quote in ('"""', "'''"):
        if quote in sql or sql.endswith(quote[0]) or sql.startswith(quote[0]):
            continue
        code = f"{quote}{sql}{quote}"
        if ast.literal_eval(code) == sql:
            return code
    return plain


def sql_block(sql: str, indent: str) -> str:
    """Multi-line SQL as a triple-quoted literal whose lines are indented like the code around
    it (the indentation is whitespace in the SQL); `sql_literal` when that cannot be exact."""
    if "\n" not in sql or '"""' in sql or "\\" in sql or sql.endswith('"'):
        return sql_literal(sql)
    if not all(line.isprintable() for line in sql.split("\n")):
        return sql_literal(sql)
    body = "".join(f"\n{indent}{line}" for line in sql.split("\n"))
    code = f'"""{body}\n{indent}"""'
    if ast.literal_eval(code).split() != sql.split():
        return sql_literal(sql)
    return code


def docstring(text: str) -> str:
    """A triple-quoted docstring literal of `text`, readable in review.

    Backslashes and double quotes are escaped, and every non-printable character but the
    newline is written as its escape, so no contract text can end the literal early; the result
    is checked to evaluate to `text` again (a multi-line text ends with a newline).
    """
    escaped = "".join(
        ch if ch == "\n" or (ch.isprintable() and ch not in '\\"') else _escape(ch) for ch in text
    )
    closing = "\n" if "\n" in text and not text.endswith("\n") else ""
    code = f'"""{escaped}{closing}"""'
    if ast.literal_eval(code) != text + closing:
        raise ValueError("docstring does not round-trip")
    return code


def _escape(ch: str) -> str:
    """One character as it appears escaped inside a double-quoted literal."""
    return "\\" + ch if ch in '\\"' else repr(ch)[1:-1]
