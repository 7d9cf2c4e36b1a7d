"""Fast unit tests of each compiler stage on its own: the model, the rule registry, the IR, the
printer and each dialect's SQL. None of them imports dqlib or runs a database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from odcs_codegen import ir, printer
from odcs_codegen.build_model import build
from odcs_codegen.dialects import DIALECTS, get_dialect
from odcs_codegen.loader import load_bytes
from odcs_codegen.lower import Options, lower
from odcs_codegen.model import Contract
from odcs_codegen.rules import rule_label
from odcs_codegen.rules.dqx import CHECKS

from .conftest import contract_text

BODY = """\
schema:
  - name: orders
    physicalName: orders_tbl
    quality:
      - metric: rowCount
        mustBeGreaterThan: 100
      - type: custom
        engine: dqx
        implementation: |
          check: min
          column: amount
          mustBeGreaterThan: 0
    properties:
      - name: order_id
        logicalType: string
        required: true
        quality:
          - metric: nullValues
            mustBe: 0
      - name: amount
        logicalType: number
        quality:
          - metric: invalidValues
            arguments:
              validValues: [1, 2]
            mustBeLessThan: 5
"""


def _contract(body: str = BODY) -> Contract:
    return build(load_bytes(contract_text(body).encode(), "c.yaml"))


def _module(body: str = BODY, dialect: str = "duckdb") -> ir.Module:
    module, _warnings = lower(
        _contract(body),
        path="c.yaml",
        module_name="c",
        source_path="c.yaml",
        options=Options(dialect=dialect),
    )
    return module


# --------------------------------------------------------------------------- the model


def test_the_model_is_typed_and_positioned() -> None:
    contract = _contract()
    (orders,) = contract.schemas
    assert (orders.name, orders.physical_name) == ("orders", "orders_tbl")
    assert [p.name for p in orders.properties] == ["order_id", "amount"]
    assert orders.properties[0].required is True
    assert orders.properties[1].logical_type == "number"
    row_count, dqx_rule = orders.quality
    assert (dqx_rule.type, dqx_rule.engine) == ("custom", "dqx")
    assert (row_count.type, row_count.metric) == ("library", "rowCount")
    assert [(t.operator, t.value) for t in row_count.thresholds] == [("mustBeGreaterThan", 100)]
    invalid = orders.properties[1].quality[0]
    assert invalid.arguments == {"validValues": [1, 2]}


def test_a_dqx_implementation_is_parsed_with_positions_inside_the_string() -> None:
    contract = _contract()
    implementation = contract.schemas[0].quality[1].implementation
    assert implementation is not None and implementation.error is None
    assert implementation.data["check"] == "min"
    (threshold,) = implementation.thresholds
    assert (threshold.operator, threshold.value) == ("mustBeGreaterThan", 0)
    # The block's lines are positioned where they are written (the header is 6 lines; the
    # `implementation: |` key is line 15), not at the string's first line.
    check = contract.where(implementation.key_path("check"), key=True)
    column = contract.where(implementation.key_path("column"))
    assert check is not None and (check.line, check.column) == (16, 11)
    assert column is not None and (column.line, column.column) == (17, 19)


# --------------------------------------------------------------------------- the registry


def test_every_dqx_check_is_one_registry_entry() -> None:
    for name, entry in CHECKS.items():
        assert entry.name == name
        assert isinstance(entry.numeric, bool)
        assert entry.measure is None or callable(entry.measure)
    assert {"min", "max", "mean", "missing", "duplicates", "whitelist"} <= set(CHECKS)


def test_a_rule_has_one_name_in_every_message() -> None:
    contract = _contract()
    orders = contract.schemas[0]
    assert rule_label(orders.quality[0].raw, orders.name) == "orders: rowCount"
    assert rule_label(orders.quality[1].raw, orders.name) == "orders: min"
    (check,) = _module().checks
    names = [s.name for s in check.steps if isinstance(s, ir.Assertion)]
    assert names[:2] == ["orders: rowCount", "orders: min"]


# --------------------------------------------------------------------------- the IR


def test_assertions_come_in_the_contracts_order_with_visible_thresholds() -> None:
    (check,) = _module().checks
    assertions = [s for s in check.steps if isinstance(s, ir.Assertion)]
    lines = [a.source.line for a in assertions]
    assert lines == sorted(lines)
    row_count = assertions[0]
    assert row_count.metric.kind == "rows"
    assert (row_count.comparison.operator, row_count.comparison.value) == ("gt", 100)


def test_identical_sql_is_one_metric() -> None:
    # `required: true` and `nullValues mustBe 0` measure the same thing.
    (check,) = _module().checks
    assertions = [s for s in check.steps if isinstance(s, ir.Assertion)]
    null_checks = [a for a in assertions if "order_id" in a.name]
    assert len(null_checks) == 2
    assert null_checks[0].metric is null_checks[1].metric or (
        null_checks[0].metric.variable == null_checks[1].metric.variable
    )
    metrics = [s for s in check.steps if isinstance(s, ir.Metric)]
    assert len({m.sql for m in metrics}) == len(metrics)


def test_the_ir_holds_no_python() -> None:
    (check,) = _module().checks
    for step in check.steps:
        metric = step if isinstance(step, ir.Metric) else step.metric
        assert "m." not in metric.sql and "_runtime" not in metric.sql


# --------------------------------------------------------------------------- the printer


def test_the_printer_writes_exact_comparisons_with_literal_names() -> None:
    source = ir.Source("c.yaml", 3, 7)
    metric = ir.Metric(variable="x", kind="sql", sql="COUNT(*)")
    hostile = "'); import os; os.system('x') #"
    node = ir.Assertion(
        name=hostile,
        severity="P0",
        tags=(),
        summary="",
        source=source,
        metric=metric,
        comparison=ir.Comparison("between", 1, 2.5),
    )
    text = printer.assertion(node)
    assert repr(hostile) in text
    assert "c.yaml:3:7" in text
    assert ".is_between(1, 2.5" in text
    statements = "\n".join(line.strip() for line in text.splitlines())
    compile(statements, "<printed>", "exec")


# --------------------------------------------------------------------------- dialects


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_dialects_quote_hostile_identifiers_and_literals(name: str) -> None:
    dialect = get_dialect(name)
    column = 'a"b`c d'
    quoted = dialect.quote_identifier(column)
    assert quoted != column and " " in quoted
    text = dialect.quote_string("it's")
    assert text.startswith("'") and text.endswith("'") and "it's" not in text


def test_duckdb_and_bigquery_spell_regex_matching_as_a_search() -> None:
    duck = get_dialect("duckdb").matches("x", "^a")
    big = get_dialect("bigquery").matches("x", "^a")
    assert "regexp_matches" in duck.lower()
    assert "regexp_contains" in big.lower()


def test_bigquery_sql_parses_as_bigquery() -> None:
    sqlglot = pytest.importorskip("sqlglot")
    (check,) = _module(dialect="bigquery").checks
    metrics = [s for s in check.steps if isinstance(s, ir.Metric) and s.sql]
    assert metrics
    for metric in metrics:
        sqlglot.parse_one(f"SELECT {metric.sql} FROM `t`", read="bigquery")


def test_the_compiler_never_imports_dqlib() -> None:
    """Nor any engine, nor what dqlib pulls in: `odcs-codegen --version` and a no-op
    `generate` stay fast."""
    code = textwrap.dedent("""
        import sys
        from odcs_codegen import cli, compiler, lower, render
        cli.parser()
        heavy = ("dqx", "duckdb", "pyspark", "pyarrow", "sympy")
        bad = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        print(bad)
        """)
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def test_a_warm_run_loads_no_compiler_stage(tmp_path: Path) -> None:
    """`odcs-codegen run` with the module in the cache reads the configuration, finds the
    module and runs it: the loader, the lowering, the templates and black stay unloaded."""
    sample = Path(__file__).resolve().parent.parent / "examples/contracts/orders_sample.odcs.yaml"
    code = textwrap.dedent(f"""
        import contextlib, io, sys
        from odcs_codegen.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["run", {str(sample)!r}])
        stages = ("compiler", "loader", "lower", "build_model", "validation", "ir", "printer")
        heavy = ("yaml", "jinja2", "black", "jsonschema_rs", "jsonschema")
        print(sorted(
            m for m in sys.modules
            if m.split(".")[0] in heavy or m.startswith(tuple(f"odcs_codegen.{{s}}" for s in stages))
        ))
        """)
    env = {"ODCS_CODEGEN_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert cold.returncode == 0, cold.stderr
    assert "odcs_codegen.compiler" in cold.stdout  # the first run compiles
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip() == "[]"
