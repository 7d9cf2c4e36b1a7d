"""The command lines: a generated package's `--publish openmetadata`, `odcs-codegen run
--publish`, the exit codes, `odcs-codegen publish FILE`, and no publishing import otherwise."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integrations.openmetadata.conftest import CONTRACT, SCHEMA, TOKEN

BIN = Path(sys.executable).parent


def _config(tmp_path: Path, server: Any, token: str = "${OM_JWT}") -> Path:
    """odcs-codegen.toml with the [openmetadata] table, and the workflow file it names."""
    workflow = tmp_path / "openmetadata.yaml"
    workflow.write_text(
        "workflowConfig:\n  openMetadataServerConfig:\n"
        f"    hostPort: {server.url}\n    authProvider: openmetadata\n"
        f"    securityConfig:\n      jwtToken: {token}\n"
    )
    path = tmp_path / "odcs-codegen.toml"
    path.write_text(
        "[openmetadata]\nservice = 'warehouse'\ndatabase = 'analytics'\n"
        "schema = 'logistics'\nworkflow-config = 'openmetadata.yaml'\nbackoff = 0.01\n"
        "timeout = 2.0\npending-dir = 'pending'\n"
    )
    return path


def _package(tmp_path: Path) -> Path:
    """The test contract generated into a package ``shipchecks`` under the returned root."""
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    shutil.copy(CONTRACT, contracts)
    shutil.copy(CONTRACT.with_name("shipments.csv"), contracts)
    root = tmp_path / "src"
    done = subprocess.run(
        [str(BIN / "odcs-codegen"), "generate", str(contracts), "-o", str(root / "shipchecks")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return root


def _run(args: list[str], cwd: Path, root: Path | None = None, **env: str) -> Any:
    environment = {**os.environ, "OM_JWT": TOKEN, **env}
    if root is not None:
        environment["PYTHONPATH"] = str(root)
    return subprocess.run(
        args, capture_output=True, text=True, cwd=cwd, env=environment, timeout=300
    )


def test_generated_package_publishes_and_keeps_its_exit_code(server: Any, tmp_path: Path) -> None:
    root = _package(tmp_path)
    _config(tmp_path, server)
    server.store.seed_table(SCHEMA, "shipments_tbl", ["shipment_id", "leg", "carrier",
                            "tracking_code", "weight_kg", "shipped_at"])  # fmt: skip
    command = [sys.executable, "-m", "shipchecks.shipments", "--publish", "openmetadata"]
    done = _run(command, tmp_path, root)
    assert done.returncode == 1, done.stderr  # the P0 failure decides, publishing does not
    assert "OpenMetadata: 7 result(s) published" in done.stderr
    assert "known_carrier" in done.stdout
    assert sum(len(r) for r in server.store.results.values()) == 7


def test_a_failed_publish_exits_4_and_publish_sends_the_file_later(
    server: Any, tmp_path: Path
) -> None:
    root = _package(tmp_path)
    _config(tmp_path, server)
    command = [sys.executable, "-m", "shipchecks.shipments", "--publish", "openmetadata"]
    command += ["--data", f"shipments_tbl={tmp_path / 'fine.csv'}"]
    source = CONTRACT.with_name("shipments.csv").read_text().splitlines()
    (tmp_path / "fine.csv").write_text("\n".join(source[:4]) + "\n")  # no unknown carrier
    wrong = _run(command, tmp_path, root, OM_JWT="expired")
    assert wrong.returncode == 4, wrong.stderr
    line = [x for x in wrong.stderr.splitlines() if x.startswith("OpenMetadata:")]
    assert len(line) == 1 and "HTTP 401" in line[0] and "odcs-codegen publish" in line[0]
    (pending,) = (tmp_path / "pending").iterdir()
    assert len(json.loads(pending.read_text())["results"]) == 7
    server.store.seed_table(SCHEMA, "shipments_tbl", ["shipment_id", "leg", "carrier",
                            "tracking_code", "weight_kg", "shipped_at"])  # fmt: skip
    sent = _run([str(BIN / "odcs-codegen"), "publish"], tmp_path)
    assert sent.returncode == 0, sent.stderr
    assert "7 result(s) published" in sent.stderr and not pending.exists()
    statuses = {r[0]["testCaseStatus"] for r in server.store.results.values()}
    assert statuses == {"Success"}


def test_odcs_codegen_run_publishes(server: Any, tmp_path: Path) -> None:
    config = _config(tmp_path, server)
    server.store.seed_table(SCHEMA, "shipments_tbl", ["shipment_id", "leg", "carrier",
                            "tracking_code", "weight_kg", "shipped_at"])  # fmt: skip
    command = [str(BIN / "odcs-codegen"), "run", str(CONTRACT), "--publish", "openmetadata"]
    done = _run([*command, "--publish-config", str(config)], tmp_path)
    assert done.returncode == 1, done.stderr
    assert "OpenMetadata: 7 result(s) published" in done.stderr


def test_a_bad_publish_configuration_stops_before_the_checks(server: Any, tmp_path: Path) -> None:
    root = _package(tmp_path)
    _config(tmp_path, server)
    command = [sys.executable, "-m", "shipchecks.shipments", "--publish", "openmetadata"]
    environment = {k: v for k, v in os.environ.items() if k != "OM_JWT"}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 2
    assert "environment variable OM_JWT is not set" in done.stderr
    assert done.stdout == "" and server.store.requests == []


def test_checks_without_publishing_import_neither_httpx_nor_openmetadata(
    tmp_path: Path,
) -> None:
    root = _package(tmp_path)
    probe = (
        "import sys, shipchecks.shipments as m\n"
        "from shipchecks._runtime import cli\n"
        f"code = cli.main('shipchecks.shipments', ['--data', 'shipments_tbl={CONTRACT.with_name('shipments.csv')}'])\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('httpx', 'metadata'))\n"
        "print(code, loaded, 'shipchecks._runtime.openmetadata' in sys.modules)\n"
    )  # fmt: skip
    done = _run([sys.executable, "-c", probe], tmp_path, root)
    assert done.stdout.splitlines()[-1] == "1 [] False", done.stderr
