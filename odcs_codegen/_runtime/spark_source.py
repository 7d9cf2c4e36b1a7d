"""Apache Spark data sources: DataFrames, Parquet/CSV/JSON files and folders, catalog tables.

Importing this module registers dqlib's ``spark`` dialect (``SparkDialect``): every metric of
a dataset is one Spark SQL query, so one Spark job computes them all. Every dataset of a run is
a temporary view named exactly like the dataset in one Spark session (a ``SparkWorkspace``), so
a ``type: sql`` rule can read the contract's other datasets by name. While a run holds the
session its time zone is UTC (naive timestamps read as UTC, as on DuckDB) and SQL on files
(``SELECT * FROM parquet.`/path```) is off; both are restored afterwards.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from . import files as data_files
from .files import CellError, Partition, check_name, hive_keys, matching_files
from .schema import Column
from .spark_dialect import SparkDialect, quote_identifier, quote_literal
from .spark_types import arrow_schema

__all__ = [
    "CellError",
    "SparkDialect",
    "SparkSource",
    "SparkWorkspace",
    "is_spark_frame",
    "local_session",
    "quote_identifier",
    "quote_literal",
]

#: Spark types of the scalar logicalTypes (CSV and JSON columns, partition values, samples).
SPARK_TYPES: dict[str, str] = {
    "string": "STRING",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP_NTZ",
}
_RUN_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.runSQLOnFiles": "false",
    "spark.sql.adaptive.enabled": "false",  # one job for the metrics, not one per stage
}


def is_spark_frame(item: Any) -> bool:
    """Whether ``item`` is a Spark DataFrame (classic or Spark Connect)."""
    kind = type(item)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pyspark.")


def local_session(remote: str | None = None) -> tuple[Any, bool]:
    """The active Spark session, else a new local one (``local[*]``) or a Spark Connect
    session to ``remote`` (``sc://HOST:PORT``); and whether it was created here."""
    from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

    if remote is not None:
        return SparkSession.builder.remote(remote).getOrCreate(), True
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    session = (
        SparkSession.builder.master(
            os.environ.get("ODCS_CODEGEN_SPARK_MASTER", "local[*]")
        )
        .appName("odcs-codegen")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session, True


class SparkWorkspace:
    """One Spark session holding every dataset of a run as a temporary view.

    ``lock()`` (done when a run starts) sets the run's session settings; ``close()`` drops the
    views, restores the settings and stops the session when the workspace started it.
    """

    def __init__(self, session: Any, *, owned: bool = False) -> None:
        self.session = session
        self.owned = owned
        self.locked = False
        self.views: list[str] = []
        self._aliases: dict[str, str] = {}
        self._saved: dict[str, str | None] = {}

    def alias(self, view: str) -> str:
        """A plain name for a dataset's view (what dqlib's queries read)."""
        return self._aliases.setdefault(
            view, f"_odcs_codegen_dataset_{id(self):x}_{len(self._aliases)}"
        )

    def register(self, frame: Any, view: str) -> None:
        """``frame`` as the view ``view`` and as its alias."""
        for name in (view, self.alias(view)):
            frame.createOrReplaceTempView(quote_identifier(name))
            if name not in self.views:
                self.views.append(name)

    def lock(self) -> None:
        """The run's settings: UTC session time zone, no SQL on files."""
        if self.locked:
            return
        for key, value in _RUN_SETTINGS.items():
            self._saved[key] = self.session.conf.get(key, None)
            self.session.conf.set(key, value)
        self.locked = True

    def close(self) -> None:
        """Drop the views, restore the settings; stop the session if it was started here."""
        try:
            for view in self.views:
                self.session.catalog.dropTempView(view)
            for key, value in self._saved.items():
                if value is None:
                    self.session.conf.unset(key)
                else:
                    self.session.conf.set(key, value)
        finally:
            self.views, self._saved, self.locked = [], {}, False
            if self.owned:
                self.session.stop()
                self.owned = False


class SparkSource:
    """A dqlib ``SqlDataSource`` on Spark: the dataset ``name`` as a temporary view.

    Build it with ``from_dataframe``, ``from_path`` or ``from_table``. ``cte()`` reads the
    view's plain alias, restricted to a partition by ``where``.
    """

    dialect: str = "spark"

    def __init__(
        self,
        workspace: SparkWorkspace,
        name: str,
        frame: Any,
        *,
        origin: str,
        casts: Mapping[str, str] | None = None,
    ) -> None:
        check_name(name)
        self._workspace = workspace
        self._name = name
        self._raw = frame
        self._origin = origin
        self._casts = dict(casts or {})
        self.where: str | None = None
        """A SQL condition that restricts every metric to a slice (a partition)."""
        self.notes: dict[str, str] = {}
        """Problems found while reading, by column (values that do not parse)."""
        self._create()

    # -- construction --------------------------------------------------------------------

    @classmethod
    def from_dataframe(
        cls,
        frame: Any,
        name: str,
        origin: str = "",
        *,
        workspace: SparkWorkspace | None = None,
    ) -> SparkSource:
        """The Spark DataFrame ``frame`` as the dataset ``name`` (in its own session)."""
        check_name(name)
        if not is_spark_frame(frame):
            raise TypeError(
                f"dataset '{name}': expected a Spark DataFrame, got {type(frame)!r}"
            )
        space = workspace or SparkWorkspace(frame.sparkSession)
        return cls(space, name, frame, origin=origin or "a Spark DataFrame")

    @classmethod
    def from_arrow(
        cls, table: Any, name: str, *, workspace: SparkWorkspace
    ) -> SparkSource:
        """An Arrow table, copied into the workspace's session."""
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        frame = workspace.session.createDataFrame(table.to_pandas())
        return cls(workspace, name, frame, origin="an Arrow table")

    @classmethod
    def from_table(
        cls, table: str, name: str, *, workspace: SparkWorkspace
    ) -> SparkSource:
        """Table (or view) ``table`` of the session's catalog."""
        frame = workspace.session.table(table)
        return cls(
            workspace, name, frame, origin=f"table '{table}' of the Spark catalog"
        )

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        name: str,
        file_format: str | None = None,
        *,
        columns: Sequence[Column] = (),
        workspace: SparkWorkspace,
        partition: Partition | None = None,
    ) -> SparkSource:
        """Parquet, CSV or JSON-lines files (a file, a glob or a folder) read by Spark.

        A folder's hive ``key=value`` folders become columns; with ``partition`` only that
        partition's files are listed and read. CSV and JSON-lines columns that declare a
        scalar logicalType are read as that type; values that do not parse are reported.
        """
        shown = os.fspath(path)
        folder = os.path.isdir(shown)
        kind = (
            data_files.folder_format(shown, file_format)
            if folder
            else data_files.file_format(shown, file_format)
        )
        if kind == "ipc":
            raise ValueError(
                f"cannot read '{shown}' with Spark: Arrow IPC files are not supported"
            )
        located = [os.path.abspath(p) for p in matching_files(shown, kind, partition)]
        reader = workspace.session.read
        if folder and hive_keys(located):
            reader = reader.option("basePath", os.path.abspath(shown))
        if kind == "parquet":
            frame = reader.parquet(*located)
        elif kind == "csv":
            frame = reader.options(header=True, inferSchema=True).csv(located)
        else:
            frame = reader.json(located)
        what = "folder" if folder else "file" if len(located) == 1 else "files"
        casts = _declared_casts(frame, columns) if kind != "parquet" else {}
        return cls(
            workspace, name, frame, origin=f"{kind} {what} '{shown}'", casts=casts
        )

    def moved_to(self, workspace: SparkWorkspace) -> SparkSource:
        """The same data as a view of another workspace (of the same session)."""
        moved = SparkSource(
            workspace, self._name, self._raw, origin=self._origin, casts=self._casts
        )
        moved.where, moved.notes = self.where, dict(self.notes)
        return moved

    def check_cells(self) -> None:
        """Every value of a column read with a declared type parses: one query counts the
        values that do not; such a column is read as it was detected, with a note."""
        if not self._casts:
            return
        raw = self._workspace.alias(self._name) + "_raw"
        self._raw.createOrReplaceTempView(raw)
        counts = ", ".join(
            f"COUNT(*) FILTER (WHERE {quote_identifier(c)} IS NOT NULL AND "
            f"try_cast({quote_identifier(c)} AS {t}) IS NULL) AS {quote_identifier(c)}"
            for c, t in self._casts.items()
        )
        try:
            row = self.query(f"SELECT {counts} FROM {raw}").to_pylist()[0]
        finally:
            self._workspace.session.catalog.dropTempView(raw)
        for column, misfits in row.items():
            if misfits:
                declared = self._casts[column]
                self.demote(
                    column,
                    f"{misfits} value(s) of {self._origin} are not a valid {declared}",
                )

    def sample(
        self, column: str, logical_type: str | None, limit: int = 3
    ) -> tuple[bool, list[str]]:
        """Up to ``limit`` values of ``column`` that do not fit ``logical_type`` (True), or
        some of its values (False); for messages."""
        quoted = quote_identifier(column)
        alias = self._workspace.alias(self._name)
        target = SPARK_TYPES.get(logical_type or "")
        select = (
            f"SELECT DISTINCT CAST({quoted} AS STRING) AS v FROM {alias}"
            f" WHERE {quoted} IS NOT NULL"
        )
        try:
            if target is not None:
                found = self._values(
                    f"{select} AND try_cast({quoted} AS {target}) IS NULL", limit
                )
                if found:
                    return True, found
            return False, self._values(select, limit)
        except Exception:  # a sample is best effort
            return False, []

    def _values(self, select: str, limit: int) -> list[str]:
        rows = self.query(f"{select} ORDER BY v LIMIT {limit}").to_pylist()
        return [str(row["v"]) for row in rows]

    def demote(self, column: str, note: str) -> None:
        """Read ``column`` as detected, after ``note`` says why the declared type fails."""
        self._casts.pop(column, None)
        self.notes[column] = note
        self._create()

    def restrict(self, partition: Partition, logical_type: str | None = None) -> None:
        """Measure only the rows of ``partition`` (``logical_type``: its column's, if known)."""
        column = quote_identifier(partition.column)
        target = SPARK_TYPES.get(logical_type or "")
        value = quote_literal(partition.value)
        self.where = (
            f"CAST({column} AS STRING) = {value}"
            if target is None
            else f"{column} = CAST({value} AS {target})"
        )

    # -- SqlDataSource -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The dataset name, which is also the name of the temporary view."""
        return self._name

    @property
    def workspace(self) -> SparkWorkspace:
        """The workspace whose session holds the view."""
        return self._workspace

    @property
    def schema(self) -> Any:
        """The ``pa.Schema`` the Spark schema is checked as (see ``spark_types``)."""
        return arrow_schema(self._frame.schema)

    @property
    def skip_dates(self) -> set[datetime.date]:
        """No dates are skipped."""
        return set()

    def cte(self, nominal_date: datetime.date, parameters: Any = None) -> str:
        """``SELECT * FROM <the view's alias>`` (restricted by ``where``)."""
        select = f"SELECT * FROM {self._workspace.alias(self._name)}"
        return select if self.where is None else f"{select} WHERE {self.where}"

    def query(self, query: str) -> Any:
        """Run ``query`` in the session; the result as a ``pa.Table``. Spark's error becomes
        a SparkQueryError with its message (no JVM stack), and is not logged."""
        with _silenced():
            try:
                frame = self._workspace.session.sql(query)
                to_arrow = getattr(frame, "toArrow", None)
                if to_arrow is not None:
                    return to_arrow()
                return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)
            except Exception as error:  # Spark's AnalysisException, Py4JJavaError, ...
                raise SparkQueryError(spark_message(error)) from error

    # -- extras --------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """Where the data comes from, e.g. ``parquet folder 'orders/'``."""
        return self._origin

    def close(self) -> None:
        """Close the workspace (drops every view of the run)."""
        self._workspace.close()

    def __repr__(self) -> str:
        return f"SparkSource(name={self._name!r})"

    def _create(self) -> None:
        frame = self._raw
        if self._casts:
            casts = {
                c: f"try_cast({quote_identifier(c)} AS {t})"
                for c, t in self._casts.items()
            }
            frame = frame.selectExpr(
                *(
                    f"{casts.get(c, quote_identifier(c))} AS {quote_identifier(c)}"
                    for c in frame.columns
                )
            )
        self._frame = frame
        self._workspace.register(frame, self._name)


class SparkQueryError(RuntimeError):
    """Spark rejected or failed a query; the message is Spark's, without the JVM stack."""


_JAVA_PREFIX = re.compile(r"^:?\s*(?:[\w$]+\.)+[\w$]*(?:Exception|Error):\s*")
_POSITION = re.compile(r";\s*line \d+ pos \d+;?\s*$")


def spark_message(error: BaseException) -> str:
    """The informative line of a Spark error (``[ERROR_CLASS] message SQLSTATE: ...``)."""
    for line in str(error).splitlines():
        line = _JAVA_PREFIX.sub("", line.strip())
        if line and not line.startswith("An error occurred while calling"):
            return _POSITION.sub("", line)
    return type(error).__name__


@contextlib.contextmanager
def reading(origin: str) -> Iterator[None]:
    """Spark's errors while opening data as ValueError("cannot read <origin>: <message>")."""
    with _silenced():
        try:
            yield
        except Exception as error:  # Spark's AnalysisException, Py4JJavaError, ...
            message = f"cannot read {origin}: {spark_message(error)}"
            raise ValueError(message) from error


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """pyspark logs every failed query with its plan: the run reports it instead."""
    loggers = [logging.getLogger(n) for n in _QUERY_LOGGERS]
    states = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        yield
    finally:
        for logger, state in zip(loggers, states, strict=True):
            logger.disabled = state


_QUERY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


def _declared_casts(frame: Any, columns: Sequence[Column]) -> dict[str, str]:
    """The Spark types declared scalar columns of a CSV/JSON file are read as, where the
    detected type differs."""
    detected = {f.name: f.dataType.simpleString().upper() for f in frame.schema.fields}
    casts: dict[str, str] = {}
    for column in columns:
        target = SPARK_TYPES.get(column.logical_type or "")
        if target is None or column.name not in detected:
            continue
        if column.logical_type == "timestamp" and column.timezone is not None:
            target = "TIMESTAMP"
        if detected[column.name] != target and not (
            column.logical_type == "number"
            and detected[column.name].startswith("DECIMAL")
        ):
            casts[column.name] = target
    return casts


def one_workspace(sources: Iterable[SparkSource]) -> dict[str, SparkSource]:
    """The sources in a single workspace (of the first source's session)."""
    listed = list(sources)
    spaces = {id(source.workspace) for source in listed}
    if len(spaces) <= 1:
        return {source.name: source for source in listed}
    space = SparkWorkspace(listed[0].workspace.session)
    return {source.name: source.moved_to(space) for source in listed}
