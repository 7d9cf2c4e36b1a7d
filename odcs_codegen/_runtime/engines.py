"""Which engine runs a package's checks, and opening a run's data on it.

The checks' SQL dialect decides: ``duckdb`` packages run on DuckDB, ``spark`` packages on
Spark. A ``bigquery`` package refuses to run locally (its SQL is BigQuery's; no local engine
runs it faithfully). An engine's modules are imported only when a run uses it, so a DuckDB
package never imports pyspark, and a Spark package needs no DuckDB data source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .files import Partition

if TYPE_CHECKING:
    from .schema import Dataset

__all__ = ["ENGINES", "check_runnable", "dialect_of", "open_data", "restrict"]

ENGINES: tuple[str, ...] = ("duckdb", "spark")
"""The dialects whose packages can run their checks here."""


def check_runnable(dialect: str) -> None:
    """UsageError unless checks of ``dialect`` can run here (one sentence saying why not)."""
    if dialect in ENGINES:
        return
    name = {"bigquery": "BigQuery"}.get(dialect, dialect)
    raise UsageError(
        f"these checks are {name} SQL and cannot run locally: run them in {name} through "
        "dqlib, or generate the package with --dialect duckdb or --dialect spark"
    )


def dialect_of(checks: Sequence[Any]) -> str | None:
    """The SQL dialect of generated checks (their module's ``SQL_DIALECT``), if they say."""
    for check in checks:
        function = getattr(check, "__wrapped__", None)
        found = getattr(function, "__globals__", {}).get("SQL_DIALECT")
        if isinstance(found, str):
            return found
    return None


def _check_names(datasets: Sequence[Dataset], data: Mapping[str, Any]) -> None:
    names = [dataset.name for dataset in datasets]
    expected = ", ".join(f"'{name}'" for name in names)
    for name in names:
        if name not in data:
            raise ValueError(
                f"no data for dataset '{name}'; expected one of: {expected}"
            )
    for name in data:
        if name not in names:
            raise ValueError(
                f"unknown dataset '{name}' in sources; expected one of: {expected}"
            )


def open_data(
    datasets: Sequence[Dataset],
    data: Mapping[str, Any],
    *,
    dialect: str | None = None,
    partition: Partition | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """A data source per dataset, all in one workspace of the engine of ``dialect`` (default:
    DuckDB, or Spark when the data are Spark DataFrames); and the workspaces opened here (the
    caller closes them). Raises ValueError for unknown or missing datasets, UsageError for a
    dialect that cannot run here.
    """
    _check_names(datasets, data)
    engine = dialect or _engine_of_data(data)
    check_runnable(engine)
    if engine == "spark":
        sources, created = _open_spark(datasets, data, partition)
    else:
        sources, created = _open_duckdb(datasets, data, partition)
    if partition is not None:
        try:
            restrict(datasets, sources, partition)
        except BaseException:
            for workspace in created:
                workspace.close()
            raise
    return sources, created


def _engine_of_data(data: Mapping[str, Any]) -> str:
    spark = any(type(item).__module__.startswith("pyspark.") for item in data.values())
    return "spark" if spark else "duckdb"


def restrict(
    datasets: Sequence[Dataset], sources: Mapping[str, Any], partition: Partition
) -> None:
    """Restrict every dataset that declares the partition's column to that partition."""
    restricted = 0
    for dataset in datasets:
        declared = {column.name: column for column in dataset.columns}
        if partition.column in declared:
            sources[dataset.name].restrict(
                partition, declared[partition.column].logical_type
            )
            restricted += 1
    if not restricted:
        raise UsageError(
            f"partition column '{partition.column}' is not a property of any dataset"
        )


def _open_duckdb(
    datasets: Sequence[Dataset], data: Mapping[str, Any], partition: Partition | None
) -> tuple[dict[str, Any], list[Any]]:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    from .duckdb_source import TableSource, one_workspace  # type: ignore[import-untyped,import-not-found,unused-ignore]

    given = {name: item for name, item in data.items() if isinstance(item, TableSource)}
    for name, item in given.items():
        if item.name != name:
            raise ValueError(f"source for dataset '{name}' is named '{item.name}'")
    opened = one_workspace(given.values())
    created = [
        opened[name].workspace for name in given if opened[name] is not given[name]
    ][:1]
    workspace = next(iter(opened.values())).workspace if opened else None
    for dataset in datasets:
        item = data[dataset.name]
        if isinstance(item, TableSource):
            continue
        if isinstance(item, pa.Table | pa.RecordBatch):
            source = TableSource.from_arrow(item, dataset.name, workspace=workspace)
        elif isinstance(item, str | os.PathLike):
            source = TableSource.from_file(
                item,
                dataset.name,
                columns=dataset.columns,
                workspace=workspace,
                partition=partition,
            )
        else:
            raise TypeError(
                f"data for dataset '{dataset.name}' must be a pyarrow.Table, a TableSource or "
                f"a file path, got {type(item)!r}"
            )
        if workspace is None:
            created.append(source.workspace)
        workspace = source.workspace
        opened[dataset.name] = source
    return {dataset.name: opened[dataset.name] for dataset in datasets}, created


def _open_spark(
    datasets: Sequence[Dataset], data: Mapping[str, Any], partition: Partition | None
) -> tuple[dict[str, Any], list[Any]]:
    from . import spark_source  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from .spark_source import SparkSource, SparkWorkspace  # type: ignore[import-untyped,import-not-found,unused-ignore]

    given = {n: item for n, item in data.items() if isinstance(item, SparkSource)}
    opened: dict[str, Any] = dict(spark_source.one_workspace(given.values()))
    frames = [item for item in data.values() if spark_source.is_spark_frame(item)]
    created: list[Any] = []
    if opened:
        workspace = next(iter(opened.values())).workspace
        if any(opened[n] is not given[n] for n in given):
            created.append(workspace)
    else:
        session, owned = (
            (frames[0].sparkSession, False) if frames else spark_source.local_session()
        )
        workspace = SparkWorkspace(session, owned=owned)
        created.append(workspace)
    try:
        for dataset in datasets:
            if dataset.name not in opened:
                opened[dataset.name] = _spark_item(
                    dataset, data[dataset.name], workspace, partition
                )
    except BaseException:
        for space in created:
            space.close()
        raise
    return {dataset.name: opened[dataset.name] for dataset in datasets}, created


def _spark_item(
    dataset: Dataset, item: Any, workspace: Any, partition: Partition | None
) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    from .spark_source import SparkSource, is_spark_frame  # type: ignore[import-untyped,import-not-found,unused-ignore]

    if is_spark_frame(item):
        return SparkSource.from_dataframe(item, dataset.name, workspace=workspace)
    if isinstance(item, pa.Table | pa.RecordBatch):
        return SparkSource.from_arrow(item, dataset.name, workspace=workspace)
    if isinstance(item, str | os.PathLike):
        return SparkSource.from_path(
            item,
            dataset.name,
            columns=dataset.columns,
            workspace=workspace,
            partition=partition,
        )
    raise TypeError(
        f"data for dataset '{dataset.name}' must be a Spark DataFrame, a pyarrow.Table, a "
        f"SparkSource or a file path, got {type(item)!r}"
    )
