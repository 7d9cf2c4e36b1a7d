"""The `odcs-codegen` command line.

    generate [PATH...] [-o DIR]   compile contracts into a Python package (or `--check`)
    check    [PATH...] [-o DIR]   exit 1 when the package is stale (alias of generate --check)
    diff     [PATH...] [-o DIR]   print the diff only
    lint     [PATH...]            validate only
    fix      PATH...              rewrite known non-schema placements into valid ODCS
    run      CONTRACT --data ...  run the checks on local data
    init     [DIR]                scaffold a starter contract, data sample and configuration
    publish  [FILE...]            send results an earlier --publish could not deliver

Without PATH and -o, sources and output come from `[tool.odcs-codegen]` in pyproject.toml (or
`--config FILE`); flags override the configuration. Exit codes: 0 success, 1 contract errors
or drift, 2 usage errors. Diagnostics go to stderr as ``file:line:column: level: message``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from ._runtime.errors import EXIT_FAILED as EXIT_ERRORS
from ._runtime.errors import EXIT_OK, EXIT_USAGE
from .diagnostics import CompileError, UsageError
from .options import add_flags
from .report import FORMATS, print_diagnostics


def parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    root = argparse.ArgumentParser(
        prog="odcs-codegen",
        description="Compile ODCS data contracts into static DQX (dqlib) check modules.",
    )
    root.add_argument("--version", action="version", version=f"odcs-codegen {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (
        ("generate", "compile contracts into a Python package"),
        ("check", "exit 1 when the generated package is stale (generate --check)"),
        ("diff", "print the diff between the generated package and the contracts"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        _add_build_arguments(command)
        if name == "generate":
            command.add_argument(
                "--check", action="store_true", help="write nothing; exit 1 when files would change"
            )
            command.add_argument(
                "--force",
                action="store_true",
                help="overwrite files in the output folder that odcs-codegen did not generate",
            )
    lint_text = "validate contracts (schema and semantics) without writing anything"
    lint = commands.add_parser("lint", help=lint_text, description=lint_text)
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="contracts or folders")
    _add_config_arguments(lint)
    _add_fix_parser(commands)
    _add_run_parser(commands)
    from .openmetadata.commands import add_publish_parser

    add_publish_parser(commands)
    init_text = "scaffold a starter contract, a data sample and a configuration"
    init = commands.add_parser("init", help=init_text, description=init_text)
    init.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the folder to create them in (default: the current folder)",
    )
    init.add_argument(
        "--openmetadata",
        action="store_true",
        help="also write openmetadata.yaml (the contract connector's workflow) and an "
        "[openmetadata] table for --publish openmetadata",
    )
    return root


def _add_build_arguments(command: argparse.ArgumentParser) -> None:
    """Arguments shared by generate, check and diff."""
    command.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="contracts or folders")
    command.add_argument("-o", "--output", type=Path, help="the package folder")
    command.add_argument("--no-cache", action="store_true", help="recompile every contract")
    command.add_argument("-v", "--verbose", action="store_true", help="also list what was filtered")
    _add_config_arguments(command)


def _add_config_arguments(command: argparse.ArgumentParser) -> None:
    """Configuration file, job selection and options that change what is compiled."""
    command.add_argument("--config", type=Path, metavar="FILE", help="TOML or YAML configuration")
    command.add_argument("--job", metavar="NAME", help="run only this configured job")
    add_flags(command)
    command.add_argument(
        "--format", choices=FORMATS, default="text", help="diagnostics as text, GitHub or JSON"
    )


def _add_fix_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`fix PATH... [--diff] [--upgrade]`."""
    fix_text = "rewrite known non-schema placements into valid ODCS (keeps comments)"
    fix = commands.add_parser("fix", help=fix_text, description=fix_text)
    fix.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="contract files to rewrite in place"
    )
    fix.add_argument("--diff", action="store_true", help="show the changes, write nothing")
    fix.add_argument(
        "--upgrade", action="store_true", help="also move v3.0.x contracts to v3.1.0 forms"
    )


def _add_run_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`run CONTRACT --data DATASET=FILE ...` (arguments defined by the run module)."""
    from .run import add_arguments

    run_text = "run one contract's checks on local data and print a report"
    add_arguments(commands.add_parser("run", help=run_text, description=run_text))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        if args.command == "fix":
            from .fix import fix_command

            return fix_command(
                args.paths, write=not args.diff, diff=args.diff, upgrade=args.upgrade
            )
        if args.command == "run":
            from .run import run_command

            return run_command(args)
        if args.command == "publish":
            from .openmetadata.commands import publish_command

            return publish_command(args)
        if args.command == "init":
            return _init(args.folder, openmetadata=args.openmetadata)
        from .build_commands import build_command

        return build_command(args)
    except UsageError as error:
        print(f"odcs-codegen: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CompileError as error:
        print_diagnostics(error.diagnostics, "text")
        return EXIT_USAGE


def _init(folder: Path, *, openmetadata: bool = False) -> int:
    """Scaffold the starter files, refusing to overwrite anything."""
    from .scaffold import init

    try:
        created = init(folder, openmetadata=openmetadata)
    except FileExistsError as error:
        print(f"odcs-codegen: error: already exists, nothing written: {error}", file=sys.stderr)
        return EXIT_ERRORS
    for path in created:
        print(f"created {path.as_posix()}", file=sys.stderr)
    steps = "odcs-codegen generate && odcs-codegen run contracts/orders.odcs.yaml"
    if folder.resolve() != Path.cwd().resolve():
        steps = f"cd {shlex.quote(str(folder))} && {steps}"
    print(f"next: {steps}", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
