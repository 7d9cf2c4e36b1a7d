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
from odcs_codegen.render import DEFAULT_LINE_LENGTH, format_source, runtime_dir

from .update_golden import DIALECTS, GOLDEN, ORCHESTRATION, golden_build, orchestration_build

ROOT = Path(__file__).resolve().parent.parent


def python_files(folder: Path) -> dict[str, str]:
    """The .py files under `folder`, by their posix path relative to it."""
    return {p.relative_to(folder).as_posix(): p.read_text("utf-8") for p in folder.rglob("*.py")}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_files_match(dialect: str) -> None:
    files = golden_build(dialect)
    on_disk = python_files(GOLDEN / dialect)
    assert sorted(files) == sorted(on_disk), "run: python tests/update_golden.py"
    for name, content in files.items():
        assert (
            content == on_disk[name]
        ), f"{dialect}/{name} differs; run: python tests/update_golden.py"


def test_orchestration_golden_files_match() -> None:
    files = orchestration_build()
    on_disk = python_files(ORCHESTRATION)
    assert sorted(files) == sorted(on_disk), "run: python tests/update_golden.py"
    for name, content in files.items():
        assert content == on_disk[name], f"orchestration/{name} differs; run: python tests/update_golden.py"


def test_generated_examples_are_fresh() -> None:
    result = build([ROOT / "examples" / "contracts"], ROOT / "generated_examples")
    assert not result.failed
    on_disk = python_files(ROOT / "generated_examples")
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
        outputs.append(python_files(out))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("source", sorted(runtime_dir().glob("*.py")), ids=lambda p: p.name)
def test_runtime_sources_are_black_formatted(source: Path) -> None:
    """Packages carry the runtime formatted at their line length: at black's default it must be
    the source itself, so the runtime a package carries is the runtime that is tested."""
    text = source.read_text("utf-8")
    assert format_source(text, DEFAULT_LINE_LENGTH) == text


def test_config_schema_file_is_the_options_table() -> None:
    from .update_golden import CONFIG_SCHEMA, config_schema_text

    assert CONFIG_SCHEMA.read_text("utf-8") == config_schema_text(), "python tests/update_golden.py"


def test_every_option_is_a_job_field() -> None:
    from dataclasses import fields

    from odcs_codegen.config import Job
    from odcs_codegen.options import OPTIONS

    job_fields = {f.name for f in fields(Job)}
    assert {option.field for option in OPTIONS} <= job_fields
    assert job_fields - {option.field for option in OPTIONS} == {"name"}
