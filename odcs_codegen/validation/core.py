"""The shared pieces of validation: supported versions, the vendored schemas, problems."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import jsonschema_rs

from odcs_codegen.diagnostics import JsonPath as JsonPath
from odcs_codegen.diagnostics import Position
from odcs_codegen.vocabulary import OPERATORS

SUPPORTED_API_VERSIONS: tuple[str, ...] = ("v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0")


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


def _position(problem: _Problem, where: PositionLookup) -> Position | None:
    """The key's position for unknown keys, the value's position otherwise."""
    if problem.unexpected and problem.subject is not None:
        key_path = (*problem.path, problem.subject)
        return where.key_position(key_path) or where.position(key_path)
    return where.position(problem.path)


def _operators_in(rule: Any) -> list[str]:
    """The operator keys of a rule, in the order written."""
    return [key for key in rule if key in OPERATORS] if isinstance(rule, dict) else []
