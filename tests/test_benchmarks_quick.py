"""Smoke test of the benchmarks: each section's quick mode runs and returns rows.

No timing is asserted (the machines are shared and noisy); only that every benchmark still
works against the current code: the benchmark contract compiles, the generated values agree
with the hand-written query, the synthetic tree compiles, the profiles find their functions.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks import (
    __main__ as entry,
)
from benchmarks import (
    bench_checks,
    bench_compiler,
    bench_peer,
    bench_startup,
    data,
    interpreter,
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
    assert format_table(rows)
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
    ],
    ids=["checks", "startup", "compiler", "peer", "profiles", "validation"],
)
def test_quick_mode_returns_rows(section: str, run: object) -> None:
    rows = run(True)  # type: ignore[operator]
    _check(rows, section)


def test_peer_is_skipped_or_measured() -> None:
    rows = bench_peer.run(True)
    if not bench_peer.available():
        assert [row.name for row in rows] == [bench_peer.SKIPPED]
    else:
        assert any("datacontract test" in row.name for row in rows)


def test_interpreter_stand_in_matches_the_generated_module(tmp_path: Path) -> None:
    """The start-up benchmark's runtime stand-in builds the same assertions as the module."""
    import yaml

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
    assert "cores" in text and "duckdb" in text
    assert "6. Fake" in capsys.readouterr().out
    assert entry.main(["--only", "9"]) == 2
