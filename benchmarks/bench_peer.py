"""4. End to end: whole commands as fresh processes, against one hand-written query and the peer.

Every measurement is a command a user would type, timed from process start to exit (the peak
RSS read by a small launcher, see common.run_child), on the same Parquet file and the same
rules: contracts/bench_peer.odcs.yaml, the 13 checks that odcs-codegen and datacontract-cli
both execute (datacontract-cli does not run the `engine: dqx` rules nor a composite duplicate
rule in percent). The commands, interleaved round by round:

* hand-written: a fresh Python that imports duckdb and runs one query computing the same 13
  values (bench_checks.HAND_COLUMNS) - the floor any tool pays;
* `odcs-codegen run CONTRACT --data orders=FILE` (module cache warm: one untimed run first);
* `python -m package.bench_peer --data orders=FILE`, the generated module (bytecode compiled);
* `datacontract test CONTRACT --server local` when datacontract-cli is found (see peers.py).
"""

from __future__ import annotations

import compileall
import os
import sys
import tempfile
from pathlib import Path

from . import data, peers
from .bench_checks import codegen_command, hand_query
from .common import (
    Child,
    Row,
    Timing,
    both,
    interleaved_children,
    mb,
    python_env,
    ratio,
    timing_row,
)
from .generated import PACKAGE, generate

SECTION = "4. End to end: fresh processes, datacontract-cli"
PEER_PACKAGE = PACKAGE + "_peer"
PEER_CHECKS = (
    "not_empty",
    "order_id: required",
    "order_id: unique",
    "customer_id: required",
    "status: required",
    "status_valid",
    "amount_nulls",
    "quantity: minimum",
    "quantity: maximum",
    "country_missing",
    "email_format",
    "created_at: required",
    "few_big_bulk_orders",
)
QUICK_SIZES: dict[int, int] = {50_000: 1}  # rows -> rounds
FULL_SIZES: dict[int, int] = {1_000_000: 3, 5_000_000: 3, 20_000_000: 3}
TARGETS: dict[int, float] = {5_000_000: 1.7, 20_000_000: 1.2}  # odcs-codegen run / hand-written
HAND_CHILD = "import sys, duckdb\nprint(duckdb.connect().execute(sys.argv[1]).fetchone())\n"
DQLIB_IMPORTS = "import dqx.api, dqx.orm.repositories, duckdb, pyarrow, pyarrow.parquet"
FLOOR_CHILD = f"{DQLIB_IMPORTS}\n{HAND_CHILD}"  # what any tool built on dqlib pays at least


def peer_package(folder: Path) -> Path:
    """Generate the peer contract's package into ``folder`` (bytecode compiled, as installed)."""
    output = generate(folder, peers.PEER_CONTRACT, PEER_PACKAGE)
    compileall.compile_dir(str(output), quiet=1)
    return output


def commands(folder: Path, contract: Path, parquet: Path) -> dict[str, Child]:
    """The compared commands (``contract`` carries a local server reading ``parquet``)."""
    env = python_env()
    env["PYTHONPATH"] = str(folder) + os.pathsep + env["PYTHONPATH"]
    data_arg = f"orders={parquet}"
    query = hand_query(parquet, PEER_CHECKS)
    children = {
        "hand": Child((sys.executable, "-c", HAND_CHILD, query)),
        "floor": Child((sys.executable, "-c", FLOOR_CHILD, query)),
        "run": Child((*codegen_command(), "run", str(contract), "--data", data_arg), cwd=folder),
        "module": Child(
            (sys.executable, "-m", f"{PEER_PACKAGE}.bench_peer", "--data", data_arg),
            env=env,
            cwd=folder,
        ),
    }
    tool = peers.datacontract()
    if tool.found:
        children["peer"] = Child(tuple(peers.datacontract_test(tool, contract)), cwd=folder)
    return children


def skipped_row(tool: peers.Tool) -> Row:
    """The row that says a peer was not measured, and how to install it."""
    return Row(SECTION, peers.skipped(tool), unit="", note=f"install: {peers.install_hint(tool)}")


def size_rows(count: int, results: dict[str, tuple[Timing, int]]) -> list[Row]:
    """The rows of one file size."""
    size = f"{count / 1e6:g}M rows"
    (hand, hand_peak), (ours, ours_peak) = results["hand"], results["run"]
    module, module_peak = results["module"]
    floor = results["floor"][0]
    goal = f"; target <= {TARGETS[count]}x" if count in TARGETS else ""
    inside = "start-up, imports, compile (cached), schema check, dqlib, the query, the report"
    rows = [
        timing_row(
            SECTION,
            f"hand-written query (python + duckdb), {size}",
            hand,
            note=f"baseline: import duckdb + one query; peak RSS {mb(hand_peak):,.0f} MB",
            series="rows|hand-written query, fresh process, 13 checks",
            x=count,
        ),
        timing_row(
            SECTION,
            f"  the floor: import dqlib + duckdb + pyarrow, then that query, {size}",
            floor,
            ratio=both(floor, hand, ratio),
            note="vs hand-written: the least any tool built on dqlib pays",
        ),
        timing_row(
            SECTION,
            f"odcs-codegen run, {size}",
            ours,
            ratio=both(ours, hand, ratio),
            note=f"vs hand-written{goal}; {both(ours, floor, ratio)} of the floor; whole "
            f"process: {inside}; peak RSS {mb(ours_peak):,.0f} MB",
            series="rows|odcs-codegen run, fresh process, 13 checks",
            x=count,
        ),
        timing_row(
            SECTION,
            f"python -m package.module (generated), {size}",
            module,
            ratio=both(module, hand, ratio),
            note=f"vs hand-written; no compile step; peak RSS {mb(module_peak):,.0f} MB",
            series="rows|python -m generated module, fresh process, 13 checks",
            x=count,
        ),
    ]
    if "peer" in results:
        peer, peer_peak = results["peer"]
        rows += [
            timing_row(
                SECTION,
                f"datacontract test, {size}",
                peer,
                ratio=both(peer, ours, ratio) + " of odcs-codegen run",
                note=f"{both(peer, hand, ratio)} of hand-written; peak RSS {mb(peer_peak):,.0f} MB"
                f" = {peer_peak / max(ours_peak, 1):.2f}x odcs-codegen run's",
                series="rows|datacontract test, fresh process, 13 checks",
                x=count,
            )
        ]
    return rows


def run(quick: bool) -> list[Row]:
    """The rows of section 4 (a "skipped" row for the peer when datacontract-cli is missing)."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    tool = peers.datacontract()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="odcs-bench-e2e-") as temp:
        folder = Path(temp)
        peer_package(folder)
        for count, repeat in sizes.items():
            parquet = data.shared_file(count)
            contract = peers.contract_with_server(folder / "bench_peer.odcs.yaml", parquet)
            rows += size_rows(
                count, interleaved_children(commands(folder, contract, parquet), repeat)
            )
    if not tool.found:
        rows.append(skipped_row(tool))
    else:
        rows.append(
            Row(SECTION, f"  ({tool.name} {tool.version})", unit="", note="the peer's version")
        )
    return rows


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
