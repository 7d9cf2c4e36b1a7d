"""Contracts the official ODCS JSON Schema accepts compile: what odcs-codegen cannot check
(relationships into other contracts, an SLA element that is not a column, an array without
`items`) is a warning at the key's position, never a refusal. Expected warnings:
tests/accepted/expected.txt."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from .conftest import Generated

ACCEPTED = Path(__file__).resolve().parent / "accepted"


def expected() -> dict[str, list[str]]:
    """File name -> the diagnostic lines `lint` prints for it ("-": none)."""
    found: dict[str, list[str]] = {}
    for line in (ACCEPTED / "expected.txt").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split(":", 1)[0]
        found.setdefault(name, [])
        if not line.endswith(": -"):
            found[name].append(line)
    return found


EXPECTED = expected()


def test_every_file_is_listed() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in ACCEPTED.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lint_accepts_with_the_expected_warnings(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", "lint", name],
        cwd=ACCEPTED, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(EXPECTED[name])
    assert lines[-1] == f"1 contract(s): 0 error(s), {len(EXPECTED[name])} warning(s)"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_compiles_and_runs(name: str, generate: Callable[..., Generated]) -> None:
    module = generate({name: (ACCEPTED / name).read_text("utf-8")}).module(Path(name).stem)
    tables = {d.name: pa.table({"_": [1]}) for d in module.DATASETS}
    report = module.verify(tables)  # missing columns: schema assertions, never an exception
    assert report.errors == ()


def test_array_without_items_accepts_any_elements(generate: Callable[..., Generated]) -> None:
    module = generate({"a.yaml": (ACCEPTED / "array_without_items.yaml").read_text()}).module("a")
    (dataset,) = module.DATASETS
    report = module.verify({"t": pa.table({"a": pa.array([[1, 2], None], pa.list_(pa.int64()))})})
    assert report.schema_errors == ()
    strings = module.verify({"t": pa.table({"a": pa.array([["x"]], pa.list_(pa.string()))})})
    assert strings.schema_errors == ()
    assert dataset.columns[0].items is None


def test_invalid_values_take_the_enum(generate: Callable[..., Generated]) -> None:
    text = (ACCEPTED / "invalid_values_from_enum.yaml").read_text()
    module = generate({"e.yaml": text}).module("e")
    found = {o.assertion: (o.status, o.value) for o in module.verify(
        {"t": pa.table({"status": ["open", "done", "lost", None]})}
    ).outcomes}  # fmt: skip
    assert found["status: invalidValues"] == ("FAILED", 1.0)
    assert found["status: enum"] == ("FAILED", 1.0)


def test_v30_count_check_is_a_row_count(generate: Callable[..., Generated]) -> None:
    module = generate({"c.yaml": (ACCEPTED / "v30_count_check.yaml").read_text()}).module("c")
    (outcome,) = module.verify({"t": pa.table({"a": ["x", "y"]})}).outcomes
    assert (outcome.assertion, outcome.status, outcome.value) == ("t: countCheck", "PASSED", 2.0)
