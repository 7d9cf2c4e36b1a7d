"""DuckDB data sources: Arrow tables, Parquet/CSV/JSON-lines/Arrow IPC files, DuckDB databases.

Every dataset of a run is a view, named exactly like the dataset, in one private DuckDB
connection (a ``Workspace``), so a ``type: sql`` rule can read the contract's other datasets by
name. Once the run starts the connection is locked: no file or network access but to the run's
own files. CSV and JSON-lines files are read with the column types the contract declares;
a cell that does not parse is reported with its column, line and value (``CellError``).
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.ipc as pa_ipc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from .errors import first_line
from .schema import Column

__all__ = ["CellError", "TableSource", "Workspace", "quote_identifier", "quote_literal"]

_FILE_FORMATS: dict[str, str] = {
    **dict.fromkeys(("parquet", "pq", "parq"), "parquet"),
    **dict.fromkeys(("csv", "tsv"), "csv"),
    **dict.fromkeys(("jsonl", "ndjson", "json"), "jsonl"),
    **dict.fromkeys(("arrow", "arrows", "ipc", "feather"), "ipc"),
}
_COMPRESSION_SUFFIXES = ("gz", "zst", "zstd")
_GLOB_CHARACTERS = re.compile(r"[*?[]")
#: DuckDB types of the scalar logicalTypes, for CSV and JSON columns.
_DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "time": "TIME",
}
_LOGICAL_TYPES = {
    **{v: k for k, v in _DUCKDB_TYPES.items()},
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


class CellError(Exception):
    """A value of a CSV or JSON-lines file does not parse as its column's declared type."""

    def __init__(self, dataset: str, column: str | None, message: str) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.column = column


class Workspace:
    """One private DuckDB connection holding every dataset of a run as a view.

    Its TimeZone is UTC, so results do not depend on the machine's time zone. ``lock()`` (done
    when a run starts) forbids file and network access except to the datasets' own files; a
    ``type: sql`` rule is the contract author's SQL and can then read nothing else.
    """

    def __init__(self) -> None:
        self.connection = duckdb.connect()
        self.connection.execute("SET TimeZone = 'UTC'")
        self.connection.execute("SET enable_progress_bar = false")
        self.paths: list[str] = []
        self.locked = False
        self._attached: dict[str, str] = {}
        self._aliases: dict[str, str] = {}

    def alias(self, view: str) -> str:
        """A plain name for the view of a dataset: dqlib's queries name the data by it, so that
        no dataset name (quotes, backslashes, line breaks) passes through dqlib's SQL pass.
        """
        return self._aliases.setdefault(
            view, f"_odcs_codegen_dataset_{len(self._aliases)}"
        )

    def attach(self, database: str) -> str:
        """Attach a DuckDB database file read-only (once); its alias."""
        alias = self._attached.get(database)
        if alias is None:
            alias = f"odcs_codegen_source_{len(self._attached)}"
            self.connection.execute(
                f"ATTACH {quote_literal(database)} AS {quote_identifier(alias)}"
                " (TYPE duckdb, READ_ONLY)"
            )
            self._attached[database] = alias
            self.paths.append(database)
        return alias

    def lock(self) -> None:
        """Forbid file and network access except to the datasets' files (cannot be undone)."""
        if self.locked:
            return
        if self.paths:
            allowed = ", ".join(quote_literal(path) for path in self.paths)
            self.connection.execute(f"SET allowed_paths = [{allowed}]")
        self.connection.execute("SET enable_external_access = false")
        self.locked = True

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


Recipe = Callable[[Workspace, str, Mapping[str, str]], None]
"""Creates the view of a dataset in a workspace: (workspace, view name, column type overrides)."""


class TableSource:
    """A dqlib ``SqlDataSource``: the dataset ``name`` as a view of a ``Workspace``.

    Build it with ``from_arrow``, ``from_file`` or ``from_duckdb`` (each opens its own workspace
    unless one is given). ``cte()`` is ``SELECT * FROM "<name>"``, so SQL written against the
    dataset name works as is.
    """

    dialect: str = "duckdb"

    def __init__(
        self,
        workspace: Workspace,
        name: str,
        recipe: Recipe,
        *,
        origin: str,
        paths: Sequence[str] = (),
        schema: Any = None,
        types: Mapping[str, str] | None = None,
    ) -> None:
        _check_name(name)
        self._workspace = workspace
        self._name = name
        self._recipe = recipe
        self._origin = origin
        self._paths = tuple(paths)
        self._types = dict(types or {})
        self._known_schema = schema
        self._skip_dates: set[datetime.date] = set()
        self.where: str | None = None
        """A SQL condition that restricts every metric to a slice (a partition)."""
        self.notes: dict[str, str] = {}
        """Problems found while reading, by column (a cell that does not parse)."""
        workspace.paths.extend(p for p in self._paths if p not in workspace.paths)
        self._create()

    # -- construction --------------------------------------------------------------------

    @classmethod
    def from_arrow(
        cls,
        table: Any,
        name: str,
        origin: str = "",
        *,
        workspace: Workspace | None = None,
    ) -> TableSource:
        """The Arrow table (or record batch) ``table`` as the dataset ``name``."""
        _check_name(name)
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        if not isinstance(table, pa.Table):
            raise TypeError(
                f"dataset '{name}': expected a pyarrow.Table, got {type(table)!r}"
            )

        def recipe(space: Workspace, view: str, types: Mapping[str, str]) -> None:
            space.connection.register(view, table)

        return cls(
            workspace or Workspace(),
            name,
            recipe,
            origin=origin or "an Arrow table",
            schema=table.schema,
        )

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        name: str,
        file_format: str | None = None,
        *,
        columns: Sequence[Column] = (),
        workspace: Workspace | None = None,
    ) -> TableSource:
        """A Parquet, CSV, JSON-lines or Arrow IPC file as the dataset ``name``.

        The format is taken from the file name (``.parquet``, ``.csv``, ``.jsonl``/``.ndjson``/
        ``.json``, ``.arrow``/``.ipc``/``.feather``; ``.gz``/``.zst`` allowed after CSV and
        JSON) unless ``file_format`` names it. A path with glob characters (``*``, ``?``,
        ``[``) that is not itself a file reads every matching Parquet, CSV or JSON-lines file
        as one dataset. CSV and JSON-lines columns get the types ``columns`` declare (an empty
        CSV field is NULL); the rows are read only when the checks run.
        """
        _check_name(name)
        shown = os.fspath(path)
        kind = _file_format(shown, file_format)
        files = _matching_files(shown, kind)
        locations = [os.path.abspath(file) for file in files]
        origin = (
            f"{kind} file '{shown}'" if len(files) == 1 else f"{kind} files '{shown}'"
        )
        space = workspace or Workspace()
        try:
            if kind == "ipc":
                table = _read_ipc(locations[0], shown)
                return cls.from_arrow(
                    table, name, f"arrow file '{shown}'", workspace=space
                )
            schema = _parquet_schema(locations) if kind == "parquet" else None
            reader = _reader(kind, locations)
            types = _declared_types(space, reader, kind, columns)
            recipe = _file_recipe(kind, locations)
            return cls(
                space,
                name,
                recipe,
                origin=origin,
                paths=locations,
                schema=schema,
                types=types,
            )
        except (duckdb.Error, pa.ArrowException, OSError) as error:
            if workspace is None:
                space.close()
            raise ValueError(f"cannot read {origin}: {first_line(error)}") from error

    @classmethod
    def from_duckdb(
        cls,
        database: str | os.PathLike[str],
        table: str,
        name: str,
        *,
        workspace: Workspace | None = None,
    ) -> TableSource:
        """Table (or view) ``table`` of the DuckDB database file ``database``, attached read-only.

        ``table`` is a table name, or ``schema.table`` when no table has that dotted name.
        """
        _check_name(name)
        shown = os.fspath(database)
        if not os.path.isfile(shown):
            raise FileNotFoundError(f"DuckDB database file not found: '{shown}'")
        location = os.path.abspath(shown)
        space = workspace or Workspace()
        try:
            schema_name, table_name = _find_table(
                space.connection, space.attach(location), table, shown
            )
        except duckdb.Error as error:
            if workspace is None:
                space.close()
            raise ValueError(
                f"cannot read DuckDB database '{shown}': {first_line(error)}"
            ) from error

        def recipe(space: Workspace, view: str, types: Mapping[str, str]) -> None:
            alias_now = space.attach(location)
            source = ".".join(
                quote_identifier(p) for p in (alias_now, schema_name, table_name)
            )
            space.connection.execute(
                f"CREATE OR REPLACE VIEW {quote_identifier(view)} AS SELECT * FROM {source}"
            )

        origin = f"table '{table}' of DuckDB database '{shown}'"
        return cls(space, name, recipe, origin=origin, paths=[location])

    def moved_to(self, workspace: Workspace) -> TableSource:
        """The same data as a view of another workspace (so that datasets can see each other)."""
        moved = TableSource(
            workspace,
            self._name,
            self._recipe,
            origin=self._origin,
            paths=self._paths,
            schema=self._known_schema,
            types=self._types,
        )
        moved.where, moved.notes = self.where, dict(self.notes)
        return moved

    def check_cells(self) -> None:
        """Parse every column read with a declared type once (CSV and JSON lines), so that a
        cell that does not parse is found even when no rule reads its column."""
        for _ in range(len(self._types) + 1):
            if not self._types:
                return
            counts = ", ".join(f"COUNT({quote_identifier(c)})" for c in self._types)
            try:
                self.query(f"SELECT {counts} FROM {self._workspace.alias(self._name)}")
                return
            except CellError as error:
                if error.column is None or error.column not in self._types:
                    return
                self.demote(error.column, str(error))

    def sample(
        self, column: str, logical_type: str | None, limit: int = 3
    ) -> tuple[bool, list[str]]:
        """Up to ``limit`` distinct values of ``column`` that do not fit ``logical_type`` (True),
        or, when every value would convert, some of its values (False); for messages."""
        quoted = quote_identifier(column)
        alias = self._workspace.alias(self._name)
        target = _DUCKDB_TYPES.get(logical_type or "")
        select = (
            f"SELECT DISTINCT CAST({quoted} AS VARCHAR) AS v FROM {alias}"
            f" WHERE {quoted} IS NOT NULL"
        )
        try:
            if target is not None:
                misfits = self._values(
                    f"{select} AND TRY_CAST({quoted} AS {target}) IS NULL", limit
                )
                if misfits:
                    return True, misfits
            return False, self._values(select, limit)
        except duckdb.Error:
            return False, []

    def _values(self, select: str, limit: int) -> list[str]:
        rows = self._workspace.connection.sql(
            f"{select} ORDER BY v LIMIT {limit}"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def demote(self, column: str, note: str) -> None:
        """Read ``column`` with the type DuckDB detects, after ``note`` says why it cannot be read
        with the declared one (the schema check then reports the column)."""
        self._types.pop(column, None)
        self.notes[column] = note
        self._create()

    # -- SqlDataSource -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The dataset name, which is also the name of the DuckDB view."""
        return self._name

    @property
    def workspace(self) -> Workspace:
        """The workspace whose connection holds the view."""
        return self._workspace

    @property
    def schema(self) -> Any:
        """The ``pa.Schema`` of the data (Parquet: from the footer, without reading rows)."""
        if self._known_schema is not None and not self._types:
            return self._known_schema
        view = quote_identifier(self._name)
        return (
            self._workspace.connection.sql(f"SELECT * FROM {view} LIMIT 0")
            .to_arrow_table()
            .schema
        )

    @property
    def skip_dates(self) -> set[datetime.date]:
        """No dates are skipped."""
        return self._skip_dates

    def cte(self, nominal_date: datetime.date, parameters: Any = None) -> str:
        """``SELECT * FROM <the view>`` (restricted by ``where``; date and parameters ignored).

        The view is named by a plain alias of the dataset's view (see ``Workspace.alias``).
        """
        select = f"SELECT * FROM {self._workspace.alias(self._name)}"
        return select if self.where is None else f"{select} WHERE {self.where}"

    def query(self, query: str) -> Any:
        """Run ``query`` on the workspace; the result as a ``pa.Table``.

        A cell that does not parse raises CellError; other DuckDB errors get a note naming the
        dataset and where its data comes from.
        """
        try:
            return self._workspace.connection.sql(query).to_arrow_table()
        except duckdb.Error as error:
            cell = self._cell_error(error)
            if cell is not None:
                raise cell from error
            error.add_note(f"while reading dataset '{self._name}' ({self._origin})")
            raise

    # -- extras --------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """Where the data comes from, e.g. ``parquet file 'orders.parquet'``."""
        return self._origin

    def close(self) -> None:
        """Close the workspace's connection (every source of that workspace)."""
        self._workspace.close()

    def __repr__(self) -> str:
        return f"TableSource(name={self._name!r})"

    def _create(self) -> None:
        self._recipe(self._workspace, self._name, self._types)
        alias, view = self._workspace.alias(self._name), quote_identifier(self._name)
        self._workspace.connection.execute(
            f"CREATE OR REPLACE VIEW {alias} AS SELECT * FROM {view}"
        )

    def _cell_error(self, error: duckdb.Error) -> CellError | None:
        """A CellError for a CSV or JSON cell that does not parse, else None."""
        text = str(error)
        found = _CSV_CELL.search(text)
        if found is not None and found.group("column") in self._types:
            column, line, value = (
                found.group("column"),
                found.group("line"),
                found.group("value"),
            )
            declared = _LOGICAL_TYPES.get(self._types[column], self._types[column])
            message = (
                f"line {line} of {self._origin} holds {value!r}, which is not a valid "
                f"{declared} (its logicalType)"
            )
            return CellError(self._name, column, message)
        found = _JSON_CELL.search(text)
        if found is not None:
            column = self._failing_json_column()
            where = f" in column '{column}'" if column else ""
            message = f"line {found.group('line')} of {self._origin}{where}: {found.group('why')}"
            return CellError(self._name, column, message)
        return None

    def _failing_json_column(self) -> str | None:
        """The typed column whose values do not parse (JSON errors do not name it)."""
        view = quote_identifier(self._name)
        for column in self._types:
            try:
                self._workspace.connection.sql(
                    f"SELECT COUNT({quote_identifier(column)}) FROM {view}"
                ).fetchall()
            except duckdb.Error:
                return column
        return None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}")


def _file_format(path: str, file_format: str | None) -> str:
    if file_format is not None:
        key = file_format.strip().lower().lstrip(".")
        if key not in _FILE_FORMATS:
            known = ", ".join(sorted(_FILE_FORMATS))
            raise ValueError(
                f"unsupported file format '{file_format}' for '{path}'; expected one of: {known}"
            )
        return _FILE_FORMATS[key]
    stem, dot, suffix = os.path.basename(path).lower().rpartition(".")
    if dot and suffix in _COMPRESSION_SUFFIXES:
        inner = stem.rpartition(".")[2] if "." in stem else ""
        if _FILE_FORMATS.get(inner) in ("csv", "jsonl"):
            return _FILE_FORMATS[inner]
    elif dot and suffix in _FILE_FORMATS:
        return _FILE_FORMATS[suffix]
    raise ValueError(
        f"cannot tell the format of '{path}' from its name; pass file_format "
        "(parquet, csv, jsonl or arrow)"
    )


def _matching_files(shown: str, kind: str) -> list[str]:
    """The file, or the files a glob matches (sorted)."""
    if os.path.isfile(shown):
        return [shown]
    if not _GLOB_CHARACTERS.search(shown):
        raise FileNotFoundError(f"data file not found: '{shown}'")
    import glob

    files = sorted(p for p in glob.glob(shown, recursive=True) if os.path.isfile(p))
    if not files:
        raise FileNotFoundError(f"no data files match '{shown}'")
    if kind == "ipc":
        raise ValueError(
            f"cannot read '{shown}': globs are not supported for arrow files"
        )
    return files


def _file_list(locations: Sequence[str]) -> str:
    if len(locations) == 1:
        return quote_literal(locations[0])
    return "[" + ", ".join(quote_literal(location) for location in locations) + "]"


def _reader(
    kind: str, locations: Sequence[str], types: Mapping[str, str] | None = None
) -> str:
    """The DuckDB table function that reads the files, with column types where given."""
    files = _file_list(locations)
    if kind == "parquet":
        return f"read_parquet({files})"
    if kind == "csv":
        typed = ""
        if types:
            pairs = ", ".join(
                f"{quote_literal(k)}: {quote_literal(v)}" for k, v in types.items()
            )
            typed = f", types={{{pairs}}}"
        return f"read_csv({files}, auto_detect=true{typed})"
    if types:
        pairs = ", ".join(
            f"{quote_literal(k)}: {quote_literal(v)}" for k, v in types.items()
        )
        return f"read_json({files}, format='newline_delimited', columns={{{pairs}}})"
    return f"read_json({files}, format='newline_delimited')"


def _declared_types(
    space: Workspace, reader: str, kind: str, columns: Sequence[Column]
) -> dict[str, str]:
    """The DuckDB types a CSV or JSON file is read with: the declared scalar columns' types;
    for JSON (whose reader takes every column or none) the detected types of the others.
    """
    if kind not in ("csv", "jsonl"):
        return {}
    declared = {
        column.name: _duckdb_type(column)
        for column in columns
        if column.logical_type in _DUCKDB_TYPES
    }
    try:
        detected = space.connection.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()
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
    return _DUCKDB_TYPES[str(column.logical_type)]


def _file_recipe(kind: str, locations: Sequence[str]) -> Recipe:
    def recipe(space: Workspace, view: str, types: Mapping[str, str]) -> None:
        reader = _reader(kind, locations, types)
        space.connection.execute(
            f"CREATE OR REPLACE VIEW {quote_identifier(view)} AS SELECT * FROM {reader}"
        )

    return recipe


def _read_ipc(location: str, shown: str) -> Any:
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


def _parquet_schema(locations: Sequence[str]) -> Any:
    """The Arrow schema of Parquet files, from their footers only (None when they differ:
    DuckDB's view then decides)."""
    schemas: list[Any] = []
    for location in locations:
        with pq.ParquetFile(location) as parquet_file:
            schemas.append(parquet_file.schema_arrow)
    if any(not schema.equals(schemas[0]) for schema in schemas[1:]):
        return None
    return schemas[0]


def _find_table(
    connection: duckdb.DuckDBPyConnection, alias: str, table: str, shown: str
) -> tuple[str, str]:
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


def one_workspace(sources: Iterable[TableSource]) -> dict[str, TableSource]:
    """The sources in a single workspace (moved into a new one when they are not)."""
    listed = list(sources)
    spaces = {id(source.workspace) for source in listed}
    if len(spaces) <= 1:
        return {source.name: source for source in listed}
    space = Workspace()
    return {source.name: source.moved_to(space) for source in listed}
