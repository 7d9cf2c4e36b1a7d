"""Dropping unknown-key reports that only echo another failure (step 4 of the package doc)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import jsonschema_rs

from .core import JsonPath, _at, _Problem, _resolve, _schema

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




def _did_you_mean(problem: _Problem, file: str) -> _Problem:
    """An unknown key: the key the schema declares there that it looks like, if any."""
    if not problem.unexpected or problem.subject is None or not problem.schema_path:
        return problem
    try:
        known = sorted(_key_plan(file, problem.schema_path[:-1]).possible)
    except (KeyError, IndexError, TypeError, ValueError):
        return problem
    key = problem.subject
    folded = [k for k in known if k.casefold() == key.casefold()]
    close = folded or difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    if not close or close[0] == key:
        return problem
    return replace(problem, message=f"{problem.message}; did you mean {close[0]!r}?")
