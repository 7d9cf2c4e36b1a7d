"""Running on Spark: `odcs-codegen run --engine spark`, `python -m package.module` and
`module.run()` with DataFrames; one Spark job for all metrics; schema checks on Spark types;
the never-abort rules; partition-scoped runs that never read the other partitions; catalog
tables."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from odcs_codegen.cli import main as codegen
from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings
from tests.conftest import Generated, contract_text

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "contracts" / "orders_sample.odcs.yaml"
ORDERS = ROOT / "examples" / "data" / "orders.csv"
SPARK = Settings(options=Options(dialect="spark"))


def report_of(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    """`odcs-codegen ARGV --format json` in this process: exit code, report, stderr."""
    code = codegen([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def values(report: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    return {r["assertion"]: (r["status"], r["value"]) for r in report["results"]}


def test_run_engine_spark_matches_duckdb(
    spark: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODCS_CODEGEN_CACHE", str(tmp_path / "cache"))
    data = f"orders_tbl={ORDERS}"
    code, on_spark, err = report_of(capsys, "run", str(SAMPLE), "--engine", "spark", "--data", data)
    assert code == 0, err
    _, on_duckdb, _ = report_of(capsys, "run", str(SAMPLE), "--data", data)
    assert values(on_spark) == values(on_duckdb)
    assert len(on_spark["results"]) == 15
    assert values(on_spark)["average_order_value_reasonable"] == ("FAILED", 504.0249166666667)
    assert spark.catalog.listTables() == []  # the run's views are gone afterwards


def test_python_m_and_module_run_on_dataframes(
    spark: Any, generate: Callable[..., Generated], capsys: pytest.CaptureFixture[str]
) -> None:
    package = generate({"orders_sample.odcs.yaml": SAMPLE.read_text()}, SPARK)
    module = package.module("orders_sample")
    cli = package.module("_runtime.cli")
    code = cli.run_report(module, [f"orders_tbl={ORDERS}"], output_format="json")
    by_cli = values(json.loads(capsys.readouterr().out))
    assert code == 0
    frame = spark.read.options(header=True, inferSchema=True).csv(str(ORDERS))
    results = module.run({"orders_tbl": frame})
    by_run = {r.assertion: (r.status, r.metric.value_or(None)) for r in results}
    assert by_run == by_cli
    wrong = cli.run_report(module, [f"orders_tbl={ORDERS}"], engine="duckdb")
    assert wrong == 2
    assert "these checks are spark SQL" in capsys.readouterr().err


def test_a_spark_package_carries_no_duckdb_source(generate: Callable[..., Generated]) -> None:
    package = generate({"orders_sample.odcs.yaml": SAMPLE.read_text()}, SPARK)
    runtime = package.root / package.package / "_runtime"
    assert (runtime / "spark_source.py").is_file()
    assert not (runtime / "duckdb_source.py").exists()
    assert not (runtime / "duckdb_files.py").exists()


METRICS = """\
schema:
  - name: t
    quality:
      - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
      - {name: pairs, metric: duplicateValues, arguments: {properties: [k, x]}, mustBe: 0}
    properties:
      - name: k
        logicalType: string
        quality:
          - {metric: nullValues, mustBe: 0}
          - {name: distinct, type: custom, engine: dqx, implementation: {check: cardinality, mustBeLessThan: 5}}
      - name: x
        logicalType: number
        quality:
          - {name: median, type: custom, engine: dqx, implementation: {check: percentile, percentile: 0.5, mustBeLessThan: 5}}
          - {name: sd, type: custom, engine: dqx, implementation: {check: stddev, mustBeLessThan: 5}}
"""


def jobs_of(spark: Any, run: Callable[[], Any]) -> int:
    """The Spark jobs ``run()`` starts (counted by the status tracker)."""
    context = spark.sparkContext
    group = f"odcs-metrics-{next(_groups)}"
    context.setJobGroup(group, "the checks")
    try:
        run()
    finally:
        context.setJobGroup("other", "after")
    return len(context.statusTracker().getJobIdsForGroup(group))


_groups = itertools.count()


def test_all_metrics_of_a_dataset_are_one_spark_job(
    spark: Any, generate: Callable[..., Generated]
) -> None:
    module = generate({"m.odcs.yaml": contract_text(METRICS)}, SPARK).module("m")
    frame = spark.createDataFrame([("a", 1.0), ("b", 2.0), ("b", None)], "k string, x double")
    found: list[Any] = []
    assert jobs_of(spark, lambda: found.extend(module.run({"t": frame}))) == 1
    assert [r.metric.value_or(None) for r in found][:2] == [3.0, 0.0]
    with_sql = METRICS + """\
          - {name: big, type: sql, query: "SELECT COUNT(*) FROM {object} WHERE x > 1", mustBe: 1}
"""
    run = generate({"q.odcs.yaml": contract_text(with_sql)}, SPARK).module("q").run
    # a type: sql rule's query is a scalar subquery, which Spark runs as a job of its own
    assert jobs_of(spark, lambda: run({"t": frame})) == 2


SCHEMA = """\
schema:
  - name: t
    properties:
      - {name: id, logicalType: integer, quality: [{metric: nullValues, mustBe: 0}]}
      - {name: amount, logicalType: number, quality: [{name: amount max, type: custom, engine: dqx, implementation: {check: max, mustBeLessThan: 10}}]}
      - {name: at, logicalType: timestamp, logicalTypeOptions: {timezone: true, defaultTimezone: UTC}}
      - {name: items, logicalType: array, items: {logicalType: integer}}
      - {name: info, logicalType: object, properties: [{name: code, logicalType: string}]}
      - {name: missing, logicalType: string}
    quality:
      - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
"""


def problem_lines(report: Any) -> list[str]:
    """The schema problems' lines, without the value hints (each engine renders nested values
    its own way: DuckDB {'code': 1}, Spark {1})."""
    text = "\n".join(str(e) for e in report.schema_errors)
    hints = ("  its values look like:", "  values that do not fit:")
    return [line for line in text.splitlines() if not line.startswith(hints)]


def test_schema_problems_read_like_arrow_ones(
    spark: Any, generate: Callable[..., Generated]
) -> None:
    text = contract_text(SCHEMA)
    duck = generate({"s.odcs.yaml": text}).module("s")
    on_spark = generate({"s.odcs.yaml": text}, SPARK).module("s")
    ddl = "id string, amount decimal(10,2), at timestamp_ntz, items array<string>, info struct<code:int>"
    frame = spark.createDataFrame(
        [("1", None, datetime.datetime(2024, 1, 1), ["a"], (1,))], ddl
    )
    arrow = pa.table(
        {
            "id": pa.array(["1"]),
            "amount": pa.array([None], pa.decimal128(10, 2)),
            "at": pa.array([datetime.datetime(2024, 1, 1)], pa.timestamp("us")),
            "items": pa.array([["a"]], pa.list_(pa.string())),
            "info": pa.array([{"code": 1}], pa.struct([("code", pa.int32())])),
        }
    )
    expected, found = duck.verify({"t": arrow}), on_spark.verify({"t": frame})
    assert problem_lines(found) == problem_lines(expected)
    assert len(problem_lines(found)) == 11  # the header, 5 problems of 2 lines each
    problems = "\n".join(str(e) for e in found.schema_errors)
    assert "Property 'id' type mismatch" in problems and "missing from dataset 't'" in problems
    assert "  its values look like: '1'" in problems  # the hint reads the values on Spark too
    by_name = {o.assertion: (o.status, o.value) for o in found.outcomes}
    assert by_name["rows"] == ("PASSED", 1.0)  # a broken column blocks only what reads it
    assert by_name["id: schema"][0] == "FAILED"
    assert by_name["amount max"][0] == "FAILED"  # the max of no values: undefined


NEVER_ABORT = """\
schema:
  - name: t
    properties:
      - name: x
        logicalType: number
        quality:
          - {name: mean, type: custom, engine: dqx, implementation: {check: mean, mustBeGreaterThan: 0}}
          - {name: nan query, type: sql, query: "SELECT MAX(CAST('NaN' AS DOUBLE)) FROM {table}", mustBe: 0}
          - {name: rejected, type: sql, query: "SELECT COUNT(nope) FROM {table}", mustBe: 0}
          - {name: nulls, metric: nullValues, mustBe: 0}
"""


def test_null_nan_and_rejected_metrics_fail_only_their_assertion(
    spark: Any, generate: Callable[..., Generated]
) -> None:
    module = generate({"n.odcs.yaml": contract_text(NEVER_ABORT)}, SPARK).module("n")
    frame = spark.createDataFrame([(None,), (None,)], "x double")
    outcomes = {o.assertion: o for o in module.verify({"t": frame}).outcomes}
    assert (outcomes["nulls"].status, outcomes["nulls"].value) == ("FAILED", 2.0)
    assert outcomes["mean"].reason == "the metric is NULL on this data"
    assert outcomes["nan query"].reason == "the query returned NaN"
    rejected = outcomes["rejected"].reason or ""
    assert rejected.startswith("sql rule failed:") and "nope" in rejected
    assert all(o.status == "FAILED" for o in outcomes.values())


PARTITIONED = """\
schema:
  - name: orders
    properties:
      - {name: order_id, logicalType: integer}
      - {name: order_date, logicalType: date, partitioned: true, partitionKeyPosition: 1}
    quality:
      - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
"""


def hive_folder(root: Path) -> Path:
    """Three daily partitions of 10, 20 and 30 rows; the last one's file is not Parquet."""
    for day in (1, 2, 3):
        folder = root / f"order_date=2026-12-0{day}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"order_id": list(range(10 * day))}), folder / "part-0.parquet")
    (root / "order_date=2026-12-03" / "part-0.parquet").write_bytes(b"not parquet")
    return root


@pytest.mark.parametrize("engine", ["spark", "duckdb"])
def test_a_partition_run_reads_only_its_partition(
    spark: Any,
    engine: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ODCS_CODEGEN_CACHE", str(tmp_path / "cache"))
    contract = tmp_path / "orders.odcs.yaml"
    contract.write_text(contract_text(PARTITIONED))
    data = f"orders={hive_folder(tmp_path / 'orders')}"
    argv = ["run", str(contract), "--engine", engine, "--data", data]
    code, report, err = report_of(capsys, *argv, "--partition", "order_date=2026-12-02")
    assert code == 0, err
    assert values(report) == {"rows": ("PASSED", 20.0)}
    code, report, _ = report_of(capsys, *argv)  # the whole folder: the broken file is read
    assert report["results"][0]["status"] == "FAILED" and report["summary"]["errors"]


def test_partition_key_reaches_dqlib_result_key(
    spark: Any, generate: Callable[..., Generated], tmp_path: Path
) -> None:
    module = generate({"p.odcs.yaml": contract_text(PARTITIONED)}, SPARK).module("p")
    folder = hive_folder(tmp_path / "orders")
    from odcs_codegen._runtime import run_checks

    results = run_checks(
        module.CHECKS,
        module.DATASETS,
        {"orders": str(folder)},
        suite_name="p",
        partition="order_date=2026-12-01",
    )
    assert [(r.status, r.metric.value_or(None)) for r in results] == [("PASSED", 10.0)]
    assert results[0].yyyy_mm_dd == datetime.date(2026, 12, 1)
    assert results[0].tags == {"partition": "order_date=2026-12-01"}


def test_a_table_of_the_session_catalog(
    spark: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODCS_CODEGEN_CACHE", str(tmp_path / "cache"))
    frame = spark.read.options(header=True, inferSchema=True).csv(str(ORDERS))
    frame.createOrReplaceTempView("orders_in_catalog")
    try:
        argv = ["run", str(SAMPLE), "--engine", "spark", "--data", "orders_tbl=orders_in_catalog"]
        code, report, err = report_of(capsys, *argv)
    finally:
        spark.catalog.dropTempView("orders_in_catalog")
    assert code == 0, err
    assert values(report)["daily_row_count"] == ("PASSED", 120.0)
    code = codegen([*argv[:-1], "orders_tbl=no_such_table"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no_such_table" in err and "Traceback" not in err


def test_spark_reads_csv_columns_as_declared(
    spark: Any, generate: Callable[..., Generated], tmp_path: Path
) -> None:
    module = generate({"orders_sample.odcs.yaml": SAMPLE.read_text()}, SPARK).module(
        "orders_sample"
    )
    broken = tmp_path / "orders.csv"
    lines = ORDERS.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("total_amount")] = "12;5"
    broken.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    report = module.verify({"orders_tbl": str(broken)})
    problems = "\n".join(str(e) for e in report.schema_errors)
    assert "total_amount" in problems and "not a valid DOUBLE" in problems
    outcomes = {o.assertion: o.status for o in report.outcomes}
    assert outcomes["daily_row_count"] == "PASSED"
