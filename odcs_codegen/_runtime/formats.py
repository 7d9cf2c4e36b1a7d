"""The text report formats of a run: an aligned table, JSON and JUnit XML.

The HTML report lives in ``html_report`` (imported only when asked for).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .report import Report, plural
from .suite import Outcome

__all__ = ["format_json", "format_junit", "format_table", "format_value"]

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_value(value: float | None, unit: str | None = None) -> str:
    """A value for people: integers without ``.0``, others as the shortest exact decimal."""
    if value is None:
        return "-"
    text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    return f"{text} {unit}" if unit else text


def _one_line(text: str) -> str:
    """``text`` with control characters escaped, so it fits in one table cell."""
    return _CONTROL_CHARACTERS.sub(lambda match: repr(match.group())[1:-1], text)


def format_table(report: Report) -> str:
    """An aligned table of every assertion, the failures with their reasons, and a summary."""
    lines: list[str] = []
    if report.outcomes:
        header = (
            "dataset",
            "check",
            "assertion",
            "severity",
            "status",
            "value",
            "expected",
        )
        rows = [header] + [
            (
                o.dataset,
                o.check,
                o.assertion,
                o.severity,
                o.status,
                format_value(o.value, o.unit),
                o.expectation,
            )
            for o in report.outcomes
        ]
        cells = [[_one_line(cell) for cell in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
        lines += [
            "  ".join([*map(str.ljust, row[:-1], widths), row[-1]]).rstrip()
            for row in cells
        ]
        failures = [o for o in report.outcomes if o.failed and o.reason]
        if failures:
            lines += ["", "failed:"]
            for outcome in failures:
                first, *more = _failure_line(outcome).splitlines() or [""]
                lines.append(f"  {_one_line(first)}")
                lines += [f"    {_one_line(line.strip())}" for line in more]
        lines.append("")
    lines += [f"error: {error}" for error in report.errors]
    lines.append(report.summary_line())
    return "\n".join(lines) + "\n"


def _failure_line(outcome: Outcome) -> str:
    return f"{outcome.dataset} / {outcome.assertion} ({outcome.severity}): {outcome.reason}"


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """One assertion as a JSON object (null fields left out, but ``value``)."""
    item: dict[str, Any] = {
        "dataset": outcome.dataset,
        "check": outcome.check,
        "assertion": outcome.assertion,
        "severity": outcome.severity,
        "status": outcome.status,
        "value": outcome.value,
    }
    optional = {
        "expected": outcome.expectation or None,
        "unit": outcome.unit,
        "reason": outcome.reason,
        "at": outcome.at,
        "description": outcome.description,
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    return item


def format_json(report: Report) -> str:
    """The report as one JSON document: ``results`` (one object per assertion) and ``summary``.

    ``value`` is the exact measured value, null when it was not measured (``reason`` says why).
    """
    document = {
        "results": [outcome_json(outcome) for outcome in report.outcomes],
        "summary": report.summary(),
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (escaped as ``\\xNN`` instead)."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _element(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    """A child element with cleaned attribute values and text."""
    from xml.etree import ElementTree

    element = ElementTree.SubElement(
        parent, tag, {k: _xml(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = _xml(text)
    return element


def format_junit(report: Report) -> str:
    """A JUnit XML report: a testsuite for the schema validation and one per check.

    Every dataset's schema validation and every assertion is a testcase; failed ones hold a
    ``<failure>`` whose ``type`` is the severity (``SchemaValidationError`` for schemas).
    """
    from xml.etree import ElementTree

    contract = report.contract
    tests = len(report.datasets) + len(report.outcomes)
    failures = len(report.schema_errors) + report.failed
    root = ElementTree.Element(
        "testsuites",
        {
            "name": _xml(contract),
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(len(report.errors)),
        },
    )
    _schema_suite(root, report)
    groups: dict[str, list[Outcome]] = {}
    for outcome in report.outcomes:
        groups.setdefault(outcome.check, []).append(outcome)
    for check_name, outcomes in groups.items():
        suite = _element(
            root,
            "testsuite",
            name=check_name,
            tests=str(len(outcomes)),
            failures=str(sum(outcome.failed for outcome in outcomes)),
            errors="0",
            skipped="0",
        )
        for outcome in outcomes:
            _testcase(suite, contract, outcome)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _schema_suite(root: Any, report: Report) -> None:
    contract = report.contract
    schema_suite = _element(
        root,
        "testsuite",
        name=f"{contract}: schema validation",
        tests=str(len(report.datasets)),
        failures=str(len(report.schema_errors)),
        errors="0",
        skipped="0",
    )
    errors = {error.dataset: error for error in report.schema_errors}
    for dataset in report.datasets:
        case = _element(
            schema_suite, "testcase", classname=f"{contract}.{dataset}", name="schema"
        )
        error = errors.get(dataset)
        if error is not None:
            message = (
                f"Dataset '{dataset}' does not match its contract "
                f"({plural(len(error.problems), 'problem')})"
            )
            _element(
                case,
                "failure",
                str(error),
                message=message,
                type="SchemaValidationError",
            )


def _testcase(suite: Any, contract: str, outcome: Outcome) -> None:
    case = _element(
        suite,
        "testcase",
        classname=f"{contract}.{outcome.dataset}",
        name=outcome.assertion,
    )
    properties = _element(case, "properties")
    _element(properties, "property", name="severity", value=outcome.severity)
    _element(
        properties,
        "property",
        name="value",
        value=format_value(outcome.value, outcome.unit),
    )
    if outcome.expectation:
        _element(properties, "property", name="expected", value=outcome.expectation)
    if outcome.at:
        _element(properties, "property", name="at", value=outcome.at)
    if outcome.failed:
        shown = outcome.reason or f"value {format_value(outcome.value, outcome.unit)}"
        message = f"{outcome.severity} assertion '{outcome.assertion}' failed: {shown}"
        lines = [
            f"dataset: {outcome.dataset}",
            f"check: {outcome.check}",
            f"severity: {outcome.severity}",
            f"value: {format_value(outcome.value, outcome.unit)}",
        ]
        if outcome.expectation:
            lines.append(f"expected: {outcome.expectation}")
        if outcome.reason:
            lines.append(f"reason: {outcome.reason}")
        details = "".join(line + "\n" for line in lines)
        _element(case, "failure", details, message=message, type=outcome.severity)
