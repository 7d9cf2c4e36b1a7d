"""The size limits that keep the code easy to change: modules, classes and functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "odcs_codegen"
MODULE_LINES = 500
CLASS_LINES = 300  # a data source: its constructors and dqlib's SqlDataSource protocol
FUNCTION_LINES = 60

MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_module_classes_and_functions_stay_small(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    too_big = []
    if text.count("\n") > MODULE_LINES:
        too_big.append(f"module: {text.count(chr(10))} lines > {MODULE_LINES}")
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        limit = CLASS_LINES if isinstance(node, ast.ClassDef) else FUNCTION_LINES
        if size > limit:
            too_big.append(f"{node.name} (line {node.lineno}): {size} lines > {limit}")
    assert not too_big, "\n".join(too_big)


def test_the_limits_see_every_module() -> None:
    assert len(MODULES) > 40
    assert PACKAGE / "_runtime" / "suite.py" in MODULES
