"""Airflow 3 DAG: ingest the contracts into OpenMetadata, then check the data and publish the
verdicts as test case results.

Airflow and openmetadata-ingestion downgrade each other's dependencies, so the ingestion task
runs in its own virtualenv (``OM_PYTHON``: one where ``pip install 'openmetadata-ingestion>=2.0'``
was followed by ``pip install 'odcs-codegen[publish]'``)
through ``@task.external_python``. Publishing needs only ``httpx`` and runs in Airflow's own
environment, from the generated check package (here ``dq_checks``, made by
``odcs-codegen generate``). ``OM_JWT`` holds the ingestion bot's token in both.
"""

from __future__ import annotations

import datetime
import os

from airflow.sdk import dag, task

OM_PYTHON = os.environ.get("OM_PYTHON", "/opt/openmetadata-venv/bin/python")
WORKFLOW = os.path.join(os.path.dirname(__file__), "openmetadata.yaml")
CONFIG = os.path.join(os.path.dirname(__file__), "openmetadata.toml")


@task.external_python(python=OM_PYTHON)
def ingest_contracts(workflow_file: str) -> None:
    """The connector's workflow, exactly as `metadata ingest -c openmetadata.yaml` runs it."""
    import os

    import yaml
    from metadata.workflow.metadata import MetadataWorkflow

    with open(workflow_file, encoding="utf-8") as handle:
        config = yaml.safe_load(os.path.expandvars(handle.read()))
    workflow = MetadataWorkflow.create(config)
    workflow.execute()
    workflow.raise_from_status()
    workflow.print_status()
    workflow.stop()


@task
def check_and_publish(config_file: str) -> int:
    """Run the checks, publish every verdict (results that cannot be delivered are kept in
    the pending folder: `odcs-codegen publish`), and fail the task on a P0 failure."""
    from dq_checks import orders_sample
    from dq_checks._runtime.openmetadata import publish

    report = orders_sample.verify({"orders_tbl": "data/orders.csv"})
    published = publish(report, orders_sample, config_file, raise_on_failure=False)
    print(published.line())
    if report.exit_code:
        raise RuntimeError(report.summary_line())
    return report.passed


@dag(
    schedule="@daily",
    start_date=datetime.datetime(2026, 1, 1),
    catchup=False,
    tags=["data-contracts"],
)
def data_contracts() -> None:
    """Ingest the contracts first, so the test cases' tables exist."""
    ingest_contracts(WORKFLOW) >> check_and_publish(CONFIG)


data_contracts()
