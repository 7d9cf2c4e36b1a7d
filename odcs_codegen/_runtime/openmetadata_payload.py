"""What a run looks like in OpenMetadata: test definitions, test cases and their results.

One test definition per rule kind and level (``odcs_column_nullValues``, ``odcs_table_rowCount``),
one test case per assertion on its table or column, and one result per run. Everything here is
plain JSON-ready data (the bodies of OpenMetadata's create requests), built from the runtime's
``Report`` and what the checks record about each assertion; nothing is sent from here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .report import Report
from .suite import Outcome

__all__ = [
    "Batch",
    "CaseInfo",
    "TableLocation",
    "build_batch",
    "case_name",
    "describe_checks",
    "entity_link",
    "fqn_part",
    "planned_outcomes",
    "table_fqn",
]

#: ODCS quality dimensions (and their abbreviations): tags that do not name a rule kind.
_DIMENSIONS = frozenset(
    (
        *("accuracy", "completeness", "conformity", "consistency", "coverage"),
        *("timeliness", "uniqueness", "ac", "cp", "cf", "cs", "cv", "tm", "uq"),
    )
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_NAME_LIMIT = 256

#: The parameters every test definition declares, and what they hold.
PARAMETERS: tuple[tuple[str, str], ...] = (
    ("expected", "The threshold the contract sets (for example '<= 10')."),
    ("severity", "The assertion's severity, P0 (blocking) to P3."),
    ("source", "Where the rule is written in the contract (file:line:column)."),
)


class CaseInfo(NamedTuple):
    """What the checks record about one assertion: its rule kind, column and rule id."""

    kind: str
    column: str | None = None
    rule_id: str | None = None


class TableLocation(NamedTuple):
    """Where a contract's tables live in OpenMetadata."""

    service: str
    database: str
    schema: str
    tables: Mapping[str, str] = (
        {}
    )  # dataset -> table name (default: the dataset's name)

    def table(self, dataset: str) -> str:
        """The OpenMetadata table name of ``dataset``."""
        return self.tables.get(dataset, dataset)


class Batch(NamedTuple):
    """The create requests of one run: definitions, ``(case FQN, case)`` and
    ``(case FQN, result)`` pairs."""

    contract: str
    definitions: tuple[dict[str, Any], ...]
    cases: tuple[tuple[str, dict[str, Any]], ...]
    results: tuple[tuple[str, dict[str, Any]], ...]

    def to_json(self) -> dict[str, Any]:
        """The batch as a JSON document (the pending file's content)."""
        return {
            "format": "odcs-codegen/openmetadata-results",
            "version": 1,
            "contract": self.contract,
            "definitions": list(self.definitions),
            "cases": [{"testCase": fqn, "request": body} for fqn, body in self.cases],
            "results": [
                {"testCase": fqn, "result": body} for fqn, body in self.results
            ],
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Batch:
        """A batch read back from ``to_json``'s document; ValueError when it is not one."""
        if document.get("format") != "odcs-codegen/openmetadata-results":
            raise ValueError("not a file of undelivered OpenMetadata results")
        if document.get("version") != 1:
            raise ValueError(f"unsupported version {document.get('version')!r}")
        try:
            cases = tuple(
                (str(item["testCase"]), dict(item["request"]))
                for item in document["cases"]
            )
            results = tuple(
                (str(item["testCase"]), dict(item["result"]))
                for item in document["results"]
            )
            definitions = tuple(dict(item) for item in document["definitions"])
            return cls(str(document["contract"]), definitions, cases, results)
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed file: {error!r}") from None


def fqn_part(name: str) -> str:
    """One part of a fully qualified name: quoted when it holds a dot, as OpenMetadata does."""
    if "." in name or '"' in name:
        return '"' + name.replace('"', "") + '"'
    return name


def table_fqn(location: TableLocation, dataset: str) -> str:
    """``service.database.schema.table`` of a dataset."""
    parts = (location.service, location.database, location.schema)
    return ".".join(fqn_part(part) for part in (*parts, location.table(dataset)))


def entity_link(location: TableLocation, dataset: str, column: str | None) -> str:
    """``<#E::table::FQN>``, or ``<#E::table::FQN::columns::COLUMN>`` for a column."""
    link = f"<#E::table::{table_fqn(location, dataset)}"
    return link + (f"::columns::{fqn_part(column)}>" if column else ">")


def case_name(assertion: str, rule_id: str | None = None) -> str:
    """A test case's name: the ODCS rule's id when known, else its name (the assertion's),
    with every run of characters other than letters, digits, ``_`` and ``-`` as one ``_``.
    """
    text = (rule_id or assertion).strip()
    cleaned = _UNSAFE_NAME.sub("_", text).strip("_") or "rule"
    return cleaned[:_NAME_LIMIT]


def _recorded(checks: Sequence[Any]) -> dict[tuple[str, str], Any]:
    """``(check, assertion) -> AssertionInfo`` of every assertion ``checks`` make: the
    checks are built (not run) while the runtime's recorder notes each one."""
    import logging

    from dqx.api import VerificationSuite
    from dqx.orm.repositories import InMemoryMetricDB

    from .measure import Recorder, recording, stop_recording

    recorder = Recorder()
    token = recording(recorder)
    try:
        VerificationSuite(
            checks=list(checks),
            db=InMemoryMetricDB(),
            name="describe",
            log_level=logging.ERROR,
        )
    finally:
        stop_recording(token)
    return dict(recorder.assertions)


def describe_checks(
    checks: Sequence[Any], rule_ids: Mapping[str, str] | None = None
) -> dict[tuple[str, str, str], CaseInfo]:
    """``(dataset, check, assertion) -> CaseInfo`` of every assertion ``checks`` make: the
    rule kind from its tags, the column its metric reads (when it reads exactly one) and the
    rule id (``rule_ids`` maps a rule's position, ``file:line:column``, to its ODCS id).
    """
    found: dict[tuple[str, str, str], CaseInfo] = {}
    for (check, name), info in _recorded(checks).items():
        kinds = sorted(
            tag for tag in info.tags if tag != "odcs" and tag.lower() not in _DIMENSIONS
        )
        reads = info.metric.reads
        column = reads[0] if info.metric.kind == "sql" and len(reads) == 1 else None
        rule_id = (rule_ids or {}).get(info.source or "")
        found[(info.dataset, check, name)] = CaseInfo(
            kinds[0] if kinds else "rule", column, rule_id
        )
    return found


def planned_outcomes(checks: Sequence[Any]) -> list[Outcome]:
    """An Outcome (status ``PLANNED``, no value) per assertion ``checks`` make."""
    return [
        Outcome(
            info.dataset,
            check,
            name,
            info.severity,
            "PLANNED",
            None,
            expectation=info.expectation,
            unit=info.unit,
            at=info.source,
            description=info.description,
        )
        for (check, name), info in _recorded(checks).items()
    ]


def _schema_case(outcome: Outcome) -> CaseInfo:
    """The info of an assertion the checks do not make: a column's schema check."""
    column, _, what = outcome.assertion.rpartition(": ")
    if what == "schema" and column:
        return CaseInfo("schema", column)
    return CaseInfo("rule")


def definition_name(info: CaseInfo) -> str:
    """``odcs_column_<kind>`` or ``odcs_table_<kind>``."""
    level = "column" if info.column else "table"
    return f"odcs_{level}_{_UNSAFE_NAME.sub('_', info.kind)}"


def _definition(info: CaseInfo, platform: str) -> dict[str, Any]:
    level = "column" if info.column else "table"
    return {
        "name": definition_name(info),
        "displayName": f"ODCS {info.kind} ({level})",
        "description": f"An ODCS data contract rule of kind '{info.kind}' on a {level}, "
        "checked by odcs-codegen's generated DQX checks.",
        "entityType": "COLUMN" if info.column else "TABLE",
        "testPlatforms": [platform],
        "parameterDefinition": [
            {
                "name": name,
                "displayName": name,
                "dataType": "STRING",
                "description": text,
            }
            for name, text in PARAMETERS
        ],
    }


def _case(
    outcome: Outcome, info: CaseInfo, location: TableLocation
) -> tuple[str, dict[str, Any]]:
    """The test case of an assertion: its FQN and create request."""
    name = case_name(outcome.assertion, info.rule_id)
    parent = table_fqn(location, outcome.dataset)
    fqn = (
        f"{parent}.{fqn_part(info.column)}.{name}"
        if info.column
        else f"{parent}.{name}"
    )
    values = {
        "expected": outcome.expectation,
        "severity": outcome.severity,
        "source": outcome.at or "",
    }
    body: dict[str, Any] = {
        "name": name,
        "displayName": outcome.assertion,
        "description": outcome.description
        or f"{outcome.check}: {outcome.assertion} ({outcome.severity})",
        "testDefinition": definition_name(info),
        "entityLink": entity_link(location, outcome.dataset, info.column),
        "parameterValues": [
            {"name": key, "value": value} for key, value in values.items() if value
        ],
    }
    return fqn, body


def run_timestamp(report: Report) -> int:
    """The run's start (``report.started``) in milliseconds since the epoch (now if unknown)."""
    if report.started:
        moment = datetime.datetime.fromisoformat(report.started)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
    else:
        moment = datetime.datetime.now(datetime.UTC)
    return int(moment.timestamp() * 1000)


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def result_body(outcome: Outcome, timestamp: int) -> dict[str, Any]:
    """A ``CreateTestCaseResult``: Success, Failed (measured) or Aborted (not measured)."""
    if outcome.status == "PASSED":
        status = "Success"
    else:
        status = "Failed" if outcome.value is not None else "Aborted"
    shown = "no value" if outcome.value is None else _number(outcome.value)
    unit = f" {outcome.unit}" if outcome.unit and outcome.value is not None else ""
    text = f"value {shown}{unit}"
    if outcome.expectation:
        text += f", expected {outcome.expectation}"
    if outcome.reason and status != "Success":
        text = outcome.reason if outcome.value is None else f"{text}: {outcome.reason}"
    values = [] if outcome.value is None else [{"name": "value", "value": shown}]
    return {
        "timestamp": timestamp,
        "testCaseStatus": status,
        "result": text,
        "testResultValue": values,
    }


def build_batch(
    report: Report,
    infos: Mapping[tuple[str, str, str], CaseInfo],
    location: TableLocation,
    *,
    platform: str = "Other",
) -> Batch:
    """The definitions, cases and results of ``report`` (``infos`` from ``describe_checks``)."""
    timestamp = run_timestamp(report)
    definitions: dict[str, dict[str, Any]] = {}
    cases: dict[str, dict[str, Any]] = {}
    results: list[tuple[str, dict[str, Any]]] = []
    for outcome in report.outcomes:
        key = (outcome.dataset, outcome.check, outcome.assertion)
        info = infos.get(key) or _schema_case(outcome)
        definitions.setdefault(definition_name(info), _definition(info, platform))
        fqn, body = _case(outcome, info, location)
        if fqn in cases:  # two assertions with one name: the later one is told apart
            fqn, body = _renamed(fqn, body, cases)
        cases[fqn] = body
        results.append((fqn, result_body(outcome, timestamp)))
    return Batch(
        report.contract,
        tuple(definitions.values()),
        tuple(cases.items()),
        tuple(results),
    )


def _renamed(
    fqn: str, body: dict[str, Any], taken: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """``name_2``, ``name_3``, ... for a case whose FQN is already taken."""
    number = 2
    while f"{fqn}_{number}" in taken:
        number += 1
    return f"{fqn}_{number}", {**body, "name": f"{body['name']}_{number}"}
