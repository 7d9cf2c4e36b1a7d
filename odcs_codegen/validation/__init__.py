"""Validate a parsed ODCS contract against the official JSON Schema of its `apiVersion`.

Validation runs on jsonschema-rs: python-jsonschema is exponential on these recursive schemas.
One compiled validator per schema file and process, built on first use.

A single mistake makes a validator report a cloud of errors: the failing subschema drops the
keys it evaluated, so every enclosing `unevaluatedProperties: false` lists them as unexpected,
and `oneOf`/`anyOf` report one failure per branch. The raw errors are turned into few,
precise problems:

1. expand: `oneOf`/`anyOf` errors are replaced by the errors of the branch the value was
   meant to match (branches that fail on the value's own type or only on missing keys are
   the ones it was not meant to match); messages are rebuilt from the structured error kind
   in python-jsonschema's wording; one problem per unexpected key, positioned at the key;
2. one value: an enum error beats a type error, which beats the rest (vacuous `oneOf`,
   `not`, ... on a value of the wrong type);
3. hints: quality rules (rule-level `validValues`, operators on `type: custom` rules, one
   operator-count message), keys that need another logicalType or rule type, and one
   message for `logicalTypeOptions` without a `logicalType`;
4. cascades: an unexpected key that the schema object declares for that value (deciding its
   `if`s on the value) is only unevaluated because a subschema failed; it is dropped when
   another problem at or below the same value explains the failure (`_prune_cascades`);
5. version hint: a contract that fails its declared version but passes a later supported
   one is told which feature needs the later version.
"""


from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jsonschema_rs
from jsonschema_rs import ValidationError

from odcs_codegen.diagnostics import Diagnostic, sorted_diagnostics

from .cascades import _did_you_mean, _prune_cascades
from .core import (
    _BASE_REQUIRED,
    _SCHEMA_FILES,
    SUPPORTED_API_VERSIONS,
    PositionLookup,
    _position,
    _Problem,
    _schema,
    _validator,
)
from .expand import _best_at_each_value, _clean, _expand
from .hints import _options_without_type, _property_hint, _rule_problems, _spec_wording
from .messages import type_message
from .versions import _with_version_hint

# --------------------------------------------------------------------------- entry point


def validate_contract(data: Any, path: str, where: PositionLookup) -> list[Diagnostic]:
    """Validate `data` against the schema of its apiVersion; [] means schema-valid."""
    if not isinstance(data, dict):
        problem = _Problem((), type_message((), data, ["object"]), "type")
        return _diagnostics([problem], path, where)
    version = data.get("apiVersion")
    if version not in SUPPORTED_API_VERSIONS:
        problems = _api_version_problems(data) + _missing_required(data)
        return _diagnostics(problems, path, where)
    problems = _schema_problems(data, _SCHEMA_FILES[version], version)
    diagnostics = _diagnostics(problems, path, where)
    if diagnostics:
        diagnostics = _with_version_hint(diagnostics, problems, data, version, where)
    return diagnostics


def _api_version_problems(data: dict[str, Any]) -> list[_Problem]:
    """Why no schema can be chosen: a missing (see _missing_required) or unsupported apiVersion."""
    if "apiVersion" not in data:
        return []
    value = data["apiVersion"]
    if not isinstance(value, str):
        message = type_message(("apiVersion",), value, ["string"])
        return [_Problem(("apiVersion",), message, "type")]
    return [_Problem(("apiVersion",), _unsupported_message(value), "enum")]


def _unsupported_message(value: str) -> str:
    """The message for an apiVersion this compiler has no schema for."""
    message = f"unsupported apiVersion {value!r}: supported versions are " + ", ".join(
        SUPPORTED_API_VERSIONS
    )
    if re.match(r"v?2(\.|$)", value):
        return message + "; ODCS v2 contracts must be migrated to v3"
    if f"v{value}" in SUPPORTED_API_VERSIONS:
        return message + f"; did you mean 'v{value}'?"
    return message


def _missing_required(data: dict[str, Any]) -> list[_Problem]:
    """The required top-level keys `data` lacks (all versions require them but 'status')."""
    return [
        _Problem((), f"{key!r} is a required property", "required", subject=key)
        for key in _BASE_REQUIRED
        if key not in data
    ]


# --------------------------------------------------------------------------- pipeline


def _schema_problems(data: dict[str, Any], file: str, version: str) -> list[_Problem]:
    """The pruned problems of `data` under schema `file`."""
    validator = _validator(file)
    problems: list[_Problem] = []
    try:
        errors = _raw_errors(validator, data)
    except ValueError:  # a value JSON has no type for: report it, validate its text
        data = _clean(data, (), problems)
        errors = _raw_errors(validator, data)
    if not errors:
        return problems
    raw = [p for error in errors for p in _expand(error, data, _schema(file))]
    raw = _best_at_each_value(raw)
    raw = _rule_problems(raw, data, version)
    raw = [_property_hint(p, data, version) for p in raw]
    raw = _options_without_type(raw, data)
    kept = _dedupe(_prune_cascades(raw, data, file))
    return problems + [_did_you_mean(_spec_wording(p, data), file) for p in kept]


def _raw_errors(validator: jsonschema_rs.Validator, data: Any) -> list[ValidationError]:
    """All errors of jsonschema-rs ([] fast when valid); ValueError for non-JSON values."""
    return [] if validator.is_valid(data) else list(validator.iter_errors(data))


def _diagnostics(
    problems: Iterable[_Problem], path: str, where: PositionLookup
) -> list[Diagnostic]:
    """Problems as positioned error diagnostics, in source order."""
    return sorted_diagnostics(
        Diagnostic(path, _position(p, where), "error", p.message) for p in problems
    )


def _dedupe(problems: Iterable[_Problem]) -> list[_Problem]:
    """Drop repeats: same message at the same place, or the same unknown key twice."""
    seen: set[tuple[object, ...]] = set()
    kept: list[_Problem] = []
    for p in problems:
        identity = ("key", p.path, p.subject) if p.unexpected else (p.path, p.message)
        if identity not in seen:
            seen.add(identity)
            kept.append(p)
    return kept


