"""Realistic ODCS contracts (tests/realistic/): each compiles or fails with its expected message.

`realistic/expected.yaml` maps every contract file to its outcome:

* ``ok``: the contract compiles without errors; ``warnings`` lists substrings, and every warning
  must contain one of them and every substring must be found in some warning;
* otherwise the exact error lines, ``<file>:<line>:<col>: error: <message>``;
* ``xfail`` / ``xfail_compile`` / ``xfail_run``: a known compiler bug (the reason says which);
  the expectation states the correct behaviour and the marked test is expected to fail.

Every compiling contract is then imported (``generate`` fixture) and run on a small synthetic
Arrow table per dataset, built from the contract's own property declarations (3 rows of
type-correct values per logicalType, nested structs, lists, maps and vectors included,
timestamps time-zone-aware when the property declares a time zone, the last row NULL in optional
scalar columns): schema validation must pass and every assertion must end PASSED or FAILED.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
import yaml

from odcs_codegen.compiler import Build, build
from odcs_codegen.diagnostics import Diagnostic
from odcs_codegen.naming import module_name

from .conftest import Generated

REALISTIC = Path(__file__).parent / "realistic"
EXPECTED: dict[str, Any] = yaml.safe_load((REALISTIC / "expected.yaml").read_text("utf-8"))
CONTRACTS = sorted(REALISTIC.glob("*.odcs.yaml"))
ROWS = 3
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


# --------------------------------------------------------------------------- expectations


def expectation(path: Path) -> dict[str, Any]:
    """The expectation of one contract, normalised (see realistic/expected.yaml)."""
    entry = EXPECTED.get(path.name, "<no expectation in expected.yaml>")
    if not isinstance(entry, Mapping):
        entry = {"result": entry}
    result = entry["result"]
    errors = [result] if isinstance(result, str) else list(result)
    return {
        "ok": result == "ok",
        "errors": [] if result == "ok" else errors,
        "warnings": list(entry.get("warnings", [])),
        "xfail_compile": entry.get("xfail_compile") or entry.get("xfail"),
        "xfail_run": entry.get("xfail_run") or entry.get("xfail"),
    }


def cases(test: str) -> list[Any]:
    """pytest parameters of one test ("compile" or "run"), xfail-marked where expected.

    The run test only takes the contracts expected to compile.
    """
    params = []
    for path in CONTRACTS:
        expected = expectation(path)
        if test == "run" and not expected["ok"]:
            continue
        reason = expected[f"xfail_{test}"]
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(path, id=path.name.removesuffix(".odcs.yaml"), marks=marks))
    return params


def line(diagnostic: Diagnostic) -> str:
    """A diagnostic as `<file name>:<line>:<col>: <level>: <message>` (no folders)."""
    where = Path(diagnostic.path).name
    if diagnostic.position is not None:
        where += f":{diagnostic.position.line}:{diagnostic.position.column}"
    return f"{where}: {diagnostic.level}: {diagnostic.message}"


def compile_one(path: Path, tmp_path: Path) -> Build:
    """`build` on this one file; any exception is a crash of the compiler."""
    try:
        return build([path], tmp_path / "out" / "pkg")
    except Exception as error:
        pytest.fail(f"compiler crashed on {path.name}: {type(error).__name__}: {error}")


def test_every_contract_has_one_expectation() -> None:
    names = {p.name for p in CONTRACTS}
    assert len(names) >= 25
    assert names == set(EXPECTED), "expected.yaml and tests/realistic/*.odcs.yaml differ"


def test_expectations_cover_both_outcomes() -> None:
    outcomes = [expectation(p)["ok"] for p in CONTRACTS]
    assert outcomes.count(True) >= 15 and outcomes.count(False) >= 8


@pytest.mark.parametrize("path", cases("compile"))
def test_contract_compiles_or_fails_as_expected(path: Path, tmp_path: Path) -> None:
    expected = expectation(path)
    result = compile_one(path, tmp_path)
    errors = [line(d) for d in result.diagnostics if d.level == "error"]
    warnings = [line(d) for d in result.diagnostics if d.level == "warning"]
    assert errors == expected["errors"]
    if expected["ok"]:
        assert not result.failed and result.modules == (module_name(path),)
        for warning in warnings:
            assert any(s in warning for s in expected["warnings"]), f"unexpected: {warning}"
        for substring in expected["warnings"]:
            assert any(substring in w for w in warnings), f"missing warning: {substring}"
    else:
        assert result.failed and result.files == {}


# --------------------------------------------------------------------------- synthetic data


def _logical_type(prop: Mapping[str, Any]) -> str:
    return str(prop.get("logicalType", "string"))


def _options(prop: Mapping[str, Any]) -> Mapping[str, Any]:
    options = prop.get("logicalTypeOptions")
    return options if isinstance(options, Mapping) else {}


def column_name(prop: Mapping[str, Any]) -> str:
    """The data column of a property: physicalName, else name."""
    return str(prop.get("physicalName") or prop.get("name"))


def _timezone(prop: Mapping[str, Any]) -> str | None:
    options = _options(prop)
    return str(options.get("defaultTimezone", "Etc/UTC")) if options.get("timezone") else None


def arrow_type(prop: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type that fits a property's logicalType (recursively)."""
    kind = _logical_type(prop)
    if kind == "object":
        fields = [pa.field(column_name(p), arrow_type(p)) for p in prop.get("properties", [])]
        return pa.struct(fields or [pa.field("value", pa.string())])
    if kind == "array":
        return pa.list_(arrow_type(prop.get("items", {"logicalType": "string"})))
    if kind == "map":
        return pa.map_(arrow_type(prop["map"]["key"]), arrow_type(prop["map"]["value"]))
    if kind == "vector":
        return pa.list_(pa.float32(), int(_options(prop)["dimensions"]))
    if kind == "timestamp":
        return pa.timestamp("us", tz=_timezone(prop))
    simple = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "time": pa.time64("us"),
    }
    return simple[kind]


def values(prop: Mapping[str, Any], count: int = ROWS) -> list[Any]:
    """`count` distinct, type-correct Python values for a property (recursively).

    Strings are the property's `examples` when it has enough of them; timestamps and dates are
    recent, so freshness checks see current data.
    """
    kind = _logical_type(prop)
    if kind == "object":
        fields = prop.get("properties") or [{"name": "value", "logicalType": "string"}]
        columns = {column_name(p): values(p, count) for p in fields}
        return [{name: column[i] for name, column in columns.items()} for i in range(count)]
    if kind == "array":
        flat = values(prop.get("items", {"logicalType": "string"}), 2 * count)
        return [flat[2 * i : 2 * i + 2] for i in range(count)]
    if kind == "map":
        keys = values(prop["map"]["key"], 2 * count)
        items = values(prop["map"]["value"], 2 * count)
        pairs = list(zip(keys, items, strict=True))
        return [pairs[2 * i : 2 * i + 2] for i in range(count)]
    if kind == "vector":
        size = int(_options(prop)["dimensions"])
        return [[round(math.sin(i + k), 3) for k in range(size)] for i in range(count)]
    if kind == "timestamp":
        zone = _timezone(prop)
        stamps = [NOW - dt.timedelta(minutes=5 + 20 * i) for i in range(count)]
        if zone is None:
            return [s.replace(tzinfo=None) for s in stamps]
        return [s.astimezone(ZoneInfo(zone)) for s in stamps]
    if kind == "date":
        return [NOW.date() - dt.timedelta(days=i) for i in range(count)]
    if kind == "time":
        return [dt.time(8 + i % 12, 15 * (i % 4), i % 60) for i in range(count)]
    if kind == "integer":
        return [i + 1 for i in range(count)]
    if kind == "number":
        return [round(12.5 * (i + 1), 2) for i in range(count)]
    if kind == "boolean":
        return [i % 2 == 0 for i in range(count)]
    examples = [e for e in prop.get("examples", []) if isinstance(e, str)]
    if len(examples) >= count:
        return examples[:count]
    return [f"{prop.get('name', 'value')}-{i + 1}" for i in range(count)]


def nullable(prop: Mapping[str, Any]) -> bool:
    """A top-level scalar property that may hold NULL (its last row is then NULL)."""
    return (
        prop.get("required") is not True
        and prop.get("primaryKey") is not True
        and _logical_type(prop) not in ("object", "array", "map", "vector")
    )


def synthetic_table(schema_object: Mapping[str, Any]) -> pa.Table:
    """3 rows for the declared properties of one schema object."""
    arrays, names = [], []
    for prop in schema_object.get("properties", []):
        data = values(prop)
        if nullable(prop):
            data[-1] = None
        arrays.append(pa.array(data, type=arrow_type(prop)))
        names.append(column_name(prop))
    return pa.table(arrays, names=names)


def datasets(contract: Mapping[str, Any]) -> dict[str, pa.Table]:
    """A synthetic table per schema object, by dataset name (physicalName, else name)."""
    return {
        str(s.get("physicalName") or s["name"]): synthetic_table(s)
        for s in contract.get("schema", [])
    }


def test_synthetic_data_covers_nested_types() -> None:
    zoned = {"timezone": True}
    prop = {
        "name": "lines",
        "logicalType": "array",
        "items": {
            "logicalType": "object",
            "properties": [
                {"name": "sku", "logicalType": "string"},
                {"name": "at", "logicalType": "timestamp", "logicalTypeOptions": zoned},
                {"name": "tags", "logicalType": "array", "items": {"logicalType": "integer"}},
            ],
        },
    }
    array = pa.array(values(prop), type=arrow_type(prop))
    assert len(array) == ROWS and array.null_count == 0
    assert array.type.value_type.field("at").type == pa.timestamp("us", tz="Etc/UTC")
    assert array.to_pylist()[0][1]["tags"] == [3, 4]


# --------------------------------------------------------------------------- running


@pytest.mark.parametrize("path", cases("run"))
def test_generated_module_runs_on_synthetic_data(
    path: Path, generate: Callable[..., Generated]
) -> None:
    text = path.read_text("utf-8")
    name = module_name(path)
    generated = generate({path.name: text})
    module = generated.module(name)
    tables = datasets(yaml.safe_load(text))
    assert {d.name for d in module.DATASETS} == set(tables)
    results = module.run(tables)  # validates every dataset's schema first
    assert len(results) == generated.build.files[f"{name}.py"].count("m.expect(")
    report = module.verify(tables)
    assert report.errors == () and report.schema_errors == ()
    problems = []
    for r in report.outcomes:
        if r.status not in ("PASSED", "FAILED"):
            problems.append(f"{r.check} / {r.assertion}: status {r.status!r}")
        elif r.value is None and not r.reason.startswith(("the metric is", "the query returned")):
            problems.append(f"{r.check} / {r.assertion}: {r.reason}")  # only undefined values
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- boundary values


def statuses(
    generate: Callable[..., Generated], name: str, edits: Mapping[str, pa.Array]
) -> dict[str, str]:
    """Run realistic/<name> on its synthetic data with some columns replaced.

    `edits` maps "<dataset>.<column>" to an array of ROWS values. Returns {assertion: status}.
    """
    path = REALISTIC / name
    text = path.read_text("utf-8")
    module = generate({path.name: text}).module(module_name(path))
    tables = datasets(yaml.safe_load(text))
    for target, array in edits.items():
        dataset, column = target.split(".", 1)
        table = tables[dataset]
        tables[dataset] = table.set_column(table.schema.get_field_index(column), column, array)
    return {r.assertion: r.status for r in module.run(tables)}


V30_EXCLUSIVE = (
    "ODCS v3.0.x writes exclusive bounds as booleans next to minimum/maximum (JSON Schema "
    "draft-4 style); the compiler ignores the boolean and checks the bound inclusively, so a "
    "value equal to the bound passes"
)


def test_v30_exclusive_minimum_true_makes_the_minimum_exclusive(
    generate: Callable[..., Generated],
) -> None:
    # shipments.odcs.yaml (v3.0.1): weight_kg {minimum: 0, exclusiveMinimum: true}
    weights = pa.array([0.0, 1.5, 2.0], pa.float64())
    got = statuses(generate, "shipments.odcs.yaml", {"shipments.weight_kg": weights})
    assert got["weight_kg: minimum"] == "FAILED"


def test_v30_exclusive_maximum_true_makes_the_maximum_exclusive(
    generate: Callable[..., Generated],
) -> None:
    # payments_ledger.odcs.yaml (v3.0.2): amount_minor {maximum: 100000000, exclusiveMaximum: true}
    amounts = pa.array([100, 100000000, 250], pa.int64())
    got = statuses(generate, "payments_ledger.odcs.yaml", {"payments_v1.amount_minor": amounts})
    assert got["amount_minor: maximum"] == "FAILED"


def test_timestamp_bound_with_offset_is_an_instant(generate: Callable[..., Generated]) -> None:
    # sensor_network.odcs.yaml: measured_at {timezone: true, minimum: 2024-03-01T00:00:00+01:00}
    # 2024-02-29T23:30:00Z is 2024-03-01T00:30:00+01:00, after the minimum.
    berlin = ZoneInfo("Europe/Berlin")
    instant = dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.UTC).astimezone(berlin)
    stamps = pa.array([instant] * ROWS, pa.timestamp("us", tz="Europe/Berlin"))
    got = statuses(generate, "sensor_network.odcs.yaml", {"sensor_readings.measured_at": stamps})
    assert got["measured_at: minimum"] == "PASSED"


@pytest.mark.parametrize(
    ("offset", "status"), [(dt.timedelta(0), "PASSED"), (dt.timedelta(microseconds=-1), "FAILED")]
)
def test_timestamp_bound_in_utc_is_exact(
    generate: Callable[..., Generated], offset: dt.timedelta, status: str
) -> None:
    # retail_orders.odcs.yaml: ordered_at {timezone: true, minimum: 2020-01-01T00:00:00+00:00}
    stamp = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + offset
    stamps = pa.array([stamp] * ROWS, pa.timestamp("us", tz="Etc/UTC"))
    got = statuses(generate, "retail_orders.odcs.yaml", {"orders.ordered_at": stamps})
    assert got["ordered_at: minimum"] == status
