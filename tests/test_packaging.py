"""The shipped artifacts: a wheel built from the repository works on its own, and generated code
passes mypy --strict and ruff."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository with the installed build backend (hatchling, a test
    dependency): no build isolation, so no network is needed."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("odcs_codegen-*.whl")
    return built


def test_wheel_ships_templates_schemas_and_config_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "odcs_codegen/templates/module.py.jinja",
        "odcs_codegen/templates/__init__.py.jinja",
        "odcs_codegen/_runtime/suite.py",
        "odcs_codegen/_runtime/html_report.py",
        "odcs_codegen/schemas/odcs-json-schema-v3.1.0.json",
        "odcs_codegen/schemas/LICENSE-Apache-2.0",
        "odcs_codegen/config.schema.json",
    ):
        assert required in names


def test_wheel_generates_the_examples_without_the_repository(wheel: Path, tmp_path: Path) -> None:
    """The installed wheel alone regenerates generated_examples/ byte for byte.

    The contracts are copied so that they lie where they lie in the repository relative to the
    output (`../examples/contracts/`): the output does not depend on where the repository is.
    """
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "contracts", project / "examples" / "contracts")
    shutil.copytree(ROOT / "examples" / "data", project / "examples" / "data")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import odcs_codegen, odcs_codegen.cli as c; "
        "assert odcs_codegen.__file__.startswith(sys.argv[1]), odcs_codegen.__file__; "
        "raise SystemExit(c.main(['generate', 'examples/contracts', '-o', 'generated_examples', "
        "'--no-cache']))"
    )
    subprocess.run(
        [sys.executable, "-I", "-c", code, str(unpacked)],
        check=True,
        capture_output=True,
        cwd=project,
        timeout=300,
    )
    expected = ROOT / "generated_examples"
    generated = project / "generated_examples"
    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.py")}

    assert files(generated) == files(expected)


def test_generated_code_passes_mypy_strict_and_ruff(tmp_path: Path) -> None:
    package = ROOT / "generated_examples"
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(package)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert mypy.returncode == 0, mypy.stdout
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E4,E7,E9,F,I,B,UP",
         str(package)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ruff.returncode == 0, ruff.stdout
