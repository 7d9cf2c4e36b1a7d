"""Spark types as Arrow types, so that a Spark schema is checked with the same matrix and the
same messages as an Arrow schema (``schema.column_problems``).

String, Varchar and Char are strings; Byte, Short, Integer and Long are int8..int64; Decimal,
Float and Double are numbers; Date is date32; Timestamp (an instant) is ``timestamp('us',
tz='UTC')`` and TimestampNTZ ``timestamp('us')``; Array, Map and Struct nest. Types without an
Arrow equivalent become the closest Arrow type a message can name (intervals as durations).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = ["arrow_schema", "arrow_type"]

_SIMPLE: dict[str, Any] = {
    "StringType": pa.string(),
    "VarcharType": pa.string(),
    "CharType": pa.string(),
    "ByteType": pa.int8(),
    "ShortType": pa.int16(),
    "IntegerType": pa.int32(),
    "LongType": pa.int64(),
    "FloatType": pa.float32(),
    "DoubleType": pa.float64(),
    "BooleanType": pa.bool_(),
    "DateType": pa.date32(),
    "TimestampType": pa.timestamp("us", tz="UTC"),
    "TimestampNTZType": pa.timestamp("us"),
    "BinaryType": pa.binary(),
    "NullType": pa.null(),
    "DayTimeIntervalType": pa.duration("us"),
    "YearMonthIntervalType": pa.month_day_nano_interval(),
    "CalendarIntervalType": pa.month_day_nano_interval(),
    "TimeType": pa.time64("ns"),
}


def arrow_type(spark_type: Any) -> Any:
    """The Arrow type a Spark type is checked as."""
    kind = type(spark_type).__name__
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "DecimalType":
        precision, scale = spark_type.precision, spark_type.scale
        factory = pa.decimal128 if precision <= 38 else pa.decimal256
        return factory(precision, scale)
    if kind == "ArrayType":
        return pa.list_(arrow_type(spark_type.elementType))
    if kind == "MapType":
        return pa.map_(arrow_type(spark_type.keyType), arrow_type(spark_type.valueType))
    if kind == "StructType":
        return pa.struct(
            [
                pa.field(f.name, arrow_type(f.dataType), f.nullable)
                for f in spark_type.fields
            ]
        )
    return pa.large_binary()  # Variant, user-defined types: no logicalType accepts them


def arrow_schema(struct_type: Any) -> Any:
    """A Spark ``StructType`` (a DataFrame's schema) as a ``pa.Schema``."""
    return pa.schema(
        [
            pa.field(f.name, arrow_type(f.dataType), f.nullable)
            for f in struct_type.fields
        ]
    )
