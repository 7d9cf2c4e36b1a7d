"""The declared shape of a dataset, and how it is checked against the data's Arrow schema.

``Column`` / ``Dataset`` are what a generated module declares; ``column_problems`` compares them
with a ``pyarrow`` schema (the logicalType matrix of the DQX specification, timestamp time
zones, nested arrays and objects) and returns the problems of each top-level column, so that a
run can block exactly the assertions that read a broken column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from .arrow_types import type_repr
from .errors import ContractValidationError, SchemaValidationError, required_message

__all__ = [
    "Column",
    "Dataset",
    "column_problems",
    "missing_message",
    "required_message",
    "schema_problems",
    "validate_schema",
]


class Column(NamedTuple):
    """One declared property of a dataset.

    ``logical_type`` is the ODCS logicalType (``None``: not declared, so not checked); ``items``
    describes the elements of an array, ``fields`` the fields of an object; ``timezone`` is the
    time zone a timestamp must carry (``None``: any time zone or none).
    """

    name: str
    logical_type: str | None
    required: bool = False
    items: Column | None = None
    fields: tuple[Column, ...] = ()
    timezone: str | None = None


class Dataset(NamedTuple):
    """A dataset of a contract: its name (the view and dqlib datasource name) and columns.

    ``partition`` is its first partition key (the property with ``partitioned: true`` and
    ``partitionKeyPosition: 1``): the column of a partition-scoped run given a value alone.
    """

    name: str
    columns: tuple[Column, ...]
    partition: str | None = None


#: Accepted pyarrow types per logicalType, as printed in type-mismatch messages.
EXPECTED_TYPES: dict[str, str] = {
    "string": "(string, large_string, string_view)",
    "integer": "(int8\u2013int64, uint8\u2013uint64)",
    "number": "(float32, float64, decimal128, decimal256)",
    "boolean": "(bool)",
    "date": "(date32, date64)",
    "timestamp": "(timestamp[s|ms|us|ns])",
    "time": "(time32[s|ms], time64[us|ns])",
    "array": "(list, large_list, fixed_size_list)",
    "object": "(struct)",
    "map": "(map)",
}

#: Names of the UTC time zone; any two of them are the same zone.
_UTC_NAMES = frozenset(
    {
        *("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Z", "+00:00", "Zulu", "Etc/Universal"),
        *("Universal", "Etc/Zulu", "GMT", "Etc/GMT"),
    }
)


def _is_list(arrow_type: Any) -> bool:
    types = pa.types
    return bool(
        types.is_list(arrow_type)
        or types.is_large_list(arrow_type)
        or types.is_fixed_size_list(arrow_type)
    )


_ACCEPTS: dict[str, Any] = {
    "string": lambda t: (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_string_view(t)
    ),
    "integer": pa.types.is_integer,
    "number": lambda t: (
        pa.types.is_float32(t)
        or pa.types.is_float64(t)
        or pa.types.is_decimal128(t)
        or pa.types.is_decimal256(t)
    ),
    "boolean": pa.types.is_boolean,
    "date": lambda t: pa.types.is_date32(t) or pa.types.is_date64(t),
    "timestamp": pa.types.is_timestamp,
    "time": lambda t: pa.types.is_time32(t) or pa.types.is_time64(t),
    "array": _is_list,
    "object": pa.types.is_struct,
    "map": pa.types.is_map,
}


def accepts(logical_type: str, arrow_type: Any) -> bool:
    """Whether ``arrow_type`` (dictionary encoding already removed) fits ``logical_type``."""
    return bool(_ACCEPTS[logical_type](arrow_type))


def _same_timezone(expected: str, actual: str | None) -> bool:
    if actual is None:
        return False
    if expected in _UTC_NAMES and actual in _UTC_NAMES:
        return True
    return expected == actual


def _struct_field(arrow_type: Any, name: str) -> Any | None:
    for i in range(arrow_type.num_fields):
        field = arrow_type.field(i)
        if field.name == name:
            return field
    return None


def _check_logical_types(column: Column, path: str) -> None:
    """Raise ContractValidationError for a logicalType that ODCS does not define."""
    if column.logical_type is not None and column.logical_type not in EXPECTED_TYPES:
        raise ContractValidationError(
            f"Property '{path}': unknown logicalType '{column.logical_type}'"
        )
    if column.items is not None:
        _check_logical_types(column.items, f"{path}[]")
    for field in column.fields:
        _check_logical_types(field, f"{path}.{field.name}")


def mismatch_message(path: str, logical_type: str, arrow_type: Any) -> str:
    """The DQX specification's message for a column whose type does not fit its logicalType."""
    return (
        f"Property '{path}' type mismatch:\n"
        f"  expected logicalType '{logical_type}' {EXPECTED_TYPES[logical_type]},"
        f" got {type_repr(arrow_type)}"
    )


def missing_message(path: str, dataset: str, names: Sequence[str] = ()) -> str:
    """The message for a declared property the data does not have, with the columns it has."""
    message = f"Property '{path}' is missing from dataset '{dataset}'"
    if not names:
        return message
    folded = [
        name for name in names if name.casefold() == path.rpartition(".")[2].casefold()
    ]
    shown = ", ".join(f"'{name}'" for name in list(names)[:20])
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    message += f"\n  its columns: {shown}{more}"
    if folded:
        message += (
            f"\n  '{folded[0]}' differs only in case: use physicalName: {folded[0]}"
        )
    return message


def _type_problems(
    column: Column, path: str, arrow_type: Any, dataset: str
) -> list[str]:
    """Problems of one (possibly nested) property whose data has type ``arrow_type``."""
    while pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    logical_type = column.logical_type
    if logical_type is not None:
        if not accepts(logical_type, arrow_type):
            return [mismatch_message(path, logical_type, arrow_type)]
        if (
            logical_type == "timestamp"
            and column.timezone is not None
            and not _same_timezone(column.timezone, arrow_type.tz)
        ):
            message = (
                f"Property '{path}' timezone mismatch:\n"
                f"  expected timezone '{column.timezone}', got {type_repr(arrow_type)}"
            )
            return [message]
    problems: list[str] = []
    if column.items is not None and _is_list(arrow_type):
        problems += _type_problems(
            column.items, f"{path}[]", arrow_type.value_type, dataset
        )
    if column.fields and pa.types.is_struct(arrow_type):
        names = [arrow_type.field(i).name for i in range(arrow_type.num_fields)]
        for declared in column.fields:
            field_path = f"{path}.{declared.name}"
            field = _struct_field(arrow_type, declared.name)
            if field is None:
                problems.append(missing_message(field_path, dataset, names))
            else:
                problems += _type_problems(declared, field_path, field.type, dataset)
    return problems


def column_problems(dataset: Dataset, schema: Any) -> dict[str, list[str]]:
    """The problems of each declared top-level column whose data does not fit (presence and
    logicalType, recursively into arrays and objects; extra columns and fields are ignored).

    Raises ContractValidationError for a logicalType that is not an ODCS logicalType.
    """
    for column in dataset.columns:
        _check_logical_types(column, column.name)
    names = list(schema.names)
    problems: dict[str, list[str]] = {}
    for column in dataset.columns:
        index = schema.get_field_index(column.name)
        if index < 0 and column.name in names:
            index = names.index(column.name)  # a duplicated column name
        if index < 0:
            problems[column.name] = [missing_message(column.name, dataset.name, names)]
            continue
        found = _type_problems(
            column, column.name, schema.field(index).type, dataset.name
        )
        if found:
            problems[column.name] = found
    return problems


def schema_problems(
    dataset: Dataset, schema: Any, null_counts: Mapping[str, int] | None = None
) -> list[str]:
    """Every way ``schema`` (a ``pa.Schema``) differs from the declared ``dataset``.

    The problems of ``column_problems`` and, for top-level required columns whose null count is
    known from ``null_counts``, that they hold no nulls.
    """
    by_column = column_problems(dataset, schema)
    problems: list[str] = []
    for column in dataset.columns:
        problems += by_column.get(column.name, [])
        if (
            null_counts is None
            or not column.required
            or column.name not in schema.names
        ):
            continue
        if null_counts.get(column.name, 0) > 0:
            problems.append(required_message(column.name))
    return problems


def validate_schema(
    dataset: Dataset, schema: Any, null_counts: Mapping[str, int] | None = None
) -> None:
    """Raise SchemaValidationError listing every problem ``schema_problems`` finds."""
    problems = schema_problems(dataset, schema, null_counts)
    if problems:
        raise SchemaValidationError(dataset.name, problems)
