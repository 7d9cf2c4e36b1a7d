"""7. Scaling with rules: 10, 50, 200 rules on one dataset, with the hand-written query beside.

A synthetic contract with N quality rules on the orders table (contract_text): each rule a
distinct metric (missingValues with its own sentinel, invalidValues with its own list), on
the seven non-timestamp columns in turn. The generated module's `run()` (in-process, as in
section 1: opening the file, schema check, suite, dqlib, SQL, exact results) is interleaved
with one hand-written query computing the same N values (hand_query), on the same file. The
values must agree. The one scan saves reading the file N times, not the work per row: each
rule is its own FILTER predicate over every row, so both sides grow about linearly with N
(measured: 0.3 s, 1.3 s and 12.7 s for the hand-written query at 10, 50 and 200 rules on 5M
rows), and the generated run stays within a few percent of the hand-written query.

The growth with rows is in sections 1 (in-process) and 4 (whole commands); plot.py draws both.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

import duckdb

from . import data
from .bench_checks import disagreements, run_generated
from .common import Row, both, interleaved, ratio, timing_row
from .generated import generate, import_generated

SECTION = "7. Scaling with rules"
QUICK: tuple[int, tuple[int, ...], int] = (50_000, (10, 50), 1)  # rows, rule counts, rounds
FULL: tuple[int, tuple[int, ...], int] = (5_000_000, (10, 50, 200), 3)
PACKAGE = "odcs_bench_rules"
# column -> (logical type, SQL literal of the i-th sentinel, valid values as SQL literals)
COLUMNS: dict[str, tuple[str, str, str]] = {
    "order_id": ("integer", "-{i}", "{i}, {j}"),
    "customer_id": ("integer", "-{i}", "{i}, {j}"),
    "status": ("string", "'s{i}'", "'pending', 'paid', 'shipped', 'delivered', 's{i}'"),
    "amount": ("number", "-{i}.5", "{i}.5, {j}.25"),
    "quantity": ("integer", "-{i}", "1, 2, 3, {j}"),
    "country": ("string", "'c{i}'", "'DE', 'FR', 'NL', 'US', 'c{i}'"),
    "email": ("string", "'e{i}'", "'e{i}'"),
}


def rules(count: int) -> list[tuple[str, str, str, str]]:
    """(name, column, metric, SQL literal list) of each of ``count`` rules."""
    names = list(COLUMNS)
    found = []
    for i in range(count):
        column = names[i % len(names)]
        _, sentinel, valid = COLUMNS[column]
        missing = (i // len(names)) % 2 == 0
        values = sentinel if missing else valid
        metric = "missingValues" if missing else "invalidValues"
        found.append((f"r{i:03d}", column, metric, values.format(i=i + 1, j=i + 1000)))
    return found


def _yaml_list(literals: str) -> str:
    """SQL literals as a YAML flow list (strings keep their quotes: YAML reads them the same)."""
    return "[" + literals + "]"


def contract_text(count: int) -> str:
    """An ODCS contract with ``count`` rules over the orders table."""
    by_column: dict[str, list[str]] = {column: [] for column in COLUMNS}
    for name, column, metric, values in rules(count):
        key = "missingValues" if metric == "missingValues" else "validValues"
        listed = _yaml_list(values)
        by_column[column].append(
            f"          - {{name: {name}, metric: {metric}, arguments: {{{key}: {listed}}},"
            " mustBeLessOrEqualTo: 1000000000000}"
        )
    lines = [
        "apiVersion: v3.1.0",
        "kind: DataContract",
        f"id: odcs-codegen-benchmark-rules-{count}",
        f"name: bench_rules_{count}",
        "version: 1.0.0",
        "status: active",
        "schema:",
        "  - name: orders",
        "    physicalName: orders",
        "    properties:",
    ]
    for column, quality in by_column.items():
        lines += [f"      - name: {column}", f"        logicalType: {COLUMNS[column][0]}"]
        if quality:
            lines += ["        quality:", *quality]
    lines += ["      - name: created_at", "        logicalType: timestamp", ""]
    return "\n".join(lines)


def hand_query(path: Path, count: int) -> str:
    """The hand-written query computing the ``count`` rules' values in one scan."""
    columns = []
    for name, column, metric, values in rules(count):
        if metric == "missingValues":
            sql = f"COUNT(*) FILTER (WHERE {column} IS NULL OR {column} IN ({values}))"
        else:
            sql = f"COUNT(*) FILTER (WHERE {column} IS NOT NULL AND {column} NOT IN ({values}))"
        columns.append(f'{sql} AS "{name}"')
    location = str(path).replace("'", "''")
    return "SELECT\n  " + ",\n  ".join(columns) + f"\nFROM read_parquet('{location}')"


def run_hand(path: Path, count: int) -> dict[str, float]:
    """The hand-written query on a fresh connection; values by rule name."""
    connection = duckdb.connect()
    try:
        row = connection.execute(hand_query(path, count)).fetchone()
    finally:
        connection.close()
    assert row is not None
    return {name: float(value) for (name, *_), value in zip(rules(count), row, strict=True)}


def run(quick: bool) -> list[Row]:
    """The rows of section 7."""
    count_rows, counts, repeat = QUICK if quick else FULL
    path = data.shared_file(count_rows)
    size = f"{count_rows / 1e6:g}M rows"
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="odcs-bench-rules-") as temp:
        folder = Path(temp)
        for count in counts:
            contract = folder / f"rules_{count}.odcs.yaml"
            contract.write_text(contract_text(count), encoding="utf-8")
            package = f"{PACKAGE}_{count}"
            generate(folder, contract, package)
            module = import_generated(folder, f"rules_{count}", package)
            problems = disagreements(run_generated(module, path), run_hand(path, count))
            if problems:
                raise RuntimeError(f"{count} rules: values differ:\n" + "\n".join(problems))
            timings = interleaved(
                {
                    "generated": partial(run_generated, module, path),
                    "hand": partial(run_hand, path, count),
                },
                repeat,
            )
            generated, hand = timings["generated"], timings["hand"]
            rows += [
                timing_row(
                    SECTION,
                    f"generated run(), {count} rules, {size}",
                    generated,
                    ratio=both(generated, hand, ratio),
                    note=f"vs hand-written; {count} values agree; {repeat} interleaved reps",
                    series=f"rules|generated run(), in-process, {size}",
                    x=count,
                ),
                timing_row(
                    SECTION,
                    f"hand-written single query, {count} rules, {size}",
                    hand,
                    note="baseline; one scan, fresh connection",
                    series=f"rules|hand-written query, in-process, {size}",
                    x=count,
                ),
            ]
    return rows


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
