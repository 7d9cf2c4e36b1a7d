"""The HTML report of a run: one self-contained page (no network, no scripts).

Every text that comes from the contract or the data is escaped with ``html.escape``, so a rule
named ``<script>`` shows as text. The page reads on a phone (the tables become cards on narrow
screens) and prints (colours kept, no backgrounds wasted).
"""

from __future__ import annotations

from html import escape

from .formats import format_value
from .report import Report
from .suite import Outcome

__all__ = ["format_html"]

_STYLE = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1f2328; background: #f6f8fa; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
header, section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 16px; margin-bottom: 16px; }
h1 { font-size: 1.4em; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 1.15em; margin: 0 0 12px; word-break: break-word; }
.meta { color: var(--muted); margin: 0; }
.meta span { margin-right: 1em; display: inline-block; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.card b { display: block; font-size: 1.4em; }
.verdict { font-weight: 600; padding: 8px 12px; border-radius: 6px; margin-top: 12px;
  display: inline-block; }
.verdict.ok { background: #dafbe1; color: var(--ok); }
.verdict.bad { background: #ffebe9; color: var(--bad); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { font-size: 0.85em; color: var(--muted); font-weight: 600; }
td.value, td.expected { font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { font-weight: 700; white-space: nowrap; }
.status.PASSED { color: var(--ok); }
.status.FAILED { color: var(--bad); }
.sev-P0 { color: var(--bad); font-weight: 700; }
.sev-P1 { color: var(--warn); }
.reason { color: var(--bad); white-space: pre-wrap; word-break: break-word; margin-top: 4px; }
.description, .at { color: var(--muted); font-size: 0.9em; word-break: break-word; }
pre.problem { white-space: pre-wrap; word-break: break-word; background: #ffebe9;
  color: var(--bad); padding: 8px; border-radius: 6px; margin: 0 0 8px; }
@media (max-width: 700px) {
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; padding: 4px; }
  td { border: 0; padding: 2px 6px; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
}
@media print {
  body { background: #fff; }
  header, section { border: 0; padding: 0 0 12px; break-inside: avoid-page; }
  tr { break-inside: avoid; }
}
"""


def _text(value: object) -> str:
    """Escaped text of anything (quotes included)."""
    return escape(str(value), quote=True)


def format_html(report: Report) -> str:
    """The report as one HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Data quality: {_text(report.contract)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body><main>",
        _header(report),
        *_schema_section(report),
        *(_dataset_section(report, dataset) for dataset in report.datasets),
        "</main></body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _header(report: Report) -> str:
    version = (
        f" <small>version {_text(report.version)}</small>" if report.version else ""
    )
    origins = dict(report.sources)
    meta = [f"<span>run {_text(report.started)}</span>"] if report.started else []
    for dataset in report.datasets:
        where = origins.get(dataset)
        shown = f"{dataset} ({where})" if where else dataset
        meta.append(f"<span>dataset {_text(shown)}</span>")
    cards = [
        ("assertions", len(report.outcomes)),
        ("passed", report.passed),
        ("failed", report.failed),
        ("P0 failures", report.p0_failures),
        ("schema", "valid" if not report.schema_errors else "invalid"),
    ]
    card_html = "".join(
        f'<div class="card">{_text(label)}<b>{_text(value)}</b></div>'
        for label, value in cards
    )
    ok = report.exit_code == 0
    verdict = (
        '<div class="verdict ok">No P0 assertion failed</div>'
        if ok
        else f'<div class="verdict bad">{_text(report.summary_line())}</div>'
    )
    errors = "".join(f'<pre class="problem">{_text(e)}</pre>' for e in report.errors)
    return (
        f"<header><h1>{_text(report.contract)}{version}</h1>"
        f'<p class="meta">{"".join(meta)}</p>'
        f'<div class="cards">{card_html}</div>{verdict}{errors}</header>'
    )


def _schema_section(report: Report) -> list[str]:
    if not report.schema_errors:
        return []
    problems = "".join(
        f'<pre class="problem">{_text(problem)}</pre>'
        for error in report.schema_errors
        for problem in (f"Dataset '{error.dataset}'", *error.problems)
    )
    return [f"<section><h2>Schema problems</h2>{problems}</section>"]


def _dataset_section(report: Report, dataset: str) -> str:
    outcomes = [o for o in report.ordered() if o.dataset == dataset]
    rows = "".join(_row(outcome) for outcome in outcomes)
    header = "".join(
        f"<th>{name}</th>"
        for name in ("status", "severity", "assertion", "value", "expected", "rule")
    )
    return (
        f"<section><h2>Dataset {_text(dataset)}</h2>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _row(outcome: Outcome) -> str:
    reason = (
        f'<div class="reason">{_text(outcome.reason)}</div>' if outcome.reason else ""
    )
    description = (
        f'<div class="description">{_text(outcome.description)}</div>'
        if outcome.description
        else ""
    )
    at = f'<div class="at">{_text(outcome.at)}</div>' if outcome.at else ""
    return (
        "<tr>"
        f'<td class="status {_text(outcome.status)}" data-label="status">'
        f"{_text(outcome.status)}</td>"
        f'<td class="sev-{_text(outcome.severity)}" data-label="severity">'
        f"{_text(outcome.severity)}</td>"
        f'<td data-label="assertion">{_text(outcome.assertion)}{reason}</td>'
        f'<td class="value" data-label="value">'
        f"{_text(format_value(outcome.value, outcome.unit))}</td>"
        f'<td class="expected" data-label="expected">{_text(outcome.expectation or "-")}</td>'
        f'<td data-label="rule">{description}{at}</td>'
        "</tr>"
    )
