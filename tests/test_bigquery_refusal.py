"""BigQuery without pretending: a BigQuery package refuses to run locally with one sentence
(exit code 2, no traceback) from `odcs-codegen run`, `python -m package.module` and
`module.run()`; and every BigQuery expression the compiler emits parses as BigQuery SQL
(sqlglot's BigQuery dialect, when sqlglot is installed)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from odcs_codegen._runtime.errors import EXIT_USAGE
from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings

from .conftest import Generated

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "contracts" / "orders_sample.odcs.yaml"
GOLDEN = ROOT / "tests" / "golden" / "contracts" / "all_rules.odcs.yaml"
BIGQUERY = Settings(options=Options(dialect="bigquery"))
REFUSAL = "these checks are BigQuery SQL and cannot run locally"


@pytest.fixture
def bigquery_sample(generate: Callable[..., Generated]) -> Generated:
    return generate({"orders_sample.odcs.yaml": SAMPLE.read_text()}, BIGQUERY)


def test_python_m_refuses_in_one_line(bigquery_sample: Generated) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"{bigquery_sample.package}.orders_sample"],
        cwd=bigquery_sample.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and REFUSAL in lines[0], done.stderr


def test_module_run_refuses_before_touching_the_data(bigquery_sample: Generated) -> None:
    module = bigquery_sample.module("orders_sample")
    refused = module._runtime.UsageError  # the package's own runtime, not odcs_codegen's
    with pytest.raises(refused, match=REFUSAL):
        module.run({"orders_tbl": pa.table({"order_id": [1]})})
    with pytest.raises(refused, match=REFUSAL):
        module.run({"orders_tbl": "no/such/file.parquet"})  # never another engine's error


def test_a_bigquery_package_carries_no_engine(bigquery_sample: Generated) -> None:
    runtime = bigquery_sample.root / bigquery_sample.package / "_runtime"
    assert not (runtime / "duckdb_source.py").exists()
    assert not (runtime / "spark_source.py").exists()


def test_odcs_codegen_run_refuses_a_bigquery_configuration(tmp_path: Path) -> None:
    config = tmp_path / "odcs-codegen.toml"
    config.write_text('dialect = "bigquery"\n')
    done = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", "run", str(SAMPLE), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"ODCS_CODEGEN_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == EXIT_USAGE
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert REFUSAL in done.stderr and len(done.stderr.strip().splitlines()) == 1


def emitted_sql(source: str) -> list[str]:
    """Every SQL string the generated checks pass to m.sql() / m.query()."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("sql", "query") or not node.args:
            continue
        argument = node.args[0]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            text = argument.value
            found.append(text if node.func.attr == "query" else f"SELECT {text} FROM t")
    return found


def test_every_emitted_bigquery_expression_parses_as_bigquery(
    generate: Callable[..., Generated],
) -> None:
    sqlglot = pytest.importorskip("sqlglot")
    package = generate(
        {"all_rules.odcs.yaml": GOLDEN.read_text(), "orders_sample.odcs.yaml": SAMPLE.read_text()},
        BIGQUERY,
    )
    statements = []
    for name in ("all_rules", "orders_sample"):
        statements += emitted_sql(package.build.files[f"{name}.py"])
    assert len(statements) > 30
    for statement in statements:
        parsed = sqlglot.parse(statement, read="bigquery")
        assert len(parsed) == 1 and parsed[0] is not None, statement
