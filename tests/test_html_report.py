"""The HTML report: a well-formed, self-contained page where contract and data text is only text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import html5lib

from .conftest import contract_text
from .integrations.browser.chromium import example_report

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(2)>'

HOSTILE = f"""\
description:
  purpose: {IMAGE!r}
schema:
  - name: orders
    physicalName: orders
    properties:
      - name: status
        logicalType: string
        description: {SCRIPT!r}
        quality:
          - name: {SCRIPT!r}
            description: {IMAGE!r}
            metric: invalidValues
            arguments:
              validValues: ['ok']
            mustBe: 0
            severity: error
      - name: amount
        logicalType: integer
"""


def _run(folder: Path, contract: str, data: str) -> tuple[subprocess.CompletedProcess[str], str]:
    (folder / "c.odcs.yaml").write_text(contract, "utf-8")
    (folder / "orders.csv").write_text(data, "utf-8")
    page = folder / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "odcs_codegen.cli",
            "run",
            "c.odcs.yaml",
            "--data",
            "orders=orders.csv",
            "--format",
            "html",
            "--output",
            str(page),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    return done, page.read_text("utf-8") if page.exists() else ""


def _parse(page: str) -> object:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)  # raises on any parse error


def test_hostile_names_and_values_are_text(tmp_path: Path) -> None:
    data = 'status,amount\n"""><img src=x onerror=alert(2)>",1\nok,2\n'
    done, page = _run(tmp_path, contract_text(HOSTILE, name=SCRIPT), data)
    assert done.returncode == 1, done.stderr  # the invalid value fails its P0 rule
    tree = _parse(page)
    assert tree.findall(".//script") == []  # type: ignore[attr-defined]
    assert tree.findall(".//img") == []  # type: ignore[attr-defined]
    text = "".join(tree.itertext())  # type: ignore[attr-defined]
    assert SCRIPT in text and IMAGE in text  # shown, as text
    assert "FAILED" in text


def test_the_example_report_is_well_formed_and_self_contained(tmp_path: Path) -> None:
    page = example_report(tmp_path)
    html = page.read_text("utf-8")
    tree = _parse(html)
    for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src")):
        assert [e.get(attribute) for e in tree.iter(tag)] == []  # type: ignore[attr-defined]
    assert "http://" not in html and "https://" not in html
    text = " ".join(tree.itertext())  # type: ignore[attr-defined]
    for expected in ("orders_sample", "1.0.0", "orders_tbl", "passed", "failed", "P0", "valid"):
        assert expected in text
    rows = tree.findall(".//tbody/tr")  # type: ignore[attr-defined]
    statuses = [row.find("td").text for row in rows]
    assert statuses and statuses == sorted(statuses, key=lambda s: s != "FAILED")
