"""Golden files: generated code compared byte for byte (regenerate: python tests/update_golden.py).

Also: the committed generated_examples/ is fresh, and output does not depend on the hash seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from odcs_codegen.compiler import build
from odcs_codegen.render import RUNTIME_LINE_LENGTH, SUPPORT_MODULES, format_source, render_support

from .update_golden import DIALECTS, GOLDEN, golden_build

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_files_match(dialect: str) -> None:
    files = golden_build(dialect)
    on_disk = {p.name: p.read_text("utf-8") for p in (GOLDEN / dialect).glob("*.py")}
    assert sorted(files) == sorted(on_disk), "run: python tests/update_golden.py"
    for name, content in files.items():
        assert (
            content == on_disk[name]
        ), f"{dialect}/{name} differs; run: python tests/update_golden.py"


def test_generated_examples_are_fresh() -> None:
    result = build([ROOT / "examples" / "contracts"], ROOT / "generated_examples")
    assert not result.failed
    on_disk = {p.name: p.read_text("utf-8") for p in (ROOT / "generated_examples").glob("*.py")}
    assert (
        on_disk == result.files
    ), "generated_examples/ is stale: odcs-codegen generate examples/contracts -o generated_examples"


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odcs_codegen.cli",
                "generate",
                str(GOLDEN / "contracts"),
                str(ROOT / "examples" / "contracts"),
                "-o",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
            cwd=ROOT,
        )
        outputs.append({p.name: p.read_bytes() for p in out.glob("*.py")})
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("name", SUPPORT_MODULES)
def test_support_templates_are_black_formatted(name: str) -> None:
    """render_support() skips black at the default line length: the templates must be clean."""
    text = render_support(name, RUNTIME_LINE_LENGTH)
    assert format_source(text, RUNTIME_LINE_LENGTH) == text
