"""Smoke test of the benchmarks: each section's quick mode runs and returns rows.

No timing is asserted (the machines are shared and noisy); only that every benchmark still
works against the current code: the benchmark contract compiles, the generated values agree
with the hand-written query, the synthetic tree compiles, the profiles find their functions.
Section 8 (Spark) is not run here: a local session and its first queries take about a minute
even on a few thousand rows; only its contracts and its "skipped" row are tested.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from benchmarks import (
    __main__ as entry,
)
from benchmarks import (
    bench_checks,
    bench_compiler,
    bench_peer,
    bench_scaling,
    bench_spark,
    bench_startup,
    data,
    explain,
    interpreter,
    peers,
    profiles,
)
from benchmarks.common import Row, format_markdown, format_table
from benchmarks.generated import BENCH_CONTRACT, generate, import_generated


def _check(rows: list[Row], section: str) -> None:
    assert rows, f"section {section} returned no rows"
    for row in rows:
        assert row.section.startswith(section)
        for value in (row.minimum, row.median):
            assert value is None or math.isfinite(value)
    table = format_table(rows)
    for row in rows:
        assert row.name.strip()[:40] in table
    assert format_markdown(rows).count("\n") >= len(rows)


@pytest.mark.parametrize(
    ("section", "run"),
    [
        ("1.", bench_checks.run),
        ("2.", bench_startup.run),
        ("3.", bench_compiler.run),
        ("4.", bench_peer.run),
        ("5.", profiles.run),
        ("6.", entry.validation_rows),
        ("7.", bench_scaling.run),
    ],
    ids=["checks", "startup", "compiler", "peer", "profiles", "validation", "scaling"],
)
def test_quick_mode_returns_rows(section: str, run: object) -> None:
    rows = run(True)  # type: ignore[operator]
    _check(rows, section)


def test_peer_missing_is_skipped_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A peer that cannot be found yields a "skipped" row naming how to install it."""
    monkeypatch.setenv(peers.DATACONTRACT_ENV, "/nonexistent/datacontract")
    peers.datacontract.cache_clear()
    try:
        tool = peers.datacontract()
        assert not tool.found and peers.DATACONTRACT_ENV in tool.missing
        row = bench_peer.skipped_row(tool)
        assert row.name.startswith("skipped: datacontract-cli")
        assert "pip install 'datacontract-cli[duckdb,parquet]'" in row.note
    finally:
        peers.datacontract.cache_clear()


def test_format_table_shows_every_row() -> None:
    rows = [
        Row("9. T", "first thing", 1.25, 1.5, "s", "2.00x", "note one"),
        Row("9. T", "second thing", 1234.0, None, "MB", "", "note two"),
    ]
    table = format_table(rows)
    for text in ("== 9. T", "first thing", "1.250", "1.500", "2.00x", "note one"):
        assert text in table
    for text in ("second thing", "1,234", "MB", "note two"):
        assert text in table


def test_interpreter_stand_in_matches_the_generated_module(tmp_path: Path) -> None:
    """The start-up benchmark's runtime stand-in builds the same assertions as the module."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    generate(tmp_path)
    module = import_generated(tmp_path)
    parquet = data.write_orders(tmp_path / "orders.parquet", 2_000)
    raw = BENCH_CONTRACT.read_bytes()
    checks = interpreter.checks(interpreter.lowered(yaml.safe_load(raw), raw), module._runtime)
    runtime = module._runtime
    interpreted = runtime.run_checks(
        checks,
        module.DATASETS,
        {"orders": runtime.TableSource.from_file(parquet, "orders")},
        suite_name="bench",
    )
    generated = bench_checks.run_generated(module, parquet)
    values = {r.assertion: float(r.metric.unwrap()) for r in interpreted}
    assert values.keys() == generated.keys()
    for name, value in values.items():
        assert math.isclose(value, generated[name], rel_tol=1e-9, abs_tol=1e-9), name
    assert bench_checks.disagreements(generated, bench_checks.run_hand(parquet)) == []


def test_main_writes_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = [Row("6. Fake", "a | b", 1.5, 2.0, "ms", "3.00x", "note")]
    monkeypatch.setattr(entry, "SECTIONS", {"6": ("fake", lambda quick: fake)})
    target = tmp_path / "RESULTS.md"
    assert entry.main(["--quick", "--only", "6", "--write", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "# Benchmark results" in text and "### 6. Fake" in text and "a \\| b" in text
    assert "cores" in text and "duckdb" in text and "## What each ratio times" in text
    assert "validate_contract" in text  # what section 6's ratios time
    assert "6. Fake" in capsys.readouterr().out
    assert entry.main(["--only", "9"]) == 2


def test_spark_contracts_compile_for_spark(tmp_path: Path) -> None:
    """The Spark section's contract variants compile with --dialect spark (no pyspark needed)."""
    plain = bench_spark.spark_module(tmp_path, "plain")
    days = bench_spark.spark_module(tmp_path, "days", partitioned=True)
    with_sql = bench_spark.spark_module(tmp_path, "with_sql", sql_rule=True)
    assert plain.SQL_DIALECT == days.SQL_DIALECT == "spark"
    assert days.DATASETS[0].partition == "order_date" and plain.DATASETS[0].partition is None
    assert "order_date" not in {c.name for c in plain.DATASETS[0].columns}
    assert bench_spark.SQL_RULE in Path(with_sql.__file__).read_text(encoding="utf-8")
    assert bench_spark.SQL_RULE not in Path(plain.__file__).read_text(encoding="utf-8")
    assert bench_spark.hand_query().count(" AS c") == len(bench_spark.HAND_COLUMNS)


def test_spark_section_without_pyspark_is_one_skipped_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    rows = bench_spark.run(True)
    assert [row.name for row in rows] == ["skipped: Spark: pyspark is not installed"]
    assert "odcs-codegen[spark]" in rows[0].note


def test_largest_caps_every_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name in (
        (bench_checks, "FULL_SIZES"),
        (bench_peer, "FULL_SIZES"),
        (bench_scaling, "FULL"),
        (bench_spark, "FULL"),
    ):
        monkeypatch.setattr(module, name, getattr(module, name))  # restored afterwards
    explain.cap(2_000_000)
    assert bench_checks.FULL_SIZES == {1_000_000: 7, 2_000_000: 3}
    assert bench_peer.FULL_SIZES == {1_000_000: 3, 2_000_000: 3}
    assert bench_scaling.FULL[0] == bench_spark.FULL[0] == 2_000_000
    assert "8: 2M" in explain.sizes("full")
    explain.cap(30_000_000)  # larger than the largest: section 1's largest grows to it
    assert max(bench_checks.FULL_SIZES) == 30_000_000 and bench_spark.FULL[0] == 2_000_000
