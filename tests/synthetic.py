"""Data generated from a contract's own schema: Arrow tables for the datasets of a generated
module (`DATASETS`), with NULLs in every optional column, for tests on inputs nobody wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from odcs_codegen._runtime.schema import Column, Dataset

START = dt.datetime(2025, 6, 1, 12, 0, 0)


def arrow_type(column: Column) -> pa.DataType:
    """The Arrow type a column of this logicalType gets (strings when it declares none)."""
    kind = column.logical_type
    if kind == "integer":
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "date":
        return pa.date32()
    if kind == "timestamp":
        return pa.timestamp("us", tz=column.timezone)
    if kind == "time":
        return pa.time64("us")
    if kind == "array":
        items = column.items or Column("items", "string")
        return pa.list_(arrow_type(items))
    if kind == "object":
        fields = column.fields or (Column("value", "string"),)
        return pa.struct([pa.field(f.name, arrow_type(f)) for f in fields])
    if kind == "map":
        return pa.map_(pa.string(), pa.string())
    return pa.string()


def value(column: Column, row: int) -> Any:
    """A plausible value of row `row` (never NULL: `table` decides where NULLs go)."""
    kind = column.logical_type
    if kind == "integer":
        return row % 7 + 1
    if kind == "number":
        return round(row * 1.25, 2)
    if kind == "boolean":
        return row % 2 == 0
    if kind == "date":
        return (START + dt.timedelta(days=row)).date()
    if kind == "timestamp":
        stamp = START + dt.timedelta(hours=row)
        return stamp.replace(tzinfo=dt.UTC) if column.timezone else stamp
    if kind == "time":
        return dt.time(row % 24, row % 60)
    if kind == "array":
        items = column.items or Column("items", "string")
        return [value(items, row), value(items, row + 1)]
    if kind == "object":
        fields = column.fields or (Column("value", "string"),)
        return {f.name: value(f, row) for f in fields}
    if kind == "map":
        return [("k", f"v{row}")]
    return f"{column.name[:8]}-{row}"


def table(dataset: Dataset, rows: int) -> pa.Table:
    """`rows` rows of a dataset: every third value of an optional column is NULL."""
    arrays: dict[str, pa.Array] = {}
    for column in dataset.columns:
        if column.name in arrays:
            continue
        values = [
            None if not column.required and row % 3 == 1 else value(column, row)
            for row in range(rows)
        ]
        arrays[column.name] = pa.array(values, arrow_type(column))
    if not arrays:
        arrays["id"] = pa.array(range(rows), pa.int64())
    return pa.table(arrays)
