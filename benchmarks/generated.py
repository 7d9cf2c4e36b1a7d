"""Compile the benchmark contract with odcs-codegen into a throw-away package and import it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from odcs_codegen.compiler import build
from odcs_codegen.settings import Settings

from .common import CONTRACTS

BENCH_CONTRACT = CONTRACTS / "bench.odcs.yaml"
PACKAGE = "odcs_bench_generated"


def generate(
    folder: Path,
    contract: Path = BENCH_CONTRACT,
    package: str = PACKAGE,
    settings: Settings | None = None,
) -> Path:
    """Compile ``contract`` into the package ``folder/package`` (default settings: DuckDB);
    returns the package folder."""
    output = folder / package
    result = build([contract], output, settings or Settings())
    errors = [d.format() for d in result.diagnostics if d.level == "error"]
    if errors:
        raise RuntimeError("the benchmark contract does not compile:\n" + "\n".join(errors))
    output.mkdir(parents=True, exist_ok=True)
    for name, source in result.files.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(source, encoding="utf-8")
    return output


def import_generated(folder: Path, module: str = "bench", package: str = PACKAGE) -> ModuleType:
    """Import ``package.module`` from ``folder`` (a fresh import: earlier copies are dropped)."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"{package}.{module}")
    finally:
        sys.path.remove(str(folder))
