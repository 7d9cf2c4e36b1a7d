"""DuckDB data sources: Arrow tables, Parquet/CSV/JSON-lines/Arrow IPC files and folders,
DuckDB databases.

Every dataset of a run is a view, named exactly like the dataset, in one private DuckDB
connection (a ``Workspace``), so a ``type: sql`` rule can read the contract's other datasets by
name. Once the run starts the connection is locked: no file or network access but to the run's
own files. How files are read (declared CSV/JSON column types, cells that do not parse) is in
``duckdb_files``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from . import duckdb_files
from . import files as data_files
from .duckdb_files import quote_identifier, quote_literal
from .errors import first_line
from .files import CellError, Partition, check_name, matching_files
from .schema import Column

__all__ = [
    "CellError",
    "TableSource",
    "Workspace",
    "one_workspace",
    "quote_identifier",
    "quote_literal",
]


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
        check_name(name)
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
        check_name(name)
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
        partition: Partition | None = None,
    ) -> TableSource:
        """A Parquet, CSV, JSON-lines or Arrow IPC file (or folder) as the dataset ``name``.

        The format is taken from the file name (``.parquet``, ``.csv``, ``.jsonl``/``.ndjson``/
        ``.json``, ``.arrow``/``.ipc``/``.feather``; ``.gz``/``.zst`` allowed after CSV and
        JSON) unless ``file_format`` names it. A path with glob characters (``*``, ``?``,
        ``[``) that is not itself a file reads every matching Parquet, CSV or JSON-lines file
        as one dataset; a folder reads every data file below it, hive ``key=value`` folders as
        columns (with ``partition``, only that partition's files). CSV and JSON-lines columns
        get the types ``columns`` declare (an empty CSV field is NULL); the rows are read only
        when the checks run.
        """
        check_name(name)
        shown = os.fspath(path)
        if os.path.isdir(shown):
            kind = data_files.folder_format(shown, file_format)
        else:
            kind = data_files.file_format(shown, file_format)
        located = matching_files(shown, kind, partition)
        locations = [os.path.abspath(file) for file in located]
        what = "folder" if os.path.isdir(shown) else "file"
        many = len(located) > 1 and what == "file"
        origin = f"{kind} {what}{'s' if many else ''} '{shown}'"
        space = workspace or Workspace()
        try:
            if kind == "ipc":
                table = duckdb_files.read_ipc(locations[0], shown)
                return cls.from_arrow(
                    table, name, f"arrow file '{shown}'", workspace=space
                )
            schema = (
                duckdb_files.parquet_schema(locations) if kind == "parquet" else None
            )
            reader = duckdb_files.reader(kind, locations)
            types = duckdb_files.declared_types(space.connection, reader, kind, columns)
            return cls(
                space,
                name,
                _file_recipe(kind, locations),
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
        check_name(name)
        shown = os.fspath(database)
        if not os.path.isfile(shown):
            raise FileNotFoundError(f"DuckDB database file not found: '{shown}'")
        location = os.path.abspath(shown)
        space = workspace or Workspace()
        try:
            schema_name, table_name = duckdb_files.find_table(
                space.connection, space.attach(location), table, shown
            )
        except duckdb.Error as error:
            if workspace is None:
                space.close()
            raise ValueError(
                f"cannot read DuckDB database '{shown}': {first_line(error)}"
            ) from error

        recipe = _database_recipe(location, schema_name, table_name)
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
        alias = self._workspace.alias(self._name)
        connection = self._workspace.connection
        return duckdb_files.sample_values(
            connection, alias, column, logical_type, limit
        )

    def demote(self, column: str, note: str) -> None:
        """Read ``column`` with the type DuckDB detects, after ``note`` says why it cannot be read
        with the declared one (the schema check then reports the column)."""
        self._types.pop(column, None)
        self.notes[column] = note
        self._create()

    def restrict(self, partition: Partition, logical_type: str | None = None) -> None:
        """Measure only the rows of ``partition`` (``logical_type``: its column's, if known)."""
        self.where = duckdb_files.partition_condition(partition, logical_type)

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
        return duckdb_files.cell_error(
            error, self._name, self._origin, self._types, self._failing_json_column
        )

    def _failing_json_column(self) -> str | None:
        """The typed column whose values do not parse (JSON errors do not name it)."""
        view = quote_identifier(self._name)
        return duckdb_files.failing_column(
            self._workspace.connection, view, self._types
        )


def _database_recipe(location: str, schema_name: str, table_name: str) -> Recipe:
    def recipe(space: Workspace, view: str, types: Mapping[str, str]) -> None:
        parts = (space.attach(location), schema_name, table_name)
        source = ".".join(quote_identifier(p) for p in parts)
        space.connection.execute(
            f"CREATE OR REPLACE VIEW {quote_identifier(view)} AS SELECT * FROM {source}"
        )

    return recipe


def _file_recipe(kind: str, locations: Sequence[str]) -> Recipe:
    def recipe(space: Workspace, view: str, types: Mapping[str, str]) -> None:
        reader = duckdb_files.reader(kind, locations, types)
        space.connection.execute(
            f"CREATE OR REPLACE VIEW {quote_identifier(view)} AS SELECT * FROM {reader}"
        )

    return recipe


def one_workspace(sources: Iterable[TableSource]) -> dict[str, TableSource]:
    """The sources in a single workspace (moved into a new one when they are not)."""
    listed = list(sources)
    spaces = {id(source.workspace) for source in listed}
    if len(spaces) <= 1:
        return {source.name: source for source in listed}
    space = Workspace()
    return {source.name: source.moved_to(space) for source in listed}
