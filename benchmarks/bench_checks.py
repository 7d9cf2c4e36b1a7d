"""1. Check execution: the generated module's `run()` against one hand-written DuckDB query.

The benchmark contract (contracts/bench.odcs.yaml, 15 quality rules plus required / unique /
logicalTypeOptions constraints, 20 assertions) is compiled with odcs-codegen; its `run()` gets
a `_runtime.TableSource.from_file(parquet)` per repetition, so opening the file, validating
the schema, building the suite, dqlib's SQL and collecting the exact results all count. The
baseline is the physical limit: one hand-written query computing the same values in a
single scan of the same file, on a fresh DuckDB connection per repetition. Both use DuckDB's
default settings (all cores). The two are interleaved; the values they compute must agree.

Memory: the peak RSS of `odcs-codegen run CONTRACT --data orders=FILE` (a child process)
on the largest file, against the size of the same rows as Python objects (measured on a
sample with tracemalloc and extrapolated) and the rows x columns x 50 bytes rule of thumb.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from . import data
from .common import (
    Row,
    Timing,
    both,
    clock,
    interleaved,
    mb,
    python_child,
    ratio,
    run_child,
    timing_row,
)
from .generated import BENCH_CONTRACT, generate, import_generated

SECTION = "1. Check execution"
QUICK_SIZES: dict[int, int] = {50_000: 2}  # rows -> repetitions
FULL_SIZES: dict[int, int] = {1_000_000: 7, 5_000_000: 5, 20_000_000: 3}
TARGET = 1.2  # generated / hand-written, at 5M rows and beyond
TARGET_FROM_ROWS = 5_000_000
VALID_STATUSES = "'pending', 'paid', 'shipped', 'delivered', 'cancelled'"
EMAIL_PATTERN = "[a-z0-9._]+@[a-z0-9.-]+"

# One scan, every value the contract's assertions measure, written the way a person would.
# Columns are named after the generated assertion whose value they compute.
HAND_COLUMNS: dict[str, str] = {
    "not_empty": "COUNT(*)",
    "order_id: required": "COUNT(*) FILTER (WHERE order_id IS NULL)",
    "order_id: unique": "COUNT(order_id) - COUNT(DISTINCT order_id)",
    "order_id_positive": "MIN(order_id)",
    "customer_id: required": "COUNT(*) FILTER (WHERE customer_id IS NULL)",
    "status: required": "COUNT(*) FILTER (WHERE status IS NULL)",
    "status_valid": f"COUNT(*) FILTER (WHERE status NOT IN ({VALID_STATUSES}))",
    "status_cardinality": "COUNT(DISTINCT status)",
    "amount_nulls": "100.0 * COUNT(*) FILTER (WHERE amount IS NULL) / COUNT(*)",
    "amount_min": "MIN(amount)",
    "amount_max": "MAX(amount)",
    "amount_mean": "AVG(amount)",
    "amount_p95": "quantile_cont(amount, 0.95)",
    "quantity: minimum": "COUNT(*) FILTER (WHERE quantity < 1)",
    "quantity: maximum": "COUNT(*) FILTER (WHERE quantity > 100)",
    "country_missing": (
        "100.0 * COUNT(*) FILTER (WHERE country IS NULL OR country IN ('', 'N/A')) / COUNT(*)"
    ),
    "email_format": f"COUNT(*) FILTER (WHERE NOT regexp_full_match(email, '{EMAIL_PATTERN}'))",
    "created_at: required": "COUNT(*) FILTER (WHERE created_at IS NULL)",
    "one_order_per_customer_and_time": (
        "100.0 * (COUNT(*) FILTER (WHERE customer_id IS NOT NULL AND created_at IS NOT NULL)"
        " - COUNT(DISTINCT (customer_id, created_at))"
        " FILTER (WHERE customer_id IS NOT NULL AND created_at IS NOT NULL)) / COUNT(*)"
    ),
    "few_big_bulk_orders": "COUNT(*) FILTER (WHERE amount > 1000 AND quantity > 15)",
}


def hand_query(path: Path, names: Sequence[str] | None = None) -> str:
    """The hand-written single-scan query over the Parquet file ``path`` (``names``: only
    those columns of HAND_COLUMNS, in that order)."""
    chosen = {name: HAND_COLUMNS[name] for name in names or HAND_COLUMNS}
    columns = ",\n  ".join(f'{sql} AS "{name}"' for name, sql in chosen.items())
    location = str(path).replace("'", "''")
    return f"SELECT\n  {columns}\nFROM read_parquet('{location}')"


def run_hand(path: Path) -> dict[str, float]:
    """Run the hand-written query on a fresh connection; its values by assertion name."""
    connection = duckdb.connect()
    try:
        row = connection.execute(hand_query(path)).fetchone()
    finally:
        connection.close()
    assert row is not None
    return {name: float(value) for name, value in zip(HAND_COLUMNS, row, strict=True)}


def run_generated(module: Any, path: Path) -> dict[str, float]:
    """Run the generated module's checks on ``path``; exact values by assertion name."""
    source = module._runtime.TableSource.from_file(path, "orders")
    try:
        results = module.run({"orders": source})
    finally:
        source.close()
    return {r.assertion: float(r.metric.unwrap()) for r in results}


def disagreements(generated: Mapping[str, float], hand: Mapping[str, float]) -> list[str]:
    """Assertions whose generated value differs from the hand-written query's (or is missing)."""
    problems = []
    for name, expected in hand.items():
        actual = generated.get(name)
        if actual is None or not math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9):
            problems.append(f"{name}: generated {actual}, hand-written {expected}")
    missing = sorted(set(generated) - set(hand))
    problems += [f"{name}: no hand-written column" for name in missing]
    return problems


def memory_rows(contract: Path, path: Path, rows: int) -> list[Row]:
    """Peak RSS of `odcs-codegen run` and of the hand-written query, vs the data as objects."""
    code, _, stderr, seconds, peak = run_child(
        [*codegen_command(), "run", str(contract), "--data", f"orders={path}"]
    )
    if code not in (0, 1):
        raise RuntimeError(f"odcs-codegen run failed ({code}):\n{stderr[-3000:]}")
    _, hand_peak = python_child(
        f"import duckdb\nduckdb.connect().execute({hand_query(path)!r}).fetchone()\n"
    )
    per_row = data.python_object_bytes(path)
    as_objects = per_row * rows
    rule_of_thumb = rows * len(data.COLUMNS) * 50
    size = f"{rows / 1e6:g}M rows"
    return [
        Row(
            SECTION,
            f"peak RSS: odcs-codegen run, {size}",
            mb(peak),
            None,
            "MB",
            f"{peak / as_objects:.2f}x the objects",
            f"wall {seconds:.1f} s incl. start-up and compile; the rows as Python objects "
            f"would take {mb(as_objects):,.0f} MB",
        ),
        Row(
            SECTION,
            f"peak RSS: hand-written query in a bare Python, {size}",
            mb(hand_peak),
            None,
            "MB",
            ratio(peak, hand_peak).replace("x", "x run/hand"),
            "import duckdb + the query, nothing else",
        ),
        Row(
            SECTION,
            f"data as Python objects (to_pylist), {size}",
            mb(as_objects),
            None,
            "MB",
            "",
            f"measured {per_row:.0f} B/row on a 50k-row sample (tracemalloc), extrapolated",
        ),
        Row(
            SECTION,
            f"rule of thumb rows x {len(data.COLUMNS)} cols x 50 B, {size}",
            mb(rule_of_thumb),
            None,
            "MB",
            "",
            f"Parquet file on disk: {mb(os.path.getsize(path)):,.0f} MB",
        ),
    ]


def codegen_command() -> list[str]:
    """How to start the odcs-codegen command line: the venv's script, else `-m`."""
    script = Path(sys.executable).parent / "odcs-codegen"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "odcs_codegen.cli"]


def run(quick: bool, workdir: Path | None = None) -> list[Row]:
    """The rows of section 1 (``workdir``: where data and code go, default a temp folder)."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    with tempfile.TemporaryDirectory(prefix="odcs-bench-checks-") as temp:
        folder = Path(workdir or temp)
        generate(folder)
        module = import_generated(folder)
        rows: list[Row] = []
        path = folder / "orders.parquet"
        for count, repeat in sizes.items():
            made = Timing((clock(partial(data.shared_file, count)),))
            path = data.shared_file(count)
            problems = disagreements(run_generated(module, path), run_hand(path))
            if problems:
                raise RuntimeError(
                    "generated and hand-written values differ:\n" + "\n".join(problems)
                )
            timings = interleaved(
                {
                    "generated": partial(run_generated, module, path),
                    "hand": partial(run_hand, path),
                },
                repeat,
            )
            size = f"{count / 1e6:g}M rows"
            generated, hand = timings["generated"], timings["hand"]
            target = f"target <= {TARGET}x" if count >= TARGET_FROM_ROWS else "no target below 5M"
            rows += [
                timing_row(
                    SECTION,
                    f"generated run(), {size}",
                    generated,
                    ratio=both(generated, hand, ratio),
                    note=f"vs hand-written, {target}; {len(HAND_COLUMNS)} values agree",
                    series="rows|generated run(), in-process, 20 values",
                    x=count,
                ),
                timing_row(
                    SECTION,
                    f"hand-written single query, {size}",
                    hand,
                    note=f"baseline; {repeat} interleaved reps",
                    series="rows|hand-written query, in-process, 20 values",
                    x=count,
                ),
                timing_row(
                    SECTION,
                    f"  (writing the {size} file)",
                    made,
                    note="setup, once (0 if written earlier)",
                ),
            ]
        rows += memory_rows(BENCH_CONTRACT, path, max(sizes))
    return rows
