"""`odcs-codegen init`: a starter contract, a data sample and a configuration, never overwriting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

CONTRACT = """\
# A starter ODCS contract: edit it, then run `odcs-codegen generate`.
apiVersion: v3.1.0
kind: DataContract
id: 00000000-0000-4000-8000-000000000001
name: orders
version: 0.1.0
status: draft
description:
  purpose: Orders placed in the web shop.
servers:
  - server: local
    type: local
    path: ../data/orders.csv
    format: csv
schema:
  - name: orders
    quality:
      - name: has_rows
        metric: rowCount
        mustBeGreaterThan: 0
        severity: error
    properties:
      - name: order_id
        logicalType: integer
        required: true
        unique: true
      - name: status
        logicalType: string
        required: true
        quality:
          - name: known_status
            metric: invalidValues
            arguments:
              validValues: [pending, shipped, delivered]
            mustBe: 0
            severity: error
      - name: amount
        logicalType: number
        quality:
          - name: amount_positive
            type: custom
            engine: dqx
            implementation: |
              check: min
              mustBeGreaterThan: 0
      - name: order_date
        logicalType: date
        required: true
"""

CONFIG = """\
# odcs-codegen configuration (the same keys work under [tool.odcs-codegen] in pyproject.toml).
sources = ["contracts"]
output = "dq_checks"
dialect = "duckdb"
"""

ROWS = [
    ("order_id", "status", "amount", "order_date"),
    (1, "pending", "19.99", "2026-01-05"),
    (2, "shipped", "5.00", "2026-01-05"),
    (3, "delivered", "120.50", "2026-01-06"),
]


def _sample_csv() -> str:
    """The sample data as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(ROWS)
    return buffer.getvalue()


def scaffold_files() -> dict[str, str]:
    """The files `init` creates, relative to the target folder."""
    return {
        "contracts/orders.odcs.yaml": CONTRACT,
        "data/orders.csv": _sample_csv(),
        "odcs-codegen.toml": CONFIG,
    }


def init(target: Path, *, openmetadata: bool = False) -> list[Path]:
    """Create the starter files in `target`; FileExistsError (nothing written) if any exists.
    With `openmetadata`, also the connector's workflow and an [openmetadata] table."""
    names = scaffold_files()
    if openmetadata:
        from .openmetadata.commands import openmetadata_files

        extra = openmetadata_files()
        names["odcs-codegen.toml"] += extra.pop("odcs-codegen.toml")
        names.update(extra)
    files = {target / name: text for name, text in names.items()}
    existing = [path for path in files if path.exists()]
    if existing:
        raise FileExistsError(", ".join(str(p) for p in existing))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    return list(files)
