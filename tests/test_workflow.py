"""How a team lives with generated checks: configuration in a real git repository, jobs, filters,
CI output formats, init and fix through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from odcs_codegen.render import runtime_names

from .conftest import contract_text

SUPPORT = 1 + len(runtime_names("duckdb"))  # __init__.py and the runtime

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "contracts"


def cli(
    *args: str | Path, cwd: Path, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `odcs-codegen ARGS` in `cwd` with a private cache folder."""
    env = {"ODCS_CODEGEN_CACHE": str(cache or cwd / ".cache"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the example contracts and a pyproject.toml with two jobs."""
    root = tmp_path / "repo"
    (root / "contracts" / "sales").mkdir(parents=True)
    (root / "contracts" / "drafts").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    shutil.copy(EXAMPLES / "orders.odcs.yaml", root / "contracts" / "sales")
    shutil.copy(EXAMPLES / "commerce.odcs.yaml", root / "contracts" / "sales")
    (root / "contracts" / "drafts" / "wip.odcs.yaml").write_text(contract_text("schema: []\n"))
    (root / "pyproject.toml").write_text(
        """\
[project]
name = "analytics"

[tool.odcs-codegen]
line-length = 100
contract-filter = { excludes = ["drafts/"] }

[[tool.odcs-codegen.jobs]]
name = "sales"
sources = ["contracts"]
output = "src/sales/dq_checks"
dataset-filter = { excludes = ["^order_lines$"] }

[[tool.odcs-codegen.jobs]]
name = "orders-only"
sources = ["contracts/sales/orders.odcs.yaml"]
output = "src/orders/dq_checks"
rule-filter = { excludes = ["^fraud"] }
""",
        encoding="utf-8",
    )
    return root


def test_generate_without_arguments_uses_the_configuration(repo: Path) -> None:
    nested = repo / "src"
    nested.mkdir()
    result = cli("generate", "--verbose", cwd=nested)  # found by walking up to the repo root
    assert result.returncode == 0, result.stderr
    assert f"sales: {2 + SUPPORT} written, 0 unchanged, 0 removed, 0 warning(s), 2 filtered" in result.stderr
    assert f"orders-only: {1 + SUPPORT} written, 0 unchanged, 0 removed, 0 warning(s), 1 filtered" in (
        result.stderr
    )
    assert "contract filtered out" in result.stderr  # --verbose lists what was dropped
    # nothing else on stderr: DuckDB (used to check regexes and queries) once printed a leak
    # report at exit because a connection was still open
    assert all(": note: " in line or " written, " in line for line in result.stderr.splitlines())
    assert "dataset 'order_lines' filtered out" in result.stderr
    assert "rule 'fraud_sql_check' filtered out" in result.stderr
    sales = repo / "src" / "sales" / "dq_checks"
    assert sorted(p.name for p in sales.iterdir()) == [
        "__init__.py",
        "_runtime",
        "commerce.py",
        "orders.py",
    ]
    assert "check_order_lines" not in (sales / "commerce.py").read_text()
    assert "fraud_sql_check" not in (repo / "src/orders/dq_checks/orders.py").read_text()
    again = cli("check", cwd=repo)
    assert again.returncode == 0, again.stderr
    only = cli("generate", "--job", "sales", cwd=repo)
    assert only.stderr.strip() == f"0 written, {2 + SUPPORT} unchanged, 0 removed, 0 warning(s), 2 filtered"


def test_configuration_errors_have_file_and_line(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("line-length = 100", "line-lenght = 100"))
    result = cli("generate", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith("pyproject.toml:5:1: error: unknown key 'line-lenght'")
    assert "did you mean 'line-length'?" in result.stderr


def test_check_formats_for_ci(repo: Path) -> None:
    assert cli("generate", cwd=repo).returncode == 0
    orders = repo / "src" / "sales" / "dq_checks" / "orders.py"
    orders.write_text(orders.read_text().replace('severity="P0"', 'severity="P2"'))
    github = cli("check", "--job", "sales", "--format", "github", cwd=repo)
    assert github.returncode == 1
    assert (
        "::error file=src/sales/dq_checks/orders.py::generated file is changed; "
        "run 'odcs-codegen generate'"
    ) in github.stdout.splitlines()  # annotations on stdout, as GitHub's examples and ruff
    assert all(line.startswith("::") for line in github.stdout.splitlines())
    report = json.loads(cli("check", "--job", "sales", "--format", "json", cwd=repo).stdout)
    assert report["in_sync"] is False and report["changed"] == ["orders.py"]
    orders.write_text(orders.read_text().replace('severity="P2"', 'severity="P0"'))
    for command in ("generate", "diff", "check"):  # one document, also with nothing to say
        done = cli(command, "--job", "sales", "--format", "json", cwd=repo)
        document = json.loads(done.stdout)
        assert document["errors"] == 0 and document["job"] == "sales", command
    assert json.loads(cli("diff", "--format", "json", cwd=repo).stdout)["jobs"][0]["in_sync"]


def test_lint_formats_for_ci(tmp_path: Path) -> None:
    bad = tmp_path / "bad.odcs.yaml"
    bad.write_text(
        contract_text(
            "schema:\n  - name: t\n    properties:\n      - {name: a, logicalType: uuid}\n"
        )
    )
    github = cli("lint", bad, "--format", "github", cwd=tmp_path)
    assert github.returncode == 1
    assert github.stdout.splitlines()[0].startswith("::error file=bad.odcs.yaml,line=10,col=")
    data = json.loads(cli("lint", bad, "--format", "json", cwd=tmp_path).stdout)
    assert data["errors"] == 1 and data["diagnostics"][0]["file"] == "bad.odcs.yaml"
    assert data["diagnostics"][0]["line"] == 10


def test_init_then_generate_then_run(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    created = cli("init", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert cli("init", cwd=tmp_path).returncode == 1  # never overwrites
    assert cli("generate", cwd=tmp_path).returncode == 0
    run = cli("run", "contracts/orders.odcs.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "assertions: " in run.stdout and " 0 failed" in run.stdout


def test_fix_through_the_cli_then_lint(tmp_path: Path) -> None:
    spec_example = ROOT / "tests" / "fix_cases" / "dqx_spec_example.odcs.yaml"
    contract = tmp_path / "orders.odcs.yaml"
    shutil.copy(spec_example, contract)
    assert cli("lint", contract, cwd=tmp_path).returncode == 1
    preview = cli("fix", contract, "--diff", cwd=tmp_path)
    assert preview.returncode == 0 and preview.stdout.startswith("--- a/")
    assert contract.read_text() == spec_example.read_text()  # --diff writes nothing
    assert cli("fix", contract, cwd=tmp_path).returncode == 0
    assert cli("lint", contract, cwd=tmp_path).returncode == 0
