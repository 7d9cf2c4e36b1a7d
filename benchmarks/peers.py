"""The tools odcs-codegen is compared with, each found in its own environment.

Neither datacontract-cli nor dqlib's main branch can share odcs-codegen's environment (their
pinned dependencies conflict), so the benchmarks run them as command lines of their own
virtualenvs, found through an environment variable or on PATH:

* datacontract-cli: ``$ODCS_BENCH_DATACONTRACT`` (its ``datacontract`` executable), else
  ``datacontract`` on PATH;
* dqlib's own ODCS interpreter (``dqx.contract.Contract.from_odcs``, on its main branch, not
  in the 0.5.23 release): ``$ODCS_BENCH_DQX_PYTHON`` (a Python that can import it).

A tool that is not found makes its rows say "skipped" with the command that installs it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .common import CONTRACTS

DATACONTRACT_ENV = "ODCS_BENCH_DATACONTRACT"
DQX_MAIN_ENV = "ODCS_BENCH_DQX_PYTHON"
DATACONTRACT_INSTALL = (
    "python3 -m venv dc-venv && dc-venv/bin/pip install 'datacontract-cli[duckdb,parquet]' && "
    f"export {DATACONTRACT_ENV}=$PWD/dc-venv/bin/datacontract"
)
DQX_MAIN_INSTALL = (
    "python3 -m venv dqx-main && dqx-main/bin/pip install 'git+https://github.com/nampham2/dqx@main'"
    f" && export {DQX_MAIN_ENV}=$PWD/dqx-main/bin/python"
)
PEER_CONTRACT = CONTRACTS / "bench_peer.odcs.yaml"

# dqlib main's interpreter: parse and validate the contract (it has no to_checks yet).
DQX_MAIN_CODE = (
    "import sys\nfrom pathlib import Path\nfrom dqx.contract import Contract\n"
    "contracts = Contract.from_odcs(Path(sys.argv[1]))\n"
    "print(len(contracts), sum(len(c.schema_def.properties) for c in contracts))\n"
)


@dataclass(frozen=True)
class Tool:
    """A peer: how to start it (``argv``), or why it cannot be (``missing``)."""

    name: str
    argv: tuple[str, ...] = ()
    missing: str = ""
    version: str = ""

    @property
    def found(self) -> bool:
        return not self.missing


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


@functools.cache
def datacontract() -> Tool:
    """datacontract-cli's command line, from ``$ODCS_BENCH_DATACONTRACT`` or PATH."""
    name = "datacontract-cli"
    wanted = os.environ.get(DATACONTRACT_ENV)
    if wanted is not None and not _executable(wanted):
        return Tool(name, missing=f"${DATACONTRACT_ENV} is not an executable file")
    found = wanted or shutil.which("datacontract")
    if found is None:
        return Tool(name, missing=f"not found (${DATACONTRACT_ENV} unset, not on PATH)")
    version = _output([found, "--version"])
    if version is None:
        return Tool(name, missing=f"'{found} --version' failed")
    return Tool(name, (found,), version=version.strip().splitlines()[-1])


@functools.cache
def dqx_main() -> Tool:
    """A Python with dqlib main (``Contract.from_odcs``), from ``$ODCS_BENCH_DQX_PYTHON``."""
    name = "dqlib main (Contract.from_odcs)"
    python = os.environ.get(DQX_MAIN_ENV)
    if python is None:
        return Tool(name, missing=f"${DQX_MAIN_ENV} unset")
    probe = "import dqx.contract, importlib.metadata as m; print(m.version('dqlib'))"
    version = _output([python, "-c", probe])
    if version is None:
        return Tool(name, missing=f"${DQX_MAIN_ENV} cannot import dqx.contract")
    return Tool(name, (python, "-c", DQX_MAIN_CODE), version=f"dqlib {version.strip()} (main)")


def _output(argv: list[str]) -> str | None:
    """The stdout of a short command, or None when it fails."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def install_hint(tool: Tool) -> str:
    """The command that installs ``tool`` where the benchmarks find it."""
    return DATACONTRACT_INSTALL if tool.name.startswith("datacontract") else DQX_MAIN_INSTALL


def skipped(tool: Tool) -> str:
    """The name of the row that says ``tool`` was not measured."""
    return f"skipped: {tool.name}: {tool.missing}"


def contract_with_server(target: Path, parquet: Path, source: Path = PEER_CONTRACT) -> Path:
    """A copy of ``source`` with a ``local`` server reading ``parquet`` (datacontract needs one)."""
    text = source.read_text(encoding="utf-8")
    location = str(parquet).replace("\\", "\\\\").replace('"', '\\"')
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


def datacontract_test(tool: Tool, contract: Path) -> list[str]:
    """``datacontract test CONTRACT --server local``."""
    return [*tool.argv, "test", str(contract), "--server", "local"]


def versions() -> str:
    """The peers' versions (or "not found"), for the results header."""
    parts = []
    for tool in (datacontract(), dqx_main()):
        parts.append(f"{tool.name} {tool.version}" if tool.found else f"{tool.name} not found")
    return "; ".join(parts)
