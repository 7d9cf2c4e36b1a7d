"""Publishing to OpenMetadata without openmetadata-ingestion: the mapping of a run to test
definitions, cases and results, the configuration, the pending file, and the retry policy
against a tiny HTTP server of the standard library."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from odcs_codegen._runtime import openmetadata as om
from odcs_codegen._runtime import openmetadata_payload as payload
from odcs_codegen._runtime.errors import UsageError
from odcs_codegen._runtime.report import Report
from odcs_codegen._runtime.suite import Outcome
from odcs_codegen.openmetadata.workflow import starter_config, starter_workflow
from odcs_codegen.run import load_contract

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "contracts" / "orders_sample.odcs.yaml"
LOCATION = payload.TableLocation("svc", "db.prod", "sales")
SERVER = {"hostPort": "http://127.0.0.1:9/api", "securityConfig": {"jwtToken": "${OM_JWT}"}}


def _outcome(status: str, value: float | None, **extra: Any) -> Outcome:
    base = {"dataset": "orders", "check": "Contract: c", "assertion": "a b: c"}
    return Outcome(**{**base, "severity": "P0", "status": status, "value": value, **extra})


def test_names_links_and_quoting() -> None:
    assert payload.table_fqn(LOCATION, "orders") == 'svc."db.prod".sales.orders'
    link = payload.entity_link(LOCATION, "orders", "order.id")
    assert link == '<#E::table::svc."db.prod".sales.orders::columns::"order.id">'
    assert payload.case_name("order_id: required") == "order_id_required"
    assert payload.case_name("x", "rule-17/b") == "rule-17_b"
    assert payload.case_name("::") == "rule"


def test_results_are_success_failed_or_aborted_with_the_exact_value() -> None:
    passed = payload.result_body(_outcome("PASSED", 0.1 + 0.2, expectation="<= 1"), 5)
    assert passed == {
        "timestamp": 5,
        "testCaseStatus": "Success",
        "result": "value 0.30000000000000004, expected <= 1",
        "testResultValue": [{"name": "value", "value": "0.30000000000000004"}],
    }
    failed = payload.result_body(_outcome("FAILED", 12.0, reason="12, expected = 0"), 5)
    assert failed["testCaseStatus"] == "Failed"
    assert failed["testResultValue"] == [{"name": "value", "value": "12"}]
    aborted = payload.result_body(_outcome("FAILED", None, reason="not measured: gone"), 5)
    assert aborted["testCaseStatus"] == "Aborted"
    assert (aborted["result"], aborted["testResultValue"]) == ("not measured: gone", [])


def _sample_report() -> tuple[Any, Report]:
    from odcs_codegen._runtime.cli import run_module
    from odcs_codegen._runtime.opening import open_sources

    module, _ = load_contract(SAMPLE)
    sources = open_sources(module.DATASETS, [], module.SERVERS, base_dir=SAMPLE.parent)
    try:
        return module, run_module(module, sources)
    finally:
        for source in sources.values():
            source.close()


def test_a_run_maps_to_one_case_and_one_result_per_assertion() -> None:
    module, report = _sample_report()
    infos = payload.describe_checks(module.CHECKS)
    batch = payload.build_batch(report, infos, payload.TableLocation("s", "d", "x"))
    assert len(batch.cases) == len(batch.results) == len(report.outcomes) == 15
    cases = dict(batch.cases)
    mean = cases["s.d.x.orders_tbl.total_amount.average_order_value_reasonable"]
    assert mean["testDefinition"] == "odcs_column_dqx-mean"
    assert mean["entityLink"] == "<#E::table::s.d.x.orders_tbl::columns::total_amount>"
    assert {"name": "expected", "value": "between 10 and 500"} in mean["parameterValues"]
    rows = cases["s.d.x.orders_tbl.daily_row_count"]
    assert rows["testDefinition"] == "odcs_table_rowCount"
    kinds = {d["name"]: d["entityType"] for d in batch.definitions}
    assert kinds["odcs_column_required"] == "COLUMN" and kinds["odcs_table_sql"] == "TABLE"
    results = dict(batch.results)
    failed = results["s.d.x.orders_tbl.total_amount.average_order_value_reasonable"]
    assert failed["testCaseStatus"] == "Failed"
    assert failed["testResultValue"] == [{"name": "value", "value": "504.0249166666667"}]
    assert {body["timestamp"] for body in results.values()} == {payload.run_timestamp(report)}
    again = payload.build_batch(report, payload.describe_checks(module.CHECKS), LOCATION)
    assert again == payload.build_batch(report, infos, LOCATION)  # deterministic


def test_pending_file_round_trip(tmp_path: Path) -> None:
    module, report = _sample_report()
    batch = payload.build_batch(report, payload.describe_checks(module.CHECKS), LOCATION)
    path = om.write_pending(batch, tmp_path / "pending")
    assert om.read_pending(path) == batch
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    path.write_text('{"format": "something else"}')
    with pytest.raises(UsageError, match="not a file of undelivered OpenMetadata results"):
        om.read_pending(path)


def _table(**extra: Any) -> dict[str, Any]:
    return {"service": "s", "database": "d", "schema": "x", "server": SERVER, **extra}


def test_configuration() -> None:
    config = om.config_from_mapping(_table(retries=2), env={"OM_JWT": "t0k"})
    assert (config.host_port, config.token, config.attempts) == (SERVER["hostPort"], "t0k", 2)
    cases = [
        (_table(retry=1), "unknown key 'retry'"),
        (_table(), "environment variable OM_JWT is not set"),
        (_table(server={"hostPort": "localhost:8585"}), "must start with http"),
        (_table(server={"hostPort": "http://h/api", "authProvider": "google"}), "needs securi"),
        (_table(retries=0), "retries must be an integer from 1 to 100"),
        ({**_table(), "workflow-config": "w.yaml"}, "either 'server' or 'workflow-config'"),
        ({"service": "s", "database": "d", "server": SERVER}, "schema must be a non-empty"),
    ]
    for table, message in cases:
        with pytest.raises(UsageError, match=message):
            om.config_from_mapping(table, env={})


def test_configuration_files_and_the_starter_files(tmp_path: Path) -> None:
    workflow = yaml.safe_load(starter_workflow(host_port="http://om:8585/api"))
    assert workflow["workflowConfig"]["openMetadataServerConfig"]["securityConfig"] == {
        "jwtToken": "${OM_JWT}"
    }
    source = workflow["source"]["serviceConnection"]["config"]
    assert source["sourcePythonClass"] == "odcs_codegen.openmetadata.source.ContractSource"
    (tmp_path / "openmetadata.yaml").write_text(starter_workflow())
    (tmp_path / "odcs-codegen.toml").write_text('sources = ["c"]\n' + starter_config())
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = om.load_config(start=nested, env={"OM_JWT": "secret"})
    assert (config.host_port, config.token) == ("http://localhost:8585/api", "secret")
    assert config.pending_dir == tmp_path / ".openmetadata-pending"
    (tmp_path / "pyproject.toml").write_text(
        "[tool.odcs-codegen.openmetadata]\nservice = 'p'\ndatabase = 'd'\nschema = 's'\n"
        "server = { hostPort = 'http://x/api', authProvider = 'no-auth' }\n"
    )
    assert om.load_config(tmp_path / "pyproject.toml").location.service == "p"
    with pytest.raises(UsageError, match="no openmetadata table"):
        (tmp_path / "empty.toml").write_text("x = 1\n")
        om.load_config(tmp_path / "empty.toml")


class _Scripted(BaseHTTPRequestHandler):
    """Answers from a script: (status, JSON) per request, in order; the rest 404."""

    script: list[tuple[int, Any]]
    seen: list[tuple[str, str]]

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path))
        status, body = self.script.pop(0) if self.script else (404, {"message": "no"})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = _answer


@pytest.fixture
def scripted() -> Iterator[tuple[str, list[tuple[int, Any]], list[tuple[str, str]]]]:
    script: list[tuple[int, Any]] = []
    seen: list[tuple[str, str]] = []
    handler = type("H", (_Scripted,), {"script": script, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api", script, seen
    server.shutdown()
    server.server_close()


def test_retry_policy_backs_off_exponentially_and_is_bounded(scripted: Any) -> None:
    pytest.importorskip("httpx")
    from odcs_codegen._runtime.openmetadata_http import Client, DeliveryError, RetryPolicy

    url, script, seen = scripted
    pauses: list[float] = []
    policy = RetryPolicy(attempts=4, backoff=0.5, max_backoff=1.5, timeout=2)
    script += [(503, {}), (500, {}), (502, {}), (200, {"ok": 1})]
    with Client(url, "tok", policy, sleep=pauses.append) as client:
        assert client.call("GET", "/v1/x", "thing 'x'") == {"ok": 1}
        assert pauses == [0.5, 1.0, 1.5]
        script += [(503, {"message": "busy"})] * 4
        with pytest.raises(DeliveryError, match="thing 'y': gave up after 4 attempts: HTTP"):
            client.call("GET", "/v1/y", "thing 'y'")
        script += [(401, {"message": "Token expired"})]
        with pytest.raises(DeliveryError) as caught:
            client.call("PUT", "/v1/z", "test case 'z'", body={})
        assert str(caught.value) == (
            "PUT test case 'z': HTTP 401, not authorized (check the JWT token): Token expired"
        )
        assert len(seen) == 9 and len(pauses) == 6


def test_a_result_is_posted_once_even_when_its_answer_is_lost(scripted: Any) -> None:
    pytest.importorskip("httpx")
    from odcs_codegen._runtime.openmetadata_http import Client, RetryPolicy

    url, script, seen = scripted
    stored = {"data": [{"timestamp": 7}]}
    # no result yet -> POST answered 503 -> the retry reads again: it is stored -> no 2nd POST
    script += [(200, {"data": []}), (503, {}), (200, stored)]
    with Client(url, None, RetryPolicy(backoff=0), sleep=lambda _: None) as client:
        assert client.add_result("s.d.x.t.case", {"timestamp": 7}) is False
    assert [method for method, _ in seen] == ["GET", "POST", "GET"]
    assert "startTs=7&endTs=7" in seen[0][1]


def test_refused_connections_are_retried_then_kept(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    module, report = _sample_report()
    table = _table(server={"hostPort": "http://127.0.0.1:9/api", "authProvider": "no-auth"})
    table.update(retries=2, backoff=0, **{"pending-dir": str(tmp_path)})
    done = om.publish(report, module, table, raise_on_failure=False)
    assert done.posted == 0 and done.error is not None
    assert "gave up after 2 attempts: ConnectError" in done.error
    assert done.pending is not None
    assert len(om.read_pending(done.pending).results) == 15


def test_a_package_that_does_not_publish_never_imports_it(generate: Any) -> None:
    import subprocess
    import sys

    package = generate({"sample.odcs.yaml": SAMPLE.read_text()})
    data = ROOT / "examples" / "data" / "orders.csv"
    probe = (
        f"import sys; from {package.package} import sample\n"
        f"from {package.package}._runtime import cli\n"
        f"code = cli.main('{package.package}.sample', ['--data', 'orders_tbl={data}'])\n"
        "names = [n for n in sys.modules if n.split('.')[0] in ('httpx', 'metadata')]\n"
        "names += [n for n in sys.modules if 'openmetadata' in n]\n"
        "print(code, sorted(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=package.root,
        env={"PYTHONPATH": str(package.root), "PATH": ""},
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr
    assert (package.root / package.package / "_runtime" / "openmetadata.py").is_file()
