"""The later ODCS version a contract is valid under (step 5 of the package doc)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from odcs_codegen.diagnostics import Diagnostic, type_words

from .core import (
    _SCHEMA_FILES,
    SUPPORTED_API_VERSIONS,
    JsonPath,
    PositionLookup,
    _at,
    _has,
    _is_valid,
    _position,
    _Problem,
)

# --------------------------------------------------------------------------- version hint


def _with_version_hint(
    diagnostics: list[Diagnostic],
    problems: list[_Problem],
    data: dict[str, Any],
    version: str,
    where: PositionLookup,
) -> list[Diagnostic]:
    """Append "valid under ODCS vX" to the first error when a later version accepts `data`."""
    later = _later_valid_version(data, version)
    if later is None:
        return diagnostics
    feature = _first_feature(problems, data, where)
    hint = f"; this contract is valid under ODCS {later}: {feature} needs {later} or later"
    first = diagnostics[0]
    return [replace(first, message=first.message + hint), *diagnostics[1:]]


def _later_valid_version(data: dict[str, Any], version: str) -> str | None:
    """The first supported version after `version` whose schema accepts `data`."""
    tried = {_SCHEMA_FILES[version]}
    for later in SUPPORTED_API_VERSIONS[SUPPORTED_API_VERSIONS.index(version) + 1 :]:
        file = _SCHEMA_FILES[later]
        if file in tried:
            continue
        tried.add(file)
        if _is_valid(file, {**data, "apiVersion": later}):
            return later
    return None


def _first_feature(problems: list[_Problem], data: Any, where: PositionLookup) -> str:
    """What the first problem in source order, that names a feature, uses."""
    ordered = sorted(problems, key=lambda p: _order_key(p, where))
    for p in ordered:
        feature = _feature(p, data)
        if feature is not None:
            return feature
    return f"the value at {_human_path(ordered[0].path) or 'the top level'}"


def _order_key(problem: _Problem, where: PositionLookup) -> tuple[int, int]:
    """Source order of a problem (unknown positions first)."""
    position = _position(problem, where)
    return (position.line, position.column) if position else (0, 0)


def _feature(problem: _Problem, data: Any) -> str | None:
    """The newer-version feature a problem points at, if it is a known one."""
    value = _at(data, problem.path)
    last = problem.path[-1] if problem.path else None
    if problem.code == "enum" and last == "logicalType":
        return f"logicalType {value!r}"
    if problem.code == "enum" and last == "type" and problem.path[:1] == ("servers",):
        return f"server type {value!r}"
    if problem.code == "type" and problem.path == ("team",) and isinstance(value, dict):
        return "the team object (team as a mapping)"
    if problem.code == "required" and problem.subject == "rule" and _has(value, "metric"):
        return "'metric' on quality rules"
    if problem.code == "required" and problem.path == () and problem.subject == "status":
        return "omitting 'status'"
    if problem.unexpected:
        return _key_feature(problem)
    if problem.code == "type" and isinstance(last, str):
        return f"{last!r} as {type_words(value)}"
    return None


_OWNER_NAMES: dict[str, str] = {
    "SchemaObject": "schema objects",
    "SchemaProperty": "properties",
    "SchemaBaseProperty": "properties",
    "SchemaItemProperty": "array items",
    "DataQuality": "quality rules",
    "Server": "servers",
    "Team": "the team",
    "TeamMember": "team members",
    "SupportItem": "support channels",
    "Role": "roles",
    "ServiceLevelAgreementProperty": "SLA properties",
}


def _key_feature(problem: _Problem) -> str:
    """ "'relationships' on properties", "top-level 'context'"."""
    owner = problem.schema_path[:-1]
    if not owner:
        return f"top-level {problem.subject!r}"
    names = [part for part in owner if isinstance(part, str) and part in _OWNER_NAMES]
    where = _OWNER_NAMES[names[-1]] if names else _human_path(problem.path) or "the top level"
    return f"{problem.subject!r} on {where}"


def _human_path(path: JsonPath) -> str:
    """('schema', 0, 'properties', 2) -> 'schema[0].properties[2]'"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
