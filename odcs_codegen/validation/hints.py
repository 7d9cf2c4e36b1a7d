"""Hints for the mistakes contracts make (step 3 of the package doc)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from odcs_codegen.rules.naming import rule_label
from odcs_codegen.vocabulary import OPERATORS

from .core import (
    _ARGUMENT_KEYS,
    _LIBRARY_METRICS,
    _MISSING,
    _RULE_TYPE_KEYS,
    JsonPath,
    _at,
    _operators_in,
    _Problem,
)
from .messages import _operator_count_problem

_RANGE_OPERATORS = ("mustBeBetween", "mustNotBeBetween")


def _spec_wording(problem: _Problem, data: Any) -> _Problem:
    """The DQX specification's wording for its two schema-level examples: an unknown logicalType
    and a range operator that is not a [lower, upper] list."""
    path = problem.path
    if problem.code == "enum" and path[-1:] == ("logicalType",) and "properties" in path:
        prop = _at(data, path[:-1])
        value = prop.get("logicalType") if isinstance(prop, dict) else None
        name = prop.get("name", "") if isinstance(prop, dict) else ""
        message = f"Property {name!r}: unknown logicalType {value!r}"
        expected = problem.message.partition(" must be one of ")[2].rpartition(", got ")[0]
        return replace(problem, message=f"{message} (expected one of {expected})")
    if path[-1:] and path[-1] in _RANGE_OPERATORS and problem.code in _RANGE_SHAPE_CODES:
        rule = _at(data, path[:-1])
        value = rule.get(path[-1]) if isinstance(rule, dict) else None
        label = _rule_name(rule, data, path[:-1])
        shown = repr(value) if isinstance(value, str) else json.dumps(value)
        message = (
            f"Quality rule {label!r}: {path[-1]} must be a list of [lower, upper], got: {shown}"
        )
        return replace(problem, message=message)
    return problem


_RANGE_SHAPE_CODES = frozenset({"type", "minItems", "maxItems"})


def _rule_name(rule: Any, data: Any, path: JsonPath) -> str:
    """A rule as the compiler names it (`rules.rule_label`): its name, else its id, else
    `<property or schema object>: <what it checks>`."""
    if not isinstance(rule, dict):
        return "rule"
    return rule_label(rule, _target_label(data, path[:-2]))


def _target_label(data: Any, owner: JsonPath) -> str:
    """The dotted name of the property at `owner` (`address.city`, `lines[]`), or the schema
    object's name."""
    names: list[str] = []
    for end in range(3, len(owner) + 1):
        node = _at(data, owner[:end])
        if owner[end - 1] == "items":
            names[-1:] = [f"{names[-1] if names else ''}[]"]
        elif isinstance(owner[end - 1], int) and isinstance(node, dict):
            names.append(str(node.get("name", "")))
    if names:
        return ".".join(names)
    schema = _at(data, owner[:2])
    return str(schema.get("name", "")) if isinstance(schema, dict) else ""


# --------------------------------------------------------------------------- quality rules


def _is_rule_problem(problem: _Problem, data: Any) -> bool:
    """Whether the problem is about a quality rule mapping itself."""
    if problem.path[-2:-1] != ("quality",):
        return False
    in_rule_schema = any(str(part).startswith("DataQuality") for part in problem.schema_path)
    return in_rule_schema and isinstance(_at(data, problem.path), dict)


def _is_library(rule: dict[str, Any]) -> bool:
    """Whether the v3.1 schema treats the rule as a library rule."""
    return rule.get("type") == "library" or isinstance(rule.get("metric"), str)


def _rule_problems(problems: list[_Problem], data: Any, version: str) -> list[_Problem]:
    """Rewrite the problems of quality rules: fix hints and one operator-count message."""
    by_rule: dict[JsonPath, list[_Problem]] = {}
    others: list[_Problem] = []
    for p in problems:
        if _is_rule_problem(p, data):
            by_rule.setdefault(p.path, []).append(p)
        else:
            others.append(p)
    for rule_path, rule_problems in by_rule.items():
        others.extend(_one_rule(rule_path, rule_problems, _at(data, rule_path), version))
    return others


def _one_rule(
    path: JsonPath, problems: list[_Problem], rule: dict[str, Any], version: str
) -> list[_Problem]:
    """The problems of one rule, with hints and operator counting applied."""
    operators = _operators_in(rule)
    if rule.get("type") == "custom":
        return [_custom_operator_hint(p, rule) for p in problems]
    out = [_rule_key_hint(p, rule, version) for p in problems]
    if any(p.subject == "rule" and p.unexpected for p in problems):
        # A legacy v3.0 rule: once 'metric' is there, its operators are accepted too.
        return [p for p in out if not _is_about_operators(p)]
    if len(operators) >= 2 and any(_is_about_operators(p) for p in out):
        out = [p for p in out if not _is_about_operators(p)]
        out.append(_operator_count_problem(path, operators, ("DataQualityOperators", "oneOf")))
    return out


def _is_about_operators(problem: _Problem) -> bool:
    """An operator count problem, or an operator key reported as unexpected."""
    return problem.code == "operators" or (problem.unexpected and problem.subject in OPERATORS)


def _custom_operator_hint(problem: _Problem, rule: dict[str, Any]) -> _Problem:
    """An operator on a custom rule: tell where it goes instead."""
    if not (problem.unexpected and problem.subject in OPERATORS):
        return problem
    written = f"{problem.subject}: {_flow(rule[problem.subject])}"
    message = (
        "operators are not allowed on 'type: custom' rules: "
        f"put '{written}' inside 'implementation' (engine dqx reads it there); "
        "run 'odcs-codegen fix' to move it"
    )
    return replace(problem, message=message)


def _rule_key_hint(problem: _Problem, rule: dict[str, Any], version: str) -> _Problem:
    """Rule-level keys that belong in `arguments`, and the legacy `rule` key."""
    if not problem.unexpected or problem.subject is None:
        return problem
    key = problem.subject
    if key in _ARGUMENT_KEYS and _is_library(rule):
        message = (
            f"{key} must be inside 'arguments' (arguments.{key}) for ODCS {version} library rules; "
            "run 'odcs-codegen fix' to move it"
        )
        return replace(problem, message=message)
    if key in _RULE_TYPE_KEYS and rule.get("type") != _RULE_TYPE_KEYS[key]:
        hint = f"; {key!r} needs 'type: {_RULE_TYPE_KEYS[key]}'"
        return replace(problem, message=problem.message + hint)
    if key == "rule" and "metric" not in rule:
        message = (
            f"{problem.message}; 'rule' names ODCS v3.0 library rules; "
            f"ODCS {version} library rules need 'metric' ({_LIBRARY_METRICS})"
        )
        return replace(problem, message=message)
    return problem


_TYPED_KEYS: dict[str, str] = {"properties": "object", "items": "array"}


def _property_hint(problem: _Problem, data: Any, version: str) -> _Problem:
    """Hints for property keys that depend on the property's logicalType."""
    if problem.subject not in ("map", *_TYPED_KEYS):
        return problem
    if not any(str(part).startswith("Schema") for part in problem.schema_path):
        return problem
    logical_type = _at(data, (*problem.path, "logicalType"))
    if problem.code == "required" and problem.subject == "map" and logical_type is _MISSING:
        hint = (
            f"; the ODCS {version} schema requires 'map' on every property without a "
            "logicalType (its logicalType 'map' block then applies): add a logicalType"
        )
        return replace(problem, message=problem.message + hint)
    needed = _TYPED_KEYS.get(problem.subject or "")
    if not problem.unexpected or needed is None or logical_type in (_MISSING, needed):
        return problem
    hint = f"; {problem.subject!r} needs logicalType {needed!r}, not {logical_type!r}"
    return replace(problem, message=problem.message + hint)


def _flow(value: Any) -> str:
    """A value as YAML flow text: 1, [5, 100], text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, bool | type(None)) else repr(value)


# --------------------------------------------------------------------------- logicalTypeOptions


def _options_without_type(problems: list[_Problem], data: Any) -> list[_Problem]:
    """Options on a property without logicalType: one message instead of one per type block.

    With no logicalType every `if logicalType == X` block of the schema applies, so any option
    is rejected by the blocks of the other types (a known flaw of the ODCS schema).
    """
    grouped: dict[JsonPath, list[str]] = {}
    kept: list[_Problem] = []
    for p in problems:
        options_path = _untyped_options_path(p, data)
        if options_path is None:
            kept.append(p)
            continue
        names = grouped.setdefault(options_path, [])
        name = _option_name(p, options_path)
        if name is not None and name not in names:
            names.append(name)
    for options_path, names in grouped.items():
        listed = ", ".join(repr(n) for n in names) or "its options"
        message = (
            f"logicalTypeOptions without a logicalType: the ODCS schema then checks {listed} "
            "against every logicalType at once and rejects it; add a logicalType"
        )
        kept.append(_Problem(options_path, message, "logicalTypeOptions"))
    return kept


def _option_name(problem: _Problem, options_path: JsonPath) -> str | None:
    """The option a problem inside `logicalTypeOptions` is about."""
    if problem.unexpected:
        return problem.subject
    name = problem.path[len(options_path)] if len(problem.path) > len(options_path) else None
    return name if isinstance(name, str) else None


def _untyped_options_path(problem: _Problem, data: Any) -> JsonPath | None:
    """The path of the `logicalTypeOptions` the problem is in, if its property lacks a type."""
    if "SchemaBaseProperty" not in problem.schema_path or "logicalTypeOptions" not in problem.path:
        return None
    index = len(problem.path) - 1 - problem.path[::-1].index("logicalTypeOptions")
    owner = _at(data, problem.path[:index])
    if isinstance(owner, dict) and "logicalType" not in owner:
        return problem.path[: index + 1]
    return None


