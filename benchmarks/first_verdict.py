"""Start-up, the headline: a fresh process until its first verdict, nothing excluded.

On a 1,000-row Parquet file (so the scan costs nothing) and the 13 checks of
contracts/bench_peer.odcs.yaml, each command is a fresh process, timed from start to exit,
interleaved round by round:

* `python -m package.bench_peer --data orders=FILE`: the generated module, bytecode compiled;
* `odcs-codegen run CONTRACT --data orders=FILE`, module cache warm, and with `--no-cache`;
* dqlib's own ODCS interpreter on its main branch, `Contract.from_odcs(path)`: it parses and
  validates the contract but has no `to_checks` yet, so it builds no check and gives no
  verdict (its time is a lower bound for an interpreter built on it);
* `datacontract test CONTRACT --server local` (datacontract-cli), on the same contract and file.

Extra rows split the generated module's time: the interpreter alone, importing dqlib + duckdb +
pyarrow, those imports plus the hand-written query (the floor), and a hand-written dqlib suite
of the same 13 checks (each value a `custom_sql` of the hand-written query's expressions, a
plain comparison, one run: what any tool built on dqlib pays). "Own overhead" is a command
minus that dqlib suite, per round: odcs-codegen's share (its module, schema check, exact
comparisons, verdicts and report). "Over the floor" is a command minus the floor: dqlib's run
machinery (its graph, sympy, metric database) and ours together.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from . import data, peers
from .bench_checks import HAND_COLUMNS
from .bench_peer import DQLIB_IMPORTS, PEER_CHECKS, commands, peer_package
from .common import (
    Child,
    Row,
    Timing,
    both,
    differences,
    interleaved_children,
    mb,
    speedup,
    timing_row,
)

SECTION = "2. Start-up"
ROWS = 1_000
OVERHEAD_TARGET_MS = 100
IMPORTS = DQLIB_IMPORTS
# A person's dqlib suite of the 13 values: argv[1] the Parquet file, argv[2] name -> SQL (JSON).
DQLIB_SUITE = """\
import datetime, json, logging, sys
import duckdb
from dqx.api import VerificationSuite, check
from dqx.common import ResultKey
from dqx.datasource import DuckRelationDataSource
from dqx.orm.repositories import InMemoryMetricDB

values = json.loads(sys.argv[2])


@check(name="orders", datasets=["orders"])
def orders(mp, ctx):
    for name, sql in values.items():
        ctx.assert_that(mp.custom_sql(sql)).config(name=name).is_geq(0)


location = sys.argv[1].replace("'", "''")
relation = duckdb.connect().sql(f"SELECT * FROM read_parquet('{location}')")
suite = VerificationSuite(
    checks=[orders], db=InMemoryMetricDB(), name="orders", log_level=logging.ERROR
)
key = ResultKey(datetime.date.today(), {})
suite.run([DuckRelationDataSource(relation, "orders")], key, enable_plugins=False)
for result in suite.collect_results():
    print(result.assertion, result.status)
"""


# The same work, timed inside a fresh process after the shared imports (their noise left out):
# the child writes the seconds on stderr.
_ELAPSED = "__elapsed__ "
# What each timed child prints once it has its verdicts (a report, the suite's results, a row).
_VERDICTS = {"module": "13 assertions", "run": "13 assertions", "dqlib": "PASSED", "floor": "("}
_MODULE_BODY = """\
import runpy
name = sys.argv.pop(1)
try:
    runpy.run_module(name, run_name="__main__", alter_sys=True)
except SystemExit:
    pass
"""
_RUN_BODY = "from odcs_codegen.cli import main\nmain(sys.argv[1:])\n"
_QUERY_BODY = "print(duckdb.connect().execute(sys.argv[1]).fetchone())\n"


def timed(body: str) -> str:
    """``body`` after the shared imports, its time written to stderr."""
    return (
        f"import sys, time\n{IMPORTS}\nstart = time.perf_counter()\n{body}\n"
        f"sys.stderr.write('\\n{_ELAPSED}%r\\n' % (time.perf_counter() - start))\n"
    )


def timed_children(base: dict[str, Child], parquet: Path) -> dict[str, Child]:
    """The module, `odcs-codegen run`, the dqlib suite and the hand-written query, each timed
    from after the shared imports to its end (``base``: the commands of ``children``)."""
    python = sys.executable
    module, run = base["module"], base["run"].argv
    return {
        "module": Child(
            (python, "-c", timed(_MODULE_BODY), *module.argv[2:]), env=module.env, cwd=module.cwd
        ),
        "run": Child(
            (python, "-c", timed(_RUN_BODY), *run[run.index("run") :]), cwd=base["run"].cwd
        ),
        "dqlib": Child((python, "-c", timed(DQLIB_SUITE), str(parquet), _values())),
        "floor": Child((python, "-c", timed(_QUERY_BODY), base["floor"].argv[-1])),
    }


def _reported(name: str, out: str, stderr: str) -> float:
    """The seconds a timed child wrote on stderr, once it has printed its verdicts."""
    times = [line for line in stderr.splitlines() if line.startswith(_ELAPSED)]
    if not times or _VERDICTS[name] not in out:
        raise RuntimeError(f"{name} gave no verdicts:\n{out[-2000:]}\n{stderr[-3000:]}")
    return float(times[-1][len(_ELAPSED) :])


def children(folder: Path) -> dict[str, Child]:
    """Every compared command, on a tiny file."""
    parquet = data.shared_file(ROWS)
    contract = peers.contract_with_server(folder / "bench_peer.odcs.yaml", parquet)
    base = commands(folder, contract, parquet)
    found = {
        "module": base["module"],
        "run": base["run"],
        "cold": Child((*base["run"].argv, "--no-cache"), cwd=folder),
        "pass": Child((sys.executable, "-c", "pass")),
        "imports": Child((sys.executable, "-c", IMPORTS)),
        "floor": base["floor"],
        "dqlib": Child((sys.executable, "-c", DQLIB_SUITE, str(parquet), _values())),
    }
    if "peer" in base:
        found["peer"] = base["peer"]
    tool = peers.dqx_main()
    if tool.found:
        found["dqx"] = Child((*tool.argv, str(contract)), exit_codes=(0,))
    return found


def _median_only(section: str, name: str, timing: Timing, **fields: str) -> Row:
    """A row of per-round differences: their median (a minimum of differences means nothing)."""
    return dataclasses.replace(timing_row(section, name, timing, unit="ms", **fields), minimum=None)


def _values() -> str:
    """The 13 checks' SQL expressions by name, as JSON (argv of DQLIB_SUITE)."""
    return json.dumps({name: HAND_COLUMNS[name] for name in PEER_CHECKS})


def headline_rows(results: dict[str, tuple[Timing, int]]) -> list[Row]:
    """Generated module against dqlib main's interpreter and datacontract-cli."""
    module, module_peak = results["module"]
    name = "fresh process to first verdict"
    rows = [
        timing_row(
            SECTION,
            f"{name}: python -m generated module",
            module,
            unit="ms",
            note=f"baseline; everything a fresh process pays (interpreter, imports, dqlib's "
            f"first suite, 13 checks, report); peak RSS {mb(module_peak):,.0f} MB",
        ),
    ]
    for key, label, what in (
        ("run", "odcs-codegen run (module cache warm)", "compiles through the cache"),
        ("cold", "odcs-codegen run --no-cache", "compiles the contract (no black)"),
        ("dqx", "dqlib main Contract.from_odcs", "parse + validate only: no checks, no verdict"),
        ("peer", "datacontract test", "same contract and file"),
    ):
        if key in results:
            timing, peak = results[key]
            rows.append(
                timing_row(
                    SECTION,
                    f"{name}: {label}",
                    timing,
                    unit="ms",
                    ratio=f"generated {both(timing, module, speedup)}",
                    note=f"{what}; peak RSS {mb(peak):,.0f} MB",
                )
            )
    return rows


def floor_rows(results: dict[str, tuple[Timing, int]]) -> list[Row]:
    """Where a fresh process's time goes: the interpreter, the imports, the floor, a dqlib suite."""
    return [
        timing_row(SECTION, "  python -c pass", results["pass"][0], unit="ms", note="interpreter"),
        timing_row(SECTION, "  import dqlib + duckdb + pyarrow", results["imports"][0], unit="ms"),
        timing_row(
            SECTION,
            "  the floor: those imports + the hand-written query",
            results["floor"][0],
            unit="ms",
            note="the least any tool built on dqlib pays for these values on this file",
        ),
        timing_row(
            SECTION,
            "  a hand-written dqlib suite of the same 13 checks",
            results["dqlib"][0],
            unit="ms",
            note="those imports + custom_sql of each hand-written expression, plain comparisons, "
            "plugins off as in generated runs",
        ),
    ]


def overhead_rows(inner: dict[str, Timing]) -> list[Row]:
    """odcs-codegen's own overhead: the time after the shared imports, against a hand-written
    dqlib suite's (per round, median)."""
    dqlib, floor = inner["dqlib"], inner["floor"]
    after = "after importing dqlib + duckdb + pyarrow"
    rows = [
        timing_row(SECTION, f"  {after}: the hand-written query", floor, unit="ms"),
        timing_row(SECTION, f"  {after}: the hand-written dqlib suite", dqlib, unit="ms"),
        _median_only(
            SECTION,
            "  dqlib's run machinery: that suite - the query",
            differences(dqlib, floor),
            note="per round; its check graph, sympy, SQL formatting, metric database",
        ),
    ]
    for key, label, extra in (
        ("module", "python -m module", ""),
        ("run", "odcs-codegen run (warm cache)", "; our imports, configuration, module cache"),
    ):
        rows += [
            timing_row(SECTION, f"  {after}: {label}", inner[key], unit="ms"),
            _median_only(
                SECTION,
                f"  own overhead: {label} - the dqlib suite",
                differences(inner[key], dqlib),
                ratio=f"target < {OVERHEAD_TARGET_MS} ms",
                note="per round, both timed after the shared imports; ours: the module, schema "
                f"check, exact comparisons, verdicts, report{extra}",
            ),
        ]
    return rows


def skipped_rows() -> list[Row]:
    """Rows for the peers that were not found."""
    rows = []
    for tool in (peers.dqx_main(), peers.datacontract()):
        if not tool.found:
            note = f"install: {peers.install_hint(tool)}"
            rows.append(Row(SECTION, peers.skipped(tool), unit="", note=note))
    return rows


def run(folder: Path, repeat: int) -> list[Row]:
    """The headline rows of section 2 (``folder``: a scratch folder)."""
    peer_package(folder)
    found = children(folder)
    results = interleaved_children(found, repeat)
    timed_found = timed_children(found, data.shared_file(ROWS))
    inner = interleaved_children(timed_found, repeat * 2, reported=_reported)
    overheads = overhead_rows({name: timing for name, (timing, _) in inner.items()})
    return headline_rows(results) + floor_rows(results) + overheads + skipped_rows()
