"""Partition-scoped runs on DuckDB: the generated module knows its partition key, reads only
that partition of a hive-partitioned folder, and dqlib's result key carries its date."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from odcs_codegen.cli import main as codegen
from tests.conftest import Generated, contract_text

PARTITIONED = """\
schema:
  - name: orders
    properties:
      - {name: order_id, logicalType: integer}
      - {name: region, logicalType: string, partitioned: true, partitionKeyPosition: 2}
      - {name: order_date, logicalType: date, partitioned: true, partitionKeyPosition: 1}
    quality:
      - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
"""


def hive_folder(root: Path) -> Path:
    """Daily partitions of 10, 20 and 30 rows; the last one's file is not Parquet."""
    for day in (1, 2, 3):
        folder = root / f"order_date=2026-12-0{day}"
        folder.mkdir(parents=True)
        rows = 10 * day
        table = pa.table({"order_id": list(range(rows)), "region": ["eu"] * rows})
        pq.write_table(table, folder / "part-0.parquet")
    (root / "order_date=2026-12-03" / "part-0.parquet").write_bytes(b"not parquet")
    return root


def test_the_module_names_its_first_partition_key(generate: Callable[..., Generated]) -> None:
    module = generate({"p.odcs.yaml": contract_text(PARTITIONED)}).module("p")
    assert [d.partition for d in module.DATASETS] == ["order_date"]


def test_module_run_reads_only_the_partition_and_keys_results_by_its_date(
    generate: Callable[..., Generated], tmp_path: Path
) -> None:
    module = generate({"p.odcs.yaml": contract_text(PARTITIONED)}).module("p")
    folder = str(hive_folder(tmp_path / "orders"))
    results = module.run({"orders": folder}, partition="2026-12-02")  # the value alone
    assert [(r.status, r.metric.value_or(None)) for r in results] == [("PASSED", 20.0)]
    assert results[0].yyyy_mm_dd == datetime.date(2026, 12, 2)
    report = module.verify({"orders": folder})  # the whole folder reads the broken file
    assert report.outcomes[0].status == "FAILED"


def test_run_partition_on_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODCS_CODEGEN_CACHE", str(tmp_path / "cache"))
    contract = tmp_path / "orders.odcs.yaml"
    contract.write_text(contract_text(PARTITIONED))
    data = f"orders={hive_folder(tmp_path / 'orders')}"
    code = codegen(["run", str(contract), "--data", data, "--partition", "order_date=2026-12-01"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "rows" in out and "10" in out
    code = codegen(["run", str(contract), "--data", data, "--partition", "nope=1", "--format", "json"])
    out, err = capsys.readouterr()
    assert code != 0 and not out and "nope" in err
