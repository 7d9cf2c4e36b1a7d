"""5. Profiles: where the slowest stage of each measurement spends its time (cProfile).

Each profile is one run of a stage (the cumulative time of its top function, or the whole
process for command lines), split into the parts that are odcs-codegen's own cost
(black, Jinja, schema compilation, imports at start-up, lowering) and the parts that are not
(DuckDB executing the SQL, dqlib). Times are from a single profiled run, so they carry the
profiler's overhead: read them as shares of the stage, not as timings.

* `odcs-codegen run` (fresh process, module cache warm): start-up imports, the module cache,
  executing the module in memory, the dqlib run and its SQL;
* the generated module's `run()` in-process: SQL queries per run and Python overhead;
* start-up of a generated module in a fresh Python: import vs first suite (dqlib / sympy);
* a cold `build()` of synthetic contracts: black, Jinja, loading, validation, lowering;
* `odcs-codegen generate` after one contract changed (fresh process);
* import time of `odcs_codegen.cli` by package (`python -X importtime`).
"""

from __future__ import annotations

import json
import os
import pstats
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from odcs_codegen.cache import ModuleCache
from odcs_codegen.compiler import build
from odcs_codegen.settings import Settings

from . import data, synthetic
from .bench_checks import run_generated
from .bench_compiler import clear_process_caches
from .common import Row, python_child, python_env, run_child
from .generated import BENCH_CONTRACT, PACKAGE, generate, import_generated

SECTION = "5. Profiles (odcs-codegen's own cost)"
Match = Callable[[str, int, str], bool]


def calls_and_time(stats: pstats.Stats, match: Match) -> tuple[int, float]:
    """(calls, cumulative seconds) of the matching function with the largest cumulative time."""
    best = (0, 0.0)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for key, (_, calls, _, cumulative, _) in raw.items():
        if match(*key) and cumulative > best[1]:
            best = (int(calls), float(cumulative))
    return best


def fn(name: str, file: str = "") -> Match:
    """Functions called ``name`` in a file whose path contains ``file``."""
    fragment = file.replace("/", os.sep)
    return lambda f, line, n: n == name and fragment in f


def builtin(fragment: str) -> Match:
    """Built-in (C or mypyc) functions whose name contains ``fragment``."""
    return lambda f, line, n: f == "~" and fragment in n


IMPORTS = fn("_find_and_load", "importlib._bootstrap")


def row(name: str, seconds: float, total: float, of: str, note: str = "", calls: int = 0) -> Row:
    """A profile row: milliseconds, share of the stage, calls in the note."""
    share = f"{100 * seconds / total:.0f}% of {of}" if total > 0 else ""
    suffix = f"{calls} call(s)" if calls else ""
    text = "; ".join(part for part in (note, suffix) if part)
    return Row(SECTION, name, seconds * 1000, None, "ms", share, text)


def child_profile(argv: list[str], folder: Path, env: dict[str, str] | None = None) -> pstats.Stats:
    """cProfile a child Python (``python -m cProfile -o ... <argv>``)."""
    output = folder / f"profile-{len(list(folder.glob('profile-*')))}.prof"
    code, _, stderr, _, _ = run_child(
        [sys.executable, "-m", "cProfile", "-o", str(output), *argv],
        env=env or python_env(),
        cwd=folder,
    )
    if code not in (0, 1):
        raise RuntimeError(f"profiled child failed ({code}):\n{stderr[-3000:]}")
    return pstats.Stats(str(output))


def total_time(stats: pstats.Stats) -> float:
    return float(getattr(stats, "total_tt", 0.0))


def cli_run_rows(folder: Path, parquet: Path, size: str) -> list[Row]:
    """`odcs-codegen run CONTRACT --data orders=FILE` in a fresh, profiled process (module
    cache warm, as on every run after the first)."""
    argv = ["-m", "odcs_codegen.cli", "run", str(BENCH_CONTRACT), "--data", f"orders={parquet}"]
    run_child([sys.executable, *argv], cwd=folder)  # fills the module cache
    stats = child_profile(argv, folder)
    total = total_time(stats)
    stage = f"odcs-codegen run, {size}"

    def part(name: str, file: str) -> float:
        return calls_and_time(stats, fn(name, file))[1]

    calls, black = calls_and_time(stats, builtin("black.format_str"))
    queries, sql = calls_and_time(stats, fn("query", "_runtime/duckdb_source.py"))
    parts = [
        ("  imports (anywhere)", calls_and_time(stats, IMPORTS)[1], "dqlib, duckdb, pyarrow, ours"),
        ("  configuration (load_config)", part("load_config", "odcs_codegen/config"), ""),
        ("  compile through the module cache", part("_compiled_source", "odcs_codegen/run.py"), ""),
        (
            "    cache key (hash of the package's files)",
            part("cache_key", "odcs_codegen/cache.py"),
            "",
        ),
        ("    black.format_str", black, f"never in run; {calls} call(s)"),
        ("  execute the module in memory", part("_in_memory_module", "odcs_codegen/run.py"), ""),
        (
            "  run_report (data, schema, dqlib, SQL, report)",
            part("run_report", "_runtime/cli.py"),
            "",
        ),
        ("    open the data (open_sources)", part("open_sources", "_runtime/opening.py"), ""),
        ("    schema check", part("check_schema", "_runtime/suite.py"), ""),
        ("    dqlib: VerificationSuite() (graph, sympy)", part("__init__", "dqx/api.py"), ""),
        ("    dqlib: sqlparse.format of its query", part("format", "sqlparse/__init__.py"), ""),
        ("    dqlib: persist metrics (SQLAlchemy)", part("persist", "dqx/analyzer.py"), ""),
        ("    SQL (TableSource.query)", sql, f"DuckDB; {queries} call(s)"),
    ]
    rows = [row(f"{stage}: total (profiled)", total, total, stage, "warm module cache")]
    rows += [row(name, seconds, total, stage, note) for name, seconds, note in parts]
    return rows


def generated_run_rows(module: Any, parquet: Path, size: str) -> list[Row]:
    """The generated module's `run()` in this process: SQL against Python overhead."""
    run_generated(module, parquet)  # warm: first-use costs are the start-up section's
    from .common import profile

    stats = profile(lambda: run_generated(module, parquet))
    total = calls_and_time(stats, fn("run_generated", "benchmarks/bench_checks.py"))[1]
    stage = f"generated run(), {size}"
    queries, sql = calls_and_time(stats, fn("query", "_runtime/duckdb_source.py"))

    def part(name: str, file: str) -> float:
        return calls_and_time(stats, fn(name, file))[1]

    return [
        row(f"{stage}: total (profiled)", total, total, stage),
        row(
            "  SQL (TableSource.query)", sql, total, stage, "one batched query per dataset", queries
        ),
        row("  everything else (Python)", total - sql, total, stage, "dqlib + runtime"),
        row(
            "    dqlib: sqlparse.format of its query",
            part("format", "sqlparse/__init__.py"),
            total,
            stage,
            "dqx.analyzer pretty-prints every query, whatever the log level",
        ),
        row(
            "    dqlib: persist metrics (SQLAlchemy)",
            part("persist", "dqx/analyzer.py"),
            total,
            stage,
            "in-memory metric DB",
        ),
        row(
            "    TableSource.from_file",
            part("from_file", "_runtime/duckdb_source.py"),
            total,
            stage,
            "Parquet footer, view, connection",
        ),
        row(
            "    schema check",
            part("check_schema", "_runtime/suite.py"),
            total,
            stage,
            "_runtime.suite: column names and types",
        ),
        row(
            "    VerificationSuite() (graph)", part("__init__", "dqx/api.py"), total, stage, "dqlib"
        ),
    ]


STARTUP_CHILD = """
import cProfile, json, logging, pstats, sys, time
import duckdb, pyarrow, pyarrow.parquet, pyarrow.ipc
import dqx.api, dqx.orm.repositories, dqx.provider, dqx.common
from dqx.api import VerificationSuite
from dqx.orm.repositories import InMemoryMetricDB
times = dict()
profiler = cProfile.Profile()
start = time.perf_counter()
profiler.enable()
from {package} import bench
profiler.disable()
times["import"] = time.perf_counter() - start
imports = cProfile.Profile()
start = time.perf_counter()
imports.enable()
VerificationSuite(checks=bench.CHECKS, db=InMemoryMetricDB(), name="a", log_level=logging.WARNING)
imports.disable()
times["first suite"] = time.perf_counter() - start
start = time.perf_counter()
VerificationSuite(checks=bench.CHECKS, db=InMemoryMetricDB(), name="b", log_level=logging.WARNING)
times["second suite"] = time.perf_counter() - start
stats = pstats.Stats(imports)
times["imports in first suite"] = max(
    (v[3] for k, v in stats.stats.items() if k[2] == "_find_and_load"), default=0.0
)
print(json.dumps(times))
"""


def startup_rows(folder: Path) -> list[Row]:
    """Import of a generated module and its first suite, in a fresh Python."""
    env = python_env()
    env["PYTHONPATH"] = str(folder) + os.pathsep + env["PYTHONPATH"]
    stdout, _ = python_child(STARTUP_CHILD.format(package=PACKAGE), env=env)
    times = json.loads(stdout.strip().splitlines()[-1])
    stage = "generated start-up"
    total = times["import"] + times["first suite"]
    return [
        row(f"{stage}: import + first suite (profiled)", total, total, stage),
        row("  import the module (+ _runtime)", times["import"], total, stage),
        row("  first VerificationSuite()", times["first suite"], total, stage),
        row(
            "    imports during the first suite",
            times["imports in first suite"],
            total,
            stage,
            "sympy imports sympy.tensor/combinatorics on the first `metric - threshold`",
        ),
        row("  second VerificationSuite() (for contrast)", times["second suite"], total, stage),
    ]


def build_rows(folder: Path, quick: bool) -> list[Row]:
    """A cold `build()` of synthetic contracts in this process (workers=1, caches cleared)."""
    count, properties, rules = (2, 10, 4) if quick else (10, 40, 4)
    tree = folder / "profile-tree"
    synthetic.write_tree(tree, count, properties, rules)
    clear_process_caches()
    from .common import profile

    stats = profile(
        lambda: build(
            [tree], folder / "profile-out", Settings(), cache=ModuleCache(None), workers=1
        )
    )
    total = calls_and_time(stats, fn("build", "odcs_codegen/compiler.py"))[1]
    stage = f"cold build of {count} contracts ({properties} props x {rules} rules)"
    calls, black = calls_and_time(stats, builtin("black.format_str"))
    render = calls_and_time(stats, fn("render", "jinja2/environment.py"))[1]
    template = calls_and_time(stats, fn("get_template", "jinja2/environment.py"))[1]
    load = calls_and_time(stats, fn("load_file", "odcs_codegen/loader.py"))[1]
    validate = calls_and_time(stats, fn("validate_contract", "odcs_codegen/validation/"))[1]
    schema = calls_and_time(stats, fn("_validator", "odcs_codegen/validation/core.py"))[1]
    semantics = calls_and_time(stats, fn("semantic_errors", "odcs_codegen/semantics.py"))[1]
    lowered = calls_and_time(stats, fn("lower", "odcs_codegen/lower.py"))[1]
    connection = calls_and_time(stats, fn("_connection", "odcs_codegen/sqlrules.py"))[1]
    modules = max(calls - 2, 1)
    return [
        row(f"{stage}: total (profiled)", total, total, "build"),
        row(
            "  black.format_str",
            black,
            total,
            "build",
            f"{1000 * black / modules:.0f} ms per contract module",
            calls,
        ),
        row("  Jinja render", render, total, "build"),
        row(
            "  Jinja get_template (template compile)", template, total, "build", "once per process"
        ),
        row("  load_file (YAML with positions)", load, total, "build"),
        row("  validate_contract", validate, total, "build"),
        row("    compile JSON Schema (jsonschema-rs)", schema, total, "build"),
        row("  semantic_errors", semantics, total, "build"),
        row("  lower", lowered, total, "build"),
        row(
            "    DuckDB connection for regex checks",
            connection,
            total,
            "build",
            "sqlrules._connection",
        ),
    ]


def cli_generate_rows(folder: Path) -> list[Row]:
    """`odcs-codegen generate` with one contract changed, in a fresh, profiled process."""
    tree = folder / "generate-tree"
    synthetic.write_tree(tree, 20, 40, 4)
    env = python_env({"ODCS_CODEGEN_CACHE": str(folder / "generate-cache")})
    command = ["-m", "odcs_codegen.cli", "generate", str(tree), "-o", str(folder / "generate-out")]
    run_child([sys.executable, *command], env=env, cwd=folder)
    nothing = child_profile(command, folder, env)
    path = synthetic.contract_path(tree, 3)
    path.write_text(synthetic.contract_text(3, 40, 4, threshold=7), encoding="utf-8")
    stats = child_profile(command, folder, env)
    total = total_time(stats)
    stage = "generate, 1 of 20 changed"
    imports = calls_and_time(stats, IMPORTS)[1]
    calls, black = calls_and_time(stats, builtin("black.format_str"))
    template = calls_and_time(stats, fn("get_template", "jinja2/environment.py"))[1]
    schema = calls_and_time(stats, fn("_validator", "odcs_codegen/validation/core.py"))[1]
    connection = calls_and_time(stats, fn("_connection", "odcs_codegen/sqlrules.py"))[1]
    nothing_total = total_time(nothing)
    nothing_imports = calls_and_time(nothing, IMPORTS)[1]
    return [
        row(f"odcs-codegen {stage}: total (profiled)", total, total, stage),
        row("  imports", imports, total, stage),
        row("  black.format_str", black, total, stage, "the changed module", calls),
        row("  Jinja get_template (template compile)", template, total, stage),
        row("  compile JSON Schema (jsonschema-rs)", schema, total, stage),
        row("  DuckDB connection for SQL/regex checks", connection, total, stage),
        row(
            "odcs-codegen generate, nothing changed: total (profiled)",
            nothing_total,
            nothing_total,
            "no-op generate",
        ),
        row(
            "  imports",
            nothing_imports,
            nothing_total,
            "no-op generate",
            "never used when nothing changed: black, jinja2, duckdb",
        ),
    ]


def import_rows() -> list[Row]:
    """`python -X importtime -c 'import odcs_codegen.cli'`: the heaviest top-level packages."""
    code, _, stderr, _, _ = run_child(
        [sys.executable, "-X", "importtime", "-c", "import odcs_codegen.cli"]
    )
    if code != 0:
        raise RuntimeError(stderr[-3000:])
    inclusive: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:") :].split("|")
        try:
            cumulative = int(parts[1].strip())
        except ValueError:
            continue
        name = parts[2].strip()
        if "." not in name or name == "odcs_codegen.cli":
            inclusive[name] = max(inclusive.get(name, 0), cumulative)
    total = inclusive.get("odcs_codegen.cli", 0)
    wanted = (
        "black",
        "jinja2",
        "duckdb",
        "jsonschema",
        "jsonschema_rs",
        "yaml",
        "difflib",
        "tomllib",
    )
    rows = [
        row(
            "import odcs_codegen.cli: total (-X importtime)",
            total / 1e6,
            total / 1e6,
            "import",
            "inflated by -X importtime itself",
        )
    ]
    for name in wanted:
        if name in inclusive:
            rows.append(row(f"  {name}", inclusive[name] / 1e6, total / 1e6, "import"))
    return rows


def run(quick: bool) -> list[Row]:
    """The rows of section 5."""
    count = 100_000 if quick else 1_000_000
    size = f"{count / 1e6:g}M rows"
    with tempfile.TemporaryDirectory(prefix="odcs-bench-profile-") as temp:
        folder = Path(temp)
        parquet = data.shared_file(count)
        generate(folder)
        module = import_generated(folder)
        rows = cli_run_rows(folder, parquet, size)
        rows += generated_run_rows(module, parquet, size)
        rows += startup_rows(folder)
        rows += build_rows(folder, quick)
        if not quick:
            rows += cli_generate_rows(folder)
        rows += import_rows()
    return rows


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
