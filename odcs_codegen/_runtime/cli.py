"""The command line of a generated module, shared with ``odcs-codegen run``.

``main`` is ``python -m package.module --data DATASET=FILE``; ``run_report`` opens the data
(``--data`` or the contract's ``local`` / ``duckdb`` server), runs the checks and prints a
report. Exit codes: see ``errors``. Importing the checks does not load this module.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from .duckdb_source import TableSource, Workspace
from .errors import EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE, UsageError, summary
from .report import Report
from .schema import Dataset
from .suite import execute

if TYPE_CHECKING:  # imported where used: command-line runs only
    import argparse

__all__ = ["OUTPUT_FORMATS", "add_run_arguments", "format_report", "main", "run_report"]

#: The report formats of ``run_report``.
OUTPUT_FORMATS: tuple[str, ...] = ("table", "json", "junit", "html")

_SERVER_TYPES = ("local", "duckdb")
_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_PATH_PLACEHOLDERS = ("{model}", "{object}", "{table}")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--data``, ``--server``, ``--format`` and ``--output`` to ``parser``."""
    parser.add_argument(
        "--data",
        action="extend",
        nargs="+",
        default=[],
        metavar="DATASET=FILE",
        help="the data of a dataset: a Parquet, CSV, JSON-lines or Arrow IPC file, or a table "
        "of a DuckDB database (DB.duckdb::TABLE); datasets without --data are read from the "
        "contract's local or duckdb server",
    )
    parser.add_argument(
        "--server",
        metavar="NAME",
        help="the contract server to read (default: the first of type local or duckdb)",
    )
    parser.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="table",
        help="the report format (default: table)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout",
    )


def main(module_name: str, argv: Sequence[str] | None = None) -> int:
    """The command line of a generated module: ``python -m package.module --data DATASET=FILE``.

    Reads CHECKS, DATASETS, SERVERS and CONTRACT_NAME of ``sys.modules[module_name]``. Relative
    server paths are resolved against the contract's folder when the module knows it
    (``SOURCE_PATH``, relative to the module file), else against the current folder.
    """
    module = sys.modules[module_name]
    spec = getattr(module, "__spec__", None)
    prog = f"python -m {getattr(spec, 'name', None) or module_name}"
    import argparse

    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"Run the data quality checks of contract "
        f"'{getattr(module, 'CONTRACT_NAME', None) or module_name}' on local data.",
    )
    add_run_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse has printed
        if exit_.code is None or isinstance(exit_.code, int):
            return exit_.code or EXIT_OK
        return EXIT_USAGE
    return run_report(
        module,
        args.data,
        server=args.server,
        output_format=args.format,
        output=args.output,
        prog=prog,
    )


def module_base_dir(module: ModuleType) -> str | None:
    """The folder of the module's contract, from ``SOURCE_PATH``; None when unknown."""
    source = getattr(module, "SOURCE_PATH", None)
    location = getattr(module, "__file__", None)
    if not isinstance(source, str) or not isinstance(location, str):
        return None
    contract = os.path.join(os.path.dirname(location), *source.split("/"))
    return os.path.dirname(os.path.normpath(contract))


def run_report(
    module: ModuleType,
    data: Sequence[str] = (),
    *,
    server: str | None = None,
    output_format: str = "table",
    output: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    prog: str | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run a generated module's checks on local data, write a report, return the exit code.

    ``data`` holds ``DATASET=FILE`` items (see ``open_sources``); other datasets are read from
    the module's SERVERS, relative paths resolved against ``base_dir`` (default: the folder of
    the module's contract when the module has ``SOURCE_PATH``, else the current folder). The
    report goes to ``output`` (a file) or ``stdout``; problems go to ``stderr``, one line each.
    Nothing but the report is ever written to ``stdout``.
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    prog = prog or f"python -m {module.__name__}"
    if base_dir is None:
        base_dir = module_base_dir(module)
    try:
        if output_format not in OUTPUT_FORMATS:
            raise UsageError(
                f"unknown format '{output_format}'; expected one of: {', '.join(OUTPUT_FORMATS)}"
            )
        sources = open_sources(
            module.DATASETS,
            data,
            getattr(module, "SERVERS", ()),
            server=server,
            base_dir=base_dir,
        )
    except UsageError as error:
        print(f"{prog}: error: {error}", file=err)
        return EXIT_USAGE
    try:
        report = run_module(module, sources)
    except Exception as error:  # never a traceback: one line, and a non-zero exit
        print(f"{prog}: error: while running the checks: {summary(error)}", file=err)
        return EXIT_RUN_ERROR
    finally:
        for source in sources.values():
            source.close()
    for schema_error in report.schema_errors:
        print(schema_error, file=err)
    for problem in report.errors:
        print(f"{prog}: error: {problem}", file=err)
    text = format_report(report, output_format)
    if output is not None:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            print(f"{prog}: error: cannot write '{output}': {error.strerror}", file=err)
            return EXIT_USAGE
    else:
        out.write(text)
        out.flush()
    if output_format != "table" or output is not None:
        print(report.summary_line(), file=err)
    return report.exit_code


def run_module(module: ModuleType, sources: Mapping[str, TableSource]) -> Report:
    """Run the module's CHECKS on ``sources`` (dataset name -> TableSource): its Report."""
    datasets: tuple[Dataset, ...] = tuple(module.DATASETS)
    contract = str(getattr(module, "CONTRACT_NAME", None) or module.__name__)
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    run = execute(module.CHECKS, datasets, sources, suite_name=contract)
    origins = tuple((name, source.origin) for name, source in sources.items())
    return Report.of(
        contract,
        run,
        version=str(getattr(module, "CONTRACT_VERSION", "") or ""),
        sources=origins,
        started=started,
    )


def format_report(report: Report, output_format: str) -> str:
    """The report as ``table``, ``json``, ``junit`` or ``html`` text."""
    from . import formats

    if output_format == "json":
        return formats.format_json(report)
    if output_format == "junit":
        return formats.format_junit(report)
    if output_format == "table":
        return formats.format_table(report)
    if output_format == "html":
        from . import html_report

        text: str = html_report.format_html(report)
        return text
    raise ValueError(
        f"unknown format '{output_format}'; expected one of: {OUTPUT_FORMATS}"
    )


def open_sources(
    datasets: Sequence[Dataset],
    data: Sequence[str] = (),
    servers: Sequence[Mapping[str, Any]] = (),
    *,
    server: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> dict[str, TableSource]:
    """A TableSource per dataset, all in one workspace, from ``data`` items and ``servers``.

    Each ``data`` item is ``DATASET=FILE`` (Parquet, CSV, JSON lines or Arrow IPC, format from
    the file name; a glob reads several files), ``DATASET=DB.duckdb::TABLE`` (``::SCHEMA.TABLE``
    works too) or ``DATASET=DB.duckdb`` (the table named like the dataset). Datasets without an
    item are read from the server named ``server``, else the first server of type ``local``
    (``path`` and ``format``; ``{model}`` in the path is the dataset name) or ``duckdb``
    (``database``, optional ``schema``; the table is named like the dataset). Relative server
    paths are resolved against ``base_dir`` (default: the current folder). Raises UsageError.
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
    workspace = Workspace()
    sources: dict[str, TableSource] = {}
    try:
        for dataset in datasets:
            if dataset.name in given:
                location = given[dataset.name]
                sources[dataset.name] = _open_location(dataset, location, workspace)
            elif chosen is not None:
                sources[dataset.name] = _open_server(
                    chosen, dataset, len(names), base_dir, workspace
                )
    except BaseException:
        workspace.close()
        raise
    return {name: sources[name] for name in names}


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


def _open_location(
    dataset: Dataset, location: str, workspace: Workspace
) -> TableSource:
    """The data of a dataset at ``location``: a file, a glob, or ``DB.duckdb[::TABLE]``."""
    name = dataset.name
    database, separator, table = location.rpartition("::")
    try:
        if separator:
            if not database or not table:
                raise UsageError(
                    f"bad --data '{name}={location}': expected DATASET=DATABASE::TABLE"
                )
            return TableSource.from_duckdb(database, table, name, workspace=workspace)
        if location.lower().endswith(_DUCKDB_SUFFIXES):
            return TableSource.from_duckdb(location, name, name, workspace=workspace)
        return TableSource.from_file(
            location, name, columns=dataset.columns, workspace=workspace
        )
    except (OSError, ValueError) as error:
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
    workspace: Workspace,
) -> TableSource:
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
            return TableSource.from_file(
                location,
                name,
                str(file_format) if file_format is not None else None,
                columns=dataset.columns,
                workspace=workspace,
            )
        schema = entry.get("schema")
        table = f"{schema}.{name}" if isinstance(schema, str) and schema else name
        return TableSource.from_duckdb(location, table, name, workspace=workspace)
    except (OSError, ValueError) as error:
        raise UsageError(f"dataset '{name}' ({label}): {summary(error)}") from error
