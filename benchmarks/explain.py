"""What each section's ratios time, on each side, and the row counts of each mode (for
RESULTS.md); `--largest` caps the row counts of the full mode."""

from __future__ import annotations

from . import bench_checks, bench_peer, bench_scaling, bench_spark

RATIOS: dict[str, str] = {
    "1": "**1. Check execution** (in-process, DuckDB at its defaults, all cores). "
    "*generated run()*: `TableSource.from_file(FILE)` + the module's `run()`: Parquet footer "
    "and view, schema check, dqlib's suite, dqlib's one batched query, exact results. "
    "*hand-written*: a fresh DuckDB connection + one SELECT computing the same 20 values "
    "+ `fetchone()`. Ratio = generated / hand-written. Peak RSS rows: `odcs-codegen run` "
    "as a child process (whole process) against the hand-written query in a bare Python; "
    "'x the objects' = that peak / the rows as Python objects (extrapolated).",
    "2": "**2. Start-up.** *fresh process to first verdict*: each command a fresh process, "
    "timed from start to exit, on a 1,000-row file; 'generated Nx faster' = the command's "
    "time / `python -m package.module`'s (dqlib main's interpreter parses and validates "
    "only: it has no `to_checks` yet, so it builds no check and gives no verdict). *the "
    "floor* = a Python that imports dqlib + duckdb + pyarrow and runs the hand-written "
    "query; *a hand-written dqlib suite* = the floor's imports + a `@check` of the same 13 "
    "values as `custom_sql` with plain comparisons, run once (what any tool built on dqlib "
    "pays; it includes dqlib's sqlparse pass over its query, which generated runs skip). "
    "*after importing dqlib + duckdb + pyarrow*: the same commands in fresh processes that "
    "first import those three, then time the rest themselves (the import noise of a "
    "process start left out). *own overhead* = such a time of `python -m package.module` "
    "or `odcs-codegen run` minus the hand-written dqlib suite's, per round, median. "
    "*partial* rows: inside a fresh Python, "
    "after both sides imported dqlib, duckdb and pyarrow: generated = import module + "
    "construct suite; runtime = import yaml and "
    "a validator + read + `yaml.safe_load` + JSON Schema validation + lowering + building "
    "checks + constructing the same suite; ratio = runtime / generated. *in-process, per "
    "run*: the same stages repeated in one process (imports done).",
    "3": "**3. Compiler throughput.** *speed-up* = cold `build()` with workers=1 / with "
    "workers=2 (each on an empty cache, alternating). *x of --version* = `odcs-codegen "
    "generate` with nothing changed / `odcs-codegen --version`, both fresh processes.",
    "4": "**4. End to end** (fresh processes, start to exit, 13 checks both tools run). "
    "*hand-written*: `python -c` importing duckdb + one query of the 13 values. *the "
    "floor*: the same, after importing dqlib + duckdb + pyarrow (the least a dqlib-based "
    "tool pays). "
    "*odcs-codegen run*: the whole command (start-up, imports, compile through the warm "
    "module cache, schema check, dqlib, the query, the report). *python -m package.module*: "
    "the generated module's command line (no compile step). Ratios = command / "
    "hand-written; datacontract-cli's (when installed) = `datacontract test` / "
    "`odcs-codegen run`.",
    "5": "**5. Profiles**: single cProfile runs; percentages are shares of the profiled "
    "stage's total (profiler overhead included), not timings.",
    "6": "**6. Validation**: '... of the 100 ms budget' = `validate_contract` time (minimum "
    "over repetitions) / 100 ms; 'Nx validate_contract' = python-jsonschema's time / "
    "`validate_contract`'s on the same contract.",
    "7": "**7. Scaling with rules**: as section 1 (in-process, the same two sides) for a "
    "synthetic contract of N rules; ratio = generated `run()` / one hand-written query "
    "of the same N values.",
    "8": "**8. Spark** (one local session, `local[*]`, shuffle partitions = cores). "
    "*generated run()*: `spark.read.parquet(FILE)` + the Spark module's "
    "`run({'orders': frame})` (schema check, dqlib suite, one aggregate query, exact "
    "results; the run turns adaptive execution off while it runs). *hand-written*: "
    "`spark.read.parquet(FILE)` as a temporary view + one SELECT of the same 19 values + "
    "`collect()`, at the session's defaults. Ratio = generated / hand-written. Jobs: counted "
    "per call with a job group and the status tracker. *run(partition=DAY)*: "
    "`run({'orders': FOLDER}, partition=DAY)` on 30 hive partitions (it lists and reads only "
    "that day's files); ratio = that / `run({'orders': FOLDER})` over every partition; both "
    "open the folder themselves.",
}


def sizes(mode: str) -> str:
    """The rows of each section's files in ``mode`` (``quick`` or ``full``)."""
    quick = mode == "quick"
    checks = bench_checks.QUICK_SIZES if quick else bench_checks.FULL_SIZES
    peer = bench_peer.QUICK_SIZES if quick else bench_peer.FULL_SIZES
    scaling = (bench_scaling.QUICK if quick else bench_scaling.FULL)[0]
    spark = (bench_spark.QUICK if quick else bench_spark.FULL)[0]
    return (
        f"1: {_rows(*checks)}; 4: {_rows(*peer)}; 5: {'0.1M' if quick else '1M'}; "
        f"7: {_rows(scaling)}; 8: {_rows(spark)}"
    )


def _rows(*counts: int) -> str:
    return ", ".join(f"{n / 1e6:g}M" for n in counts)


def cap(largest: int) -> None:
    """``--largest ROWS``: the largest file of section 1 becomes ROWS rows (and no file of
    it is larger); no file of sections 4, 7 and 8 has more than ROWS rows."""
    bench_checks.FULL_SIZES = _capped(bench_checks.FULL_SIZES, largest, replace=True)
    bench_peer.FULL_SIZES = _capped(bench_peer.FULL_SIZES, largest)
    rows, counts, repeat = bench_scaling.FULL
    bench_scaling.FULL = (min(rows, largest), counts, repeat)
    spark_rows, spark_repeat = bench_spark.FULL
    bench_spark.FULL = (min(spark_rows, largest), spark_repeat)


def _capped(sizes: dict[int, int], largest: int, *, replace: bool = False) -> dict[int, int]:
    """``sizes`` (rows -> repetitions) without files above ``largest``; a removed size (or,
    with ``replace``, the largest) gives its repetitions to ``largest``."""
    biggest = max(sizes)
    kept = {n: r for n, r in sizes.items() if n < largest and not (replace and n == biggest)}
    if len(kept) < len(sizes):
        kept[largest] = sizes[biggest]
    return dict(sorted(kept.items()))
