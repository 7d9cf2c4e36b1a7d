"""The contract connector through the real ingestion framework, against the strict local API:
`metadata ingest -c` with 100% success, idempotent reruns, tables whose contract is gone, and
the same test cases as published results use."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.integrations.openmetadata.conftest import CONTRACT, HERE, SCHEMA, TOKEN, om_table

ROOT = HERE.parents[2]


def _contracts(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir()
    shutil.copy(CONTRACT, folder)
    shutil.copy(ROOT / "examples" / "contracts" / "commerce.odcs.yaml", folder)
    return folder


def _workflow(server: Any, contracts: Path, **source_config: Any) -> dict[str, Any]:
    from odcs_codegen.openmetadata.workflow import starter_workflow

    text = starter_workflow(
        service="warehouse",
        database="analytics",
        schema="logistics",
        contracts=str(contracts),
        host_port=server.url,
    )
    document = yaml.safe_load(text.replace("${OM_JWT}", TOKEN))
    document["source"]["sourceConfig"]["config"].update(source_config)
    return dict(document)


def _ingest(config: dict[str, Any]) -> Any:
    """Run the workflow in-process, as the Airflow recipe's PythonOperator does."""
    from metadata.workflow.metadata import MetadataWorkflow

    workflow = MetadataWorkflow.create(config)
    workflow.execute()
    workflow.raise_from_status()
    status = workflow.source.status
    workflow.stop()
    return status


def test_metadata_ingest_command_creates_everything(server: Any, tmp_path: Path) -> None:
    contracts = _contracts(tmp_path)
    text = yaml.safe_dump(_workflow(server, contracts)).replace(TOKEN, "${OM_JWT}")
    path = tmp_path / "openmetadata.yaml"
    path.write_text(text)
    command = Path(sys.executable).with_name("metadata")
    done = subprocess.run(
        [str(command), "ingest", "-c", str(path)],
        env={**os.environ, "OM_JWT": TOKEN},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Workflow Success %: 100.0" in output
    store = server.store.entities
    assert set(store["services/databaseServices"]) == {"warehouse"}
    assert set(store["databaseSchemas"]) == {SCHEMA}
    assert set(store["tables"]) == {
        f"{SCHEMA}.shipments_tbl", f"{SCHEMA}.customers", f"{SCHEMA}.order_lines"
    }  # fmt: skip
    table = store["tables"][f"{SCHEMA}.shipments_tbl"]
    columns = {c["name"]: c for c in table["columns"]}
    assert columns["shipment_id"]["dataType"] == "BIGINT"
    assert columns["leg"]["dataType"] == "INT"
    assert (columns["carrier"]["dataType"], columns["carrier"]["dataLength"]) == ("VARCHAR", 40)
    assert columns["carrier"]["tags"][0]["tagFQN"] == "ODCS.partner"
    weight = columns["weight_kg"]
    assert (weight["dataType"], weight["precision"], weight["scale"]) == ("DECIMAL", 8, 3)
    assert columns["shipped_at"]["dataType"] == "TIMESTAMPZ"
    assert columns["tracking_code"]["dataType"] == "STRING"
    assert columns["tracking_code"]["constraint"] == "UNIQUE"
    assert columns["shipment_id"]["description"] == "Shipment number."
    assert table["tableConstraints"] == [
        {"constraintType": "PRIMARY_KEY", "columns": ["shipment_id", "leg"]}
    ]
    assert table["description"] == "One row per parcel and carrier leg."
    assert set(server.store.entities["tags"]) >= {"ODCS.partner", "ODCS.logistics"}
    cases = store["dataQuality/testCases"]
    assert f"{SCHEMA}.shipments_tbl.carrier.known_carrier" in cases
    assert f"{SCHEMA}.shipments_tbl.has_rows" in cases
    assert len([c for c in cases if ".shipments_tbl." in c]) == 7


def test_rerun_is_idempotent_and_results_land_on_the_same_cases(
    server: Any, tmp_path: Path, shipments: Any
) -> None:
    from odcs_codegen._runtime import openmetadata

    config = _workflow(server, _contracts(tmp_path))
    first = _ingest(config)
    assert not first.failures
    store = server.store.entities

    def versions() -> dict[str, float]:
        return {fqn: e["version"] for kind in store.values() for fqn, e in kind.items()}

    before = versions()
    second = _ingest(config)
    assert not second.failures and versions() == before
    module, report = shipments
    done = openmetadata.publish(report, module, om_table(server))
    assert (done.written, done.posted) == (0, 7)  # the connector made the very same cases
    assert versions() == before


def test_tables_whose_contract_is_gone(server: Any, tmp_path: Path) -> None:
    contracts = _contracts(tmp_path)
    _ingest(_workflow(server, contracts))
    (contracts / "commerce.odcs.yaml").unlink()
    kept = _ingest(_workflow(server, contracts, markDeletedTables=False))
    warned = sorted(str(w) for w in kept.warnings)
    assert len(warned) == 2 and all("its contract is gone" in w for w in warned)
    tables = server.store.entities["tables"]
    assert not any(t["deleted"] for t in tables.values())
    _ingest(_workflow(server, contracts, markDeletedTables=True))
    deleted = sorted(fqn for fqn, t in tables.items() if t["deleted"])
    assert deleted == [f"{SCHEMA}.customers", f"{SCHEMA}.order_lines"]


def test_the_example_workflow_ingests(server: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(ROOT)  # its contract paths are relative to the repository
    text = (ROOT / "examples" / "openmetadata" / "openmetadata.yaml").read_text()
    config = yaml.safe_load(text.replace("${OM_JWT}", TOKEN))
    config["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = server.url
    status = _ingest(config)
    assert not status.failures
    tables = server.store.entities["tables"]
    assert sorted(tables) == [
        f"contracts.analytics.commerce.{name}"
        for name in ("customers", "order_lines", "orders_tbl")
    ]
