"""How a schema problem is worded: the key, what it must be and what was written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from jsonschema_rs import ValidationError
from jsonschema_rs import ValidationErrorKind as Kind

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


def _type_list(types: Iterable[str]) -> str:
    """'string', 'null'"""
    return ", ".join(repr(t) for t in types)


def _and_list(items: Sequence[str]) -> str:
    """a, b and c"""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_SIZE_WORDS: dict[str, tuple[int, str, str]] = {
    # keyword: (limit with special wording, that wording, the usual wording)
    "minItems": (1, "should be non-empty", "is too short"),
    "minLength": (1, "should be non-empty", "is too short"),
    "maxItems": (0, "is expected to be empty", "is too long"),
    "maxLength": (0, "is expected to be empty", "is too long"),
    "minProperties": (1, "should be non-empty", "does not have enough properties"),
    "maxProperties": (0, "is expected to be empty", "has too many properties"),
}
_BOUND_WORDS: dict[str, str] = {
    "minimum": "is less than the minimum of",
    "maximum": "is greater than the maximum of",
    "exclusiveMinimum": "is less than or equal to the minimum of",
    "exclusiveMaximum": "is greater than or equal to the maximum of",
}

_Formatter = Callable[[Any, str], str]

_FORMATTERS: dict[type, _Formatter] = {
    Kind.Required: lambda k, r: f"{k.property!r} is a required property",
    Kind.Enum: lambda k, r: f"{r} is not one of {k.options!r}",
    Kind.Constant: lambda k, r: f"{k.expected_value!r} was expected",
    Kind.Pattern: lambda k, r: f"{r} does not match {k.pattern!r}",
    Kind.UniqueItems: lambda k, r: f"{r} has non-unique elements",
    Kind.MultipleOf: lambda k, r: f"{r} is not a multiple of {k.multiple_of!r}",
    Kind.Format: lambda k, r: f"{r} is not a {k.format!r}",
    Kind.FalseSchema: lambda k, r: f"False schema does not allow {r}",
    Kind.Contains: lambda k, r: f"{r} does not contain items matching the given schema",
    Kind.OneOfMultipleValid: lambda k, r: f"{r} is valid under each of the given schemas",
}


def _size_message(keyword: str, limit: Any, shown: str) -> str:
    """minItems, maxLength, ...: python-jsonschema's words, 'empty' at the edge."""
    edge, at_edge, usual = _SIZE_WORDS[keyword]
    return f"{shown} {at_edge if limit == edge else usual}"


def _message(kind: Kind, instance: Any, error: ValidationError) -> str:
    """python-jsonschema's wording for one error kind; the library's text for rare kinds."""
    if isinstance(kind, Kind.Not):
        return _not_message(kind.schema, instance, tuple(error.schema_path))
    shown = _repr(instance)
    if kind.name in _SIZE_WORDS:
        return _size_message(kind.name, getattr(kind, "limit", None), shown)
    if kind.name in _BOUND_WORDS:
        return f"{shown} {_BOUND_WORDS[kind.name]} {getattr(kind, 'limit', None)!r}"
    formatter = _FORMATTERS.get(type(kind))
    return error.message if formatter is None else formatter(kind, shown)


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
