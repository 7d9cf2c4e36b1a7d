"""Generated Dagster asset checks in real Dagster: `materialize` in-process with an upstream
asset and a downstream one, on good data and on data that breaks a P0 rule, and
`dagster definitions validate` on the generated file."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.integrations.needs import require

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    require("dagster", "dagster")
    root = tmp_path_factory.mktemp("dagster")
    shutil.copytree(ROOT / "examples" / "contracts", root / "contracts")
    shutil.copytree(ROOT / "examples" / "data", root / "data")
    (root / "odcs-codegen.toml").write_text(
        'sources = ["contracts"]\noutput = "dq_checks"\ndagster = "dq_defs.py"\n'
        'dagster-asset-key = "{module}/{dataset}"\n'
    )
    command = [sys.executable, "-m", "odcs_codegen.cli", "generate"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == "dq_defs" or m.startswith("dq_checks")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def defs(project: Path) -> ModuleType:
    return importlib.import_module("dq_defs")


def _materialize(defs: ModuleType, config: dict[str, Any] | None = None) -> Any:
    """orders_tbl -> its checks -> a downstream asset, in one in-process run."""
    dg = require("dagster", "dagster")

    @dg.asset(key=["orders_sample", "orders_tbl"])
    def orders_tbl() -> None:
        """Stands for the job that loads the table."""

    @dg.asset(deps=[orders_tbl])
    def revenue() -> None:
        """A downstream asset that must not be built from bad orders."""

    checks = defs.orders_sample_orders_tbl
    run_config = {"ops": {"orders_sample_orders_tbl": {"config": config}}} if config else None
    return dg.materialize(
        [orders_tbl, revenue, checks], run_config=run_config, raise_on_error=False
    )


def test_passing_data_gives_passed_checks_with_their_values(defs: ModuleType) -> None:
    result = _materialize(defs)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == set(defs.ORDERS_SAMPLE_ORDERS_TBL_SPECS)
    count = evaluations["daily_row_count"]
    assert count.passed and count.metadata["value"].value == 120.0
    assert count.metadata["threshold"].value == ">= 100"
    assert count.severity.value == "WARN"
    assert evaluations["schema"].passed
    mean = evaluations["average_order_value_reasonable"]  # P1: fails, blocks nothing
    assert not mean.passed and mean.metadata["severity"].value == "P1"
    built = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert built == {"orders_tbl", "revenue"}


def test_a_p0_violation_blocks_the_downstream_asset(defs: ModuleType, project: Path) -> None:
    rows = (project / "data" / "orders.csv").read_text().splitlines()
    rows[1] = "," + rows[1].split(",", 1)[1]  # an order without an order_id
    bad = project / "bad.csv"
    bad.write_text("\n".join(rows) + "\n")
    result = _materialize(defs, {"data": str(bad)})
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    required = evaluations["order_id_required"]
    assert not required.passed and required.severity.value == "ERROR"
    assert required.metadata["value"].value == 1.0
    built = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert built == {"orders_tbl"}, "revenue is not built from bad orders"


def test_unreadable_data_fails_every_check_with_the_reason(defs: ModuleType) -> None:
    result = _materialize(defs, {"data": "no/such/file.csv"})
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and not any(e.passed for e in evaluations)
    reason = evaluations[0].metadata["reason"].value
    assert reason.startswith("the checks could not run:")


def test_dagster_accepts_the_definitions_file(project: Path) -> None:
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-f", "dq_defs.py"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
