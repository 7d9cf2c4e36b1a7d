"""4. Peer: the same contract and data through datacontract-cli, when it is installed.

datacontract-cli is not a dependency of odcs-codegen; this section runs only when `import
datacontract` works (install it yourself: `pip install 'datacontract-cli[duckdb,parquet]'`).
It tests the benchmark contract, with a `local` Parquet server added, on the same generated
files: in-process (`DataContract(...).test()` against the generated module's `run()`,
interleaved) and as command lines (`datacontract test` against `odcs-codegen run`).
datacontract-cli runs one SQL query per check and does not run the `engine: dqx` rules nor a
composite duplicate rule in percent, so the like-for-like comparison uses
contracts/bench_peer.odcs.yaml: the 13 checks both tools execute. The full contract's
generated `run()` (all 20 assertions) is shown for reference.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import data
from .bench_checks import codegen_command, run_generated
from .common import Row, Timing, both, interleaved, ratio, run_child, timing_row
from .generated import BENCH_CONTRACT, PACKAGE, generate, import_generated

PEER_CONTRACT = BENCH_CONTRACT.parent / "bench_peer.odcs.yaml"
PEER_PACKAGE = PACKAGE + "_peer"

SECTION = "4. Peer: datacontract-cli"
SKIPPED = "skipped: datacontract-cli is not installed"
QUICK_SIZES = {100_000: 2}
FULL_SIZES = {1_000_000: 5, 5_000_000: 3}
CLI_REPEAT = {True: 1, False: 3}


def available() -> bool:
    """Whether `import datacontract` would work."""
    return importlib.util.find_spec("datacontract") is not None


def contract_with_server(target: Path, parquet: Path) -> Path:
    """A copy of the peer contract with a local server reading ``parquet``."""
    text = PEER_CONTRACT.read_text(encoding="utf-8")
    location = str(parquet).replace('"', '\\"')
    server = (
        "servers:\n"
        "  - server: local\n"
        "    type: local\n"
        f'    path: "{location}"\n'
        "    format: parquet\n"
        "schema:\n"
    )
    target.write_text(text.replace("schema:\n", server, 1), encoding="utf-8")
    return target


def run_datacontract(contract: Path) -> Any:
    """`DataContract(...).test()` on the local server; the Run."""
    from datacontract.data_contract import DataContract

    return DataContract(data_contract_file=str(contract), server="local").test()


def describe(run: Any) -> str:
    """How many checks datacontract-cli ran as SQL, and how many it could not run."""
    checks = list(run.checks)
    sql = sum(1 for c in checks if (c.language or "") == "sql")
    unsupported = [c for c in checks if (c.implementation or "") == "unsupported"]
    reasons = sorted({str(c.reason) for c in unsupported if c.reason})
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return (
        f"{len(checks)} checks, {sql} SQL queries (one per check), "
        f"{len(unsupported)} unsupported{why}"
    )


def datacontract_command() -> list[str]:
    """How to start the datacontract command line."""
    script = Path(sys.executable).parent / "datacontract"
    if script.is_file():
        return [str(script)]
    found = shutil.which("datacontract")
    return [found] if found else [sys.executable, "-m", "datacontract.cli"]


def run(quick: bool) -> list[Row]:
    """The rows of section 4 (one "skipped" row when datacontract-cli is missing)."""
    if not available():
        return [
            Row(
                SECTION,
                SKIPPED,
                unit="",
                note="pip install 'datacontract-cli[duckdb,parquet]' to compare",
            )
        ]
    sizes = QUICK_SIZES if quick else FULL_SIZES
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="odcs-bench-peer-") as temp:
        folder = Path(temp)
        generate(folder)
        generate(folder, PEER_CONTRACT, PEER_PACKAGE)
        full = import_generated(folder)
        same = import_generated(folder, "bench_peer", PEER_PACKAGE)
        path = folder / "orders.parquet"
        contract = folder / "bench_peer.odcs.yaml"
        for count, repeat in sizes.items():
            data.write_orders(path, count)
            contract_with_server(contract, path)
            ran = run_datacontract(contract)  # warm-up, and what it covers
            timings = interleaved(
                {
                    "same": lambda: run_generated(same, path),
                    "peer": lambda: run_datacontract(contract),
                    "full": lambda: run_generated(full, path),
                },
                repeat,
            )
            ours, peer = timings["same"], timings["peer"]
            size = f"{count / 1e6:g}M rows"
            rows += [
                timing_row(
                    SECTION,
                    f"datacontract test (in-process), 13 checks, {size}",
                    peer,
                    ratio=both(peer, ours, ratio),
                    note=f"vs generated run() of the same checks; {describe(ran)}",
                ),
                timing_row(
                    SECTION,
                    f"generated run(), the same 13 checks, {size}",
                    ours,
                    note=f"baseline; one query; {repeat} interleaved reps",
                ),
                timing_row(
                    SECTION,
                    f"generated run(), full contract (20 assertions), {size}",
                    timings["full"],
                    ratio=both(timings["full"], ours, ratio),
                    note="for reference: 7 of its rules datacontract-cli cannot run",
                ),
            ]
        rows += cli_rows(folder, contract, path, CLI_REPEAT[quick], max(sizes))
    return rows


def cli_rows(folder: Path, contract: Path, path: Path, repeat: int, count: int) -> list[Row]:
    """`datacontract test` against `odcs-codegen run`, both as child processes."""
    peer_command = [*datacontract_command(), "test", str(contract), "--server", "local"]
    ours = [*codegen_command(), "run", str(PEER_CONTRACT), "--data", f"orders={path}"]
    walls: dict[str, list[float]] = {"peer": [], "ours": []}
    peaks: dict[str, int] = {"peer": 0, "ours": 0}
    for round_ in range(repeat):
        order = [("peer", peer_command), ("ours", ours)]
        for name, command in order if round_ % 2 == 0 else reversed(order):
            code, _, stderr, seconds, peak = run_child(command, cwd=folder)
            if code not in (0, 1):
                raise RuntimeError(f"{command[0]} failed ({code}):\n{stderr[-3000:]}")
            walls[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    peer, ours_t = Timing(tuple(walls["peer"])), Timing(tuple(walls["ours"]))
    size = f"{count / 1e6:g}M rows"
    return [
        timing_row(
            SECTION,
            f"datacontract test (command line), 13 checks, {size}",
            peer,
            ratio=both(peer, ours_t, ratio),
            note=f"vs odcs-codegen run; peak RSS {peaks['peer'] / 2**20:,.0f} MB",
        ),
        timing_row(
            SECTION,
            f"odcs-codegen run (command line), same 13 checks, {size}",
            ours_t,
            note=f"baseline; compiles the contract first; peak RSS {peaks['ours'] / 2**20:,.0f} MB",
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
