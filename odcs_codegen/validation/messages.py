"""How a schema problem is worded: the key, what it must be and what was written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jsonschema_rs import ValidationError
from jsonschema_rs import ValidationErrorKind as Kind

from odcs_codegen.diagnostics import yaml_words

from .core import JsonPath, _Problem

# --------------------------------------------------------------------------- messages


_MAX_TEXT = 80
_MAX_ITEMS = 4


def _repr(value: Any, depth: int = 0) -> str:
    """Python repr of an instance, shortened when long (python-jsonschema shows it whole)."""
    if isinstance(value, dict):
        if depth >= 2 and value:
            return "{...}"
        items = [f"{k!r}: {_repr(v, depth + 1)}" for k, v in list(value.items())[:_MAX_ITEMS]]
        more = ", ..." if len(value) > _MAX_ITEMS else ""
        return "{" + ", ".join(items) + more + "}"
    if isinstance(value, list | tuple):
        if depth >= 2 and value:
            return "[...]"
        shown = [_repr(v, depth + 1) for v in value[:_MAX_ITEMS]]
        more = ", ..." if len(value) > _MAX_ITEMS else ""
        return "[" + ", ".join(shown) + more + "]"
    text = repr(value)
    if len(text) <= _MAX_TEXT:
        return text
    return text[: _MAX_TEXT - 4] + ("...'" if isinstance(value, str) else "...")


def _and_list(items: Sequence[str]) -> str:
    """a, b and c"""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_TYPE_WORDS: dict[str, str] = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def subject(path: JsonPath) -> str:
    """How a message names the value at `path`: 'description', item 2 of 'tags', the contract."""
    if not path:
        return "the contract"
    last = path[-1]
    if isinstance(last, int):
        owner = next((part for part in reversed(path[:-1]) if isinstance(part, str)), "")
        return f"item {last + 1} of {owner!r}" if owner else f"item {last + 1}"
    return repr(last)


def written(value: Any) -> str:
    """What was written, in YAML words: null, true, 3, 'text', a list, an empty mapping."""
    return yaml_words(value)


def _or_list(items: Sequence[str]) -> str:
    """a, b or c"""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def type_message(path: JsonPath, value: Any, types: Iterable[str]) -> str:
    """'description' must be a string, got null."""
    words = list(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in types))
    return f"{subject(path)} must be {_or_list(words)}, got {written(value)}"


def enum_message(path: JsonPath, value: Any, options: Sequence[Any]) -> str:
    """'kind' must be 'DataContract', got null; 'x' must be one of 'a', 'b' or 'c', got 'd'."""
    shown = [_repr(option) for option in options]
    expected = shown[0] if len(shown) == 1 else "one of " + _or_list(shown)
    return f"{subject(path)} must be {expected}, got {written(value)}"


def _size_message(keyword: str, path: JsonPath, value: Any, limit: Any) -> str:
    """minItems, maxLength, ...: how many items or characters it needs, and what it has."""
    unit = {"Items": "item", "Length": "character", "Properties": "key"}[keyword[3:]]
    if keyword.startswith("min") and limit == 1:
        return f"{subject(path)} must not be empty, got {written(value)}"
    if keyword.startswith("max") and limit == 0:
        return f"{subject(path)} must be empty, got {written(value)}"
    has = len(value) if isinstance(value, str | list | tuple | dict) else 0
    bound = "at least" if keyword.startswith("min") else "at most"
    plural = "" if limit == 1 else "s"
    return f"{subject(path)} must have {bound} {limit} {unit}{plural}, got {has}"


_BOUND_WORDS: dict[str, str] = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}
_SIZES = frozenset(
    f"{edge}{unit}" for edge in ("min", "max") for unit in ("Items", "Length", "Properties")
)


def _message(kind: Kind, instance: Any, error: ValidationError) -> str:
    """The wording of one error kind: the key, what it must be, what was written."""
    path = tuple(error.instance_path)
    if isinstance(kind, Kind.Not):
        return _not_message(kind.schema, instance, tuple(error.schema_path))
    if isinstance(kind, Kind.Required):  # the DQX specification's wording
        return f"{kind.property!r} is a required property"
    if isinstance(kind, Kind.Enum):
        return enum_message(path, instance, list(kind.options))
    if isinstance(kind, Kind.Constant):
        return enum_message(path, instance, [kind.expected_value])
    if kind.name in _SIZES:
        return _size_message(kind.name, path, instance, getattr(kind, "limit", None))
    if kind.name in _BOUND_WORDS:
        limit = _repr(getattr(kind, "limit", None))
        return f"{subject(path)} must be {_BOUND_WORDS[kind.name]} {limit}, got {written(instance)}"
    if isinstance(kind, Kind.Pattern):
        return f"{subject(path)} must match {kind.pattern!r}, got {written(instance)}"
    if isinstance(kind, Kind.UniqueItems):
        return f"{subject(path)} must not repeat an item, got {_repr(instance)}"
    if isinstance(kind, Kind.MultipleOf):
        multiple = kind.multiple_of
        return f"{subject(path)} must be a multiple of {multiple!r}, got {written(instance)}"
    if isinstance(kind, Kind.Format):
        return f"{subject(path)} must be a {kind.format!r}, got {written(instance)}"
    return str(error.message)


def _not_message(schema: Any, instance: Any, schema_path: JsonPath) -> str:
    """`not`: name the forbidden key when the schema forbids one."""
    required = schema.get("required") if isinstance(schema, dict) else None
    if "RelationshipPropertyLevel" in schema_path and required == ["from"]:
        return "'from' is not allowed on a property's relationships: the property is the source"
    return f"{_repr(instance)} should not be valid under {schema!r}"


def _operator_count_problem(
    path: JsonPath, found: Sequence[str], schema_path: JsonPath
) -> _Problem:
    """ "exactly one operator is required, found ..." at the rule."""
    message = f"exactly one operator is required, found {_and_list(found) or 'none'}"
    return _Problem(path, message, "operators", schema_path)
