"""Every rule mapping (spec 6.2-6.5) compiled, imported and run through dqlib on real data.

Each case is one rule on a small arrow table; the test asserts the assertion's status and its
exact measured value. `outcome()` compiles a one-dataset contract, runs `module.run()` and
returns {assertion name: (status, value)}.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from returns.pipeline import is_successful

from .conftest import Generated, contract_text

Outcome = dict[str, tuple[str, float | None]]


def results(module: Any, tables: dict[str, pa.Table]) -> Outcome:
    """Run a generated module: {assertion: (status, exact value or None on failure)}."""
    out: Outcome = {}
    for r in module.run(tables):
        out[r.assertion] = (r.status, r.metric.unwrap() if is_successful(r.metric) else None)
    return out


def one_dataset(properties: str, quality: str = "", dataset: str = "t") -> str:
    """A contract body with one schema object."""
    body = f"schema:\n  - name: {dataset}\n"
    if quality:
        body += "    quality:\n" + textwrap.indent(textwrap.dedent(quality), "      ")
    body += "    properties:\n" + textwrap.indent(textwrap.dedent(properties), "      ")
    return body


@pytest.fixture
def outcome(generate: Callable[..., Generated]) -> Callable[..., Outcome]:
    """Compile `body`, run it on `table` (dataset `t`), return the outcome."""

    def _outcome(body: str, table: pa.Table, dataset: str = "t", api: str = "v3.1.0") -> Outcome:
        generated = generate({"c.odcs.yaml": contract_text(body, api=api)})
        return results(generated.module("c"), {dataset: table})

    return _outcome


def prop_rule(rule: str, logical_type: str = "string", name: str = "c") -> str:
    """One property `c` of `logical_type` with one quality rule (YAML, flow-friendly)."""
    return one_dataset(
        f"- name: {name}\n  logicalType: {logical_type}\n  quality:\n"
        + textwrap.indent(textwrap.dedent(rule), "    ")
    )


STR = pa.table({"c": ["a", "b", None, "b", "zz"]})
NUM = pa.table({"c": pa.array([1.5, 2.5, None, 2.5, float("nan")], pa.float64())})
INT = pa.table({"c": pa.array([3, 1, None, 3, 7], pa.int64())})


# --- library metrics (spec 6.2) -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "table", "expected"),
    [
        ("- {name: r, metric: nullValues, mustBe: 0}", STR, ("FAILED", 1.0)),
        ("- {name: r, metric: nullValues, mustBeLessOrEqualTo: 1}", STR, ("PASSED", 1.0)),
        ("- {name: r, metric: nullValues, unit: percent, mustBe: 20}", STR, ("PASSED", 20.0)),
        ("- {name: r, metric: missingValues, mustBe: 1}", STR, ("PASSED", 1.0)),
        (
            "- {name: r, metric: missingValues, arguments: {missingValues: [null, zz]}, mustBe: 2}",
            STR,
            ("PASSED", 2.0),
        ),
        (
            "- {name: r, metric: missingValues, arguments: {missingValues: [zz]}, unit: percent,"
            " mustBeLessThan: 40}",
            STR,
            ("FAILED", 40.0),
        ),
        (
            "- {name: r, metric: invalidValues, arguments: {validValues: [a, b]}, mustBe: 0}",
            STR,
            ("FAILED", 1.0),
        ),
        (
            "- {name: r, metric: invalidValues, arguments: {pattern: '[a-b]'}, mustBe: 0}",
            STR,
            ("FAILED", 1.0),
        ),
        (
            "- {name: r, metric: invalidValues, arguments: {validValues: [zz], pattern: '[a-b]'},"
            " mustBe: 0}",
            STR,
            ("PASSED", 0.0),
        ),
        ("- {name: r, metric: duplicateValues, mustBe: 0}", STR, ("FAILED", 1.0)),
        ("- {name: r, metric: duplicateValues, unit: percent, mustBe: 20}", STR, ("PASSED", 20.0)),
    ],
)
def test_library_property_metrics(
    outcome: Callable[..., Outcome], rule: str, table: pa.Table, expected: tuple[str, float]
) -> None:
    assert outcome(prop_rule(rule), table)["r"] == expected


def test_schema_level_metrics(outcome: Callable[..., Outcome]) -> None:
    table = pa.table({"a": [1, 1, 1, None, None], "b": ["x", "x", "y", "x", "x"]})
    body = one_dataset(
        "- {name: a, logicalType: integer}\n- {name: b, logicalType: string}\n",
        "- {name: rows, metric: rowCount, mustBeBetween: [5, 6]}\n"
        "- {name: dup, metric: duplicateValues, arguments: {properties: [a, b]}, mustBe: 0}\n"
        "- {name: dup_pct, metric: duplicateValues, arguments: {properties: [a, b]},"
        " unit: percent, mustBe: 20}\n",
    )
    got = outcome(body, table)
    assert got["rows"] == ("PASSED", 5.0)
    assert got["dup"] == ("FAILED", 1.0)  # rows with a NULL key are never duplicates
    assert got["dup_pct"] == ("PASSED", 20.0)


# --- operators (spec 6.3), exact despite dqlib's 6-digit rounding -------------------------------
@pytest.mark.parametrize(
    ("operator", "status"),
    [
        ("mustBe: 99999.99", "PASSED"),
        ("mustNotBe: 99999.99", "FAILED"),
        ("mustBeGreaterThan: 99999.98", "PASSED"),
        ("mustBeGreaterThan: 99999.99", "FAILED"),
        ("mustBeGreaterOrEqualTo: 99999.99", "PASSED"),
        ("mustBeLessThan: 99999.99", "FAILED"),
        ("mustBeLessOrEqualTo: 99999.99", "PASSED"),
        ("mustBeBetween: [99999.99, 100000]", "PASSED"),
        ("mustBeBetween: [10, 99999.98]", "FAILED"),
        ("mustNotBeBetween: [99999.99, 100000]", "FAILED"),
        ("mustNotBeBetween: [0, 99999.98]", "PASSED"),
    ],
)
def test_operators_are_exact(outcome: Callable[..., Outcome], operator: str, status: str) -> None:
    rule = (
        f"- name: r\n  type: custom\n  engine: dqx\n  implementation: {{check: max, {operator}}}\n"
    )
    table = pa.table({"c": pa.array([5.0, 99999.99], pa.float64())})
    assert outcome(prop_rule(rule, "number"), table)["r"] == (status, 99999.99)


def test_large_integer_threshold_is_not_rounded(outcome: Callable[..., Outcome]) -> None:
    rule = "- {name: r, type: custom, engine: dqx, implementation: {check: min, mustBeGreaterOrEqualTo: 10000000}}"
    table = pa.table({"c": pa.array([9999999, 20000000], pa.int64())})
    assert outcome(prop_rule(rule, "integer"), table)["r"] == ("FAILED", 9999999.0)


def test_no_operator_records_the_metric(outcome: Callable[..., Outcome]) -> None:
    rule = "- {name: r, type: custom, engine: dqx, implementation: {check: missing}}"
    assert outcome(prop_rule(rule), STR)["r"] == ("PASSED", 1.0)


# --- DQX vocabulary (spec 6.5) -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("implementation", "logical_type", "table", "expected"),
    [
        ("{check: missing}", "string", STR, 1.0),
        ("{check: missing, return: pct}", "string", STR, 0.2),
        ("{check: duplicates}", "string", STR, 1.0),
        ("{check: duplicates, return: pct}", "string", STR, 0.2),
        ("{check: whitelist, values: [a, b]}", "string", STR, 1.0),
        ("{check: whitelist, values: [a, b], return: pct}", "string", STR, 0.2),
        ("{check: blacklist, values: [b]}", "string", STR, 2.0),
        ("{check: cardinality}", "string", STR, 3.0),
        ("{check: count}", "string", STR, 4.0),
        ("{check: min}", "integer", INT, 1.0),
        ("{check: max}", "integer", INT, 7.0),
        ("{check: mean}", "integer", INT, 3.5),
        ("{check: sum}", "integer", INT, 14.0),
        ("{check: variance}", "integer", INT, 6.333333333333333),
        ("{check: stddev}", "integer", INT, math.sqrt(19 / 3)),
        ("{check: percentile, percentile: 0.5}", "integer", INT, 3.0),
        ("{check: percentile, percentile: 0.25}", "integer", INT, 2.5),
        ("{check: mean}", "number", NUM, 6.5 / 3),  # NaN ignored
        ("{check: max}", "number", NUM, 2.5),
        ("{check: min_length}", "string", STR, 1.0),
        ("{check: max_length}", "string", STR, 2.0),
        ("{check: avg_length}", "string", STR, 1.25),
        ("{check: num_rows}", "string", STR, 5.0),
    ],
)
def test_dqx_vocabulary(
    outcome: Callable[..., Outcome],
    implementation: str,
    logical_type: str,
    table: pa.Table,
    expected: float,
) -> None:
    rule = f"- name: r\n  type: custom\n  engine: dqx\n  implementation: {implementation}\n"
    status, value = outcome(prop_rule(rule, logical_type), table)["r"]
    assert status == "PASSED"
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("column_type", "logical_type", "column", "expected"),
    [
        ("list", "array", pa.array([[1, 2], [], None, [3]], pa.list_(pa.int64())), 1.0),
        (
            "map",
            "map",
            pa.array([[(1, 2)], [], None, [(1, 2), (3, 4)]], pa.map_(pa.int64(), pa.int64())),
            1.0,
        ),
    ],
)
def test_avg_length_of_lists_and_maps(
    outcome: Callable[..., Outcome],
    column_type: str,
    logical_type: str,
    column: pa.Array,
    expected: float,
) -> None:
    rule = f"- name: r\n  type: custom\n  engine: dqx\n  implementation: {{check: avg_length, column_type: {column_type}}}\n"
    items = {
        "array": "\n  items: {logicalType: integer}",
        "map": "\n  map: {key: {logicalType: integer}, value: {logicalType: integer}}",
    }[logical_type]
    body = one_dataset(
        f"- name: c\n  logicalType: {logical_type}{items}\n  quality:\n"
        + textwrap.indent(rule, "    ")
    )
    api = "v3.2.0" if logical_type == "map" else "v3.1.0"
    assert outcome(body, pa.table({"c": column}), api=api)["r"] == ("PASSED", expected)


# --- severities (spec 6.4) ---------------------------------------------------------------------
def test_severity_mapping(generate: Callable[..., Generated]) -> None:
    rules = "".join(
        f"- {{name: {label}, metric: nullValues, mustBe: 1{sev}}}\n"
        for label, sev in (
            ("e", ", severity: error"),
            ("w", ", severity: warning"),
            ("i", ", severity: info"),
            ("n", ""),
            ("x", ", severity: critical"),
        )
    )
    generated = generate({"c.odcs.yaml": contract_text(prop_rule(rules))})
    got = {r.assertion: r.severity for r in generated.module("c").run({"t": STR})}
    assert got == {"e": "P0", "w": "P1", "i": "P2", "n": "P1", "x": "P1"}
    warnings = [d.message for d in generated.build.diagnostics if d.level == "warning"]
    assert any("unknown severity 'critical'" in w for w in warnings)


# --- never abort (issue: a generated suite always ends with PASSED or FAILED) --------------------
ALL_RULES = """\
- {name: nulls, metric: nullValues, mustBe: 0}
- {name: missing, metric: missingValues, arguments: {missingValues: [-1]}, unit: percent, mustBe: 0}
- {name: invalid, metric: invalidValues, arguments: {validValues: [1, 2]}, mustBe: 0}
- {name: dups, metric: duplicateValues, mustBe: 0}
- {name: mean, type: custom, engine: dqx, implementation: {check: mean, mustBeBetween: [0, 10]}}
- {name: min, type: custom, engine: dqx, implementation: {check: min, mustBeGreaterThan: 0}}
- {name: max, type: custom, engine: dqx, implementation: {check: max, mustBeLessThan: 10}}
- {name: sum, type: custom, engine: dqx, implementation: {check: sum, mustBeGreaterOrEqualTo: 0}}
- {name: var, type: custom, engine: dqx, implementation: {check: variance, mustBeLessThan: 5}}
- {name: sd, type: custom, engine: dqx, implementation: {check: stddev, mustBeLessThan: 5}}
- {name: p90, type: custom, engine: dqx, implementation: {check: percentile, percentile: 0.9, mustBeLessThan: 5}}
- {name: pct, type: custom, engine: dqx, implementation: {check: missing, return: pct, mustBe: 0}}
"""


@pytest.mark.parametrize(
    "column",
    [
        pa.array([], pa.float64()),
        pa.array([None, None], pa.float64()),
        pa.array([float("nan"), float("nan")], pa.float64()),
        pa.array([1.0, float("nan"), None], pa.float64()),
        pa.array([3.0], pa.float64()),
    ],
    ids=["empty", "all-null", "all-nan", "mixed", "one-row"],
)
@pytest.mark.parametrize("name", ["amount", "Order Total", "select", "CamelCase", "it's", 'a"b'])
def test_never_aborts(outcome: Callable[..., Outcome], column: pa.Array, name: str) -> None:
    quoted = name.replace("'", "''")
    body = prop_rule(ALL_RULES, "number", name=f"'{quoted}'")
    got = outcome(body, pa.table({name: column}))
    assert len(got) == 12
    assert {status for status, _ in got.values()} <= {"PASSED", "FAILED"}
    if len(column) == 0:
        assert got["mean"] == ("FAILED", None)  # undefined statistic fails
        assert got["nulls"] == ("PASSED", 0.0)
        assert got["missing"] == ("PASSED", 0.0)  # percent of an empty table is 0
        assert got["sum"] == ("PASSED", 0.0)


# --- type: sql rules ------------------------------------------------------------------------
def test_sql_rules_with_placeholders(outcome: Callable[..., Outcome]) -> None:
    rules = "".join(
        f"- {{name: '{p}', type: sql, query: 'SELECT COUNT(*) FROM {t} WHERE {c} IS NULL', mustBe: 1}}\n"
        for p, t, c in (
            ("a", "{object}", "{property}"),
            ("b", "${table}", "${column}"),
            ("c", "{model}", "{field}"),
            ("d", "${model}", "${field}"),
        )
    )
    rules += "- {name: e, type: sql, query: 'SELECT bool_and({column} IS NOT NULL) FROM ${object}; -- done', mustBe: 0}\n"
    got = outcome(prop_rule(rules, name="Order Date"), pa.table({"Order Date": ["x", None, "y"]}))
    assert got == {
        k: ("PASSED", v) for k, v in (("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 1.0))
    } | {"e": ("PASSED", 0.0)}


def test_a_failing_sql_rule_fails_alone_with_the_database_message(
    generate: Callable[..., Generated],
) -> None:
    rules = (
        "- {name: good, metric: nullValues, mustBe: 1}\n"
        "- {name: missing column, type: sql, query: 'SELECT COUNT(*) FROM {object} WHERE nope > 0', mustBe: 0}\n"
        "- {name: many rows, type: sql, query: 'SELECT c FROM {object}', mustBe: 0}\n"
        "- {name: fine, type: sql, query: 'SELECT COUNT(*) FROM {object}', mustBe: 5}\n"
    )
    module = generate({"c.odcs.yaml": contract_text(prop_rule(rules))}).module("c")
    results = {r.assertion: r for r in module.run({"t": STR})}
    assert results["good"].status == "PASSED"
    assert results["fine"].status == "PASSED" and results["fine"].metric.unwrap() == 5.0
    for name in ("missing column", "many rows"):
        assert results[name].status == "FAILED"
        message = results[name].metric.failure()[0].error_message
        assert message.startswith("sql rule failed: ")
    assert "nope" in results["missing column"].metric.failure()[0].error_message


# --- hostile names and values (every identifier and literal is quoted) ----------------------
HOSTILE_VALUES = ["a'b", 'q"x', "back\\slash", "-- not a comment", "x'); DROP TABLE t; --"]
HOSTILE_RULES = [
    {
        "name": "valid",
        "metric": "invalidValues",
        "arguments": {"validValues": HOSTILE_VALUES},
        "mustBe": 0,
    },
    {
        "name": "missing",
        "metric": "missingValues",
        "arguments": {"missingValues": ["-- not a comment", "N/A"]},
        "mustBe": 0,
    },
    {
        "name": "pattern",
        "metric": "invalidValues",
        "arguments": {"pattern": "[a-zA-Z'\"\\\\ ();-]+"},
        "mustBe": 0,
    },
    {"name": "dups", "metric": "duplicateValues", "mustBe": 0},
    {
        "name": "sql",
        "type": "sql",
        "mustBe": 1,
        "query": "SELECT COUNT(*) FROM {object} WHERE {column} = 'a''b' -- it's quoted",
    },
    {
        "name": "blacklist",
        "type": "custom",
        "engine": "dqx",
        "implementation": {"check": "blacklist", "values": ["x'); DROP TABLE t; --"], "mustBe": 1},
    },
]


@pytest.mark.parametrize("name", ["Order Date", "select", "CamelCase", "it's", 'a"b', "x--y"])
def test_hostile_names_and_values(generate: Callable[..., Generated], name: str) -> None:
    """JSON is YAML: the contract is written with json.dumps, so any text reaches the compiler."""
    prop = {"name": name, "logicalType": "string", "quality": HOSTILE_RULES}
    schema = [{"name": f"{name} table", "properties": [prop]}]
    body = "schema: " + json.dumps(schema) + "\n"
    module = generate({"c.odcs.yaml": contract_text(body)}).module("c")
    got = results(module, {f"{name} table": pa.table({name: [*HOSTILE_VALUES, None]})})
    assert got == {
        "valid": ("PASSED", 0.0),
        "missing": ("FAILED", 2.0),  # the NULL row and the listed "-- not a comment"
        "pattern": ("PASSED", 0.0),
        "dups": ("PASSED", 0.0),
        "sql": ("PASSED", 1.0),
        "blacklist": ("PASSED", 1.0),
    }


# --- SLA freshness (spec 8) ---------------------------------------------------------------------
def sla(unit: str, value: float, element: str = "t.ts", prop: str = "latency") -> str:
    """A contract body with one timestamp column `ts` and a latency SLA."""
    return (
        f"slaProperties:\n  - {{property: {prop}, value: {value}, unit: {unit}, element: {element}}}\n"
        + one_dataset("- {name: ts, logicalType: timestamp}\n")
    )


NOW = dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("column", "unit", "value", "status"),
    [
        (pa.array([NOW - dt.timedelta(hours=5)], pa.timestamp("us", tz="UTC")), "h", 6, "PASSED"),
        (pa.array([NOW - dt.timedelta(hours=5)], pa.timestamp("us", tz="UTC")), "h", 4, "FAILED"),
        (
            pa.array([NOW - dt.timedelta(hours=5)], pa.timestamp("ms", tz="America/New_York")),
            "hours",
            6,
            "PASSED",
        ),
        (
            pa.array([(NOW - dt.timedelta(hours=5)).replace(tzinfo=None)], pa.timestamp("us")),
            "min",
            290,
            "FAILED",
        ),
        (
            pa.array([(NOW - dt.timedelta(hours=5)).replace(tzinfo=None)], pa.timestamp("us")),
            "min",
            310,
            "PASSED",
        ),
        (pa.array([NOW - dt.timedelta(days=3)], pa.timestamp("s", tz="UTC")), "d", 2, "FAILED"),
        (pa.array([NOW - dt.timedelta(days=3)], pa.timestamp("s", tz="UTC")), "days", 4, "PASSED"),
        (
            pa.array([NOW - dt.timedelta(seconds=30)], pa.timestamp("us", tz="UTC")),
            "s",
            3600,
            "PASSED",
        ),
        (pa.array([], pa.timestamp("us", tz="UTC")), "y", 1, "FAILED"),  # no timestamps at all
        (pa.array([None], pa.timestamp("us", tz="UTC")), "y", 1, "FAILED"),
    ],
)
def test_freshness_on_naive_and_aware_timestamps(
    outcome: Callable[..., Outcome], column: pa.Array, unit: str, value: float, status: str
) -> None:
    got = outcome(sla(unit, value), pa.table({"ts": column}))
    assert got["SLA: Freshness check"][0] == status


def test_freshness_on_a_date_column_and_its_synonyms(generate: Callable[..., Generated]) -> None:
    today = dt.date.today()
    for prop in ("latency", "ly", "freshness"):
        body = f"slaProperties:\n  - {{property: {prop}, value: 3, unit: d}}\n" + one_dataset(
            "- {name: day, logicalType: date, partitioned: true, partitionKeyPosition: 1}\n"
        )
        module = generate({"c.odcs.yaml": contract_text(body)}).module("c")
        fresh = module.run({"t": pa.table({"day": pa.array([today - dt.timedelta(days=1)])})})
        stale = module.run({"t": pa.table({"day": pa.array([today - dt.timedelta(days=5)])})})
        assert [(r.assertion, r.severity, r.status) for r in fresh] == [
            ("SLA: Freshness check", "P0", "PASSED")
        ]
        assert stale[0].status == "FAILED"
        hours = stale[0].metric.unwrap()
        assert 5 * 24 <= hours < 6 * 24  # hours since midnight of the newest date


# --- property constraints (issue: beyond DQX) ---------------------------------------------------
LIST = pa.list_(pa.int64())


@pytest.mark.parametrize(
    ("declaration", "keyword", "good", "bad"),
    [
        ("logicalType: string\n  unique: true", "unique", ["a", "b", None, None], ["a", "a"]),
        (
            "logicalType: string\n  logicalTypeOptions: {minLength: 2}",
            "minLength",
            ["ab", None],
            ["a"],
        ),
        ("logicalType: string\n  logicalTypeOptions: {maxLength: 2}", "maxLength", ["ab"], ["abc"]),
        (  # ECMA-262 / JSON Schema: a pattern matches anywhere unless anchored
            "logicalType: string\n  logicalTypeOptions: {pattern: '[A-Z]{2}'}",
            "pattern",
            ["AB", "ABC", "xAB"],
            ["ab", "A1"],
        ),
        (
            "logicalType: string\n  logicalTypeOptions: {pattern: '^[A-Z]{2}$'}",
            "pattern",
            ["AB"],
            ["ABC", "xAB"],
        ),
        ("logicalType: integer\n  logicalTypeOptions: {minimum: 0}", "minimum", [0, 5], [-1]),
        ("logicalType: integer\n  logicalTypeOptions: {maximum: 10}", "maximum", [10], [11]),
        (
            "logicalType: integer\n  logicalTypeOptions: {exclusiveMinimum: 0}",
            "exclusiveMinimum",
            [1],
            [0],
        ),
        (
            "logicalType: integer\n  logicalTypeOptions: {exclusiveMaximum: 10}",
            "exclusiveMaximum",
            [9],
            [10],
        ),
        (
            "logicalType: number\n  logicalTypeOptions: {multipleOf: 0.05}",
            "multipleOf",
            [0.1, 1.15],
            [0.12],
        ),
        (
            "logicalType: date\n  logicalTypeOptions: {minimum: '2024-01-01'}",
            "minimum",
            [dt.date(2024, 1, 1)],
            [dt.date(2023, 12, 31)],
        ),
        (
            "logicalType: array\n  items: {logicalType: integer}\n  logicalTypeOptions: {minItems: 1}",
            "minItems",
            pa.array([[1]], LIST),
            pa.array([[]], LIST),
        ),
        (
            "logicalType: array\n  items: {logicalType: integer}\n  logicalTypeOptions: {maxItems: 2}",
            "maxItems",
            pa.array([[1, 2]], LIST),
            pa.array([[1, 2, 3]], LIST),
        ),
        (
            "logicalType: array\n  items: {logicalType: integer}\n  logicalTypeOptions: {uniqueItems: true}",
            "uniqueItems",
            pa.array([[1, 2]], LIST),
            pa.array([[1, 1]], LIST),
        ),
    ],
)
def test_property_constraints(
    outcome: Callable[..., Outcome], declaration: str, keyword: str, good: Any, bad: Any
) -> None:
    body = one_dataset(f"- name: c\n  {declaration}\n")
    assert outcome(body, pa.table({"c": good}))[f"c: {keyword}"][0] == "PASSED"
    assert outcome(body, pa.table({"c": bad}))[f"c: {keyword}"][0] == "FAILED"


def test_required_null_is_a_failed_p0_assertion_among_the_others(
    generate: Callable[..., Generated],
) -> None:
    body = one_dataset(
        "- {name: c, logicalType: string, required: true}\n",
        "- {metric: rowCount, mustBeGreaterThan: 0}\n",
    )
    module = generate({"c.odcs.yaml": contract_text(body)}).module("c")
    bad = pa.table({"c": ["a", None]})
    rows, required = module.run({"t": bad})  # in the contract's order
    assert (required.assertion, required.severity, required.status) == (
        "c: required",
        "P0",
        "FAILED",
    )
    assert required.metric.value_or(None) == 1.0
    assert (rows.assertion, rows.status, rows.metric.value_or(None)) == ("t: rowCount", "PASSED", 2.0)
    report = module.verify({"t": bad})
    assert report.schema_errors == () and report.exit_code == 1
    assert [(o.value, o.reason) for o in report.outcomes] == [
        (2.0, None),
        (1.0, "Property 'c' is required (required: true)\n  but contains null values"),
    ]


def test_v32_enum_and_composite_primary_key(outcome: Callable[..., Outcome]) -> None:
    body = one_dataset(
        "- {name: a, logicalType: integer, primaryKey: true, primaryKeyPosition: 2}\n"
        "- {name: b, logicalType: string, primaryKey: true, primaryKeyPosition: 1,"
        " enum: [{value: x}, {value: y}]}\n"
    )
    good = pa.table({"a": [1, 1, 2], "b": ["x", "y", "x"]})
    bad = pa.table({"a": [1, 1, None], "b": ["x", "x", "z"]})
    assert outcome(body, good, api="v3.2.0")["t: primaryKey"] == ("PASSED", 0.0)
    assert outcome(body, good, api="v3.2.0")["b: enum"] == ("PASSED", 0.0)
    assert outcome(body, bad, api="v3.2.0")["t: primaryKey"] == (
        "FAILED",
        2.0,
    )  # a NULL key + a duplicate
    assert outcome(body, bad, api="v3.2.0")["b: enum"] == ("FAILED", 1.0)
