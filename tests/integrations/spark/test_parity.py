"""Same verdicts on every engine: one contract with every rule kind, compiled for DuckDB and for
Spark, run on the same Parquet file (NULLs, NaN, odd column names, an empty table); every
assertion must get the same status and the same value (exact for counts, 1e-9 relative
otherwise; the freshness value moves with the clock, so there a second's worth)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings
from tests.conftest import Generated, contract_text

ODD = "Amount `x` 'y'"

CONTRACT = """\
slaProperties:
  - {property: latency, value: 2, unit: d, element: odd events.Event Time}
schema:
  - name: odd events
    quality:
      - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
      - {name: pair dups, metric: duplicateValues, arguments: {properties: [select, day]}, mustBe: 0}
      - {name: pair dup pct, metric: duplicateValues, arguments: {properties: [select, day]}, unit: percent, mustBeLessThan: 50}
      - name: negatives
        type: sql
        query: "SELECT COUNT(*) FROM {object} WHERE `id` < 0"
        mustBe: 0
      - {name: volume, type: custom, engine: dqx, implementation: {check: num_rows, mustBeBetween: [1, 100]}}
    properties:
      - name: id
        logicalType: integer
        required: true
        unique: true
        primaryKey: true
        quality:
          - {name: id nulls, metric: nullValues, mustBe: 0}
          - {name: id dups, metric: duplicateValues, mustBe: 0}
          - {name: id min, type: custom, engine: dqx, implementation: {check: min, mustBeGreaterOrEqualTo: 1}}
          - {name: id count, type: custom, engine: dqx, implementation: {check: count, mustBeGreaterThan: 0}}
      - name: select
        logicalType: string
        logicalTypeOptions: {minLength: 2, maxLength: 8, pattern: "^[A-Z]{2}-[0-9]+$"}
        quality:
          - {name: valid, metric: invalidValues, arguments: {validValues: ["AB-1", "it's", "back\\\\slash"]}, mustBe: 0}
          - {name: valid or pattern, metric: invalidValues, arguments: {validValues: ["x"], pattern: "^[A-Z]{2}-[0-9]+$"}, mustBeLessThan: 3}
          - {name: sentinels, metric: missingValues, arguments: {missingValues: [null, "", "N/A"]}, unit: percent, mustBeLessThan: 50}
          - {name: nulls pct, metric: nullValues, unit: percent, mustBeLessThan: 30}
          - {name: distinct, type: custom, engine: dqx, implementation: {check: cardinality, mustBeLessOrEqualTo: 10}}
          - {name: missing frac, type: custom, engine: dqx, implementation: {check: missing, return: pct, mustBeLessThan: 0.5}}
          - {name: dup count, type: custom, engine: dqx, implementation: {check: duplicates, mustBe: 0}}
          - {name: whitelist, type: custom, engine: dqx, implementation: {check: whitelist, values: ["AB-1", "CD-22"], mustBe: 0}}
          - {name: blacklist, type: custom, engine: dqx, implementation: {check: blacklist, values: ["N/A"], mustBe: 0}}
          - {name: shortest, type: custom, engine: dqx, implementation: {check: min_length, mustBeGreaterOrEqualTo: 1}}
          - {name: longest, type: custom, engine: dqx, implementation: {check: max_length, mustBeLessOrEqualTo: 8}}
          - {name: avg len, type: custom, engine: dqx, implementation: {check: avg_length, mustBeBetween: [1, 8]}}
      - name: "Amount `x` 'y'"
        logicalType: number
        logicalTypeOptions: {minimum: 0, exclusiveMaximum: 1000, multipleOf: 0.25}
        quality:
          - {name: mean, type: custom, engine: dqx, implementation: {check: mean, mustBeBetween: [1, 100]}}
          - {name: total, type: custom, engine: dqx, implementation: {check: sum, mustBeGreaterThan: 0}}
          - {name: var, type: custom, engine: dqx, implementation: {check: variance, mustBeLessThan: 10000}}
          - {name: sd, type: custom, engine: dqx, implementation: {check: stddev, mustBeLessThan: 100}}
          - {name: median, type: custom, engine: dqx, implementation: {check: percentile, percentile: 0.5, mustBeLessThan: 50}}
          - {name: p90, type: custom, engine: dqx, implementation: {check: percentile, percentile: 0.9, mustBeLessThan: 500}}
          - {name: max, type: custom, engine: dqx, implementation: {check: max, mustBeLessThan: 500}}
          - {name: below zero, type: sql, query: "SELECT COUNT(*) FROM {table} WHERE {column} < 0", mustBe: 0}
      - name: score
        logicalType: number
        quality:
          - {name: score mean, type: custom, engine: dqx, implementation: {check: mean, mustBeGreaterThan: 0}}
          - {name: score max, type: custom, engine: dqx, implementation: {check: max, mustBeLessThan: 10}}
      - name: tags
        logicalType: array
        items: {logicalType: string}
        logicalTypeOptions: {minItems: 1, maxItems: 3, uniqueItems: true}
        quality:
          - {name: fewest tags, type: custom, engine: dqx, implementation: {check: min_length, column_type: list, mustBeGreaterOrEqualTo: 1}}
          - {name: avg tags, type: custom, engine: dqx, implementation: {check: avg_length, column_type: list, mustBeLessThan: 3}}
      - name: Event Time
        logicalType: timestamp
        logicalTypeOptions: {minimum: "2020-01-01T00:00:00"}
      - name: day
        logicalType: date
        logicalTypeOptions: {minimum: "2021-01-01", maximum: "2030-12-31"}
      - name: address
        logicalType: object
        properties:
          - name: city
            logicalType: string
            quality:
              - {name: city nulls, metric: nullValues, mustBeLessThan: 3}
"""

_UTC = datetime.UTC


def table(rows: int) -> pa.Table:
    """The test data: NULLs and NaN in most columns, a duplicate, odd values (``rows`` <= 8)."""
    ts = [datetime.datetime(2024, 5, d, 12, 30) for d in range(1, 9)]
    columns: dict[str, list[Any]] = {
        "id": [1, 2, 3, 4, 5, 6, 7, 8],
        "select": ["AB-1", "it's", None, "", "N/A", "back\\slash", "CD-22", "CD-22"],
        ODD: [1.5, 2.25, None, 4.0, 3.0, 99.75, 0.5, 7.125],
        "score": [1.0, float("nan"), None, 2.5, float("nan"), 3.0, 0.25, None],
        "tags": [["a"], ["a", "a"], None, [], ["x", "y", "z", "w"], ["b"], ["c"], ["c"]],
        "Event Time": ts,
        "day": [datetime.date(2026, 1, d) for d in (1, 2, 3, 3, 5, 6, 7, 7)],
        "address": [{"city": c} for c in ("Oslo", None, "Rome", "Oslo", None, "", "Nice", "x")],
    }
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("select", pa.string()),
            (ODD, pa.float64()),
            ("score", pa.float64()),
            ("tags", pa.list_(pa.string())),
            ("Event Time", pa.timestamp("us")),
            ("day", pa.date32()),
            ("address", pa.struct([("city", pa.string())])),
        ]
    )
    return pa.table({k: v[:rows] for k, v in columns.items()}, schema=schema)


Verdicts = dict[str, tuple[str, float | None]]


def verdicts(module: Any, data: Any) -> Verdicts:
    """assertion -> (status, value) of a module's verify()."""
    report = module.verify({"odd events": data})
    return {o.assertion: (o.status, o.value) for o in report.outcomes}


def assert_same(duck: Verdicts, spark: Verdicts) -> None:
    assert sorted(duck) == sorted(spark)
    for name, (status, value) in duck.items():
        other_status, other = spark[name]
        assert other_status == status, f"{name}: DuckDB {status} {value}, Spark {other_status} {other}"
        if value is None or other is None:
            assert value is None and other is None, f"{name}: {value} vs {other}"
        elif name.startswith("SLA"):
            assert abs(value - other) < 1 / 60, name  # hours: measured a moment apart
        elif float(value).is_integer():
            assert value == other, f"{name}: {value} vs {other}"
        else:
            assert math.isclose(value, other, rel_tol=1e-9), f"{name}: {value} vs {other}"


@pytest.fixture
def packages(generate: Callable[..., Generated]) -> tuple[Any, Any]:
    text = contract_text(CONTRACT, name="parity")
    duck = generate({"parity.odcs.yaml": text}).module("parity")
    spark = generate(
        {"parity.odcs.yaml": text}, Settings(options=Options(dialect="spark"))
    ).module("parity")
    assert duck.SQL_DIALECT == "duckdb" and spark.SQL_DIALECT == "spark"
    return duck, spark


@pytest.mark.parametrize("rows", [8, 0], ids=["data", "empty"])
def test_every_rule_kind_gives_the_same_verdict(
    spark: Any, packages: tuple[Any, Any], tmp_path: Path, rows: int
) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(table(rows), path)
    duck, on_spark = packages
    expected = verdicts(duck, str(path))
    found = verdicts(on_spark, str(path))
    assert_same(expected, found)
    statuses = {status for status, _ in expected.values()}
    assert statuses == {"PASSED", "FAILED"}  # the data exercises both outcomes
    if rows == 0:
        assert expected["mean"] == ("FAILED", None)  # the mean of no values: undefined


def test_dataframe_and_file_agree(spark: Any, packages: tuple[Any, Any], tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(table(8), path)
    _, on_spark = packages
    frame = spark.read.parquet(str(path))
    assert_same(verdicts(on_spark, str(path)), verdicts(on_spark, frame))
