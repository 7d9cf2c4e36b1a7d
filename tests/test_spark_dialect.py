"""The Spark dialect at compile time (no Spark needed): what it refuses, and how it quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from odcs_codegen.compiler import compile_to_source
from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings

SPARK = Settings(options=Options(dialect="spark"))

CONTRACT = """\
apiVersion: v3.0.2
kind: DataContract
id: c
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - {{name: "odd `name", logicalType: string}}
    quality:
      - name: q
        type: sql
        query: {query}
        mustBe: 0
"""


def _compile(tmp_path: Path, query: str) -> tuple[str | None, list[str]]:
    path = tmp_path / "c.odcs.yaml"
    path.write_text(CONTRACT.format(query=query), encoding="utf-8")
    compiled = compile_to_source(path, tmp_path / "out", "c", SPARK)
    return compiled.source, [d.format() for d in compiled.diagnostics]


def test_double_quoted_names_are_refused_with_the_fix(tmp_path: Path) -> None:
    module, messages = _compile(tmp_path, "'SELECT COUNT(*) FROM {object} WHERE \"x\" IS NULL'")
    assert module is None
    assert any(
        'Spark SQL reads "x" as a string, not a column: quote names with backticks' in m
        for m in messages
    ), messages


@pytest.mark.parametrize(
    "query", ["'SELECT COUNT(*) FROM {object} WHERE `odd ``name` IS NULL'", "'SELECT 1'"]
)
def test_backtick_queries_compile(tmp_path: Path, query: str) -> None:
    module, messages = _compile(tmp_path, query)
    assert module is not None, messages
    assert 'm.query("SELECT' in module
