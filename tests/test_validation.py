"""Tests of odcs_codegen.validation: messages, positions, pruning, hints, agreement."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import yaml

from odcs_codegen import validation
from odcs_codegen import vocabulary as contract
from odcs_codegen.diagnostics import Position
from odcs_codegen.validation import SUPPORTED_API_VERSIONS, validate_contract

CASES = Path(__file__).parent / "validation_cases"


class YamlPositions:
    """A PositionLookup built from PyYAML's node marks (1-based lines and columns)."""

    def __init__(self, text: str) -> None:
        self._values: dict[tuple[str | int, ...], Position] = {}
        self._keys: dict[tuple[str | int, ...], Position] = {}
        self._walk(yaml.compose(text), ())

    def _walk(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        self._values[path] = Position(node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, key.value)
                self._keys[here] = Position(key.start_mark.line + 1, key.start_mark.column + 1)
                self._walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def position(self, path: Sequence[str | int]) -> Position | None:
        here = tuple(path)
        while here not in self._values:
            here = here[:-1]
        return self._values[here]

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        return self._keys.get(tuple(path))


class NoPositions:
    """A PositionLookup that knows nothing."""

    def position(self, path: Sequence[str | int]) -> Position | None:
        return None

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        return None


def check(text: str) -> list[str]:
    """Validate YAML text; diagnostics as 'line:col: message'."""
    diagnostics = validate_contract(yaml.safe_load(text), "c.yaml", YamlPositions(text))
    lines = []
    for d in diagnostics:
        assert d.level == "error" and d.path == "c.yaml" and d.position is not None
        lines.append(f"{d.position.line}:{d.position.column}: {d.message}")
    return lines


def head(version: str = "v3.1.0") -> str:
    """The five required fields (lines 1-5)."""
    return f"apiVersion: {version}\nkind: DataContract\nid: c1\nversion: 1.0.0\nstatus: active\n"


def with_property(lines: str, version: str = "v3.1.0") -> str:
    """A contract with one property `a` (line 9) whose further keys start on line 10."""
    body = "".join(f"        {line}\n" for line in lines.strip("\n").split("\n"))
    return head(version) + "schema:\n  - name: t\n    properties:\n      - name: a\n" + body


def with_rule(lines: str, version: str = "v3.1.0") -> str:
    """A string property with one quality rule whose first key is on line 12, column 13."""
    rule = "\n    ".join(lines.strip("\n").split("\n"))
    return with_property(f"logicalType: string\nquality:\n  - {rule}", version)


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize("version", SUPPORTED_API_VERSIONS)
def test_every_supported_version_accepts_a_minimal_contract(version: str) -> None:
    assert check(head(version)) == []


def test_missing_api_version_reports_every_missing_required_field() -> None:
    assert check("kind: DataContract\nid: c1\n") == [
        "1:1: 'apiVersion' is a required property",
        "1:1: 'status' is a required property",
        "1:1: 'version' is a required property",
    ]


def test_unknown_api_version() -> None:
    assert check(head("v3.0.3")) == [
        "1:13: unsupported apiVersion 'v3.0.3': supported versions are "
        "v3.0.0, v3.0.1, v3.0.2, v3.1.0, v3.2.0"
    ]


def test_v2_api_version_must_be_migrated() -> None:
    assert check(head("v2.2.0")) == [
        "1:13: unsupported apiVersion 'v2.2.0': supported versions are "
        "v3.0.0, v3.0.1, v3.0.2, v3.1.0, v3.2.0; ODCS v2 contracts must be migrated to v3"
    ]


def test_api_version_without_v_gets_a_suggestion() -> None:
    [message] = check(head("'3.1.0'"))
    assert message.endswith("; did you mean 'v3.1.0'?")


def test_api_version_that_is_not_text() -> None:
    assert check(head("3.1")) == ["1:13: 'apiVersion' must be a string, got 3.1"]


def test_required_fields() -> None:
    text = "apiVersion: v3.1.0\nversion: 1.0.0\n"
    assert check(text) == [
        "1:1: 'id' is a required property",
        "1:1: 'kind' is a required property",
        "1:1: 'status' is a required property",
    ]


def test_a_document_that_is_not_a_mapping() -> None:
    assert check("- a\n- b\n") == ['1:1: the contract must be a mapping, got a list']


# --------------------------------------------------------------------------- message forms


def test_type_error_only_for_description_null() -> None:
    assert check(with_property("logicalType: string\ndescription: null")) == [
        "11:22: 'description' must be a string, got null"
    ]


def test_type_error_only_for_description_null_three_levels_deep() -> None:
    text = with_property(
        """
logicalType: object
properties:
  - name: b
    logicalType: object
    properties:
      - name: c
        logicalType: string
        description: null
"""
    )
    assert check(text) == ["17:30: 'description' must be a string, got null"]


def test_type_error_with_several_types() -> None:
    text = with_rule("type: custom\nengine: dqx\nimplementation: 5")
    assert check(text) == ["14:29: 'implementation' must be a string or a mapping, got 5"]


def test_enum_error() -> None:
    assert check(head().replace("kind: DataContract", "kind: Contract")) == [
        "2:7: 'kind' must be 'DataContract', got 'Contract'"
    ]


def test_unknown_logical_type() -> None:
    assert check(with_property("logicalType: uuid")) == [
        "10:22: Property 'a': unknown logicalType 'uuid' (expected one of 'string', 'date', "
        "'timestamp', 'time', 'number', 'integer', 'object', 'array' or 'boolean')"
    ]


def test_pattern_error() -> None:
    text = head() + "schema:\n  - name: t\n    id: a b\n"
    assert check(text) == ["8:9: 'id' must match '^[A-Za-z0-9_-]+$', got 'a b'"]


@pytest.mark.parametrize(
    ("between", "message"),
    [
        ("[1]", "mustBeBetween must be a list of [lower, upper], got: [1]"),
        ("[1, 2, 3]", "mustBeBetween must be a list of [lower, upper], got: [1, 2, 3]"),
        ("[1, 1]", "'mustBeBetween' must not repeat an item, got [1, 1]"),
        ("[1, a]", "item 2 of 'mustBeBetween' must be a number, got 'a'"),
    ],
)
def test_array_limits_of_mustBeBetween(between: str, message: str) -> None:
    text = with_rule(f"metric: rowCount\nmustBeBetween: {between}")
    [diagnostic] = check(text)
    assert diagnostic.endswith(f": {message}")
    assert diagnostic.startswith("13:")


def test_minimum_and_exclusive_minimum() -> None:
    text = with_property(
        "logicalType: integer\nlogicalTypeOptions:\n  multipleOf: 0\n  minimum: '1'"
    )
    assert check(text) == [
        "12:23: 'multipleOf' must be greater than 0, got 0",
        "13:20: 'minimum' must be a number, got '1'",
    ]
    text = with_property("logicalType: string\nlogicalTypeOptions:\n  minLength: -1")
    assert check(text) == ["12:22: 'minLength' must be at least 0, got -1"]


def test_unknown_key_points_at_the_key() -> None:
    assert check(with_property("logicalType: string\nisNullable: true")) == [
        "11:9: unknown key 'isNullable': the ODCS schema does not allow it here"
    ]


def test_unknown_top_level_key_is_reported_once() -> None:
    assert check(head() + "foo: 1\n") == [
        "6:1: unknown key 'foo': the ODCS schema does not allow it here"
    ]


def test_each_unknown_key_is_its_own_error() -> None:
    assert check(with_property("isNullable: true\nisUnique: true")) == [
        "10:9: unknown key 'isNullable': the ODCS schema does not allow it here",
        "11:9: unknown key 'isUnique': the ODCS schema does not allow it here",
    ]


@pytest.mark.parametrize(
    ("schema", "instance", "message"),
    [
        ({"const": "a"}, "b", "the contract must be 'a', got 'b'"),
        ({"minLength": 2}, "a", "the contract must have at least 2 characters, got 1"),
        ({"minLength": 1}, "", "the contract must not be empty, got an empty string"),
        ({"maxLength": 1}, "ab", "the contract must have at most 1 character, got 2"),
        ({"maxItems": 0}, [1], "the contract must be empty, got a list"),
        ({"minItems": 1}, [], "the contract must not be empty, got an empty list"),
        ({"maximum": 1}, 2, "the contract must be at most 1, got 2"),
        ({"exclusiveMaximum": 1}, 1, "the contract must be less than 1, got 1"),
        ({"multipleOf": 2}, 3, "the contract must be a multiple of 2, got 3"),
        ({"minProperties": 1}, {}, "the contract must not be empty, got an empty mapping"),
        ({"maxProperties": 1}, {"a": 1, "b": 2}, "the contract must have at most 1 key, got 2"),
        ({"type": ["string", "null"]}, 1, "the contract must be a string or null, got 1"),
        ({"enum": ["x", 1]}, True, "the contract must be one of 'x' or 1, got true"),
        ({"not": {"type": "string"}}, "a", "'a' should not be valid under {'type': 'string'}"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1, "the contract must be a string or null, got 1"),
        ({"properties": {"a": False}}, {"a": 1}, "False schema does not allow 1"),
    ],
)
def test_message_forms_of_keywords_the_odcs_schemas_lack(
    schema: dict[str, Any], instance: Any, message: str
) -> None:
    [error] = jsonschema_rs.Draft201909Validator(schema).iter_errors(instance)
    [problem] = validation._expand(error, instance, schema)
    assert problem.message == message
    assert jsonschema.Draft201909Validator(schema).is_valid(instance) is False


def test_long_values_are_shortened() -> None:
    text = head() + "team: " + json.dumps("x" * 200) + "\n"
    [message] = check(text)
    assert message.startswith("6:7: 'team' must be a mapping or a list, got 'xxx")
    assert message.endswith("...'")
    assert len(message) < 150


# --------------------------------------------------------------------------- cascades


def test_unknown_key_and_type_error_on_the_same_property() -> None:
    assert check(with_property("logicalType: string\ndescription: 5\nfoo: 1")) == [
        "11:22: 'description' must be a string, got 5",
        "12:9: unknown key 'foo': the ODCS schema does not allow it here",
    ]


def test_unknown_key_inside_array_items_only() -> None:
    text = with_property("logicalType: array\nitems:\n  logicalType: string\n  foo: 1")
    assert check(text) == ["13:11: unknown key 'foo': the ODCS schema does not allow it here"]


def test_sql_rule_without_query() -> None:
    assert check(with_rule("type: sql\nmustBe: 1")) == ["12:13: 'query' is a required property"]


def test_wrong_team_member_field_picks_the_object_branch() -> None:
    text = head() + "team:\n  name: sales\n  members:\n    - username: 1\n"
    assert check(text) == ["9:17: 'username' must be a string, got 1"]


def test_team_of_wrong_type_names_both_accepted_types() -> None:
    assert check(head() + "team: sales\n") == ["6:7: 'team' must be a mapping or a list, got 'sales'"]


def test_server_missing_keys_and_unknown_key() -> None:
    text = head() + "servers:\n  - server: s\n    type: snowflake\n    foo: 1\n"
    assert check(text) == [
        "7:5: 'account' is a required property",
        "7:5: 'database' is a required property",
        "7:5: 'schema' is a required property",
        "9:5: unknown key 'foo': the ODCS schema does not allow it here",
    ]


def test_options_without_logical_type_give_one_message() -> None:
    assert check(with_property("logicalTypeOptions:\n  minimum: 1")) == [
        "11:11: logicalTypeOptions without a logicalType: the ODCS schema then checks "
        "'minimum' against every logicalType at once and rejects it; add a logicalType"
    ]


def test_nested_properties_on_a_string_property() -> None:
    text = with_property("logicalType: string\nproperties:\n  - name: b")
    assert check(text) == [
        "11:9: unknown key 'properties': the ODCS schema does not allow it here; "
        "'properties' needs logicalType 'object', not 'string'"
    ]


def test_from_on_a_property_relationship() -> None:
    text = with_property("relationships:\n  - from: a.b\n    to: c.d")
    assert check(text) == [
        "11:13: 'from' is not allowed on a property's relationships: the property is the source"
    ]


def test_dates_that_yaml_made_objects() -> None:
    text = head() + "contractCreatedTs: 2024-01-31\n"
    assert check(text) == [
        "6:20: datetime.date(2024, 1, 31) is not a JSON value: "
        "quote it in the YAML to keep it as text"
    ]


def test_an_enum_error_beats_the_type_error_at_the_same_value() -> None:
    assert check(head().replace("kind: DataContract", "kind: 7")) == [
        "2:7: 'kind' must be 'DataContract', got 7"
    ]


def test_a_rule_that_is_not_a_mapping_gets_only_the_type_error() -> None:
    text = with_property("logicalType: string\nquality:\n  - nullCheck")
    assert check(text) == ["12:13: item 1 of 'quality' must be a mapping, got 'nullCheck'"]


def test_v3_2_property_without_logical_type_needs_map() -> None:
    # A flaw of the v3.2.0 schema: with no logicalType its "logicalType == map" block applies.
    [message] = check(with_property("description: no type", "v3.2.0"))
    assert message == (
        "9:9: 'map' is a required property; the ODCS v3.2.0 schema requires 'map' on every "
        "property without a logicalType (its logicalType 'map' block then applies): "
        "add a logicalType"
    )
    rejected = yaml.safe_load(with_property("description: no type", "v3.2.0"))
    assert not oracle("v3.2.0").is_valid(rejected)  # python-jsonschema agrees


def test_keys_of_another_rule_type() -> None:
    assert check(with_rule("engine: dqx\nimplementation: x")) == [
        "12:13: unknown key 'engine': the ODCS schema does not allow it here; "
        "'engine' needs 'type: custom'",
        "13:13: unknown key 'implementation': the ODCS schema does not allow it here; "
        "'implementation' needs 'type: custom'",
    ]


def test_a_wrong_rule_type_explains_the_keys_of_its_branch() -> None:
    assert check(with_rule("type: costum\nengine: dqx\nimplementation: x")) == [
        "12:19: 'type' must be one of 'text', 'library', 'sql' or 'custom', got 'costum'"
    ]


def test_a_wrong_logical_type_explains_items() -> None:
    text = with_property("logicalType: arrray\nitems:\n  logicalType: string")
    [message] = check(text)
    assert message.startswith("10:22: Property 'a': unknown logicalType 'arrray' (expected ")


# --------------------------------------------------------------------------- quality rules


def test_two_operators() -> None:
    text = with_rule("metric: rowCount\nmustBeGreaterThan: 1\nmustBeLessThan: 5")
    assert check(text) == [
        "12:13: exactly one operator is required, found mustBeGreaterThan and mustBeLessThan"
    ]


def test_three_operators() -> None:
    text = with_rule("metric: rowCount\nmustBe: 1\nmustNotBe: 2\nmustBeBetween: [1, 2]")
    assert check(text) == [
        "12:13: exactly one operator is required, found mustBe, mustNotBe and mustBeBetween"
    ]


def test_a_second_operator_with_a_wrong_value() -> None:
    text = with_rule("metric: rowCount\nmustBe: 0\nmustBeBetween: [1]")
    assert check(text) == [
        "12:13: exactly one operator is required, found mustBe and mustBeBetween"
    ]


def test_no_operator_on_a_library_rule() -> None:
    assert check(with_rule("metric: rowCount")) == [
        "12:13: exactly one operator is required, found none"
    ]


def test_between_given_a_scalar() -> None:
    assert check(with_rule("metric: rowCount\nmustBeBetween: 100")) == [
        "13:28: Quality rule 'a: rowCount': mustBeBetween must be a list of [lower, upper], "
        "got: 100"
    ]


@pytest.mark.parametrize("key", ["validValues", "missingValues", "pattern", "properties"])
def test_argument_keys_at_rule_level(key: str) -> None:
    text = with_rule(f"metric: invalidValues\nmustBe: 0\n{key}: [a]")
    assert check(text) == [
        f"14:13: {key} must be inside 'arguments' (arguments.{key}) for ODCS v3.1.0 "
        "library rules; run 'odcs-codegen fix' to move it"
    ]


@pytest.mark.parametrize(
    ("operator", "written"),
    [
        ("mustBeGreaterOrEqualTo: 1", "mustBeGreaterOrEqualTo: 1"),
        ("mustBeBetween: [5, 100]", "mustBeBetween: [5, 100]"),
        ("mustBe: 0.5", "mustBe: 0.5"),
    ],
)
def test_operator_on_a_custom_rule(operator: str, written: str) -> None:
    text = with_rule(f"type: custom\nengine: dqx\nimplementation: 'check: num_rows'\n{operator}")
    assert check(text) == [
        "15:13: operators are not allowed on 'type: custom' rules: "
        f"put '{written}' inside 'implementation' (engine dqx reads it there); "
        "run 'odcs-codegen fix' to move it"
    ]


def test_operator_on_a_custom_rule_next_to_another_error() -> None:
    text = with_rule("type: custom\nengine: dqx\nimplementation: x\nmustBe: 0\ndimension: foo")
    messages = check(text)
    assert len(messages) == 2
    assert messages[0].startswith("15:13: operators are not allowed on 'type: custom' rules")
    assert messages[1].startswith("16:24: 'dimension' must be one of 'accuracy', ")


def test_legacy_rule_under_v3_1_says_to_use_metric() -> None:
    assert check(with_rule("rule: nullCheck\nmustBe: 0")) == [
        "12:13: unknown key 'rule': the ODCS schema does not allow it here; 'rule' names "
        "ODCS v3.0 library rules; ODCS v3.1.0 library rules need 'metric' (nullValues, "
        "missingValues, invalidValues, duplicateValues, rowCount)"
    ]


@pytest.mark.parametrize("version", ["v3.0.0", "v3.0.1", "v3.0.2"])
@pytest.mark.parametrize(
    "rule",
    [
        "rule: nullCheck\nmustBe: 0",
        "rule: duplicateCount\nmustBeLessThan: 10\nunit: percent",
        "rule: validValues\nvalidValues: [a, b]\nmustBe: 0",
        "rule: rowCount\nmustBeGreaterThan: 0\nmustBeLessThan: 10",
    ],
)
def test_legacy_rules_are_valid_under_v3_0(version: str, rule: str) -> None:
    assert check(with_rule(rule, version)) == []


def test_operators_match_the_schema() -> None:
    for file in ("odcs-json-schema-v3.1.0.json", "odcs-json-schema-v3.2.0.json"):
        branches = load_schema(file)["$defs"]["DataQualityOperators"]["oneOf"]
        assert tuple(branch["required"][0] for branch in branches) == contract.OPERATORS


# --------------------------------------------------------------------------- version hints


def test_timestamp_under_v3_0_2_hints_at_v3_1_0() -> None:
    assert check(with_property("logicalType: timestamp", "v3.0.2")) == [
        "10:22: Property 'a': unknown logicalType 'timestamp' (expected one of 'string', "
        "'date', 'number', 'integer', 'object', 'array' or 'boolean'); this contract is valid "
        "under ODCS v3.1.0: logicalType 'timestamp' needs v3.1.0 or later"
    ]


def test_team_object_under_v3_0_2() -> None:
    [message] = check(head("v3.0.2") + "team:\n  name: sales\n")
    assert message.startswith("7:3: 'team' must be a list, got a mapping")
    assert message.endswith(
        "; this contract is valid under ODCS v3.1.0: "
        "the team object (team as a mapping) needs v3.1.0 or later"
    )


def test_metric_under_v3_0_1() -> None:
    assert check(with_rule("metric: nullValues\nmustBe: 0", "v3.0.1")) == [
        "12:13: 'rule' is a required property; this contract is valid under ODCS v3.1.0: "
        "'metric' on quality rules needs v3.1.0 or later"
    ]


def test_property_physical_name_under_v3_0_0() -> None:
    [message] = check(with_property("physicalName: col_a", "v3.0.0"))
    assert message.endswith(
        "this contract is valid under ODCS v3.0.2: 'physicalName' on properties needs "
        "v3.0.2 or later"
    )


def test_v3_2_features_under_v3_1() -> None:
    [message] = check(head().replace("status: active\n", ""))
    assert message == (
        "1:1: 'status' is a required property; this contract is valid under ODCS v3.2.0: "
        "omitting 'status' needs v3.2.0 or later"
    )
    [message] = check(head() + "context: why this data exists\n")
    assert message.endswith("top-level 'context' needs v3.2.0 or later")


def test_no_version_hint_when_no_later_version_accepts_the_contract() -> None:
    text = with_property("logicalType: timestamp\ndescription: null", "v3.0.2")
    assert all("valid under" not in message for message in check(text))


def test_the_hint_goes_to_the_first_error_only() -> None:
    text = with_property("logicalType: timestamp\nunique: true", "v3.0.2")
    text += "      - name: b\n        logicalType: time\n"
    messages = check(text)
    assert len(messages) == 2
    assert "logicalType 'timestamp' needs v3.1.0" in messages[0]
    assert "valid under" not in messages[1]


# --------------------------------------------------------------------------- agreement


@cache
def load_schema(file: str) -> dict[str, Any]:
    text = resources.files("odcs_codegen").joinpath("schemas", file).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def oracle(version: str) -> jsonschema.Draft201909Validator:
    """python-jsonschema, only ever given small documents (it is exponential in depth)."""
    return jsonschema.Draft201909Validator(load_schema(validation._SCHEMA_FILES[version]))


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_agrees_with_python_jsonschema(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    expected_valid = text.startswith("# valid")
    assert oracle(data["apiVersion"]).is_valid(data) is expected_valid
    diagnostics = validate_contract(data, case.name, YamlPositions(text))
    assert (diagnostics == []) is expected_valid, [d.format() for d in diagnostics]


def test_every_case_yields_few_errors() -> None:
    for case in sorted(CASES.glob("*.yaml")):
        text = case.read_text(encoding="utf-8")
        diagnostics = validate_contract(yaml.safe_load(text), case.name, YamlPositions(text))
        assert len(diagnostics) <= 3, [d.format() for d in diagnostics]


# --------------------------------------------------------------------------- size


def deep_contract(total: int = 500, fan: Sequence[int] = (4, 3, 3, 3, 3)) -> dict[str, Any]:
    """A v3.1.0 contract whose object properties nest len(fan) deep, `total` properties."""
    numbers = itertools.count()

    def leaf() -> dict[str, Any]:
        n = next(numbers)
        return {
            "name": f"p{n}",
            "logicalType": "string",
            "logicalTypeOptions": {"maxLength": 20},
            "quality": [{"metric": "nullValues", "mustBe": 0}],
        }

    def level(depth: int) -> list[dict[str, Any]]:
        if depth == len(fan):
            return [leaf() for _ in range(fan[depth - 1])]
        return [
            {"name": f"o{next(numbers)}", "logicalType": "object", "properties": level(depth + 1)}
            for _ in range(fan[depth - 1])
        ]

    properties = level(1)
    while count(properties) < total:
        properties.append(leaf())
    data: dict[str, Any] = yaml.safe_load(head())
    data["schema"] = [{"name": "t", "properties": properties}]
    return data


def count(properties: list[dict[str, Any]]) -> int:
    return sum(1 + count(p.get("properties", [])) for p in properties)


def test_a_500_property_contract_nested_5_deep() -> None:
    data = deep_contract()
    assert count(data["schema"][0]["properties"]) == 500
    assert validate_contract(data, "big.yaml", NoPositions()) == []
    deepest = data["schema"][0]["properties"][0]
    for _ in range(4):
        deepest = deepest["properties"][0]
    deepest["description"] = None
    deepest["quality"][0]["mustBeLessThan"] = 5
    messages = [d.message for d in validate_contract(data, "big.yaml", NoPositions())]
    assert messages == [
        "'description' must be a string, got null",
        "exactly one operator is required, found mustBe and mustBeLessThan",
    ]


class PathPositions:
    """A PositionLookup giving every path its own made-up line."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str | int, ...], int] = {}

    def _line(self, path: Sequence[str | int]) -> int:
        return self._lines.setdefault(tuple(path), len(self._lines) + 1)

    def position(self, path: Sequence[str | int]) -> Position | None:
        return Position(self._line(path), 1)

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        return Position(self._line(path), 2)


def test_a_mistake_on_every_property_is_reported_once_each() -> None:
    data = deep_contract()
    broken = 0
    pending = list(data["schema"][0]["properties"])
    while pending:
        node = pending.pop()
        pending.extend(node.get("properties", []))
        if "quality" in node:
            node["description"] = None
            node["isNullable"] = True
            broken += 1
    messages = [d.message for d in validate_contract(data, "big.yaml", PathPositions())]
    assert sorted(set(messages)) == [
        "'description' must be a string, got null",
        "unknown key 'isNullable': the ODCS schema does not allow it here",
    ]
    assert len(messages) == 2 * broken
