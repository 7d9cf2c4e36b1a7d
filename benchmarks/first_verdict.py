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
pyarrow, and those imports plus the hand-written query (the floor: what any dqlib-based tool
pays). "Own overhead" is a command minus that floor, per round: odcs-codegen's share.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import data, peers
from .bench_peer import commands, peer_package
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
IMPORTS = "import dqx.api, dqx.orm.repositories, duckdb, pyarrow, pyarrow.parquet"


def children(folder: Path) -> dict[str, Child]:
    """Every compared command, on a tiny file."""
    parquet = data.shared_file(ROWS)
    contract = peers.contract_with_server(folder / "bench_peer.odcs.yaml", parquet)
    base = commands(folder, contract, parquet)
    hand = base["hand"].argv
    found = {
        "module": base["module"],
        "run": base["run"],
        "cold": Child((*base["run"].argv, "--no-cache"), cwd=folder),
        "pass": Child((sys.executable, "-c", "pass")),
        "imports": Child((sys.executable, "-c", IMPORTS)),
        "floor": Child((hand[0], "-c", f"{IMPORTS}\n{hand[2]}", *hand[3:])),
    }
    if "peer" in base:
        found["peer"] = base["peer"]
    tool = peers.dqx_main()
    if tool.found:
        found["dqx"] = Child((*tool.argv, str(contract)), exit_codes=(0,))
    return found


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
    """Where the generated module's time goes, and odcs-codegen's own overhead."""
    floor = results["floor"][0]
    rows = [
        timing_row(SECTION, "  python -c pass", results["pass"][0], unit="ms", note="interpreter"),
        timing_row(SECTION, "  import dqlib + duckdb + pyarrow", results["imports"][0], unit="ms"),
        timing_row(
            SECTION,
            "  the floor: those imports + the hand-written query",
            floor,
            unit="ms",
            note="what any dqlib-based tool pays on this file",
        ),
    ]
    for key, label in (("module", "python -m module"), ("run", "odcs-codegen run (warm cache)")):
        overhead = differences(results[key][0], floor)
        rows.append(
            timing_row(
                SECTION,
                f"  own overhead: {label} - floor",
                overhead,
                unit="ms",
                ratio=f"target < {OVERHEAD_TARGET_MS} ms",
                note="per round; dqlib's suite (sympy), its SQL formatting and metric DB, "
                "our schema check, module, report",
            )
        )
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
    results = interleaved_children(children(folder), repeat)
    return headline_rows(results) + floor_rows(results) + skipped_rows()
