"""From jsonschema-rs errors to few, precise problems (steps 1 and 2 of the package doc)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from jsonschema_rs import ValidationError
from jsonschema_rs import ValidationErrorKind as Kind

from .core import JsonPath, _at, _operators_in, _Problem, _resolve
from .messages import _message, _operator_count_problem, _repr, type_message

# --------------------------------------------------------------------------- non-JSON values


_JSON_SCALARS = (str, int, float, bool, type(None))


def _clean(value: Any, path: JsonPath, problems: list[_Problem]) -> Any:
    """A copy of `value` with non-JSON scalars and keys replaced by their text."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(_Problem(path, f"mapping key {key!r} is not a string", "type"))
            out[str(key)] = _clean(item, (*path, str(key)), problems)
        return out
    if isinstance(value, list | tuple):
        return [_clean(item, (*path, i), problems) for i, item in enumerate(value)]
    if isinstance(value, _JSON_SCALARS):
        return value
    message = f"{value!r} is not a JSON value: quote it in the YAML to keep it as text"
    problems.append(_Problem(path, message, "type"))
    return str(value)


# --------------------------------------------------------------------------- expansion


def _expand(error: ValidationError, data: Any, schema: Any) -> Iterator[_Problem]:
    """The problems one jsonschema-rs error (of `schema` on `data`) stands for."""
    kind = error.kind
    path = tuple(error.instance_path)
    schema_path = tuple(error.schema_path)
    if _is_operator_choice(schema_path):
        yield from _expand_operators(error, data, schema)
    elif isinstance(kind, Kind.OneOfNotValid | Kind.AnyOf):
        yield from _expand_branches(error, data, schema)
    elif isinstance(kind, Kind.Type):
        message = type_message(path, _at(data, path), _types(error, schema))
        yield _Problem(path, message, kind.name, schema_path)
    elif isinstance(kind, Kind.UnevaluatedProperties | Kind.AdditionalProperties):
        for key in kind.unexpected:
            message = f"unknown key {key!r}: the ODCS schema does not allow it here"
            yield _Problem(path, message, kind.name, schema_path, key)
    else:
        yield _Problem(
            path,
            _message(kind, _at(data, path), error),
            kind.name,
            schema_path,
            _required_subject(kind),
        )


def _types(error: ValidationError, schema: Any) -> list[str]:
    """The types a `type` error names, in the schema's order (jsonschema-rs sorts them)."""
    try:
        declared = _resolve(schema, error.schema_path)
    except (KeyError, IndexError, TypeError, ValueError):
        declared = None
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list) and all(isinstance(t, str) for t in declared):
        return list(declared)
    return list(getattr(error.kind, "types", []))


def _required_subject(kind: Kind) -> str | None:
    """The missing property of a `required` error."""
    return kind.property if isinstance(kind, Kind.Required) else None


def _is_operator_choice(schema_path: JsonPath) -> bool:
    """Whether the error is the quality rule's 'exactly one operator' oneOf."""
    return schema_path[-2:] == ("DataQualityOperators", "oneOf")


def _expand_operators(error: ValidationError, data: Any, schema: Any) -> Iterator[_Problem]:
    """Operator oneOf: say which operators were found, or why the only one is wrong."""
    path = tuple(error.instance_path)
    found = _operators_in(_at(data, path))
    if len(found) == 1 and isinstance(error.kind, Kind.OneOfNotValid):
        yield from _expand_branches(error, data, schema)
    else:
        yield _operator_count_problem(path, found, tuple(error.schema_path))


def _expand_branches(error: ValidationError, data: Any, schema: Any) -> Iterator[_Problem]:
    """oneOf/anyOf: the errors of the branch the value was meant to match."""
    path = tuple(error.instance_path)
    branches = [list(branch) for branch in getattr(error.kind, "context", [])]
    meant = [branch for branch in branches if branch and not _misses_shape(branch, path)]
    if meant:
        best = min(meant, key=len)
        for inner in best:
            yield from _expand(inner, data, schema)
        return
    instance = _at(data, path)
    types = _branch_types(branches, path, schema)
    if types:
        message = type_message(path, instance, types)
        yield _Problem(path, message, "type", tuple(error.schema_path))
        return
    message = f"{_repr(instance)} is not valid under any of the given schemas"
    yield _Problem(path, message, error.kind.name, tuple(error.schema_path))


def _misses_shape(branch: Sequence[ValidationError], path: JsonPath) -> bool:
    """A branch for another shape: it fails on the value's type or only on missing keys."""
    here = [e for e in branch if tuple(e.instance_path) == path]
    if any(isinstance(e.kind, Kind.Type) for e in here):
        return True
    return len(here) == len(branch) and all(isinstance(e.kind, Kind.Required) for e in here)


def _branch_types(
    branches: Sequence[Sequence[ValidationError]], path: JsonPath, schema: Any
) -> list[str]:
    """The types the branches accept, when every branch failed only on the value's type."""
    types: list[str] = []
    for branch in branches:
        for e in branch:
            if not (isinstance(e.kind, Kind.Type) and tuple(e.instance_path) == path):
                return []
            types.extend(t for t in _types(e, schema) if t not in types)
    return types


_VALUE_CODES = frozenset({"enum", "const"})


def _best_at_each_value(problems: list[_Problem]) -> list[_Problem]:
    """At one value, an enum/const error beats a type error, and a type error beats the rest.

    A value of the wrong type also fails the keywords that only hold for other types
    (vacuous `required`, `oneOf` branches, `not`); those reports say nothing more.
    """
    codes: dict[JsonPath, set[str]] = {}
    for p in problems:
        if not p.unexpected:
            codes.setdefault(p.path, set()).add(p.code)
    return [p for p in problems if p.unexpected or _is_best(p.code, codes[p.path])]


def _is_best(code: str, codes_here: set[str]) -> bool:
    """Whether a problem of `code` survives next to problems of `codes_here` at one value."""
    if codes_here & _VALUE_CODES:
        return code != "type"
    return "type" not in codes_here or code == "type"


