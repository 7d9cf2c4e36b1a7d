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

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Protocol

import jsonschema_rs
from jsonschema_rs import ValidationError
from jsonschema_rs import ValidationErrorKind as Kind

from odcs_codegen.contract import OPERATORS
from odcs_codegen.diagnostics import Diagnostic, Position, sorted_diagnostics

SUPPORTED_API_VERSIONS: tuple[str, ...] = ("v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0")

JsonPath = tuple[str | int, ...]

# v3.0.0 has no schema of its own: the v3.0.1 schema accepts it (see schemas/NOTICE.md).
_SCHEMA_FILES: dict[str, str] = {
    "v3.0.0": "odcs-json-schema-v3.0.1.json",
    "v3.0.1": "odcs-json-schema-v3.0.1.json",
    "v3.0.2": "odcs-json-schema-v3.0.2.json",
    "v3.1.0": "odcs-json-schema-v3.1.0.json",
    "v3.2.0": "odcs-json-schema-v3.2.0.json",
}
# The required top-level keys reported when no schema can be chosen (no or unknown apiVersion).
_BASE_REQUIRED: tuple[str, ...] = ("version", "apiVersion", "kind", "id", "status")

# Keys that v3.0-style and DQX-spec rules put at rule level; v3.1 wants them in `arguments`.
_ARGUMENT_KEYS: frozenset[str] = frozenset(
    {"validValues", "missingValues", "pattern", "properties"}
)
# Rule keys that only a rule of one type takes.
_RULE_TYPE_KEYS: dict[str, str] = {"engine": "custom", "implementation": "custom", "query": "sql"}
_LIBRARY_METRICS = "nullValues, missingValues, invalidValues, duplicateValues, rowCount"
_UNEXPECTED = frozenset({"additionalProperties", "unevaluatedProperties"})
_MISSING: Any = object()


class PositionLookup(Protocol):
    """Where the values and keys of the parsed document are in its source."""

    def position(self, path: Sequence[str | int]) -> Position | None:
        """Position of the value at `path` (of its nearest known ancestor if unknown)."""
        ...

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        """Position of the key of the mapping entry at `path`."""
        ...


@dataclass(frozen=True, slots=True)
class _Problem:
    """One reportable schema problem, before it gets a position.

    `code` is the JSON Schema keyword that failed (or a name of ours, e.g. "operators").
    `subject` is the unexpected key (code in _UNEXPECTED: the diagnostic points at that key)
    or the missing property (code "required").
    """

    path: JsonPath
    message: str
    code: str
    schema_path: JsonPath = ()
    subject: str | None = None

    @property
    def unexpected(self) -> bool:
        """True for an unknown-key problem."""
        return self.code in _UNEXPECTED


# --------------------------------------------------------------------------- entry point


def validate_contract(data: Any, path: str, where: PositionLookup) -> list[Diagnostic]:
    """Validate `data` against the schema of its apiVersion; [] means schema-valid."""
    if not isinstance(data, dict):
        problem = _Problem((), f"{_repr(data)} is not of type 'object'", "type")
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
        return [_Problem(("apiVersion",), f"{_repr(value)} is not of type 'string'", "type")]
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


# --------------------------------------------------------------------------- schemas


@cache
def _schema(file: str) -> dict[str, Any]:
    """The vendored schema document `file` (read once)."""
    text = resources.files("odcs_codegen").joinpath("schemas", file).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(file: str) -> jsonschema_rs.Validator:
    """The compiled validator for schema `file` (compiled once per process)."""
    return jsonschema_rs.validator_for(_schema(file), validate_formats=False)


def _is_valid(file: str, data: Any) -> bool:
    """Whether `data` passes schema `file`; values that are not JSON fail."""
    try:
        return _validator(file).is_valid(data)
    except ValueError:
        return False


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
    return problems + [_spec_wording(p, data) for p in _dedupe(_prune_cascades(raw, data, file))]


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
        expected = problem.message.partition(" is not one of ")[2]
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
    """A rule's name, else its id, else `<owner name>: <metric or type>` (as the compiler names
    assertions)."""
    if not isinstance(rule, dict):
        return "rule"
    for key in ("name", "id"):
        if isinstance(rule.get(key), str) and rule[key].strip():
            return str(rule[key])
    owner = _at(data, path[:-2])
    owner_name = owner.get("name", "") if isinstance(owner, dict) else ""
    return f"{owner_name}: {rule.get('metric') or rule.get('rule') or rule.get('type') or 'rule'}"


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


def _position(problem: _Problem, where: PositionLookup) -> Position | None:
    """The key's position for unknown keys, the value's position otherwise."""
    if problem.unexpected and problem.subject is not None:
        key_path = (*problem.path, problem.subject)
        return where.key_position(key_path) or where.position(key_path)
    return where.position(problem.path)


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
        message = f"{_repr(_at(data, path))} is not of type {_type_list(_types(error, schema))}"
        yield _Problem(path, message, kind.name, schema_path)
    elif isinstance(kind, Kind.UnevaluatedProperties | Kind.AdditionalProperties):
        for key in kind.unexpected:
            message = f"{_unexpected_prefix(kind)} ({key!r} was unexpected)"
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


def _unexpected_prefix(kind: Kind) -> str:
    """python-jsonschema's opening words for an unknown key."""
    if isinstance(kind, Kind.AdditionalProperties):
        return "Additional properties are not allowed"
    return "Unevaluated properties are not allowed"


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


def _operator_count_problem(
    path: JsonPath, found: Sequence[str], schema_path: JsonPath
) -> _Problem:
    """ "exactly one operator is required, found ..." at the rule."""
    message = f"exactly one operator is required, found {_and_list(found) or 'none'}"
    return _Problem(path, message, "operators", schema_path)


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
        message = f"{_repr(instance)} is not of type {_type_list(types)}"
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


# --------------------------------------------------------------------------- quality rules


def _operators_in(rule: Any) -> list[str]:
    """The operator keys of a rule, in the order written."""
    return [key for key in rule if key in OPERATORS] if isinstance(rule, dict) else []


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


# --------------------------------------------------------------------------- cascades


def _prune_cascades(problems: list[_Problem], data: Any, file: str) -> list[_Problem]:
    """Drop unknown-key reports that only echo a failure at or below the same value.

    A key is such an echo when the schema of that value declares it (`_known_keys`, with
    `if` conditions decided on the value) and another kept problem lies at or below the value:
    the subschema declaring the key failed there, so its keys count as unevaluated.
    Deeper values are decided first, so a chain of echoes up to the root collapses.
    """
    marks: set[JsonPath] = set()
    known = _KnownKeys(file, data, marks)
    kept = [p for p in problems if not p.unexpected]
    for p in kept:
        _mark(marks, p.path, inclusive=True)
    for p in sorted((p for p in problems if p.unexpected), key=lambda p: -len(p.path)):
        if p.path in marks and known.declares(p):
            continue
        kept.append(p)
        _mark(marks, p.path, inclusive=False)
    return kept


def _mark(marks: set[JsonPath], path: JsonPath, *, inclusive: bool) -> None:
    """Record that a problem lies below every ancestor of `path` (and at `path`)."""
    end = len(path) if inclusive else len(path) - 1
    for size in range(end, -1, -1):
        prefix = path[:size]
        if prefix in marks:
            return
        marks.add(prefix)


class _KnownKeys:
    """Which keys the schema declares for the values of one document (memoized per value)."""

    def __init__(self, file: str, data: Any, marks: set[JsonPath]) -> None:
        self._file = file
        self._data = data
        self._marks = marks  # values with a problem at or below them
        self._keys: dict[tuple[JsonPath, JsonPath], set[str]] = {}
        self._conditions: dict[tuple[int, JsonPath], bool] = {}

    def declares(self, problem: _Problem) -> bool:
        """Whether the schema object that rejected the key declares it for this value."""
        if problem.code != "unevaluatedProperties" or problem.subject is None:
            return False
        owner = problem.schema_path[:-1]
        plan = _key_plan(self._file, owner)
        if problem.subject in plan.keys or problem.subject not in plan.possible:
            return problem.subject in plan.keys
        keys = self._keys.get((owner, problem.path))
        if keys is None:
            keys = self._collect(plan, problem.path, _at(self._data, problem.path))
            self._keys[(owner, problem.path)] = keys
        return problem.subject in keys

    def _collect(self, plan: _KeyPlan, path: JsonPath, instance: Any) -> set[str]:
        """Keys a plan evaluates on `instance` when all its parts pass.

        `if` is decided on the instance, so keys of a `then` that does not apply stay unknown;
        when a key the `if` reads is itself in error (a wrong `type`), both branches count.
        """
        keys = set(plan.keys)
        for condition, then, other in plan.conditions:
            if self._reads_faulty_key(condition, path):
                keys |= self._collect(then, path, instance) | self._collect(other, path, instance)
            elif self._holds(condition, path, instance):
                keys |= self._collect(then, path, instance)
            else:
                keys |= self._collect(other, path, instance)
        return keys

    def _holds(self, condition: Any, path: JsonPath, instance: Any) -> bool:
        """Whether the `if` accepts the value at `path` (memoized)."""
        memo = (id(condition), path)
        holds = self._conditions.get(memo)
        if holds is None:
            holds = self._conditions[memo] = _if_holds(self._file, condition, instance)
        return holds

    def _reads_faulty_key(self, condition: Any, path: JsonPath) -> bool:
        """Whether the `if` reads a key whose value has a problem."""
        keys = _condition(self._file, condition)[1]
        return keys is not None and any((*path, key) in self._marks for key in keys)


@dataclass(frozen=True, slots=True)
class _KeyPlan:
    """The keys a schema object declares: always, and per `if` outcome."""

    keys: frozenset[str]
    conditions: tuple[tuple[Any, _KeyPlan, _KeyPlan], ...]  # (if, then-plan, else-plan)
    possible: frozenset[str]  # the keys of every branch


@cache
def _key_plan(file: str, owner: JsonPath) -> _KeyPlan:
    """The key plan of the schema object at `owner` in schema `file` (built once)."""
    return _plan_of(_schema(file), _resolve(_schema(file), owner), ())


_EMPTY_PLAN = _KeyPlan(frozenset(), (), frozenset())


def _plan_of(root: dict[str, Any], node: Any, active: tuple[int, ...]) -> _KeyPlan:
    """Collect keys through in-place applicators ($ref, allOf, anyOf, oneOf, if/then/else)."""
    if not isinstance(node, dict) or id(node) in active:
        return _EMPTY_PLAN
    active = (*active, id(node))
    keys: set[str] = set(node.get("properties", ()))
    conditions: list[tuple[Any, _KeyPlan, _KeyPlan]] = []
    parts: list[Any] = [*node.get("allOf", ()), *node.get("anyOf", ()), *node.get("oneOf", ())]
    if isinstance(node.get("$ref"), str):
        parts.append(_resolve(root, _pointer_path(node["$ref"])))
    for part in parts:
        plan = _plan_of(root, part, active)
        keys |= plan.keys
        conditions.extend(plan.conditions)
    if "if" in node:
        then, other = (_plan_of(root, node.get(word), active) for word in ("then", "else"))
        conditions.append((node["if"], then, other))
    possible = keys.union(*(t.possible | o.possible for _, t, o in conditions))
    return _KeyPlan(frozenset(keys), tuple(conditions), frozenset(possible))


def _if_holds(file: str, condition: Any, instance: Any) -> bool:
    """Whether an `if` subschema accepts the instance (on the keys it looks at)."""
    validator, keys = _condition(file, condition)
    probe = instance
    if keys is not None and isinstance(instance, dict):
        probe = {key: instance[key] for key in keys if key in instance}
    try:
        return validator.is_valid(probe)
    except ValueError:
        return True


_SAFE_CONDITION_WORDS = frozenset({"properties", "required", "anyOf", "allOf", "oneOf", "not"})
# Compiled `if` subschemas by id(): the schemas are cached for good, so their ids stay unique.
_CONDITIONS: dict[int, tuple[jsonschema_rs.Validator, frozenset[str] | None]] = {}


def _condition(file: str, condition: Any) -> tuple[jsonschema_rs.Validator, frozenset[str] | None]:
    """A compiled `if` subschema and the keys it reads (None: it may read any key)."""
    entry = _CONDITIONS.get(id(condition))
    if entry is None:
        schema = dict(condition) if isinstance(condition, dict) else {"allOf": [condition]}
        if "$ref" in json.dumps(condition):
            schema["$defs"] = _schema(file).get("$defs", {})
        entry = (jsonschema_rs.Draft201909Validator(schema), _condition_keys(condition))
        _CONDITIONS[id(condition)] = entry
    return entry


def _condition_keys(condition: Any) -> frozenset[str] | None:
    """The instance keys an `if` subschema can look at, if it only uses properties/required."""
    if not isinstance(condition, dict) or not set(condition) <= _SAFE_CONDITION_WORDS:
        return None
    keys = set(condition.get("properties", {})) | set(condition.get("required", []))
    parts = [*condition.get("anyOf", []), *condition.get("allOf", []), *condition.get("oneOf", [])]
    if "not" in condition:
        parts.append(condition["not"])
    for part in parts:
        inner = _condition_keys(part)
        if inner is None:
            return None
        keys |= inner
    return frozenset(keys)


def _pointer_path(ref: str) -> JsonPath:
    """'#/$defs/A/allOf/0' -> ('$defs', 'A', 'allOf', '0')"""
    if not ref.startswith("#"):
        raise ValueError(f"only local references are supported: {ref}")
    parts = ref[1:].split("/")[1:]
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in parts)


def _resolve(root: Any, path: Sequence[str | int]) -> Any:
    """The node at `path` inside a schema (string indexes into lists allowed)."""
    node = root
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _has(value: Any, key: str) -> bool:
    """Whether `value` is a mapping with `key`."""
    return isinstance(value, dict) and key in value


def _at(data: Any, path: Sequence[str | int]) -> Any:
    """The value at `path` in the document, or _MISSING."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return node


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
        return f"{last!r} as {_json_type(value)}"
    return None


def _json_type(value: Any) -> str:
    """'a string', 'a number', ... for a JSON value."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list | tuple) else "null"


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
