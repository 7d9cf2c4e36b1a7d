"""Generated DAGs in real Airflow 3: imported into a DagBag, then run by `airflow dags test` in
a temporary AIRFLOW_HOME (SQLite metadata database, no scheduler) on good and on bad data."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integrations.needs import require

ROOT = Path(__file__).resolve().parents[3]
DAILY = """\
apiVersion: v3.1.0
kind: DataContract
id: daily
name: daily
version: 1.0.0
status: active
slaProperties:
  - property: frequency
    value: 1
    unit: d
schema:
  - name: events
    properties:
      - name: id
        logicalType: integer
        required: true
"""


class Airflow:
    """A project with generated DAGs and an AIRFLOW_HOME whose database is migrated."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dags = root / "dags"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(root / "home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`airflow ARGS` in this home."""
        airflow = Path(sys.executable).with_name("airflow")
        return subprocess.run(
            [str(airflow), *args], env=self.env, capture_output=True, text=True, timeout=300
        )

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """Python code in this home (Airflow reads its configuration when imported)."""
        return subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True,
            timeout=300, cwd=self.root,
        )

    def return_value(self, dag_id: str) -> dict[str, object]:
        """The XCom return value of the DAG's one task in its latest run."""
        with sqlite3.connect(self.root / "home" / "airflow.db") as db:
            row = db.execute(
                "SELECT value FROM xcom WHERE dag_id = ? AND key = 'return_value' "
                "ORDER BY timestamp DESC LIMIT 1",
                (dag_id,),
            ).fetchone()
        assert row is not None, "the task returned nothing"
        value = json.loads(row[0])
        return json.loads(value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    require("airflow", "airflow.sdk")
    root = tmp_path_factory.mktemp("airflow")
    shutil.copytree(ROOT / "examples" / "contracts", root / "contracts")
    shutil.copytree(ROOT / "examples" / "data", root / "data")
    (root / "contracts" / "daily.odcs.yaml").write_text(DAILY)
    generate = [sys.executable, "-m", "odcs_codegen.cli", "generate", "contracts"]
    options = ["-o", "dags/dq_checks", "--airflow-dags", "dags"]
    done = subprocess.run([*generate, *options], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    project = Airflow(root)
    migrated = project.run("db", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    yield project


def _json(done: subprocess.CompletedProcess[str]) -> object:
    """The JSON document an `airflow ... -o json` command printed last."""
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_dag_imports_and_the_schedule_comes_from_the_sla(airflow: Airflow) -> None:
    parsed = airflow.run("dags", "reserialize")  # the DAG processor's parse, into the database
    assert parsed.returncode == 0, parsed.stderr[-3000:]
    assert _json(airflow.run("dags", "list-import-errors", "-o", "json")) == []
    listed = _json(airflow.run("dags", "list", "-o", "json"))
    assert sorted(d["dag_id"] for d in listed) == ["commerce", "daily", "orders", "orders_sample"]
    schedules = {}
    for dag_id in ("commerce", "daily", "orders_sample"):
        [details] = _json(airflow.run("dags", "details", dag_id, "-o", "json"))
        schedules[dag_id] = details["timetable_summary"]
    # daily: frequency 1 d; orders_sample: 1 d at 06:00+01:00; commerce: no frequency
    assert schedules == {"commerce": None, "daily": "0 0 * * *", "orders_sample": "0 5 * * *"}


def test_a_run_on_good_data_succeeds_and_returns_the_summary(airflow: Airflow) -> None:
    done = airflow.run("dags", "test", "orders_sample")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    summary = airflow.return_value("orders_sample")
    assert summary["assertions"] == 15 and summary["p0_failures"] == 0
    assert summary["failed"] == 1  # P1: logged and returned, the task still succeeds
    assert summary["failures"][0]["assertion"] == "average_order_value_reasonable"


def test_a_p0_violation_fails_the_run(airflow: Airflow) -> None:
    rows = (airflow.root / "data" / "orders.csv").read_text().splitlines()
    rows[1] = "," + rows[1].split(",", 1)[1]  # an order without an order_id
    bad = airflow.root / "bad.csv"
    bad.write_text("\n".join(rows) + "\n")
    conf = json.dumps({"orders_tbl": str(bad)})
    done = airflow.run("dags", "test", "orders_sample", "-c", conf)
    assert done.returncode == 1
    log = done.stdout + done.stderr
    assert "order_id: required (P0)" in log, log[-3000:]


def test_a_variable_names_the_data(airflow: Airflow) -> None:
    rows = (airflow.root / "data" / "orders.csv").read_text().splitlines()
    fewer = airflow.root / "fewer.csv"
    fewer.write_text("\n".join(rows[:51]) + "\n")  # the header and 50 orders
    assert airflow.run("variables", "set", "orders_sample.orders_tbl", str(fewer)).returncode == 0
    try:
        done = airflow.run("dags", "test", "orders_sample")
    finally:
        airflow.run("variables", "delete", "orders_sample.orders_tbl")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    summary = airflow.return_value("orders_sample")
    counts = [f["value"] for f in summary["failures"] if f["assertion"] == "daily_row_count"]
    assert counts == [50], "the Variable's file was read, not the server's"
