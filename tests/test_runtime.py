"""Tests of templates/_runtime.py.jinja, the runtime copied into every generated package.

The template is copied as ``_runtime.py`` into a throw-away package and imported from there, the
way generated modules use it. Checks run in real dqlib suites on real data (Arrow tables and
Parquet, CSV, JSON-lines, Arrow IPC and DuckDB database files); nothing is mocked.
"""

from __future__ import annotations

import ast
import datetime
import importlib
import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
import sympy as sp
from dqx.api import Context, MetricProvider, check
from dqx.common import SqlDataSource
from returns.result import Failure, Success

RUNTIME = Path(__file__).resolve().parent.parent / "odcs_codegen" / "_runtime"
RUNTIME_FILES = sorted(RUNTIME.glob("*.py"))
EN_DASH = "\u2013"
WEIRD_NAMES = ["my tbl", "select", "it's", 'a"b', "CamelCase", "db.schema.table"]


@pytest.fixture(scope="module")
def rt() -> ModuleType:
    """The runtime package, as generated modules use it."""
    return importlib.import_module("odcs_codegen._runtime")


def one(rt: ModuleType, column: Any, arrow_type: pa.DataType, dataset: str = "orders_tbl") -> list:
    """Problems of a single-column dataset whose only column has ``arrow_type``."""
    schema = pa.schema([pa.field(column.name, arrow_type)])
    return rt.schema_problems(rt.Dataset(dataset, (column,)), schema)


def mismatch(path: str, logical_type: str, expected: str, got: str) -> str:
    return (
        f"Property '{path}' type mismatch:\n"
        f"  expected logicalType '{logical_type}' {expected}, got {got}"
    )


def missing(path: str, dataset: str, columns: list[str]) -> str:
    """The message of a property the data does not have, listing the columns it has."""
    shown = ", ".join(f"'{c}'" for c in columns)
    return f"Property '{path}' is missing from dataset '{dataset}'\n  its columns: {shown}"


def by_name(results: list) -> dict[str, Any]:
    return {r.assertion: r for r in results}


def value(result: Any) -> Any:
    return result.metric.value_or(None)


# --------------------------------------------------------------------------------------------
# The runtime's files: what a generated package carries
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", RUNTIME_FILES, ids=lambda path: path.name)
def test_runtime_file_has_a_docstring(source: Path) -> None:
    module = ast.parse(source.read_text(encoding="utf-8"))
    assert ast.get_docstring(module), source.name


@pytest.mark.parametrize("source", RUNTIME_FILES, ids=lambda path: path.name)
def test_runtime_imports_only_stdlib_its_siblings_and_its_engines(source: Path) -> None:
    """A generated package needs dqlib, pyarrow and its engine, never odcs-codegen."""
    module = ast.parse(source.read_text(encoding="utf-8"))
    roots: set[str] = set()
    siblings = {path.stem for path in RUNTIME_FILES}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.level == 1, source.name
                assert (node.module or "") in siblings or node.module is None, node.module
                if node.module is None:
                    assert {alias.name for alias in node.names} <= siblings
                continue
            assert node.module is not None
            roots.add(node.module.split(".")[0])
    third_party = roots - set(sys.stdlib_module_names)
    # ``returns`` is dqlib's own result type (AssertionResult.metric) and ``sympy`` its
    # expression type (what MetricProvider returns); both are dependencies of dqlib. An engine's
    # source imports its engine (pyspark, google.cloud) only in its own module; ``yaml`` is a
    # dependency of dqlib too. Publishing needs httpx (the ``publish`` extra), imported lazily.
    engines = {
        "spark_source.py": {"pyspark"},
        "bigquery_source.py": {"google"},
        "openmetadata_http.py": {"httpx"},
    }
    allowed = {"dqx", "duckdb", "pyarrow", "returns", "sympy", "yaml"}
    allowed |= engines.get(source.name, set())
    assert third_party <= allowed, source.name
    assert "odcs_codegen" not in roots


@pytest.mark.parametrize("source", RUNTIME_FILES, ids=lambda path: path.name)
def test_runtime_has_no_absolute_paths(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert re.search(r"""["'](?!/v1/)(/[\w.-]+){2,}""", text) is None  # /v1/: REST API paths
    assert "site-packages" not in text


def test_public_api(rt: ModuleType) -> None:
    for name in (
        "ContractValidationError",
        "SchemaValidationError",
        "ContractWarning",
        "Column",
        "Dataset",
        "Metrics",
        "schema_problems",
        "validate_schema",
        "TableSource",
        "run_checks",
        "verify",
        "outside",
    ):
        assert hasattr(rt, name), name
    assert issubclass(rt.ContractWarning, UserWarning)
    column = rt.Column("a", "integer")
    assert (column.required, column.items, column.fields, column.timezone) == (
        False,
        None,
        (),
        None,
    )
    with pytest.raises(AttributeError):
        column.name = "b"  # frozen
    assert not hasattr(column, "__dict__")  # slots
    for name in rt.__all__:
        assert hasattr(rt, name), name
    with pytest.raises(AttributeError):
        getattr(rt, "no_such_name")  # noqa: B009


def test_importing_the_runtime_loads_neither_the_command_line_nor_reports() -> None:
    code = (
        "import sys; import odcs_codegen._runtime as rt; rt.Metrics; rt.run_checks; "
        "assert 'odcs_codegen._runtime.cli' not in sys.modules; "
        "assert 'odcs_codegen._runtime.formats' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_alone_loads_no_dependency() -> None:
    code = (
        "import sys; import odcs_codegen._runtime, odcs_codegen._runtime.versions; "
        "assert not {'dqx', 'duckdb', 'pyarrow', 'sympy'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_public_api() -> None:
    cli = importlib.import_module("odcs_codegen._runtime.cli")
    for name in cli.__all__:
        assert hasattr(cli, name), name
    assert {"main", "run_report", "format_report"} <= set(cli.__all__)


# --------------------------------------------------------------------------------------------
# Type matrix (spec 7.1)
# --------------------------------------------------------------------------------------------

ACCEPTED: list[tuple[str, pa.DataType]] = [
    ("string", pa.string()),
    ("string", pa.utf8()),
    ("string", pa.large_string()),
    ("string", pa.large_utf8()),
    ("string", pa.string_view()),
    ("integer", pa.int8()),
    ("integer", pa.int16()),
    ("integer", pa.int32()),
    ("integer", pa.int64()),
    ("integer", pa.uint8()),
    ("integer", pa.uint16()),
    ("integer", pa.uint32()),
    ("integer", pa.uint64()),
    ("number", pa.float32()),
    ("number", pa.float64()),
    ("number", pa.decimal128(10, 2)),
    ("number", pa.decimal128(38, 0)),
    ("number", pa.decimal256(40, 5)),
    ("boolean", pa.bool_()),
    ("date", pa.date32()),
    ("date", pa.date64()),
    ("timestamp", pa.timestamp("s")),
    ("timestamp", pa.timestamp("ms", tz="UTC")),
    ("timestamp", pa.timestamp("us", tz="America/New_York")),
    ("timestamp", pa.timestamp("ns", tz="+01:00")),
    ("time", pa.time32("s")),
    ("time", pa.time32("ms")),
    ("time", pa.time64("us")),
    ("time", pa.time64("ns")),
    ("array", pa.list_(pa.int64())),
    ("array", pa.large_list(pa.string())),
    ("array", pa.list_(pa.float32(), 3)),
    ("object", pa.struct([("a", pa.int64())])),
    ("object", pa.struct([])),
    ("map", pa.map_(pa.string(), pa.int64())),
    # dictionary encoding is transparent: the value type is checked
    ("string", pa.dictionary(pa.int32(), pa.string())),
    ("integer", pa.dictionary(pa.int8(), pa.int64())),
]

REJECTED: list[tuple[str, pa.DataType, str]] = [
    ("string", pa.binary(), "pa.binary()"),
    ("string", pa.large_binary(), "pa.large_binary()"),
    ("string", pa.int64(), "pa.int64()"),
    ("string", pa.dictionary(pa.int32(), pa.int64()), "pa.int64()"),
    ("integer", pa.string(), "pa.string()"),
    ("integer", pa.float64(), "pa.float64()"),
    ("integer", pa.decimal128(10, 0), "pa.decimal128(10, 0)"),
    ("integer", pa.bool_(), "pa.bool_()"),
    ("number", pa.float16(), "pa.float16()"),
    ("number", pa.int64(), "pa.int64()"),
    ("number", pa.uint8(), "pa.uint8()"),
    ("number", pa.string(), "pa.string()"),
    ("number", pa.decimal32(5, 2), "pa.decimal32(5, 2)"),
    ("number", pa.decimal64(12, 2), "pa.decimal64(12, 2)"),
    ("boolean", pa.int8(), "pa.int8()"),
    ("boolean", pa.string(), "pa.string()"),
    ("date", pa.timestamp("us"), "pa.timestamp('us')"),
    ("date", pa.string(), "pa.string()"),
    ("timestamp", pa.date32(), "pa.date32()"),
    ("timestamp", pa.int64(), "pa.int64()"),
    ("timestamp", pa.string(), "pa.string()"),
    ("time", pa.duration("us"), "pa.duration('us')"),
    ("time", pa.timestamp("us"), "pa.timestamp('us')"),
    ("array", pa.string(), "pa.string()"),
    ("array", pa.map_(pa.string(), pa.int64()), "pa.map_(pa.string(), pa.int64())"),
    ("array", pa.struct([("a", pa.int64())]), "pa.struct([pa.field('a', pa.int64())])"),
    ("object", pa.map_(pa.string(), pa.int64()), "pa.map_(pa.string(), pa.int64())"),
    ("object", pa.list_(pa.int64()), "pa.list_(pa.int64())"),
    ("object", pa.string(), "pa.string()"),
    ("map", pa.struct([("k", pa.string())]), "pa.struct([pa.field('k', pa.string())])"),
    (
        "map",
        pa.list_(pa.struct([("key", pa.string()), ("value", pa.int64())])),
        "pa.list_(pa.struct([pa.field('key', pa.string()), pa.field('value', pa.int64())]))",
    ),
]

EXPECTED_TEXT = {
    "string": "(string, large_string, string_view)",
    "integer": f"(int8{EN_DASH}int64, uint8{EN_DASH}uint64)",
    "number": "(float32, float64, decimal128, decimal256)",
    "boolean": "(bool)",
    "date": "(date32, date64)",
    "timestamp": "(timestamp[s|ms|us|ns])",
    "time": "(time32[s|ms], time64[us|ns])",
    "array": "(list, large_list, fixed_size_list)",
    "object": "(struct)",
    "map": "(map)",
}


@pytest.mark.parametrize(("logical_type", "arrow_type"), ACCEPTED, ids=str)
def test_accepted_types(rt: ModuleType, logical_type: str, arrow_type: pa.DataType) -> None:
    assert one(rt, rt.Column("c", logical_type), arrow_type) == []


@pytest.mark.parametrize(("logical_type", "arrow_type", "got"), REJECTED, ids=str)
def test_rejected_types(
    rt: ModuleType, logical_type: str, arrow_type: pa.DataType, got: str
) -> None:
    problems = one(rt, rt.Column("c", logical_type), arrow_type)
    assert problems == [mismatch("c", logical_type, EXPECTED_TEXT[logical_type], got)]


def test_every_logical_type_has_accepted_and_rejected_cases() -> None:
    assert {lt for lt, _ in ACCEPTED} == set(EXPECTED_TEXT)
    assert {lt for lt, _, _ in REJECTED} == set(EXPECTED_TEXT)


def test_undeclared_logical_type_is_not_checked(rt: ModuleType) -> None:
    for arrow_type in (pa.string(), pa.int8(), pa.struct([("a", pa.int8())]), pa.null()):
        assert one(rt, rt.Column("c", None), arrow_type) == []


def test_unknown_logical_type_is_a_contract_error(rt: ModuleType) -> None:
    with pytest.raises(rt.ContractValidationError) as info:
        one(rt, rt.Column("order_id", "uuid"), pa.string())
    assert str(info.value) == "Property 'order_id': unknown logicalType 'uuid'"
    nested = rt.Column("a", "object", fields=(rt.Column("b", "text"),))
    with pytest.raises(rt.ContractValidationError, match=r"^Property 'a\.b': unknown logicalType"):
        one(rt, nested, pa.struct([("b", pa.string())]))
    items = rt.Column("tags", "array", items=rt.Column("items", "vector"))
    dataset = rt.Dataset("d", (items,))
    with pytest.raises(rt.ContractValidationError, match=r"^Property 'tags\[\]': unknown"):
        rt.schema_problems(dataset, pa.schema([]))  # even when the column is missing


# --------------------------------------------------------------------------------------------
# Exact messages (spec 7.6)
# --------------------------------------------------------------------------------------------


def test_type_mismatch_message_exact(rt: ModuleType) -> None:
    problems = one(rt, rt.Column("order_id", "integer", required=True), pa.string())
    assert problems == [
        "Property 'order_id' type mismatch:\n"
        f"  expected logicalType 'integer' (int8{EN_DASH}int64, uint8{EN_DASH}uint64),"
        " got pa.string()"
    ]


def test_required_with_nulls_message_exact(rt: ModuleType) -> None:
    dataset = rt.Dataset("customers", (rt.Column("email", "string", required=True),))
    schema = pa.schema([("email", pa.string())])
    assert rt.schema_problems(dataset, schema, {"email": 2}) == [
        "Property 'email' is required (required: true)\n  but contains null values"
    ]
    assert rt.schema_problems(dataset, schema, {"email": 0}) == []
    assert rt.schema_problems(dataset, schema, None) == []  # unknown: not checked
    assert rt.schema_problems(dataset, schema, {}) == []  # unknown for this column
    optional = rt.Dataset("customers", (rt.Column("email", "string"),))
    assert rt.schema_problems(optional, schema, {"email": 2}) == []


def test_missing_column_message_exact(rt: ModuleType) -> None:
    dataset = rt.Dataset("orders_tbl", (rt.Column("x", "integer", required=True),))
    problems = rt.schema_problems(dataset, pa.schema([("y", pa.int64())]), {"y": 0})
    assert problems == [missing("x", "orders_tbl", ["y"])]
    untyped = rt.Dataset("orders_tbl", (rt.Column("x", None),))
    assert rt.schema_problems(untyped, pa.schema([("X", pa.int64())])) == [
        missing("x", "orders_tbl", ["X"]) + "\n  'X' differs only in case: use physicalName: X"
    ]


def test_timezone_mismatch_message_exact(rt: ModuleType) -> None:
    column = rt.Column("created_at", "timestamp", timezone="UTC")
    problems = one(rt, column, pa.timestamp("us", tz="America/New_York"))
    assert problems == [
        "Property 'created_at' timezone mismatch:\n"
        "  expected timezone 'UTC', got pa.timestamp('us', tz='America/New_York')"
    ]


def test_extra_columns_are_ignored(rt: ModuleType) -> None:
    dataset = rt.Dataset("d", (rt.Column("a", "integer"),))
    schema = pa.schema([("z", pa.string()), ("a", pa.int32()), ("b", pa.binary())])
    assert rt.schema_problems(dataset, schema) == []


def test_all_problems_reported_together(rt: ModuleType) -> None:
    dataset = rt.Dataset(
        "orders_tbl",
        (
            rt.Column("order_id", "integer", required=True),
            rt.Column("email", "string", required=True),
            rt.Column("x", "number"),
            rt.Column("created_at", "timestamp", timezone="Etc/UTC"),
            rt.Column("address", "object", fields=(rt.Column("city", "string"),)),
        ),
    )
    schema = pa.schema(
        [
            ("order_id", pa.string()),
            ("email", pa.string()),
            ("created_at", pa.timestamp("ms", tz="Europe/Paris")),
            ("address", pa.struct([("street", pa.string())])),
        ]
    )
    expected = [
        mismatch("order_id", "integer", EXPECTED_TEXT["integer"], "pa.string()"),
        "Property 'order_id' is required (required: true)\n  but contains null values",
        "Property 'email' is required (required: true)\n  but contains null values",
        missing("x", "orders_tbl", ["order_id", "email", "created_at", "address"]),
        "Property 'created_at' timezone mismatch:\n"
        "  expected timezone 'Etc/UTC', got pa.timestamp('ms', tz='Europe/Paris')",
        missing("address.city", "orders_tbl", ["street"]),
    ]
    null_counts = {"order_id": 1, "email": 3}
    assert rt.schema_problems(dataset, schema, null_counts) == expected
    with pytest.raises(rt.SchemaValidationError) as info:
        rt.validate_schema(dataset, schema, null_counts)
    error = info.value
    assert error.dataset == "orders_tbl"
    assert error.problems == tuple(expected)
    assert str(error) == "\n".join(["Dataset 'orders_tbl' does not match its contract:", *expected])


def test_validate_schema_passes_silently(rt: ModuleType) -> None:
    dataset = rt.Dataset("d", (rt.Column("a", "integer", required=True),))
    assert rt.validate_schema(dataset, pa.schema([("a", pa.int64())]), {"a": 0}) is None


# --------------------------------------------------------------------------------------------
# Time zones (spec 7.2)
# --------------------------------------------------------------------------------------------

UTC_NAMES = [
    "UTC",
    "Etc/UTC",
    "Etc/UCT",
    "UCT",
    "Z",
    "+00:00",
    "Zulu",
    "Etc/Universal",
    "Universal",
    "Etc/Zulu",
    "GMT",
    "Etc/GMT",
]


@pytest.mark.parametrize("declared", ["UTC", "Etc/UTC", "GMT"])
@pytest.mark.parametrize("actual", UTC_NAMES)
def test_utc_spellings_are_one_zone(rt: ModuleType, declared: str, actual: str) -> None:
    column = rt.Column("ts", "timestamp", timezone=declared)
    assert one(rt, column, pa.timestamp("us", tz=actual)) == []


def test_timezone_rejections(rt: ModuleType) -> None:
    utc = rt.Column("ts", "timestamp", timezone="UTC")
    assert one(rt, utc, pa.timestamp("us", tz="America/New_York")) != []
    assert one(rt, utc, pa.timestamp("ns")) == [
        "Property 'ts' timezone mismatch:\n  expected timezone 'UTC', got pa.timestamp('ns')"
    ]
    new_york = rt.Column("ts", "timestamp", timezone="America/New_York")
    assert one(rt, new_york, pa.timestamp("s", tz="America/New_York")) == []
    assert one(rt, new_york, pa.timestamp("s", tz="UTC")) != []
    assert one(rt, new_york, pa.timestamp("s", tz="America/Chicago")) != []


@pytest.mark.parametrize("tz", [None, "UTC", "America/New_York", "Asia/Kolkata", "+05:30"])
@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_no_timezone_declared_accepts_any(rt: ModuleType, unit: str, tz: str | None) -> None:
    assert one(rt, rt.Column("ts", "timestamp"), pa.timestamp(unit, tz=tz)) == []


def test_timezone_ignored_for_non_timestamps(rt: ModuleType) -> None:
    column = rt.Column("d", "date", timezone="UTC")  # timezone only applies to timestamps
    assert one(rt, column, pa.date32()) == []


# --------------------------------------------------------------------------------------------
# Nested types (spec 7.5)
# --------------------------------------------------------------------------------------------


def address_column(rt: ModuleType) -> Any:
    return rt.Column(
        "address",
        "object",
        fields=(
            rt.Column("street", "string", required=True),
            rt.Column("city", "string", required=True),
            rt.Column("zip_code", "string"),
        ),
    )


def test_object_fields_checked_extra_ignored_missing_reported(rt: ModuleType) -> None:
    column = address_column(rt)
    good = pa.struct(
        [
            ("street", pa.string()),
            ("city", pa.large_string()),
            ("zip_code", pa.string()),
            ("extra", pa.int64()),
        ]
    )
    assert one(rt, column, good) == []
    bad = pa.struct([("street", pa.int32()), ("zip_code", pa.string())])
    assert one(rt, column, bad) == [
        mismatch("address.street", "string", EXPECTED_TEXT["string"], "pa.int32()"),
        missing("address.city", "orders_tbl", ["street", "zip_code"]),
    ]


def test_object_with_wrong_type_reports_only_the_type(rt: ModuleType) -> None:
    assert one(rt, address_column(rt), pa.string()) == [
        mismatch("address", "object", "(struct)", "pa.string()")
    ]


def test_array_items_checked_recursively(rt: ModuleType) -> None:
    tags = rt.Column("tags", "array", items=rt.Column("items", "integer"))
    assert one(rt, tags, pa.list_(pa.int16())) == []
    assert one(rt, tags, pa.large_list(pa.uint64())) == []
    assert one(rt, tags, pa.list_(pa.int8(), 4)) == []
    assert one(rt, tags, pa.list_(pa.string())) == [
        mismatch("tags[]", "integer", EXPECTED_TEXT["integer"], "pa.string()")
    ]
    untyped_items = rt.Column("tags", "array", items=rt.Column("items", None))
    assert one(rt, untyped_items, pa.list_(pa.string())) == []
    nested = rt.Column(
        "matrix", "array", items=rt.Column("items", "array", items=rt.Column("items", "number"))
    )
    assert one(rt, nested, pa.list_(pa.list_(pa.float64()))) == []
    assert one(rt, nested, pa.list_(pa.list_(pa.float16()))) == [
        mismatch("matrix[][]", "number", EXPECTED_TEXT["number"], "pa.float16()")
    ]
    assert one(rt, nested, pa.list_(pa.int64())) == [
        mismatch("matrix[]", "array", EXPECTED_TEXT["array"], "pa.int64()")
    ]


def test_array_of_structs(rt: ModuleType) -> None:
    lines = rt.Column(
        "lines",
        "array",
        items=rt.Column(
            "items",
            "object",
            fields=(
                rt.Column("sku", "string", required=True),
                rt.Column("qty", "integer"),
                rt.Column("price", "number"),
                rt.Column("dims", "object", fields=(rt.Column("w", "number"),)),
            ),
        ),
    )
    good = pa.list_(
        pa.struct(
            [
                ("sku", pa.string()),
                ("qty", pa.int32()),
                ("price", pa.decimal128(9, 2)),
                ("dims", pa.struct([("w", pa.float32()), ("h", pa.float32())])),
            ]
        )
    )
    assert one(rt, lines, good) == []
    bad = pa.large_list(
        pa.struct([("sku", pa.string()), ("qty", pa.string()), ("dims", pa.struct([]))])
    )
    assert one(rt, lines, bad) == [
        mismatch("lines[].qty", "integer", EXPECTED_TEXT["integer"], "pa.string()"),
        missing("lines[].price", "orders_tbl", ["sku", "qty", "dims"]),
        "Property 'lines[].dims.w' is missing from dataset 'orders_tbl'",
    ]


def test_nested_nullability_is_not_checked(rt: ModuleType) -> None:
    address_type = pa.struct([("street", pa.string()), ("city", pa.string()), ("zip", pa.int8())])
    table = pa.table(
        {
            "address": pa.array(
                [{"street": None, "city": "Oslo", "zip": None}, {"street": "x", "city": None}],
                address_type,
            )
        }
    )
    dataset = rt.Dataset(
        "orders_tbl",
        (
            rt.Column(
                "address",
                "object",
                required=True,
                fields=(
                    rt.Column("street", "string", required=True),
                    rt.Column("city", "string", required=True),
                ),
            ),
        ),
    )
    assert rt.schema_problems(dataset, table.schema, {"address": 0}) == []
    assert rt.schema_problems(dataset, table.schema, {"address": 1}) == [
        "Property 'address' is required (required: true)\n  but contains null values"
    ]


def test_map(rt: ModuleType) -> None:
    attrs = rt.Column("attrs", "map")
    assert one(rt, attrs, pa.map_(pa.string(), pa.string())) == []
    assert one(rt, attrs, pa.map_(pa.int32(), pa.list_(pa.int8()), keys_sorted=True)) == []
    assert one(rt, attrs, pa.string()) == [mismatch("attrs", "map", "(map)", "pa.string()")]


@pytest.mark.parametrize(
    ("arrow_type", "text"),
    [
        (pa.string(), "pa.string()"),
        (pa.int64(), "pa.int64()"),
        (pa.bool_(), "pa.bool_()"),
        (pa.null(), "pa.null()"),
        (pa.float16(), "pa.float16()"),
        (pa.string_view(), "pa.string_view()"),
        (pa.binary(16), "pa.binary(16)"),
        (pa.timestamp("us", tz="UTC"), "pa.timestamp('us', tz='UTC')"),
        (pa.timestamp("s"), "pa.timestamp('s')"),
        (pa.time32("ms"), "pa.time32('ms')"),
        (pa.time64("ns"), "pa.time64('ns')"),
        (pa.duration("ms"), "pa.duration('ms')"),
        (pa.decimal128(10, 2), "pa.decimal128(10, 2)"),
        (pa.decimal256(50, 3), "pa.decimal256(50, 3)"),
        (pa.list_(pa.int64()), "pa.list_(pa.int64())"),
        (pa.large_list(pa.string()), "pa.large_list(pa.string())"),
        (pa.list_(pa.int8(), 2), "pa.list_(pa.int8(), 2)"),
        (pa.list_view(pa.int8()), "pa.list_view(pa.int8())"),
        (pa.map_(pa.string(), pa.int64()), "pa.map_(pa.string(), pa.int64())"),
        (
            pa.struct([pa.field("a", pa.int64()), pa.field("it's", pa.string(), nullable=False)]),
            "pa.struct([pa.field('a', pa.int64()),"
            ' pa.field("it\'s", pa.string(), nullable=False)])',
        ),
        (pa.dictionary(pa.int32(), pa.string()), "pa.dictionary(pa.int32(), pa.string())"),
        (pa.run_end_encoded(pa.int32(), pa.int8()), "pa.run_end_encoded(pa.int32(), pa.int8())"),
        (pa.month_day_nano_interval(), "pa.month_day_nano_interval()"),
        (pa.uuid(), "pa.uuid()"),
    ],
)
def test_type_repr_builds_the_same_type(rt: ModuleType, arrow_type: pa.DataType, text: str) -> None:
    from odcs_codegen._runtime.arrow_types import type_repr

    assert type_repr(arrow_type) == text
    assert eval(text, {"pa": pa}) == arrow_type


# --------------------------------------------------------------------------------------------
# TableSource
# --------------------------------------------------------------------------------------------

SAMPLE = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "it's": pa.array(["a", None, "c"], pa.string()),
        "amount": pa.array([1.5, 99999.99, 7.0], pa.float64()),
    }
)


def write_sample(directory: Path, kind: str) -> Path:
    if kind == "parquet":
        path = directory / "sample.parquet"
        pq.write_table(SAMPLE, path)
    elif kind == "csv":
        path = directory / "sample.csv"
        pa_csv.write_csv(SAMPLE, path)
    elif kind == "jsonl":
        path = directory / "sample.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in SAMPLE.to_pylist()))
    elif kind == "ipc":
        path = directory / "sample.arrow"
        feather.write_feather(SAMPLE, path)
    else:
        path = directory / "sample.duckdb"
        connection = duckdb.connect(str(path))
        connection.register("sample_view", SAMPLE)
        connection.execute("CREATE TABLE orders AS SELECT * FROM sample_view")
        connection.close()
    return path


def make_source(rt: ModuleType, directory: Path, kind: str, name: str) -> Any:
    if kind == "arrow":
        return rt.TableSource.from_arrow(SAMPLE, name)
    path = write_sample(directory, kind)
    if kind == "duckdb":
        return rt.TableSource.from_duckdb(path, "orders", name)
    return rt.TableSource.from_file(path, name)


KINDS = ["arrow", "parquet", "csv", "jsonl", "ipc", "duckdb"]


@pytest.mark.parametrize("name", WEIRD_NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_table_source_view_named_like_the_dataset(
    rt: ModuleType, tmp_path: Path, kind: str, name: str
) -> None:
    source = make_source(rt, tmp_path, kind, name)
    assert isinstance(source, SqlDataSource)
    assert source.name == name
    assert source.dialect == "duckdb"
    assert source.skip_dates == set()
    quoted = '"' + name.replace('"', '""') + '"'
    # dqlib's queries use a plain alias of the view: no dataset name passes its SQL pass
    assert source.cte(datetime.date(2024, 1, 1)) == "SELECT * FROM _odcs_codegen_dataset_0"
    assert source.cte(datetime.date(2024, 1, 1), {"x": 1}) == source.cte(datetime.date(2024, 1, 2))
    table = source.query(
        f'SELECT COUNT(*) AS n, COUNT("it\'s") AS k, MAX(amount) AS m FROM {quoted}'
    )
    assert isinstance(table, pa.Table)
    assert table.to_pylist() == [{"n": 3, "k": 2, "m": 99999.99}]
    assert source.schema.names == ["id", "it's", "amount"]
    assert pa.types.is_integer(source.schema.field("id").type)
    assert pa.types.is_string(source.schema.field("it's").type)
    assert pa.types.is_float64(source.schema.field("amount").type)
    source.close()


def test_arrow_source_keeps_the_original_schema(rt: ModuleType) -> None:
    table = pa.table(
        {
            "id": pa.array([1], pa.uint16()),
            "ts": pa.array([0], pa.timestamp("ms", tz="UTC")),
            "s": pa.array(["x"], pa.large_string()),
        },
        schema=pa.schema(
            [
                pa.field("id", pa.uint16(), nullable=False),
                pa.field("ts", pa.timestamp("ms", tz="UTC")),
                pa.field("s", pa.large_string()),
            ]
        ),
    )
    source = rt.TableSource.from_arrow(table, "t")
    assert source.schema == table.schema  # not DuckDB's round trip (tz=Etc/UTC, int32, ...)
    batch = table.to_batches()[0]
    assert rt.TableSource.from_arrow(batch, "b").schema == table.schema
    with pytest.raises(TypeError):
        rt.TableSource.from_arrow({"a": [1]}, "t")
    with pytest.raises(ValueError):
        rt.TableSource.from_arrow(table, "")


def test_each_source_has_its_own_connection(rt: ModuleType) -> None:
    first = rt.TableSource.from_arrow(pa.table({"a": [1, 2]}), "same")
    second = rt.TableSource.from_arrow(pa.table({"a": [1, 2, 3]}), "same")
    assert first.query('SELECT COUNT(*) AS n FROM "same"').to_pylist() == [{"n": 2}]
    assert second.query('SELECT COUNT(*) AS n FROM "same"').to_pylist() == [{"n": 3}]
    with pytest.raises(duckdb.CatalogException):
        duckdb.sql('SELECT * FROM "same"')  # nothing leaks into the default connection


def test_parquet_schema_is_read_without_the_data(rt: ModuleType, tmp_path: Path) -> None:
    schema = pa.schema(
        [
            ("ts", pa.timestamp("ms", tz="America/New_York")),
            ("d", pa.decimal128(10, 2)),
            ("u", pa.uint32()),
            ("tags", pa.list_(pa.string())),
        ]
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=schema), path)
    assert rt.TableSource.from_file(path, "typed").schema == schema


def test_csv_and_jsonl_schema_from_duckdb(rt: ModuleType, tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("id,name,day,ts\n1,a,2024-01-01,2024-01-01 10:00:00+00\n2,,2024-01-02,\n")
    source = rt.TableSource.from_file(csv_path, "t")
    assert source.schema == pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("day", pa.date32()),
            ("ts", pa.timestamp("us", tz="UTC")),
        ]
    )
    jsonl_path = tmp_path / "t.ndjson"
    jsonl_path.write_text('{"id": 1, "address": {"city": "Oslo"}, "tags": [1, 2]}\n')
    source = rt.TableSource.from_file(jsonl_path, "t")
    assert source.schema.field("address").type == pa.struct([("city", pa.string())])
    assert pa.types.is_list(source.schema.field("tags").type)
    dataset = rt.Dataset(
        "t",
        (
            rt.Column("address", "object", fields=(rt.Column("city", "string"),)),
            rt.Column("tags", "array", items=rt.Column("items", "integer")),
        ),
    )
    assert rt.schema_problems(dataset, source.schema) == []


@pytest.mark.parametrize(
    ("file_name", "file_format", "writer"),
    [
        ("data.pq", None, "parquet"),
        ("data.bin", "parquet", "parquet"),
        ("data.txt", "csv", "csv"),
        ("data.csv.gz", None, "csv.gz"),
        ("data.json", None, "jsonl"),
        ("data.log", "ndjson", "jsonl"),
        ("data.feather", None, "ipc"),
        ("data.ipc", None, "ipc"),
        ("data.arrows", None, "stream"),
        ("data.dat", "ARROW", "ipc"),
    ],
)
def test_file_formats(
    rt: ModuleType, tmp_path: Path, file_name: str, file_format: str | None, writer: str
) -> None:
    path = tmp_path / file_name
    if writer == "parquet":
        pq.write_table(SAMPLE, path)
    elif writer == "csv":
        pa_csv.write_csv(SAMPLE, path)
    elif writer == "csv.gz":
        with pa.CompressedOutputStream(str(path), "gzip") as out:
            pa_csv.write_csv(SAMPLE, out)
    elif writer == "jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in SAMPLE.to_pylist()))
    elif writer == "ipc":
        feather.write_feather(SAMPLE, path)
    else:
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, SAMPLE.schema) as out:
            out.write_table(SAMPLE)
    source = rt.TableSource.from_file(str(path), "d", file_format)
    assert source.query('SELECT COUNT(*) AS n FROM "d"').to_pylist() == [{"n": 3}]


def test_relative_paths_survive_a_change_of_directory(
    rt: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sample(tmp_path, "csv")
    monkeypatch.chdir(tmp_path)
    source = rt.TableSource.from_file("sample.csv", "d")
    monkeypatch.chdir(tmp_path.parent)
    assert source.query('SELECT COUNT(*) AS n FROM "d"').to_pylist() == [{"n": 3}]


def test_file_errors(rt: ModuleType, tmp_path: Path) -> None:
    missing = tmp_path / "missing.parquet"
    with pytest.raises(FileNotFoundError) as not_found:
        rt.TableSource.from_file(missing, "d")
    assert str(missing) in str(not_found.value)

    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"this is not parquet\n" * 10)
    for path, file_format in (
        (garbage, None),
        (garbage, "arrow"),
        (garbage, "jsonl"),
    ):
        with pytest.raises(ValueError) as bad:
            rt.TableSource.from_file(path, "d", file_format)
        message = str(bad.value)
        assert str(path) in message
        assert "\n" not in message

    with pytest.raises(ValueError, match="cannot tell the format"):
        rt.TableSource.from_file(tmp_path / "data.xyz", "d")
    with pytest.raises(ValueError, match="unsupported file format 'xml'"):
        rt.TableSource.from_file(garbage, "d", "xml")


def test_duckdb_source(rt: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute(
        "CREATE TABLE orders AS SELECT 1 AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ts"
    )
    connection.execute('CREATE SCHEMA sales; CREATE TABLE sales."Big Orders" AS SELECT 2 AS id')
    connection.execute('CREATE TABLE "dotted.name" AS SELECT 3 AS id')
    connection.execute("CREATE VIEW v AS SELECT 4 AS id")
    connection.close()
    before = path.read_bytes()

    orders = rt.TableSource.from_duckdb(path, "orders", "orders")  # same name as the table
    assert orders.query('SELECT id FROM "orders"').to_pylist() == [{"id": 1}]
    assert orders.schema == pa.schema([("id", pa.int32()), ("ts", pa.timestamp("us", tz="UTC"))])
    column = rt.Column("ts", "timestamp", timezone="UTC")
    assert rt.schema_problems(rt.Dataset("orders", (column,)), orders.schema) == []
    with pytest.raises(duckdb.Error):  # attached read-only
        orders.query("INSERT INTO odcs_codegen_source_0.main.orders VALUES (5, NULL)")

    big = rt.TableSource.from_duckdb(str(path), "sales.Big Orders", "big")
    assert big.query('SELECT id FROM "big"').to_pylist() == [{"id": 2}]
    dotted = rt.TableSource.from_duckdb(path, "dotted.name", "d")
    assert dotted.query('SELECT id FROM "d"').to_pylist() == [{"id": 3}]
    view = rt.TableSource.from_duckdb(path, "V", "view")
    assert view.query('SELECT id FROM "view"').to_pylist() == [{"id": 4}]
    for source in (orders, big, dotted, view):
        source.close()
    assert path.read_bytes() == before

    with pytest.raises(ValueError, match=r"table 'nope' not found in DuckDB database"):
        rt.TableSource.from_duckdb(path, "nope", "x")
    with pytest.raises(FileNotFoundError, match=r"missing\.duckdb"):
        rt.TableSource.from_duckdb(tmp_path / "missing.duckdb", "orders", "x")
    not_duckdb = tmp_path / "not.duckdb"
    not_duckdb.write_text("id\n1\n")
    with pytest.raises(ValueError) as bad:
        rt.TableSource.from_duckdb(not_duckdb, "orders", "x")
    assert str(not_duckdb) in str(bad.value)
    assert "\n" not in str(bad.value)


# --------------------------------------------------------------------------------------------
# run_checks, exact_results
# --------------------------------------------------------------------------------------------

AMOUNTS = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "it's": pa.array(["a", None, "c"]),
        "amount": pa.array([1.5, 99999.99, 7.0]),
        "big": pa.array([9999999, 10000001, 20000000], pa.int64()),
    }
)


def amount_check(rt: ModuleType, dataset: str) -> Any:
    @check(name=f"contract of {dataset}", datasets=[dataset])
    def contract(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(mp.custom_sql('COUNT(*) FILTER (WHERE "it\'s" IS NULL)')).config(
            name="it's not null"
        ).is_eq(0)
        ctx.assert_that(mp.num_rows() - 3).config(name="rows >= 3").is_geq(0)
        ctx.assert_that(mp.maximum("amount") - 99999.99).config(name="max mustBe").is_eq(0)
        ctx.assert_that(mp.minimum("big") - 10000000).config(name="min >= 1e7").is_geq(0)
        ctx.assert_that(rt.outside(mp.average("amount"), 1, 1000)).config(
            name="avg between"
        ).is_leq(0)
        ctx.assert_that(rt.outside(mp.average("amount"), 1, 1000)).config(
            name="avg not between"
        ).is_gt(0)
        ctx.assert_that(rt.outside(mp.custom_sql("MAX(amount)"), 0.01, 99999.99)).config(
            name="max between"
        ).is_leq(0)

    return contract


def amounts_dataset(rt: ModuleType, name: str) -> Any:
    return rt.Dataset(
        name,
        (
            rt.Column("id", "integer", required=True),
            rt.Column("it's", "string"),
            rt.Column("amount", "number"),
            rt.Column("big", "integer"),
        ),
    )


def expect_amount_results(results: list) -> None:
    found = by_name(results)
    expected = {
        "it's not null": ("FAILED", 1.0),
        "rows >= 3": ("PASSED", 3.0),
        "max mustBe": ("PASSED", 99999.99),
        "min >= 1e7": ("FAILED", 9999999.0),
        "avg between": ("FAILED", (1.5 + 99999.99 + 7.0) / 3),
        "avg not between": ("PASSED", (1.5 + 99999.99 + 7.0) / 3),
        "max between": ("PASSED", 99999.99),
    }
    assert {name: (r.status, value(r)) for name, r in found.items()} == expected
    assert found["max mustBe"].expression == "x_3 - 99999.99 = 0"
    assert found["avg between"].expression.startswith("Abs(x_5 - 1001/2) - 999/2 ")


@pytest.mark.parametrize("name", WEIRD_NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_run_checks_exact_values(rt: ModuleType, tmp_path: Path, kind: str, name: str) -> None:
    if kind == "arrow":
        data: Any = AMOUNTS
    elif kind == "duckdb":
        path = tmp_path / "amounts.duckdb"
        connection = duckdb.connect(str(path))
        connection.register("amounts_view", AMOUNTS)
        connection.execute("CREATE TABLE amounts AS SELECT * FROM amounts_view")
        connection.close()
        data = rt.TableSource.from_duckdb(path, "amounts", name)
    else:
        path = tmp_path / f"amounts.{ {'ipc': 'arrow'}.get(kind, kind) }"
        if kind == "parquet":
            pq.write_table(AMOUNTS, path)
        elif kind == "csv":
            pa_csv.write_csv(AMOUNTS, path)
        elif kind == "jsonl":
            path.write_text("".join(json.dumps(row) + "\n" for row in AMOUNTS.to_pylist()))
        else:
            feather.write_feather(AMOUNTS, path)
        data = rt.TableSource.from_file(path, name)
    results = rt.run_checks(
        [amount_check(rt, name)], [amounts_dataset(rt, name)], {name: data}, suite_name="amounts"
    )
    expect_amount_results(results)
    assert {r.check for r in results} == {f"contract of {name}"}
    assert {r.suite for r in results} == {"amounts"}


def test_run_checks_source_mapping_errors(rt: ModuleType) -> None:
    datasets = [amounts_dataset(rt, "orders"), amounts_dataset(rt, "customers")]
    checks = [amount_check(rt, "orders")]
    with pytest.raises(ValueError) as missing:
        rt.run_checks(checks, datasets, {"orders": AMOUNTS}, suite_name="s")
    assert str(missing.value) == (
        "no data for dataset 'customers'; expected one of: 'orders', 'customers'"
    )
    with pytest.raises(ValueError, match=r"^unknown dataset 'extra' in sources"):
        rt.run_checks(
            checks,
            datasets,
            {"orders": AMOUNTS, "customers": AMOUNTS, "extra": AMOUNTS},
            suite_name="s",
        )
    wrong_name = rt.TableSource.from_arrow(AMOUNTS, "other")
    with pytest.raises(ValueError, match="named 'other'"):
        rt.run_checks(checks, datasets[:1], {"orders": wrong_name}, suite_name="s")
    with pytest.raises(TypeError):
        rt.run_checks(checks, datasets[:1], {"orders": [1, 2, 3]}, suite_name="s")


def test_schema_problems_block_only_the_assertions_that_read_the_column(rt: ModuleType) -> None:
    """A missing or mistyped column fails one P0 `<column>: schema` assertion and the
    assertions that read it; a NULL in a required column fails only its `required` assertion."""

    @check(name="orders", datasets=["orders"])
    def orders_check(mp: MetricProvider, ctx: Context) -> None:
        m = rt.Metrics(mp, ctx, "orders")
        m.expect(m.num_rows(), "rows").is_eq(3)
        m.expect(m.sql('COUNT(DISTINCT "id")', reads=["id"]), "distinct ids").is_eq(3)
        m.expect(m.sql('COUNT("nope")', reads=["nope"]), "nope count").is_geq(0)
        m.expect(m.sql("MAX(amount)", reads=["amount"]), "max amount").is_leq(1e6)

    @check(name="customers", datasets=["customers"])
    def customers_check(mp: MetricProvider, ctx: Context) -> None:
        m = rt.Metrics(mp, ctx, "customers")
        nulls = m.sql('COUNT(*) FILTER (WHERE "email" IS NULL)', reads=["email"])
        failure = "Property 'email' is required (required: true)\n  but contains null values"
        m.expect(nulls, "email: required", severity="P0", failure=failure).is_eq(0)
        m.expect(m.num_rows(), "rows").is_eq(2)

    orders = rt.Dataset("orders", (rt.Column("id", "string"), rt.Column("nope", "integer")))
    customers = rt.Dataset("customers", (rt.Column("email", "string", required=True),))
    sources = {"orders": AMOUNTS, "customers": pa.table({"email": ["a", None]})}
    run = rt.run_data([orders_check, customers_check], [orders, customers], sources, suite_name="s")
    verdicts = {
        (o.dataset, o.assertion): (o.status, o.severity, o.value, o.reason) for o in run.outcomes
    }
    id_problem = mismatch("id", "string", EXPECTED_TEXT["string"], "pa.int64()")
    id_problem += "\n  its values look like: '1', '2', '3'"
    nope_problem = missing("nope", "orders", ["id", "it's", "amount", "big"])
    assert verdicts == {
        ("orders", "id: schema"): ("FAILED", "P0", None, id_problem),
        ("orders", "nope: schema"): ("FAILED", "P0", None, nope_problem),
        ("orders", "rows"): ("PASSED", "P1", 3.0, None),
        ("orders", "distinct ids"): ("FAILED", "P1", None, f"not measured: {id_problem}"),
        ("orders", "nope count"): ("FAILED", "P1", None, f"not measured: {nope_problem}"),
        ("orders", "max amount"): ("PASSED", "P1", 99999.99, None),
        ("customers", "email: required"): (
            "FAILED",
            "P0",
            1.0,
            "Property 'email' is required (required: true)\n  but contains null values",
        ),
        ("customers", "rows"): ("PASSED", "P1", 2.0, None),
    }
    assert [(e.dataset, e.problems) for e in run.schema_errors] == [
        ("orders", (id_problem, nope_problem))
    ]
    results = rt.run_checks([orders_check], [orders], {"orders": AMOUNTS}, suite_name="s")
    blocked = by_name(results)["distinct ids"]
    assert blocked.status == "FAILED"
    assert blocked.metric.failure()[0].error_message == f"not measured: {id_problem}"

    unchecked = rt.run_data([orders_check], [orders], {"orders": AMOUNTS}, suite_name="s", validate=False)
    assert "id: schema" not in {o.assertion for o in unchecked.outcomes}


def test_run_checks_several_datasets(rt: ModuleType, tmp_path: Path) -> None:
    pq.write_table(pa.table({"customer_id": [1, 2]}), tmp_path / "customers.parquet")

    @check(name="orders", datasets=["orders"])
    def orders_check(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(mp.num_rows() - 3).config(name="rows").is_eq(0)

    @check(name="customers", datasets=["customers"])
    def customers_check(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(mp.num_rows() - 3).config(name="rows").is_geq(0)
        ctx.assert_that(
            mp.custom_sql('(SELECT COUNT(*) FROM "customers" WHERE customer_id > 1)')
        ).config(name="sql rule").is_eq(1)

    results = rt.run_checks(
        [orders_check, customers_check],
        [rt.Dataset("orders", ()), rt.Dataset("customers", ())],
        {
            "customers": rt.TableSource.from_file(tmp_path / "customers.parquet", "customers"),
            "orders": AMOUNTS,
        },
        suite_name="two",
    )
    assert [(r.check, r.assertion, r.status, value(r)) for r in results] == [
        ("orders", "rows", "PASSED", 3.0),
        ("customers", "rows", "FAILED", 2.0),
        ("customers", "sql rule", "PASSED", 1.0),
    ]


def test_exact_results_leaves_failures_and_multi_symbol_values(rt: ModuleType) -> None:
    @check(name="edge cases", datasets=["t"])
    def edge(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(mp.custom_sql("COALESCE(MAX(y), CAST('inf' AS DOUBLE))") - 5).config(
            name="infinite"
        ).is_leq(0)
        ctx.assert_that(mp.num_rows() - mp.custom_sql("COUNT(*) FILTER (WHERE x IS NULL)")).config(
            name="two symbols"
        ).is_geq(0)
        ctx.assert_that(mp.num_rows()).config(name="plain").is_eq(0)
        ctx.assert_that(sp.Integer(1) + 0 * mp.num_rows()).config(name="constant").is_eq(1)

    results = rt.run_checks(
        [edge],
        [rt.Dataset("t", ())],
        {"t": pa.table({"x": [None, 1.0, 2.0], "y": pa.array([None] * 3, pa.float64())})},
        suite_name="s",
    )
    found = by_name(results)
    infinite = found["infinite"].metric
    assert isinstance(infinite, Failure)
    assert infinite.failure()[0].error_message == "Validating value is infinity"
    assert found["two symbols"].metric == Success(2.0)  # rows - nulls, not rows or nulls
    assert (found["plain"].status, found["plain"].metric) == ("FAILED", Success(3.0))
    assert (found["constant"].status, found["constant"].metric) == ("PASSED", Success(1.0))


def test_exact_results_beats_six_digit_rounding(rt: ModuleType) -> None:
    table = pa.table({"v": pa.array([123456789.0, 1.0]), "w": pa.array([0.05, 0.0])})

    @check(name="precision", datasets=["p"])
    def precision(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(mp.maximum("v") - 123456789).config(name="max exact").is_eq(0)
        ctx.assert_that(mp.maximum("v")).config(name="max rounded").is_eq(123456789)
        ctx.assert_that(mp.maximum("w") - 0.05).config(name="ratio").is_geq(0)

    results = rt.run_checks([precision], [rt.Dataset("p", ())], {"p": table}, suite_name="s")
    found = by_name(results)
    assert (found["max exact"].status, value(found["max exact"])) == ("PASSED", 123456789.0)
    # the plain comparison suffers from dqlib's rounding; the value is still reported exactly
    assert (found["max rounded"].status, value(found["max rounded"])) == ("FAILED", 123456789.0)
    assert (found["ratio"].status, value(found["ratio"])) == ("PASSED", 0.05)


def test_two_million_row_parquet_is_not_loaded_into_python(
    rt: ModuleType, tmp_path: Path
) -> None:
    rows, chunk = 2_000_000, 100_000
    path = tmp_path / "big.parquet"
    schema = pa.schema([("id", pa.int64()), ("amount", pa.float64())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, chunk):
            ids = pa.array(range(start, start + chunk), pa.int64())
            amounts = pa.array([i * 0.5 for i in range(start, start + chunk)], pa.float64())
            writer.write_table(pa.table({"id": ids, "amount": amounts}, schema=schema))
    script = textwrap.dedent(f"""
        import json, sys, tracemalloc
        import pyarrow as pa
        from dqx.api import check
        from odcs_codegen import _runtime as rt

        @check(name="big", datasets=["big orders"])
        def big(mp, ctx):
            ctx.assert_that(mp.num_rows() - {rows}).config(name="rows").is_eq(0)
            ctx.assert_that(mp.custom_sql("SUM(id)") - 1999999000000).config(name="sum").is_eq(0)
            ctx.assert_that(rt.outside(mp.maximum("amount"), 0, 999999.5)).config(
                name="max between").is_leq(0)
            ctx.assert_that(rt.outside(mp.custom_sql("SUM(id)"), 0, 1999999000000)).config(
                name="sum between").is_leq(0)

        tracemalloc.start()
        dataset = rt.Dataset("big orders", (rt.Column("id", "integer", required=True),
                                            rt.Column("amount", "number", required=True)))
        source = rt.TableSource.from_file(sys.argv[1], "big orders")
        results = rt.run_checks([big], [dataset], {{"big orders": source}}, suite_name="big")
        print(json.dumps({{
            "arrow_peak": pa.default_memory_pool().max_memory(),
            "python_peak": tracemalloc.get_traced_memory()[1],
            "results": [[r.assertion, r.status, r.metric.value_or(None)] for r in results],
        }}))
        """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    completed = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["results"] == [
        ["rows", "PASSED", 2000000.0],
        ["sum", "PASSED", 1999999000000.0],
        ["max between", "PASSED", 999999.5],
        ["sum between", "PASSED", 1999999000000.0],
    ]
    data_bytes = rows * 16
    assert report["arrow_peak"] < data_bytes / 4  # the rows never became an Arrow table here
    assert report["python_peak"] < data_bytes / 4  # nor Python objects


# --------------------------------------------------------------------------------------------
# outside
# --------------------------------------------------------------------------------------------


def test_outside_expression_text(rt: ModuleType) -> None:
    x = sp.Symbol("x_4")
    assert str(rt.outside(x, 1, 1000)) == "Abs(x_4 - 1001/2) - 999/2"
    assert str(rt.outside(x, 0.1, 0.3)) == "Abs(x_4 - 1/5) - 1/10"
    assert str(rt.outside(x, -2.5, 2.5)) == "Abs(x_4) - 5/2"
    assert str(rt.outside(x, 7, 7)) == "Abs(x_4 - 7)"


def test_outside_is_the_same_expression_as_sympys_abs(rt: ModuleType) -> None:
    """Left unevaluated (sympy simplifies Abs slowly), it equals the evaluated form."""
    x = sp.Symbol("x_4")
    for lower, upper in ((1, 1000), (0.1, 0.3), (-2.5, 2.5), (7, 7), (-1e15, 1e15 + 2)):
        expression = rt.outside(x, lower, upper)
        for value in (-1e16, -3.0, 0.0, 0.2, 7.0, 500.5, 1e16):
            assert expression.subs({x: value}) == expression.doit().subs({x: value})


def evaluate_like_dqlib(expression: Any, metric: float) -> float:
    """What dqlib's evaluator computes: substitute the float value, then 6 significant digits."""
    (symbol,) = expression.free_symbols
    return float(sp.N(expression.subs({symbol: metric}), 6))


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        (1, 1000),
        (0.1, 0.3),
        (0, 99999.99),
        (-5.5, -0.25),
        (0.01, 123456789.123),
        (303185.945446, 210257992.317),
        (-1e15, 1e15 + 2),
        (5e9, 5e9),
        (1e-12, 3e-12),
        (2**21 - 0.3, 2**21 + 0.7),
    ],
)
def test_outside_verdicts_are_exact_at_and_near_the_bounds(
    rt: ModuleType, lower: float, upper: float
) -> None:
    x = sp.Symbol("x_1")
    expression = rt.outside(x, lower, upper)
    tolerance = 1e-9  # dqlib's default for is_leq / is_gt
    for bound in (float(lower), float(upper)):
        inside_value = evaluate_like_dqlib(expression, bound)
        assert inside_value < 0 + tolerance, (bound, inside_value)  # is_leq(0) passes
        assert not inside_value > 0 + tolerance  # is_gt(0) fails
        for step in (3e-9, 1e-6, 1.0):
            for candidate in (
                bound + step * max(1.0, abs(bound)),
                bound - step * max(1.0, abs(bound)),
            ):
                candidate = float(candidate)
                result = evaluate_like_dqlib(expression, candidate)
                if float(lower) <= candidate <= float(upper):
                    assert result < tolerance, (candidate, result)
                else:
                    assert result > tolerance, (candidate, result)
        for neighbour in (math.nextafter(bound, math.inf), math.nextafter(bound, -math.inf)):
            result = evaluate_like_dqlib(expression, neighbour)
            if float(lower) <= neighbour <= float(upper):
                assert result < tolerance
            else:
                assert result >= 0


def test_outside_bound_errors(rt: ModuleType) -> None:
    x = sp.Symbol("x_1")
    with pytest.raises(ValueError, match="greater than"):
        rt.outside(x, 2, 1)
    with pytest.raises(ValueError, match="finite"):
        rt.outside(x, 0, math.inf)
    with pytest.raises(ValueError, match="finite"):
        rt.outside(x, math.nan, 1)


def test_outside_in_a_suite(rt: ModuleType) -> None:
    table = pa.table({"v": pa.array([1.0, 1000.0]), "n": pa.array([5_000_000_000, 7], pa.int64())})

    @check(name="ranges", datasets=["r"])
    def ranges(mp: MetricProvider, ctx: Context) -> None:
        ctx.assert_that(rt.outside(mp.minimum("v"), 1, 1000)).config(name="min in").is_leq(0)
        ctx.assert_that(rt.outside(mp.maximum("v"), 1, 1000)).config(name="max in").is_leq(0)
        ctx.assert_that(rt.outside(mp.maximum("v"), 1, 999.99)).config(name="max out").is_leq(0)
        ctx.assert_that(rt.outside(mp.maximum("v"), 1, 999.99)).config(name="max not in").is_gt(0)
        ctx.assert_that(rt.outside(mp.maximum("n"), 7, 5_000_000_000)).config(
            name="large in"
        ).is_leq(0)
        ctx.assert_that(rt.outside(mp.maximum("n"), 7, 4_999_999_999)).config(
            name="large out"
        ).is_leq(0)

    results = rt.run_checks([ranges], [rt.Dataset("r", ())], {"r": table}, suite_name="s")
    assert {r.assertion: (r.status, value(r)) for r in results} == {
        "min in": ("PASSED", 1.0),
        "max in": ("PASSED", 1000.0),
        "max out": ("FAILED", 1000.0),
        "max not in": ("PASSED", 1000.0),
        "large in": ("PASSED", 5e9),
        "large out": ("FAILED", 5e9),
    }
