"""How DuckDB reads a dataset's files: quoting, table functions, declared column types.

CSV and JSON-lines columns are read with the types the contract declares; a cell that does not
parse is turned into a ``CellError`` naming its column, line and value. Parquet schemas come
from the files' footers, Arrow IPC files are memory-mapped, DuckDB database tables are found
by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.ipc as pa_ipc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from .errors import first_line
from .files import CellError, Partition, hive_keys
from .schema import Column

__all__ = [
    "cell_error",
    "declared_types",
    "find_table",
    "parquet_schema",
    "partition_condition",
    "quote_identifier",
    "quote_literal",
    "read_ipc",
    "reader",
]

#: DuckDB types of the scalar logicalTypes, for CSV and JSON columns.
DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "time": "TIME",
}
_LOGICAL_TYPES = {
    **{v: k for k, v in DUCKDB_TYPES.items()},
    "TIMESTAMPTZ": "timestamp",
}
_CSV_CELL = re.compile(
    r"CSV Error on Line: (?P<line>\d+).*?Error when converting column \"(?P<column>.*?)\"\. "
    r"Could not convert string \"(?P<value>.*?)\" to '(?P<type>[^']*)'",
    re.DOTALL,
)
_JSON_CELL = re.compile(
    r"JSON transform error in file .*?, in line (?P<line>\d+): (?P<why>.*)"
)


def quote_identifier(name: str) -> str:
    """A DuckDB identifier: ``name`` in double quotes, inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A DuckDB string literal: ``text`` in single quotes, inner single quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def partition_condition(partition: Partition, logical_type: str | None) -> str:
    """The rows of ``partition``: a typed comparison for a declared scalar type (so that
    Parquet statistics prune row groups), else a comparison of the value as text."""
    column = quote_identifier(partition.column)
    target = DUCKDB_TYPES.get(logical_type or "")
    value = quote_literal(partition.value)
    if target is None or target == "TIME":
        return f"CAST({column} AS VARCHAR) = {value}"
    return f"{column} = CAST({value} AS {target})"


def _file_list(locations: Sequence[str]) -> str:
    if len(locations) == 1:
        return quote_literal(locations[0])
    return "[" + ", ".join(quote_literal(location) for location in locations) + "]"


def _pairs(types: Mapping[str, str]) -> str:
    return ", ".join(
        f"{quote_literal(k)}: {quote_literal(v)}" for k, v in types.items()
    )


def reader(
    kind: str, locations: Sequence[str], types: Mapping[str, str] | None = None
) -> str:
    """The DuckDB table function that reads the files, with column types where given
    (hive ``key=value`` folders become columns)."""
    files = _file_list(locations)
    hive = ", hive_partitioning=true" if hive_keys(locations) else ""
    if kind == "parquet":
        return f"read_parquet({files}{hive})"
    if kind == "csv":
        typed = f", types={{{_pairs(types)}}}" if types else ""
        return f"read_csv({files}, auto_detect=true{typed}{hive})"
    if types:
        return (
            f"read_json({files}, format='newline_delimited', "
            f"columns={{{_pairs(types)}}}{hive})"
        )
    return f"read_json({files}, format='newline_delimited'{hive})"


def declared_types(
    connection: duckdb.DuckDBPyConnection,
    table_function: str,
    kind: str,
    columns: Sequence[Column],
) -> dict[str, str]:
    """The DuckDB types a CSV or JSON file is read with: the declared scalar columns' types;
    for JSON (whose reader takes every column or none) the detected types of the others.
    """
    if kind not in ("csv", "jsonl"):
        return {}
    declared = {
        column.name: _duckdb_type(column)
        for column in columns
        if column.logical_type in DUCKDB_TYPES
    }
    try:
        detected = connection.sql(f"DESCRIBE SELECT * FROM {table_function}").fetchall()
    except duckdb.Error:
        detected = []
    names = [str(row[0]) for row in detected]
    if kind == "csv":
        return {name: declared[name] for name in names if name in declared}
    if (
        names == ["json"] and "json" not in declared
    ):  # an empty file: only what is declared
        return declared
    return {str(row[0]): declared.get(str(row[0]), str(row[1])) for row in detected}


def _duckdb_type(column: Column) -> str:
    if column.logical_type == "timestamp" and column.timezone is not None:
        return "TIMESTAMPTZ"
    return DUCKDB_TYPES[str(column.logical_type)]


def read_ipc(location: str, shown: str) -> Any:
    """An Arrow IPC file (memory-mapped), or failing that an Arrow IPC stream."""
    try:
        source = pa.memory_map(location, "r")
    except (pa.ArrowException, OSError) as error:
        raise ValueError(
            f"cannot read arrow file '{shown}': {first_line(error)}"
        ) from error
    try:
        return pa_ipc.open_file(source).read_all()
    except (pa.ArrowException, OSError) as file_error:
        try:
            source.seek(0)
            return pa_ipc.open_stream(source).read_all()
        except (pa.ArrowException, OSError):
            source.close()
            message = f"cannot read arrow file '{shown}': {first_line(file_error)}"
            raise ValueError(message) from file_error


def parquet_schema(locations: Sequence[str]) -> Any:
    """The Arrow schema of Parquet files, from their footers only (None when they differ or
    the files are hive-partitioned: DuckDB's view then decides)."""
    if hive_keys(locations):
        return None
    schemas: list[Any] = []
    for location in locations:
        with pq.ParquetFile(location) as parquet_file:
            schemas.append(parquet_file.schema_arrow)
    if any(not schema.equals(schemas[0]) for schema in schemas[1:]):
        return None
    return schemas[0]


def find_table(
    connection: duckdb.DuckDBPyConnection, alias: str, table: str, shown: str
) -> tuple[str, str]:
    """The (schema, table) of ``table`` in an attached database (exact, dotted, then any case)."""
    rows = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_catalog = ? ORDER BY table_schema, table_name",
        [alias],
    ).fetchall()
    found: list[tuple[str, str]] = [(str(s), str(t)) for s, t in rows]
    candidates = [row for row in found if row[1] == table]
    if not candidates and "." in table:
        schema_part, _, table_part = table.partition(".")
        candidates = [row for row in found if row == (schema_part, table_part)]
    if not candidates:
        folded = table.casefold()
        candidates = [row for row in found if row[1].casefold() == folded]
    if len(candidates) > 1:
        candidates = [row for row in candidates if row[0] == "main"] or candidates
    if len(candidates) != 1:
        reason = "is ambiguous" if candidates else "not found"
        raise ValueError(f"table '{table}' {reason} in DuckDB database '{shown}'")
    return candidates[0]


def cell_error(
    error: duckdb.Error,
    dataset: str,
    origin: str,
    types: Mapping[str, str],
    failing_json_column: Any,
) -> CellError | None:
    """A CellError for a CSV or JSON cell that does not parse, else None
    (``failing_json_column()`` finds the column of a JSON error, which does not name it).
    """
    text = str(error)
    found = _CSV_CELL.search(text)
    if found is not None and found.group("column") in types:
        column, line, value = (
            found.group("column"),
            found.group("line"),
            found.group("value"),
        )
        declared = _LOGICAL_TYPES.get(types[column], types[column])
        message = (
            f"line {line} of {origin} holds {value!r}, which is not a valid "
            f"{declared} (its logicalType)"
        )
        return CellError(dataset, column, message)
    found = _JSON_CELL.search(text)
    if found is not None:
        column = failing_json_column()
        where = f" in column '{column}'" if column else ""
        message = f"line {found.group('line')} of {origin}{where}: {found.group('why')}"
        return CellError(dataset, column, message)
    return None


def sample_values(
    connection: duckdb.DuckDBPyConnection,
    alias: str,
    column: str,
    logical_type: str | None,
    limit: int,
) -> tuple[bool, list[str]]:
    """Up to ``limit`` distinct values of ``column`` of the view ``alias`` that do not fit
    ``logical_type`` (True), or, when every value would convert, some of its values (False).
    """
    quoted = quote_identifier(column)
    target = DUCKDB_TYPES.get(logical_type or "")
    select = (
        f"SELECT DISTINCT CAST({quoted} AS VARCHAR) AS v FROM {alias}"
        f" WHERE {quoted} IS NOT NULL"
    )

    def values(query: str) -> list[str]:
        rows = connection.sql(f"{query} ORDER BY v LIMIT {limit}").fetchall()
        return [str(row[0]) for row in rows]

    try:
        if target is not None:
            misfits = values(f"{select} AND TRY_CAST({quoted} AS {target}) IS NULL")
            if misfits:
                return True, misfits
        return False, values(select)
    except duckdb.Error:
        return False, []


def failing_column(
    connection: duckdb.DuckDBPyConnection, view: str, types: Mapping[str, str]
) -> str | None:
    """The first column of ``types`` whose values do not parse in ``view``, else None."""
    for column in types:
        try:
            connection.sql(
                f"SELECT COUNT({quote_identifier(column)}) FROM {view}"
            ).fetchall()
        except duckdb.Error:
            return column
    return None
