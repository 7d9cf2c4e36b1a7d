"""Publishing run results to the strict local OpenMetadata API: what is created, idempotent
reruns, faults that must not lose or duplicate a result, and refusals that stop cleanly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integrations.openmetadata.conftest import SCHEMA, om_table, seed


def _publish(report: Any, module: Any, table: dict[str, Any], **kw: Any) -> Any:
    from odcs_codegen._runtime import openmetadata

    return openmetadata.publish(report, module, table, **kw)


def _results(server: Any) -> dict[str, list[dict[str, Any]]]:
    return server.store.results


def test_publish_creates_definitions_cases_and_one_result_each(
    server: Any, shipments: Any, tmp_path: Path
) -> None:
    module, report = shipments
    seed(server, module)
    done = _publish(report, module, om_table(server, **{"pending-dir": str(tmp_path)}))
    store = server.store
    cases = store.entities["dataQuality/testCases"]
    definitions = store.entities["dataQuality/testDefinitions"]
    assert done.error is None and done.posted == len(report.outcomes) == 7
    assert len(cases) == 7
    assert set(definitions) == {
        "odcs_table_rowCount",
        "odcs_table_primaryKey",
        "odcs_column_required",
        "odcs_column_invalid",
        "odcs_column_unique",
        "odcs_column_dqx-min",
    }
    assert definitions["odcs_column_invalid"]["entityType"] == "COLUMN"
    assert definitions["odcs_table_rowCount"]["testPlatforms"] == ["Other"]
    carrier = cases[f"{SCHEMA}.shipments_tbl.carrier.known_carrier"]
    assert carrier["entityLink"] == f"<#E::table::{SCHEMA}.shipments_tbl::columns::carrier>"
    assert carrier["testDefinition"]["fullyQualifiedName"] == "odcs_column_invalid"
    assert {"name": "expected", "value": "= 0"} in carrier["parameterValues"]
    assert {"name": "severity", "value": "P0"} in carrier["parameterValues"]
    (result,) = _results(server)[f"{SCHEMA}.shipments_tbl.carrier.known_carrier"]
    assert result["testCaseStatus"] == "Failed"
    assert result["testResultValue"] == [{"name": "value", "value": "1"}]
    assert result["result"] == "value 1, expected = 0: 1, expected = 0"
    (weight,) = _results(server)[f"{SCHEMA}.shipments_tbl.weight_kg.weight_positive"]
    assert weight["testCaseStatus"] == "Success"
    assert weight["testResultValue"] == [{"name": "value", "value": "0.25"}]
    assert {r[0]["timestamp"] for r in _results(server).values()} == {weight["timestamp"]}
    assert list(tmp_path.iterdir()) == []  # nothing pending


def test_rerun_adds_nothing_and_a_new_run_adds_one_result(server: Any, shipments: Any) -> None:
    module, report = shipments
    seed(server, module)
    table = om_table(server)
    _publish(report, module, table)
    versions = {k: v["version"] for k, v in server.store.entities["dataQuality/testCases"].items()}
    before = len(server.store.requests)
    again = _publish(report, module, table)
    writes = [r for r in server.store.requests[before:] if r[0] in ("PUT", "POST")]
    assert (again.posted, again.skipped, again.written, writes) == (0, 7, 0, [])
    later = report._replace(started="2031-01-01T00:00:00+00:00")
    third = _publish(later, module, table)
    assert third.posted == 7 and third.written == 0
    assert all(len(items) == 2 for items in _results(server).values())
    cases = server.store.entities["dataQuality/testCases"]
    assert {k: v["version"] for k, v in cases.items()} == versions
    assert len(server.store.entities["dataQuality/testDefinitions"]) == 6


def test_faults_still_deliver_every_result_exactly_once(server: Any, shipments: Any) -> None:
    module, report = shipments
    seed(server, module)
    store = server.store
    store.fail("POST", "testCaseResults", "503", times=2)
    store.fail("POST", "known_carrier", "timeout")  # stored, but the answer is too late
    store.fail("PUT", "dataQuality/testCases", "409")
    store.fail("PUT", "dataQuality/testDefinitions", "502")
    server.stop()  # the first request finds the port closed: connection refused
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:
            server.start()

    done = _publish(report, module, om_table(server), sleep=sleep)
    assert done.error is None and done.posted + done.skipped == 7
    assert sorted(len(items) for items in _results(server).values()) == [1] * 7
    assert store.faults == []  # every injected fault happened
    # refused, 502, 503, 503 (doubled), timeout: each retried after its backoff
    assert pauses == [0.01, 0.01, 0.01, 0.02, 0.01]


def test_backoff_is_bounded_and_gives_up_with_results_kept(
    server: Any, shipments: Any, tmp_path: Path
) -> None:
    from odcs_codegen._runtime.openmetadata import PublishError, publish_file

    module, report = shipments
    seed(server, module)
    server.store.fail("POST", "testCaseResults", "503", times=3)
    pauses: list[float] = []
    table = om_table(server, retries=3, **{"max-backoff": 0.015, "pending-dir": str(tmp_path)})
    with pytest.raises(PublishError) as caught:
        _publish(report, module, table, sleep=pauses.append)
    assert pauses == [0.01, 0.015]
    assert "gave up after 3 attempts" in str(caught.value)
    assert "\n" not in str(caught.value)
    pending = caught.value.pending
    assert pending is not None and len(json.loads(pending.read_text())["results"]) == 7
    sent = publish_file(pending, table)
    assert sent.posted == 7 and not pending.exists()
    assert sorted(len(items) for items in _results(server).values()) == [1] * 7


def test_unauthorized_stops_at_once_and_loses_nothing(
    server: Any, shipments: Any, tmp_path: Path
) -> None:
    from odcs_codegen._runtime.openmetadata import PublishError, publish_file

    module, report = shipments
    seed(server, module)
    pauses: list[float] = []
    wrong = om_table(server, token="expired", **{"pending-dir": str(tmp_path)})
    with pytest.raises(PublishError) as caught:
        _publish(report, module, wrong, sleep=pauses.append)
    message = str(caught.value)
    assert pauses == [] and len(server.store.requests) == 1
    assert "HTTP 401, not authorized (check the JWT token)" in message
    assert "test definition 'odcs_table_rowCount'" in message and "\n" not in message
    (pending,) = tmp_path.iterdir()
    assert len(json.loads(pending.read_text())["results"]) == 7
    sent = publish_file(pending, om_table(server))
    assert sent.posted == 7 and not pending.exists()


def test_a_rejected_request_names_the_entity(server: Any, shipments: Any, tmp_path: Path) -> None:
    from odcs_codegen._runtime.openmetadata import PublishError

    module, report = shipments  # the tables were never ingested: OpenMetadata answers 404
    with pytest.raises(PublishError) as caught:
        _publish(report, module, om_table(server, **{"pending-dir": str(tmp_path)}))
    message = str(caught.value)
    assert "PUT test case 'warehouse.analytics.logistics.shipments_tbl.has_rows'" in message
    assert "HTTP 404 (rejected): table warehouse.analytics.logistics.shipments_tbl" in message
    assert len(list(tmp_path.iterdir())) == 1
    seed(server, module)
    from odcs_codegen._runtime.openmetadata import publish_file

    (pending,) = tmp_path.iterdir()
    assert publish_file(pending, om_table(server)).posted == 7
