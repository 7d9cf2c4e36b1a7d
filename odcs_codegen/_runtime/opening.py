"""Opening a run's data from ``--data`` items and the contract's servers, on DuckDB or Spark.

``DATASET=FILE`` items name a file, a glob or a folder (Parquet, CSV, JSON lines; Arrow IPC and
DuckDB database tables on DuckDB; a table of the session catalog on Spark). Datasets without an
item are read from the contract's ``local`` server (or ``duckdb`` server, on DuckDB).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import UsageError, summary
from .files import Partition
from .schema import Dataset

__all__ = ["open_sources"]

_SERVER_TYPES = ("local", "duckdb")
_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_PATH_PLACEHOLDERS = ("{model}", "{object}", "{table}")


def open_sources(
    datasets: Sequence[Dataset],
    data: Sequence[str] = (),
    servers: Sequence[Mapping[str, Any]] = (),
    *,
    server: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    engine: str = "duckdb",
    spark_remote: str | None = None,
    partition: Partition | None = None,
) -> dict[str, Any]:
    """A data source per dataset, all in one workspace of ``engine`` (``duckdb``, or ``spark``:
    a local session, or Spark Connect at ``spark_remote``), from ``data`` items and ``servers``.

    Each ``data`` item is ``DATASET=FILE`` (Parquet, CSV, JSON lines or Arrow IPC, format from
    the file name; a glob reads several files), ``DATASET=DB.duckdb::TABLE`` (``::SCHEMA.TABLE``
    works too) or ``DATASET=DB.duckdb`` (the table named like the dataset). Datasets without an
    item are read from the server named ``server``, else the first server of type ``local``
    (``path`` and ``format``; ``{model}`` in the path is the dataset name) or ``duckdb``
    (``database``, optional ``schema``; the table is named like the dataset). Relative server
    paths are resolved against ``base_dir`` (default: the current folder). On Spark, an item
    that is not a path is a table of the session catalog. With ``partition``, files of other
    hive partitions are never read. Raises UsageError.
    """
    names = [dataset.name for dataset in datasets]
    given: dict[str, str] = {}
    for item in data:
        name, location = _parse_data_item(item, names)
        if name in given:
            raise UsageError(f"dataset '{name}' is given twice in --data")
        given[name] = location
    missing = [name for name in names if name not in given]
    chosen = (
        _pick_server(servers, server, missing)
        if server is not None or missing
        else None
    )
    opener = _Opener(engine, spark_remote, partition)
    sources: dict[str, Any] = {}
    try:
        for dataset in datasets:
            if dataset.name in given:
                location = given[dataset.name]
                sources[dataset.name] = _open_location(dataset, location, opener)
            elif chosen is not None:
                sources[dataset.name] = _open_server(
                    chosen, dataset, len(names), base_dir, opener
                )
    except BaseException:
        opener.workspace.close()
        raise
    return {name: sources[name] for name in names}


class _Opener:
    """Opens data sources of one engine, in one workspace."""

    def __init__(
        self, engine: str, spark_remote: str | None, partition: Partition | None
    ) -> None:
        self.engine = engine
        self.partition = partition
        self.workspace: Any
        if engine == "spark":
            from .spark_source import SparkWorkspace, local_session  # type: ignore[import-untyped,import-not-found,unused-ignore]

            try:
                session, owned = local_session(spark_remote)
            except Exception as error:  # no Java, no server, pyspark too old
                raise UsageError(f"cannot start Spark: {summary(error)}") from error
            self.workspace = SparkWorkspace(session, owned=owned)
        else:
            from .duckdb_source import Workspace  # type: ignore[import-untyped,import-not-found,unused-ignore]

            self.workspace = Workspace()

    def file(self, dataset: Dataset, location: str, file_format: str | None) -> Any:
        """A file, glob or folder (on Spark also a catalog table: not an existing path)."""
        if self.engine == "spark":
            from .spark_source import SparkSource  # type: ignore[import-untyped,import-not-found,unused-ignore]

            if not _looks_like_path(location):
                return SparkSource.from_table(
                    location, dataset.name, workspace=self.workspace
                )
            return SparkSource.from_path(
                location,
                dataset.name,
                file_format,
                columns=dataset.columns,
                workspace=self.workspace,
                partition=self.partition,
            )
        from .duckdb_source import TableSource  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return TableSource.from_file(
            location,
            dataset.name,
            file_format,
            columns=dataset.columns,
            workspace=self.workspace,
            partition=self.partition,
        )

    def duckdb(self, dataset: Dataset, database: str, table: str) -> Any:
        """A table of a DuckDB database file (DuckDB only)."""
        if self.engine != "duckdb":
            raise UsageError(
                f"dataset '{dataset.name}': DuckDB database files are read on DuckDB only; "
                "on Spark pass a Parquet, CSV or JSON file or folder, or a catalog table"
            )
        from .duckdb_source import TableSource  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return TableSource.from_duckdb(
            database, table, dataset.name, workspace=self.workspace
        )


def _looks_like_path(location: str) -> bool:
    """An existing path, a glob, or a name with a separator or a data file's suffix."""
    if os.path.exists(location) or any(ch in location for ch in "*?[/\\"):
        return True
    suffix = location.rpartition(".")[2].lower()
    return suffix in ("parquet", "csv", "tsv", "json", "jsonl", "ndjson", "gz", "zst")


def _parse_data_item(item: str, names: Sequence[str]) -> tuple[str, str]:
    """``DATASET=FILE`` -> (dataset, file); a dataset name may itself contain ``=``."""
    known = [name for name in names if item.startswith(name + "=")]
    if known:
        name = max(known, key=len)
        location = item[len(name) + 1 :]
    else:
        name, separator, location = item.partition("=")
        if not separator or not name.strip():
            raise UsageError(f"bad --data '{item}': expected DATASET=FILE")
        expected = ", ".join(f"'{known_name}'" for known_name in names)
        raise UsageError(
            f"unknown dataset '{name}' in --data; the contract has: {expected}"
        )
    if not location:
        raise UsageError(f"bad --data '{item}': no file after '='")
    return name, location


def _open_location(dataset: Dataset, location: str, opener: _Opener) -> Any:
    """The data of a dataset at ``location``: a file, a glob, or ``DB.duckdb[::TABLE]``."""
    name = dataset.name
    database, separator, table = location.rpartition("::")
    try:
        if separator:
            if not database or not table:
                raise UsageError(
                    f"bad --data '{name}={location}': expected DATASET=DATABASE::TABLE"
                )
            return opener.duckdb(dataset, database, table)
        if location.lower().endswith(_DUCKDB_SUFFIXES):
            return opener.duckdb(dataset, location, name)
        return opener.file(dataset, location, None)
    except UsageError:
        raise
    except (OSError, ValueError) as error:
        raise UsageError(f"dataset '{name}': {summary(error)}") from error
    except Exception as error:  # the engine's own error (a Spark AnalysisException)
        raise UsageError(f"dataset '{name}': {summary(error)}") from error


def _pick_server(
    servers: Sequence[Mapping[str, Any]], wanted: str | None, missing: Sequence[str]
) -> Mapping[str, Any]:
    """The server to read: the one named ``wanted``, else the first local or duckdb one."""
    if wanted is not None:
        for entry in servers:
            if entry.get("server") == wanted:
                kind = entry.get("type")
                if kind not in _SERVER_TYPES:
                    raise UsageError(
                        f"server '{wanted}' has type '{kind}'; only local and duckdb servers "
                        "can be read: pass --data DATASET=FILE"
                    )
                return entry
        known = ", ".join(f"'{entry.get('server')}'" for entry in servers) or "none"
        raise UsageError(f"no server '{wanted}' in the contract; its servers: {known}")
    for entry in servers:
        if entry.get("type") in _SERVER_TYPES:
            return entry
    names = ", ".join(f"'{name}'" for name in missing)
    raise UsageError(
        f"no data for dataset {names}: pass --data {missing[0]}=FILE "
        "(the contract has no server of type local or duckdb)"
    )


def _open_server(
    entry: Mapping[str, Any],
    dataset: Dataset,
    datasets: int,
    base_dir: str | os.PathLike[str] | None,
    opener: _Opener,
) -> Any:
    """The data of a dataset on the local or duckdb server ``entry``."""
    name = dataset.name
    label = f"server '{entry.get('server')}'" if entry.get("server") else "the server"
    key = "path" if entry.get("type") == "local" else "database"
    location = entry.get(key)
    if not isinstance(location, str) or not location:
        raise UsageError(
            f"dataset '{name}': {label} has no {key}; pass --data {name}=FILE"
        )
    if entry.get("type") == "local":
        if any(placeholder in location for placeholder in _PATH_PLACEHOLDERS):
            for placeholder in _PATH_PLACEHOLDERS:
                location = location.replace(placeholder, name)
        elif datasets > 1:
            raise UsageError(
                f"dataset '{name}': {label} has one path for {datasets} datasets; put "
                f"{_PATH_PLACEHOLDERS[0]} in its path or pass --data {name}=FILE"
            )
    base = os.fspath(base_dir) if base_dir is not None else ""
    if base and not os.path.isabs(location):
        location = os.path.normpath(os.path.join(base, location))
    try:
        if entry.get("type") == "local":
            file_format = entry.get("format")
            given = str(file_format) if file_format is not None else None
            return opener.file(dataset, location, given)
        schema = entry.get("schema")
        table = f"{schema}.{name}" if isinstance(schema, str) and schema else name
        return opener.duckdb(dataset, location, table)
    except UsageError:
        raise
    except Exception as error:  # unreadable data, whatever the engine's error class
        raise UsageError(f"dataset '{name}' ({label}): {summary(error)}") from error
