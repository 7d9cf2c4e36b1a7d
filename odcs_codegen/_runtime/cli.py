"""The command line of a generated module, shared with ``odcs-codegen run``.

``main`` is ``python -m package.module --data DATASET=FILE``; ``run_report`` opens the data
(``--data`` or the contract's ``local`` / ``duckdb`` server), runs the checks and prints a
report. Exit codes: see ``errors``. Importing the checks does not load this module.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from .engines import ENGINES, check_runnable
from .errors import EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE, UsageError, summary
from .files import Partition

if TYPE_CHECKING:  # imported where used, so that building the parser imports no engine
    import argparse

    from .report import Report
    from .schema import Dataset

__all__ = [
    "OUTPUT_FORMATS",
    "add_run_arguments",
    "format_report",
    "main",
    "run_module",
    "run_report",
]

#: The report formats of ``run_report``.
OUTPUT_FORMATS: tuple[str, ...] = ("table", "json", "junit", "html")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--data``, ``--server``, ``--engine``, ``--spark-remote``, ``--partition``,
    ``--format`` and ``--output`` to ``parser``."""
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
        "--engine",
        choices=ENGINES,
        help="the engine that runs the checks: duckdb, or spark (a local session, or Spark "
        "Connect with --spark-remote); default: the checks' dialect",
    )
    parser.add_argument(
        "--spark-remote",
        metavar="sc://HOST:PORT",
        help="run on the Spark Connect server at this address (implies --engine spark)",
    )
    parser.add_argument(
        "--partition",
        metavar="COLUMN=VALUE",
        help="measure only this partition (VALUE alone: the dataset's partition key, the "
        "property with partitioned: true and partitionKeyPosition: 1); on a hive-partitioned "
        "folder only that partition's files are read",
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
    parser.add_argument(
        "--publish",
        choices=("openmetadata",),
        help="also publish every verdict as an OpenMetadata test case result (needs httpx)",
    )
    parser.add_argument(
        "--publish-config",
        metavar="FILE",
        help="the TOML or YAML file with the [openmetadata] table (default: the first "
        "odcs-codegen.toml or pyproject.toml with one, from the current folder up)",
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
        engine=args.engine,
        spark_remote=args.spark_remote,
        partition=args.partition,
        publish=args.publish,
        publish_config=args.publish_config,
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
    engine: str | None = None,
    spark_remote: str | None = None,
    partition: str | None = None,
    publish: str | None = None,
    publish_config: str | os.PathLike[str] | None = None,
) -> int:
    """Run a generated module's checks on local data, write a report, return the exit code.

    ``data``: ``DATASET=FILE`` items (see ``opening.open_sources``); other datasets are read
    from the module's SERVERS, relative paths resolved against ``base_dir`` (default: the
    module's contract folder, from ``SOURCE_PATH``, else the current folder). The report goes
    to ``output`` or ``stdout`` (nothing else ever does); problems to ``stderr``, one line
    each. ``engine`` must be the module's dialect (``spark_remote`` implies Spark);
    ``partition`` (``COLUMN=VALUE``) restricts every metric to one partition;
    ``publish="openmetadata"`` then publishes the verdicts (see ``openmetadata.load_config``).
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    prog = prog or f"python -m {module.__name__}"
    base_dir = module_base_dir(module) if base_dir is None else base_dir
    try:
        _check_format(output_format)
        chosen = _engine(module, engine, spark_remote)
        target = _publish_target(publish, publish_config)  # checked before any run
        sources, scope = _open(
            module, data, server, base_dir, chosen, spark_remote, partition
        )
        report = _scan(module, sources, scope, err)
    except UsageError as error:  # also a partition column no dataset has
        print(f"{prog}: error: {error}", file=err)
        return EXIT_USAGE
    except Exception as error:  # never a traceback: one line, and a non-zero exit
        print(f"{prog}: error: while running the checks: {summary(error)}", file=err)
        return EXIT_RUN_ERROR
    if not _write_report(report, output_format, output, out, err, prog):
        return EXIT_USAGE
    if target is not None:
        from .openmetadata import cli_publish

        return cli_publish(report, module, target, stderr=err)
    return report.exit_code


def _open(
    module: ModuleType,
    data: Sequence[str],
    server: str | None,
    base_dir: str | os.PathLike[str] | None,
    engine: str,
    spark_remote: str | None,
    partition: str | None,
) -> tuple[dict[str, Any], Partition | None]:
    """The module's datasets opened on ``engine``, and the partition to measure."""
    from .opening import open_sources
    from .suite import as_partition

    scope = as_partition(partition, tuple(module.DATASETS))
    sources = open_sources(
        module.DATASETS,
        data,
        getattr(module, "SERVERS", ()),
        server=server,
        base_dir=base_dir,
        engine=engine,
        spark_remote=spark_remote,
        partition=scope,
    )
    return sources, scope


def _scan(
    module: ModuleType, sources: Mapping[str, Any], scope: Partition | None, err: TextIO
) -> Report:
    """Run the checks on the opened ``sources``, then close their workspaces."""
    try:
        with scanning(sources, err):
            return run_module(module, sources, partition=scope)
    finally:
        close_workspaces(sources)


def close_workspaces(sources: Mapping[str, Any]) -> None:
    """Close the workspaces (DuckDB connections, Spark sessions we started) of ``sources``."""
    for workspace in {id(s.workspace): s.workspace for s in sources.values()}.values():
        workspace.close()


def _write_report(
    report: Report,
    output_format: str,
    output: str | None,
    out: TextIO,
    err: TextIO,
    prog: str,
) -> bool:
    """Problems on ``err``, the report on ``output`` or ``out``; False when it cannot be
    written."""
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
            return False
    else:
        out.write(text)
        out.flush()
    if output_format != "table" or output is not None:
        print(report.summary_line(), file=err)
    return True


def _check_format(output_format: str) -> None:
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(
            f"unknown format '{output_format}'; expected one of: {', '.join(OUTPUT_FORMATS)}"
        )


def _publish_target(publish: str | None, config: str | os.PathLike[str] | None) -> Any:
    """The publish configuration (``openmetadata.PublishConfig``) when publishing."""
    if publish is None:
        return None
    from . import openmetadata

    return openmetadata.load_config(config)


def _engine(module: ModuleType, engine: str | None, spark_remote: str | None) -> str:
    """The engine of the module's checks; UsageError when another one is asked for."""
    dialect = str(getattr(module, "SQL_DIALECT", "duckdb"))
    check_runnable(dialect)
    wanted = engine or ("spark" if spark_remote else dialect)
    if spark_remote and wanted != "spark":
        raise UsageError("--spark-remote needs --engine spark")
    if wanted != dialect:
        raise UsageError(
            f"these checks are {dialect} SQL: they cannot run on {wanted}; generate them "
            f"with --dialect {wanted}"
        )
    return wanted


def run_module(
    module: ModuleType,
    sources: Mapping[str, Any],
    *,
    partition: Partition | None = None,
    datasets: Sequence[Dataset] | None = None,
) -> Report:
    """Run the module's CHECKS on ``sources`` (dataset name -> data source): its Report.
    ``datasets``: only these of the module's DATASETS (default: all)."""
    from .report import Report
    from .suite import execute

    datasets = tuple(module.DATASETS if datasets is None else datasets)
    contract = str(getattr(module, "CONTRACT_NAME", None) or module.__name__)
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    if partition is not None:
        from .engines import restrict

        restrict(datasets, sources, partition)
    run = execute(
        module.CHECKS, datasets, sources, suite_name=contract, partition=partition
    )
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


#: Seconds a scan runs before ``scanning`` says what it reads.
SCAN_NOTICE_SECONDS = 1.5


@contextlib.contextmanager
def scanning(
    sources: Mapping[str, Any], err: TextIO, after: float = SCAN_NOTICE_SECONDS
) -> Iterator[None]:
    """While the checks run: when ``err`` is a terminal and they take longer than ``after``
    seconds, one line on it saying what is being scanned."""
    isatty = getattr(err, "isatty", None)
    if not sources or isatty is None or not isatty():
        yield
        return
    shown = ", ".join(f"{name} ({source.origin})" for name, source in sources.items())
    timer = threading.Timer(after, lambda: print(f"scanning {shown} ...", file=err))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
