"""Tests of `odcs-codegen run` (odcs_codegen/run.py) and the runtime's command line.

Contracts are compiled for real and run on real files in a temporary folder (Parquet, CSV, JSON
lines, Arrow IPC, DuckDB databases); `python -m` runs a generated package in a subprocess.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from odcs_codegen.compiler import build
from odcs_codegen.run import add_arguments, run_command

ROOT = Path(__file__).resolve().parent.parent

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: run-tests
name: run_tests
version: 1.0.0
status: active
{servers}
schema:
  - name: orders
    physicalName: orders_tbl
    quality:
      - name: enough_rows
        type: library
        metric: rowCount
        mustBeGreaterOrEqualTo: 3
        severity: warning
    properties:
      - name: order_id
        logicalType: integer
        required: true
        quality:
          - name: order_id_unique
            type: library
            metric: duplicateValues
            mustBe: 0
            severity: error
      - name: status
        logicalType: string
        quality:
          - name: status_valid
            type: library
            metric: invalidValues
            arguments:
              validValues: [open, done]
            mustBe: 0
            severity: error
      - name: total_amount
        logicalType: number
        quality:
          - name: mean_amount
            type: custom
            engine: dqx
            severity: info
            implementation: |
              check: mean
              column: total_amount
              mustBeBetween: [0, 100]
      - name: order_date
        logicalType: date
"""

TWO_DATASETS = """\
apiVersion: v3.1.0
kind: DataContract
id: run-tests-two
name: two_tables
version: 1.0.0
status: active
servers:
{servers}
schema:
  - name: customers
    properties:
      - name: id
        logicalType: integer
        required: true
  - name: orders
    quality:
      - type: library
        metric: rowCount
        mustBeGreaterThan: 0
        severity: error
    properties:
      - name: id
        logicalType: integer
        required: true
"""

ASSERTIONS = ["enough_rows", "order_id: required", "order_id_unique", "status_valid", "mean_amount"]
"""In the contract's order: the schema-level rule is written before the properties."""
FORMATS = ["parquet", "csv", "jsonl", "arrow", "duckdb"]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def orders(
    ids: list[int | None] | None = None,
    amounts: list[float | None] | None = None,
    statuses: list[str | None] | None = None,
) -> pa.Table:
    """A small orders table; by default every assertion passes."""
    ids = ids if ids is not None else [1, 2, 3, 4]
    count = len(ids)
    return pa.table(
        {
            "order_id": pa.array(ids, pa.int64()),
            "status": pa.array(
                statuses or ["open", "done"] * (count // 2) + ["open"] * (count % 2)
            ),
            "total_amount": pa.array(
                amounts if amounts is not None else [1.5, 2.5, 3.25, 4.0][:count], pa.float64()
            ),
            "order_date": pa.array([datetime.date(2025, 6, 1)] * count, pa.date32()),
        }
    )


def write_data(table: pa.Table, path: Path, kind: str, name: str = "orders_tbl") -> str:
    """Write `table` as `kind` under `path` (no suffix); the FILE part of a --data item."""
    if kind == "parquet":
        pq.write_table(table, path.with_suffix(".parquet"))
        return str(path.with_suffix(".parquet"))
    if kind == "csv":
        pa_csv.write_csv(table, path.with_suffix(".csv"))
        return str(path.with_suffix(".csv"))
    if kind == "jsonl":
        target = path.with_suffix(".jsonl")
        with target.open("w", encoding="utf-8") as handle:
            for row in table.to_pylist():
                handle.write(json.dumps(row, default=str) + "\n")
        return str(target)
    if kind == "arrow":
        feather.write_feather(table, path.with_suffix(".arrow"), compression="uncompressed")
        return str(path.with_suffix(".arrow"))
    target = path.with_suffix(".duckdb")
    with duckdb.connect(str(target)) as connection:
        connection.register("source_table", table)
        connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM source_table')
    return f"{target}::{name}"


def write_contract(folder: Path, text: str = CONTRACT.format(servers=""), name: str = "") -> Path:
    """A contract file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or "run_tests.odcs.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def local_server(name: str, path: str, file_format: str) -> str:
    """A `servers` entry of type local, as YAML list item."""
    return f"  - server: {name}\n    type: local\n    path: {path}\n    format: {file_format}\n"


def run(*argv: str | Path) -> int:
    """`odcs-codegen run ARGV` through add_arguments / run_command."""
    parser = argparse.ArgumentParser(prog="odcs-codegen run")
    add_arguments(parser)
    return run_command(parser.parse_args([str(a) for a in argv]))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, dict[str, Any]]:
    """Run with --format json; the exit code and the parsed report."""
    code = run(*argv, "--format", "json")
    return code, json.loads(capsys.readouterr().out)


def by_assertion(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["assertion"]: result for result in report["results"]}


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    return write_contract(tmp_path / "contracts")


@pytest.fixture
def good_parquet(tmp_path: Path) -> str:
    return write_data(orders(), tmp_path / "orders", "parquet")


# --------------------------------------------------------------------------------------------
# Input formats
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_every_input_format_gives_the_same_exact_results(
    kind: str, contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = write_data(orders(), tmp_path / "orders", kind)
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={location}")
    assert code == 0
    results = by_assertion(report)
    assert list(results) == ASSERTIONS
    assert {r["status"] for r in results.values()} == {"PASSED"}
    assert results["mean_amount"]["value"] == 2.8125  # exact, not rounded
    assert results["enough_rows"]["value"] == 4.0
    assert all(r["dataset"] == "orders_tbl" for r in results.values())
    assert all(r["check"] == "Contract: run_tests" for r in results.values())


def test_duckdb_table_forms(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "shop.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.register("source_table", orders())
        connection.execute("CREATE SCHEMA sales")
        connection.execute("CREATE TABLE sales.orders AS SELECT * FROM source_table")
        connection.execute("CREATE TABLE orders_tbl AS SELECT * FROM source_table LIMIT 3")
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={database}::sales.orders")
    assert code == 0 and by_assertion(report)["enough_rows"]["value"] == 4.0
    # no ::TABLE: the table named like the dataset
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={database}")
    assert code == 0 and by_assertion(report)["enough_rows"]["value"] == 3.0


def test_glob_reads_several_parquet_files(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "parts").mkdir()
    write_data(orders([1, 2]), tmp_path / "parts" / "part-1", "parquet")
    write_data(orders([3, 4, 5]), tmp_path / "parts" / "part-2", "parquet")
    pattern = str(tmp_path / "parts" / "part-*.parquet")
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={pattern}")
    assert code == 0
    assert by_assertion(report)["enough_rows"]["value"] == 5.0


def test_two_million_rows_parquet(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, chunk = 2_000_000, 200_000
    path = tmp_path / "big.parquet"
    schema = orders().schema
    statuses = pa.array(["open", "done"] * (chunk // 2))
    dates = pa.array([datetime.date(2025, 6, 1)] * chunk, pa.date32())
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, chunk):
            ids = pa.array(range(start, start + chunk), pa.int64())
            amounts = pa.array([(i % 100) * 0.5 for i in range(chunk)], pa.float64())
            writer.write_table(pa.table([ids, statuses, amounts, dates], schema=schema))
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={path}")
    assert code == 0
    results = by_assertion(report)
    assert results["enough_rows"]["value"] == rows
    assert results["order_id_unique"]["value"] == 0
    assert results["mean_amount"]["value"] == 24.75
    assert report["summary"]["passed"] == len(ASSERTIONS)


# --------------------------------------------------------------------------------------------
# Servers instead of --data
# --------------------------------------------------------------------------------------------


def test_local_server_path_is_relative_to_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = "servers:\n" + local_server("dev", "../data/orders.csv", "csv")
    path = write_contract(tmp_path / "project" / "contracts", CONTRACT.format(servers=servers))
    (tmp_path / "project" / "data").mkdir()
    write_data(orders(), tmp_path / "project" / "data" / "orders", "csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, report = run_json(capsys, path)
    assert code == 0
    assert by_assertion(report)["enough_rows"]["value"] == 4.0


def test_local_server_with_model_placeholder_and_data_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = local_server("files", "data/{model}.parquet", "parquet")
    path = write_contract(tmp_path, TWO_DATASETS.format(servers=servers), "two.odcs.yaml")
    (tmp_path / "data").mkdir()
    ids = pa.table({"id": pa.array([1, 2], pa.int64())})
    pq.write_table(ids, tmp_path / "data" / "customers.parquet")
    pq.write_table(ids, tmp_path / "data" / "orders.parquet")
    code, report = run_json(capsys, path)
    assert code == 0
    assert report["summary"]["datasets"] == ["customers", "orders"]
    assert {r["dataset"] for r in report["results"]} == {"customers", "orders"}
    # --data replaces one dataset; the other still comes from the server
    pq.write_table(ids.slice(0, 0), tmp_path / "empty.parquet")
    code, report = run_json(capsys, path, "--data", f"orders={tmp_path / 'empty.parquet'}")
    assert code == 1
    assert report["summary"]["p0_failures"] == 1


def test_duckdb_server_reads_the_table_named_like_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = (
        "  - server: warehouse\n    type: snowflake\n    account: x\n    database: d\n"
        "    schema: s\n    warehouse: w\n"
        "  - server: local\n    type: duckdb\n    database: shop.duckdb\n    schema: sales"
    )
    path = write_contract(tmp_path / "c", TWO_DATASETS.format(servers=servers), "two.odcs.yaml")
    with duckdb.connect(str(tmp_path / "c" / "shop.duckdb")) as connection:
        connection.execute("CREATE SCHEMA sales")
        connection.execute("CREATE TABLE sales.customers AS SELECT 1::BIGINT AS id")
        connection.execute("CREATE TABLE sales.orders AS SELECT range::BIGINT AS id FROM range(5)")
    code, report = run_json(capsys, path)
    assert code == 0
    assert report["summary"]["passed"] == report["summary"]["assertions"] == 3
    assert [r["value"] for r in report["results"] if r["dataset"] == "orders"] == [5.0, 0.0]
    # the snowflake server cannot be read
    assert run(path, "--server", "warehouse") == 2
    error = capsys.readouterr().err
    assert "server 'warehouse' has type 'snowflake'" in error
    assert run(path, "--server", "nope") == 2
    assert "no server 'nope' in the contract; its servers: 'warehouse', 'local'" in (
        capsys.readouterr().err
    )


def test_one_local_path_for_two_datasets_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = local_server("files", "data.parquet", "parquet")
    path = write_contract(tmp_path, TWO_DATASETS.format(servers=servers), "two.odcs.yaml")
    assert run(path) == 2
    error = capsys.readouterr().err
    assert "has one path for 2 datasets; put {model} in its path" in error


def test_no_data_and_no_server(contract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(contract) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "odcs-codegen run: error: no data for dataset 'orders_tbl': pass --data "
        "orders_tbl=FILE (the contract has no server of type local or duckdb)"
    )


# --------------------------------------------------------------------------------------------
# Report formats
# --------------------------------------------------------------------------------------------


def test_json_shape_and_metric_errors(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(orders(amounts=[None, None, None, None]), tmp_path / "nulls", "parquet")
    code = run(contract, "--data", f"orders_tbl={data}", "--format", "json")
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 0  # only the P2 mean failed
    assert captured.err == "5 assertions: 4 passed, 1 failed (0 P0 failures)\n"
    assert set(report) == {"results", "summary"}
    keys = {"dataset", "check", "assertion", "severity", "status", "value", "expected", "at"}
    for result in report["results"]:
        assert result["at"].startswith("run_tests.odcs.yaml:")
        if result["assertion"] == "mean_amount":
            assert set(result) == keys | {"reason"}
            assert result["value"] is None
            assert result["status"] == "FAILED"
            assert result["severity"] == "P2"
            assert result["expected"] == "between 0 and 100"
            assert result["reason"] == "the metric is NULL on this data"
        else:
            assert set(result) == keys
            assert isinstance(result["value"], float)
    assert report["summary"] == {
        "contract": "run_tests",
        "datasets": ["orders_tbl"],
        "assertions": 5,
        "passed": 4,
        "failed": 1,
        "p0_failures": 0,
        "schema_valid": True,
        "schema_errors": [],
        "errors": [],
        "exit_code": 0,
    }


def test_junit_is_valid_xml_with_one_testcase_per_assertion(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(orders(ids=[1, 1, 2, 3]), tmp_path / "dupes", "parquet")
    assert run(contract, "--data", f"orders_tbl={data}", "--format", "junit") == 1
    root = ElementTree.fromstring(capsys.readouterr().out.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("6", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "run_tests: schema validation",
        "Contract: run_tests",
    ]
    cases = suites[1].findall("testcase")
    assert [c.get("name") for c in cases] == ASSERTIONS
    assert {c.get("classname") for c in cases} == {"run_tests.orders_tbl"}
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["order_id_unique"]
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "P0"
    assert failure.get("message") == "P0 assertion 'order_id_unique' failed: 1, expected = 0"
    properties = {p.get("name"): p.get("value") for p in failed[0].iter("property")}
    assert properties == {
        "severity": "P0",
        "value": "1",
        "expected": "= 0",
        "at": "run_tests.odcs.yaml:22:13",
    }


def test_junit_and_table_escape_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        CONTRACT.format(servers="")
        .replace("name: run_tests", 'name: "we<i>rd & \\"co\\""')
        .replace("physicalName: orders_tbl", "physicalName: \"ord<e>rs & 'x'\"")
        .replace("name: enough_rows", 'name: "rows <&> \\"q\\" \\x01 \\u00e9"')
    )
    path = write_contract(tmp_path, text)
    data = write_data(orders(), tmp_path / "orders", "parquet")
    assert run(path, "--data", f"ord<e>rs & 'x'={data}", "--format", "junit") == 0
    out = capsys.readouterr().out
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ElementTree.fromstring(out.encode("utf-8"))
    assert root.get("name") == 'we<i>rd & "co"'
    names = [case.get("name") for case in root.iter("testcase")]
    assert 'rows <&> "q" \\x01 \u00e9' in names
    assert {case.get("classname") for case in root.iter("testcase")} == {
        "we<i>rd & \"co\".ord<e>rs & 'x'"
    }
    assert run(path, "--data", f"ord<e>rs & 'x'={data}") == 0
    table = capsys.readouterr().out
    assert 'rows <&> "q" \\x01 \u00e9' in table
    assert "\x01" not in table


def test_table_output(
    contract: Path, good_parquet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(contract, "--data", f"orders_tbl={good_parquet}") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    header = ["dataset", "check", "assertion", "severity", "status", "value", "expected"]
    assert lines[0].split() == header
    rows = lines[1:-2]
    assert len(rows) == len(ASSERTIONS)
    status_column = lines[0].index("status")
    for line, assertion in zip(rows, ASSERTIONS, strict=True):
        assert line.startswith("orders_tbl  Contract: run_tests  " + assertion)
        assert line[status_column:].startswith("PASSED")
    assert rows[4].endswith("PASSED  2.8125  between 0 and 100")
    assert rows[0].endswith("PASSED  4       >= 3")
    assert lines[-2] == ""
    assert lines[-1] == "5 assertions: 5 passed, 0 failed (0 P0 failures)"


def test_table_shows_metric_errors(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("csv", "parquet"):  # CSV: an all-empty column is read as declared, a number
        data = write_data(orders(amounts=[None, None, None, None]), tmp_path / "nulls", kind)
        assert run(contract, "--data", f"orders_tbl={data}") == 0
        out = capsys.readouterr().out
        mean_line = next(line for line in out.splitlines() if "mean_amount" in line)
        assert mean_line.split("FAILED", 1)[1].split() == ["-", "between", "0", "and", "100"]
        assert "  orders_tbl / mean_amount (P2): the metric is NULL on this data" in out


# --------------------------------------------------------------------------------------------
# Exit codes
# --------------------------------------------------------------------------------------------


def test_p0_failure_exits_1(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(orders(statuses=["open", "lost", "done", "open"]), tmp_path / "o", "csv")
    assert run(contract, "--data", f"orders_tbl={data}") == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "5 assertions: 4 passed, 1 failed (1 P0 failure)"
    )


def test_p1_failure_exits_0(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(orders(ids=[1, 2]), tmp_path / "o", "jsonl")
    assert run(contract, "--data", f"orders_tbl={data}") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "5 assertions: 4 passed, 1 failed (0 P0 failures)"
    )


def test_schema_mismatch_exits_1_and_blocks_only_what_reads_the_column(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = orders().drop_columns(["order_date"])
    table = table.set_column(0, "order_id", pa.array(["1", "2", "3", "4"]))
    data = write_data(table, tmp_path / "o", "parquet")
    mismatch = (
        "Property 'order_id' type mismatch:\n"
        "  expected logicalType 'integer' (int8\u2013int64, uint8\u2013uint64), got pa.string()\n"
        "  its values look like: '1', '2', '3'"  # they would all convert: store them as numbers
    )
    absent = (
        "Property 'order_date' is missing from dataset 'orders_tbl'\n"
        "  its columns: 'order_id', 'status', 'total_amount'"
    )
    assert run(contract, "--data", f"orders_tbl={data}") == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"Dataset 'orders_tbl' does not match its contract:\n{mismatch}\n{absent}\n"
    )
    assert captured.out.splitlines()[-1] == (
        "7 assertions: 3 passed, 4 failed (4 P0 failures); "
        "schema problems in 1 dataset: 'orders_tbl'"
    )
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={data}")
    assert code == 1
    verdicts = {r["assertion"]: (r["status"], r.get("reason")) for r in report["results"]}
    assert verdicts == {
        "order_id: schema": ("FAILED", mismatch),
        "order_date: schema": ("FAILED", absent),
        "order_id: required": ("FAILED", f"not measured: {mismatch}"),
        "order_id_unique": ("FAILED", f"not measured: {mismatch}"),
        "status_valid": ("PASSED", None),
        "mean_amount": ("PASSED", None),
        "enough_rows": ("PASSED", None),
    }
    assert report["summary"]["schema_errors"] == [
        {"dataset": "orders_tbl", "problems": [mismatch, absent]}
    ]
    assert run(contract, "--data", f"orders_tbl={data}", "--format", "junit") == 1
    root = ElementTree.fromstring(capsys.readouterr().out.encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and failure.get("type") == "SchemaValidationError"
    assert "Property 'order_date' is missing" in (failure.text or "")


def test_required_nulls_fail_their_assertion_only(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(orders(ids=[1, None, 3, 4]), tmp_path / "o", "parquet")
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={data}")
    assert code == 1
    required = by_assertion(report)["order_id: required"]
    assert (required["status"], required["value"], required["reason"]) == (
        "FAILED",
        1.0,
        "Property 'order_id' is required (required: true)\n  but contains null values",
    )
    assert report["summary"]["passed"] == len(ASSERTIONS) - 1
    assert report["summary"]["schema_valid"] is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "customers=x.parquet",
            "unknown dataset 'customers' in --data; the contract has: 'orders_tbl'",
        ),
        ("orders_tbl", "bad --data 'orders_tbl': expected DATASET=FILE"),
        ("orders_tbl=", "bad --data 'orders_tbl=': no file after '='"),
        ("=x.parquet", "bad --data '=x.parquet': expected DATASET=FILE"),
        (
            "orders_tbl=MISSING.parquet",
            "dataset 'orders_tbl': data file not found: 'MISSING.parquet'",
        ),
        ("orders_tbl=NOTHING-*.csv", "dataset 'orders_tbl': no data files match 'NOTHING-*.csv'"),
        ("orders_tbl=data.txt", "dataset 'orders_tbl': cannot tell the format of 'data.txt'"),
        (
            "orders_tbl=broken.parquet",
            "dataset 'orders_tbl': cannot read parquet file 'broken.parquet'",
        ),
        ("orders_tbl=broken.arrow", "dataset 'orders_tbl': cannot read arrow file 'broken.arrow'"),
        ("orders_tbl=MISSING.duckdb::t", "DuckDB database file not found: 'MISSING.duckdb'"),
        ("orders_tbl=::t", "bad --data 'orders_tbl=::t': expected DATASET=DATABASE::TABLE"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    data: str,
    message: str,
    contract: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    (tmp_path / "broken.arrow").write_bytes(b"not arrow either")
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    assert run(contract, "--data", data) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1, captured.err
    assert captured.err.startswith("odcs-codegen run: error: ")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_more_usage_errors(
    contract: Path, good_parquet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = f"orders_tbl={good_parquet}"
    assert run(contract, "--data", item, item) == 2
    assert "dataset 'orders_tbl' is given twice in --data" in capsys.readouterr().err
    assert run("--data", item) == 2
    assert "no CONTRACT given" in capsys.readouterr().err
    assert run("--data", item, str(contract)) == 2  # CONTRACT swallowed by --data
    assert "(put CONTRACT first)" in capsys.readouterr().err
    assert run(contract.parent / "missing.odcs.yaml", "--data", item) == 2
    assert "missing.odcs.yaml: no such contract file" in capsys.readouterr().err
    assert run(contract, "--module", "x.y", "--data", item) == 2
    assert "give either CONTRACT or --module, not both" in capsys.readouterr().err
    assert run("--module", "no_such_package_xyz.orders", "--data", item) == 2
    assert "cannot import module 'no_such_package_xyz.orders'" in capsys.readouterr().err
    assert run("--module", "json", "--data", item) == 2
    assert "module 'json' was not generated by odcs-codegen" in capsys.readouterr().err


def test_a_cell_that_does_not_parse_is_a_schema_problem_of_its_column(
    contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "late.csv"
    with path.open("w") as handle:
        handle.write("order_id,status,total_amount,order_date\n")
        handle.writelines(f"{i},open,1.5,2025-06-01\n" for i in range(60_000))
        handle.write("oops,open,1.5,2025-06-01\n")
    code, report = run_json(capsys, contract, "--data", f"orders_tbl={path}")
    assert code == 1
    (problem,) = report["summary"]["schema_errors"][0]["problems"][-1:]
    assert problem == (
        f"Property 'order_id': line 60002 of csv file '{path}' holds 'oops', which is not a "
        "valid integer (its logicalType)"
    )
    verdicts = {r["assertion"]: r["status"] for r in report["results"]}
    assert verdicts == {
        "order_id: schema": "FAILED",
        "order_id: required": "FAILED",
        "order_id_unique": "FAILED",
        "status_valid": "PASSED",
        "mean_amount": "PASSED",
        "enough_rows": "PASSED",
    }
    assert by_assertion(report)["enough_rows"]["value"] == 60_001


def test_contract_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_contract(tmp_path, CONTRACT.format(servers="").replace("kind: DataContract\n", ""))
    assert run(path, "--data", "orders_tbl=x.parquet") == 1
    error = capsys.readouterr().err
    assert "'kind' is a required property" in error
    assert "1 error(s); nothing run" in error


def test_contract_without_schema_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CONTRACT.format(servers="").split("schema:")[0]
    path = write_contract(tmp_path, text)
    assert run(path) == 0
    assert capsys.readouterr().out == "0 assertions: 0 passed, 0 failed (0 P0 failures)\n"


def test_temporary_packages_are_removed(
    contract: Path, good_parquet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path_before, modules_before = list(sys.path), set(sys.modules)
    assert run(contract, "--data", f"orders_tbl={good_parquet}") == 0
    assert sys.path == path_before
    assert not [m for m in set(sys.modules) - modules_before if "_contract_" in m]


# --------------------------------------------------------------------------------------------
# Generated packages: python -m and --module
# --------------------------------------------------------------------------------------------


@pytest.fixture
def package(tmp_path: Path, contract: Path) -> Iterator[Path]:
    """A generated package `dq_checks` (module `run_tests`) under tmp_path/"pkgroot"."""
    output = tmp_path / "pkgroot" / "dq_checks"
    result = build([contract], output)
    assert not result.failed, result.diagnostics
    for name, source in result.files.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(source, encoding="utf-8")
    yield output.parent
    for name in [m for m in sys.modules if m == "dq_checks" or m.startswith("dq_checks.")]:
        del sys.modules[name]


def python_m(root: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), *sys.path]))
    return subprocess.run(
        [sys.executable, "-m", "dq_checks.run_tests", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_python_m_on_a_generated_package(package: Path, tmp_path: Path) -> None:
    data = write_data(orders(), tmp_path / "orders", "arrow")
    done = python_m(package, "--data", f"orders_tbl={data}", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [r["assertion"] for r in report["results"]] == ASSERTIONS
    assert by_assertion(report)["mean_amount"]["value"] == 2.8125
    assert done.stderr == "5 assertions: 5 passed, 0 failed (0 P0 failures)\n"

    table = python_m(package, "--data", f"orders_tbl={data}", cwd=tmp_path)
    assert table.returncode == 0
    assert table.stdout.splitlines()[-1] == "5 assertions: 5 passed, 0 failed (0 P0 failures)"

    bad = python_m(package, "--data", "nope=x.csv", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr == (
        "python -m dq_checks.run_tests: error: unknown dataset 'nope' in --data; "
        "the contract has: 'orders_tbl'\n"
    )
    usage = python_m(package, "--format", "xml", cwd=tmp_path)
    assert usage.returncode == 2 and "invalid choice: 'xml'" in usage.stderr


def test_module_option_and_runtime_main(
    package: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_data(orders(ids=[1, 1, 2]), tmp_path / "orders", "csv")
    monkeypatch.chdir(package)
    code, report = run_json(
        capsys, "--module", "dq_checks.run_tests", "--data", f"orders_tbl={data}"
    )
    assert code == 1
    assert report["summary"]["p0_failures"] == 1
    module: ModuleType = sys.modules["dq_checks.run_tests"]
    cli = importlib.import_module("dq_checks._runtime.cli")
    assert cli.main(module.__name__, ["--data", f"orders_tbl={data}"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "5 assertions: 4 passed, 1 failed (1 P0 failure)"
    )
    assert cli.main(module.__name__, ["--help"]) == 0
    assert "--data DATASET=FILE" in capsys.readouterr().out
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_report(
        module, [f"orders_tbl={data}"], output_format="json", stdout=out, stderr=err
    )
    assert code == 1 and json.loads(out.getvalue())["summary"]["failed"] == 1


def test_python_m_resolves_server_paths_with_source_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = "servers:\n" + local_server("dev", "../data/orders.parquet", "parquet")
    contract = write_contract(tmp_path / "repo" / "contracts", CONTRACT.format(servers=servers))
    (tmp_path / "repo" / "data").mkdir()
    write_data(orders(), tmp_path / "repo" / "data" / "orders", "parquet")
    output = tmp_path / "repo" / "src" / "dq_checks"
    result = build([contract], output)
    for name, source in result.files.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(source, encoding="utf-8")
    module_file = output / "run_tests.py"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the generated module's SOURCE_PATH (relative to the module file) locates the contract,
    # so relative server paths resolve against the contract's folder from anywhere
    assert 'SOURCE_PATH: Final = "../../contracts/run_tests.odcs.yaml"' in module_file.read_text()
    done = python_m(output.parent, cwd=elsewhere)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------------------------
# The shipped example
# --------------------------------------------------------------------------------------------


def test_shipped_example_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    sample = Path("examples/contracts/orders_sample.odcs.yaml")
    code, report = run_json(capsys, sample)
    assert code == 0
    failed = [r["assertion"] for r in report["results"] if r["status"] == "FAILED"]
    assert failed == ["average_order_value_reasonable"]
    assert report["summary"]["assertions"] == 15
    # the same data against orders.odcs.yaml: everything but its freshness SLA passes
    code, report = run_json(
        capsys,
        "examples/contracts/orders.odcs.yaml",
        "--data",
        "orders_tbl=examples/data/orders.csv",
    )
    failed = [r["assertion"] for r in report["results"] if r["status"] == "FAILED"]
    assert failed == ["SLA: Freshness check", "average_order_value_reasonable"]
    assert code == 1
