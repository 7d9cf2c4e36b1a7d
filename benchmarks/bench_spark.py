"""8. Spark: the generated Spark suite against one hand-written Spark SQL aggregate; jobs;
a partition-scoped run against a full one.

Everything runs in one local Spark session (``local[*]``, so one task slot per core; the UI
off; ``spark.sql.shuffle.partitions`` = the core count, the usual setting for a local
session, instead of 200; 4 GiB driver memory), on the orders Parquet file of section 1
(data.py). The contract is contracts/bench.odcs.yaml without its ``type: sql`` rule (19
assertions), compiled with ``--dialect spark``. Interleaved, after one untimed warm-up each
(which also checks that both compute the same values):

* generated: ``spark.read.parquet(FILE)``, then the module's ``run({"orders": frame})``: the
  schema check on the Spark schema, dqlib's suite, its one aggregate query, exact results;
* hand-written: ``spark.read.parquet(FILE)`` as a temporary view, then one SELECT computing
  the same 19 values, ``collect()``; at the session's defaults (adaptive execution on; the
  generated run turns it off while it runs, so that its metrics are one job).

Jobs are counted per call with a job group and the status tracker, separately for opening
the file and for the metrics. The bench contract with its ``type: sql`` rule is counted once
on a small file. Then the same rows as 30 daily hive partitions (``order_date=YYYY-MM-DD/``)
and the contract with a partition key (``partitioned: true``, ``partitionKeyPosition: 1``):
``run({"orders": FOLDER}, partition=DAY)`` against ``run({"orders": FOLDER})``, both opening
the folder themselves.
"""

from __future__ import annotations

import datetime
import itertools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import yaml  # type: ignore[import-untyped,unused-ignore]

from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings

from . import data
from .bench_checks import disagreements
from .common import Row, Timing, both, clock, interleaved, ratio, timing_row
from .generated import BENCH_CONTRACT, generate, import_generated

SECTION = "8. Spark"
QUICK: tuple[int, int] = (200_000, 1)  # rows, timed rounds
FULL: tuple[int, int] = (5_000_000, 2)
TARGET = 1.2  # generated / hand-written
JOBS_ROWS = 50_000  # the file on which the contract with its type: sql rule is counted
DAYS = 30
FIRST_DAY = datetime.date(2026, 1, 1)
SQL_RULE = "few_big_bulk_orders"
SPARK = Settings(options=Options(dialect="spark"))
VIEW = "odcs_bench_hand_orders"
STATUSES = "'pending', 'paid', 'shipped', 'delivered', 'cancelled'"
EMAIL = "[a-z0-9._]+@[a-z0-9.-]+"
# The values of the 19 assertions in Spark SQL, as a person would write them (the pattern
# rule, like the generated check, counts values in which the pattern is not found).
HAND_COLUMNS: dict[str, str] = {
    "not_empty": "COUNT(*)",
    "order_id: required": "COUNT(*) FILTER (WHERE order_id IS NULL)",
    "order_id: unique": "COUNT(order_id) - COUNT(DISTINCT order_id)",
    "order_id_positive": "MIN(order_id)",
    "customer_id: required": "COUNT(*) FILTER (WHERE customer_id IS NULL)",
    "status: required": "COUNT(*) FILTER (WHERE status IS NULL)",
    "status_valid": f"COUNT(*) FILTER (WHERE status NOT IN ({STATUSES}))",
    "status_cardinality": "COUNT(DISTINCT status)",
    "amount_nulls": "100.0 * COUNT(*) FILTER (WHERE amount IS NULL) / COUNT(*)",
    "amount_min": "MIN(amount)",
    "amount_max": "MAX(amount)",
    "amount_mean": "AVG(amount)",
    "amount_p95": "percentile(amount, 0.95)",
    "quantity: minimum": "COUNT(*) FILTER (WHERE quantity < 1)",
    "quantity: maximum": "COUNT(*) FILTER (WHERE quantity > 100)",
    "country_missing": (
        "100.0 * COUNT(*) FILTER (WHERE country IS NULL OR country IN ('', 'N/A')) / COUNT(*)"
    ),
    "email_format": f"COUNT(*) FILTER (WHERE NOT email RLIKE '{EMAIL}')",
    "created_at: required": "COUNT(*) FILTER (WHERE created_at IS NULL)",
    "one_order_per_customer_and_time": (
        "100.0 * (COUNT(*) FILTER (WHERE customer_id IS NOT NULL AND created_at IS NOT NULL)"
        " - COUNT(DISTINCT customer_id, created_at)) / COUNT(*)"
    ),
}


def hand_query() -> str:
    """The hand-written single aggregate over the view VIEW (columns in HAND_COLUMNS order)."""
    columns = ",\n  ".join(f"{sql} AS c{i}" for i, sql in enumerate(HAND_COLUMNS.values()))
    return f"SELECT\n  {columns}\nFROM {VIEW}"


def contract(target: Path, *, sql_rule: bool = False, partitioned: bool = False) -> Path:
    """The bench contract, without its ``type: sql`` rule unless ``sql_rule``, with an
    ``order_date`` partition key when ``partitioned``; written to ``target``."""
    document = yaml.safe_load(BENCH_CONTRACT.read_text(encoding="utf-8"))
    orders = document["schema"][0]
    if not sql_rule:
        orders["quality"] = [r for r in orders["quality"] if r.get("name") != SQL_RULE]
    if partitioned:
        key = {"partitioned": True, "partitionKeyPosition": 1}
        orders["properties"].append({"name": "order_date", "logicalType": "date", **key})
    document["id"] = f"{document['id']}-{target.stem.replace('.odcs', '')}"
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def spark_module(folder: Path, name: str, **variant: bool) -> Any:
    """A contract variant (see ``contract``) compiled for Spark and imported."""
    path = contract(folder / f"{name}.odcs.yaml", **variant)
    package = f"odcs_bench_spark_{name}"
    generate(folder, path, package, SPARK)
    return import_generated(folder, name, package)


def start_session() -> tuple[Any, bool]:
    """The active Spark session, else a new local one; and whether it was started here."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    session = (
        SparkSession.builder.master("local[*]")
        .appName("odcs-codegen-benchmarks")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(os.cpu_count() or 1))
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session, True


class Jobs:
    """Runs actions in job groups of their own; counts each group's Spark jobs afterwards
    (when the listener bus has long caught up)."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.groups: dict[str, list[str]] = {}
        self._ids = itertools.count()

    def run(self, label: str, action: Callable[[], Any]) -> Any:
        """``action()`` with its jobs in a new group of ``label``."""
        group = f"odcs-bench-{label}-{next(self._ids)}"
        self.groups.setdefault(label, []).append(group)
        self.context.setJobGroup(group, label)
        try:
            return action()
        finally:
            self.context.setJobGroup("odcs-bench-idle", "between measurements")

    def counts(self, label: str) -> list[int]:
        """The jobs of every call of ``label``, in order."""
        tracker = self.context.statusTracker()
        return [len(tracker.getJobIdsForGroup(g)) for g in self.groups.get(label, [])]


def values(results: Any) -> dict[str, float]:
    """dqlib's results as exact values by assertion name."""
    return {r.assertion: float(r.metric.unwrap()) for r in results}


def generated_run(session: Any, jobs: Jobs, module: Any, path: Path, name: str) -> Any:
    """Read ``path``, run the module's checks on the frame; dqlib's results."""
    frame = jobs.run(f"{name}: open", lambda: session.read.parquet(str(path)))
    return jobs.run(f"{name}: metrics", lambda: module.run({"orders": frame}))


def hand_run(session: Any, jobs: Jobs, path: Path, name: str = "hand") -> dict[str, float]:
    """Read ``path`` as the view VIEW, run the hand-written query; values by assertion."""
    frame = jobs.run(f"{name}: open", lambda: session.read.parquet(str(path)))
    frame.createOrReplaceTempView(VIEW)
    row = jobs.run(f"{name}: metrics", lambda: session.sql(hand_query()).collect()[0])
    return {name: float(row[i]) for i, name in enumerate(HAND_COLUMNS)}


def comparison_rows(session: Any, folder: Path, rows: int, repeat: int) -> list[Row]:
    """Generated run against the hand-written aggregate; the jobs of each."""
    module = spark_module(folder, "bench_spark")
    path = data.shared_file(rows)
    jobs = Jobs(session.sparkContext)
    found = values(generated_run(session, jobs, module, path, "warm-up"))
    problems = disagreements(found, hand_run(session, jobs, path, "warm-up hand"))
    if problems:
        raise RuntimeError("generated and hand-written values differ:\n" + "\n".join(problems))
    timings = interleaved(
        {
            "generated": lambda: generated_run(session, jobs, module, path, "generated"),
            "hand": lambda: hand_run(session, jobs, path),
        },
        repeat,
    )
    session.catalog.dropTempView(VIEW)
    small = data.shared_file(JOBS_ROWS)
    with_sql = spark_module(folder, "bench_spark_sql", sql_rule=True)
    generated_run(session, jobs, with_sql, small, "sql rule")
    generated, hand = timings["generated"], timings["hand"]
    size = f"{rows / 1e6:g}M rows"
    metric_jobs = jobs.counts("generated: metrics")
    hand_jobs = jobs.counts("hand: metrics")
    sql_jobs = jobs.counts("sql rule: metrics")
    opened = jobs.counts("generated: open") + jobs.counts("hand: open")
    return [
        timing_row(
            SECTION,
            f"generated run(), {size}",
            generated,
            ratio=both(generated, hand, ratio),
            note=f"vs hand-written, target <= {TARGET}x; {len(found)} values agree; timed: "
            "read.parquet + run(frame) (schema check, dqlib suite, one aggregate query, "
            "exact results)",
        ),
        timing_row(
            SECTION,
            f"hand-written Spark SQL aggregate, {size}",
            hand,
            note=f"baseline; timed: read.parquet + temp view + one SELECT + collect(); "
            f"{repeat} interleaved reps after a warm-up each",
        ),
        Row(
            SECTION,
            "Spark jobs of the generated metrics, per run",
            float(max(metric_jobs)),
            None,
            "jobs",
            "target 1",
            f"every run: {metric_jobs}; opening the file (either side) adds {sorted(set(opened))}"
            " (Parquet schema)",
        ),
        Row(
            SECTION,
            "Spark jobs of the hand-written query, per run",
            float(max(hand_jobs)),
            None,
            "jobs",
            "",
            f"every run: {hand_jobs}; adaptive execution (session default) makes each "
            "shuffle stage a job",
        ),
        Row(
            SECTION,
            "Spark jobs with the bench contract's type: sql rule",
            float(max(sql_jobs)),
            None,
            "jobs",
            "",
            f"{JOBS_ROWS / 1e3:g}k rows, 20 assertions: the rule's query is a scalar subquery, "
            "which Spark runs as a job of its own",
        ),
    ]


def write_days(source: Path, folder: Path) -> dict[str, int]:
    """``source``'s rows as DAYS hive partitions ``order_date=YYYY-MM-DD/`` in ``folder``;
    rows per day."""
    location = str(source).replace("'", "''")
    select = (
        f"SELECT *, DATE '{FIRST_DAY.isoformat()}' + CAST(order_id % {DAYS} AS INTEGER)"
        f" AS order_date FROM read_parquet('{location}')"
    )
    target = str(folder).replace("'", "''")
    connection = duckdb.connect()
    try:
        options = "FORMAT parquet, PARTITION_BY (order_date)"
        connection.execute(f"COPY ({select}) TO '{target}' ({options})")
        counted = connection.execute(
            f"SELECT CAST(order_date AS VARCHAR), COUNT(*) FROM ({select}) GROUP BY 1"
        ).fetchall()
    finally:
        connection.close()
    return {str(day): int(count) for day, count in counted}


def partition_rows(session: Any, folder: Path, rows: int, repeat: int) -> list[Row]:
    """A run restricted to one of DAYS partitions against a run over all of them."""
    module = spark_module(folder, "bench_spark_days", partitioned=True)
    days = folder / "orders_by_day"
    source = data.shared_file(rows)
    per_day: dict[str, int] = {}
    written = Timing((clock(lambda: per_day.update(write_days(source, days))),))
    day = (FIRST_DAY + datetime.timedelta(days=DAYS // 2)).isoformat()
    jobs = Jobs(session.sparkContext)
    last: dict[str, Any] = {}

    def one() -> None:
        last["one"] = jobs.run("one", lambda: module.run({"orders": str(days)}, partition=day))

    def full() -> None:
        last["full"] = jobs.run("full", lambda: module.run({"orders": str(days)}))

    timings = interleaved({"one": one, "full": full}, repeat)
    expected = {"one": per_day[day], "full": sum(per_day.values())}
    for key, results in last.items():
        counted = values(results)["not_empty"]
        if counted != expected[key]:
            raise RuntimeError(f"{key}: rowCount {counted}, expected {expected[key]}")
    size = f"{rows / 1e6:g}M rows"
    return [
        timing_row(
            SECTION,
            f"run(partition=DAY), 1 of {DAYS} days, {size} in all",
            timings["one"],
            ratio=both(timings["one"], timings["full"], ratio) + " of the full run",
            note=f"timed: run(FOLDER, partition='{day}'): lists and reads only that day's files, "
            f"WHERE on order_date, the same 19 assertions; rowCount {expected['one']:,} agrees; "
            f"jobs per run {jobs.counts('one')}",
        ),
        timing_row(
            SECTION,
            f"run() over all {DAYS} days, {size}",
            timings["full"],
            note=f"baseline; timed: run(FOLDER), every file; rowCount {expected['full']:,} "
            f"agrees; jobs per run {jobs.counts('full')}; {repeat} interleaved reps",
        ),
        timing_row(
            SECTION,
            f"  (writing the {DAYS} partitions with DuckDB)",
            written,
            note="setup, once",
        ),
    ]


def skipped(reason: str) -> list[Row]:
    """The row that says the section was not measured."""
    hint = "install: pip install 'odcs-codegen[spark]' (pyspark needs Java 17 or later)"
    return [Row(SECTION, f"skipped: Spark: {reason}", unit="", note=hint)]


def run(quick: bool, rows: int | None = None) -> list[Row]:
    """The rows of section 8 (``rows``: the file size instead of the mode's), or one
    "skipped" row when pyspark is not installed or no local session starts."""
    try:
        import pyspark
    except ImportError:
        return skipped("pyspark is not installed")
    count, repeat = QUICK if quick else FULL
    count = rows or count
    started: list[tuple[Any, bool]] = []
    try:
        began = Timing((clock(lambda: started.append(start_session())),))
    except Exception as error:  # no Java, no room for the driver, ...
        return skipped(f"no local session ({str(error).strip().splitlines()[0][:200]})")
    session, owned = started[0]
    cores = session.sparkContext.defaultParallelism
    try:
        with tempfile.TemporaryDirectory(prefix="odcs-bench-spark-") as temp:
            folder = Path(temp)
            found = comparison_rows(session, folder, count, repeat)
            found += partition_rows(session, folder, count, repeat)
    finally:
        if owned:
            session.stop()
    found.append(
        timing_row(
            SECTION,
            "  (starting the local Spark session)",
            began,
            note=f"setup, once; pyspark {pyspark.__version__}, local[*] = {cores} task slots",
        )
    )
    return found


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
