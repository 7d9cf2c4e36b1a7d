"""The `odcs-codegen` command line: generate, check, diff and lint.

Exit codes: 0 success, 1 contract errors or drift, 2 usage errors. Diagnostics go to stderr as
``file:line:column: level: message``; no traceback is shown for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .cache import ModuleCache, default_cache_dir
from .compiler import Build, Settings, UsageError, build, compile_contract, discover, module_name
from .diagnostics import CompileError, Diagnostic
from .dialects import DIALECTS
from .emit import Plan, diff, plan, write
from .lower import Options

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


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
    lint = commands.add_parser("lint", help="validate contracts only", description="validate only")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _add_option_arguments(lint)
    return root


def _add_build_arguments(command: argparse.ArgumentParser) -> None:
    """Arguments shared by generate, check and diff."""
    command.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="contracts or folders")
    command.add_argument("-o", "--output", type=Path, required=True, help="the package folder")
    command.add_argument("--line-length", type=int, default=100, help="black line length")
    command.add_argument(
        "--no-cache", action="store_true", help="recompile every contract (ignore the cache)"
    )
    _add_option_arguments(command)


def _add_option_arguments(command: argparse.ArgumentParser) -> None:
    """Options that change what is compiled."""
    command.add_argument(
        "--dialect", choices=sorted(DIALECTS), default="duckdb", help="SQL dialect of the checks"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    settings = Settings(options=Options(dialect=args.dialect))
    try:
        if args.command == "lint":
            return _lint(args.paths, settings)
        if args.line_length < 40:
            raise UsageError("--line-length must be at least 40")
        settings = Settings(options=settings.options, line_length=args.line_length)
        cache = ModuleCache(None if args.no_cache else default_cache_dir())
        result = build(args.paths, args.output, settings, cache=cache)
    except UsageError as error:
        print(f"odcs-codegen: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    _print_diagnostics(result.diagnostics)
    if result.failed:
        errors = sum(d.level == "error" for d in result.diagnostics)
        print(f"{errors} error(s); nothing written", file=sys.stderr)
        return EXIT_ERRORS
    target = plan(args.output, result.files)
    if args.command == "check" or (args.command == "generate" and args.check):
        return _check(target)
    if args.command == "diff":
        sys.stdout.write(diff(target))
        return EXIT_OK if target.in_sync else EXIT_ERRORS
    return _generate(target, result, force=args.force)


def _lint(paths: Sequence[Path], settings: Settings) -> int:
    """Validate contracts without writing anything."""
    diagnostics: list[Diagnostic] = []
    for path in discover(paths):
        try:
            _, found = compile_contract(path, Path.cwd(), module_name(path), settings)
        except CompileError as error:
            found = list(error.diagnostics)
        diagnostics.extend(found)
    _print_diagnostics(diagnostics)
    errors = sum(d.level == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(
        f"{len(discover(paths))} contract(s): {errors} error(s), {warnings} warning(s)",
        file=sys.stderr,
    )
    return EXIT_ERRORS if errors else EXIT_OK


def _check(target: Plan) -> int:
    """Report drift (missing, changed and stale files, with diffs) and exit 1 when any."""
    if target.in_sync:
        print(f"{len(target.unchanged)} file(s) up to date", file=sys.stderr)
        return EXIT_OK
    for label, names in (
        ("missing", target.new),
        ("changed", target.changed),
        ("stale", target.stale),
    ):
        for name in names:
            print(f"{target.output / name}: {label}", file=sys.stderr)
    sys.stdout.write(diff(target))
    print("generated code is out of date; run 'odcs-codegen generate'", file=sys.stderr)
    return EXIT_ERRORS


def _generate(target: Plan, result: Build, *, force: bool) -> int:
    """Write the build, refusing to overwrite files the tool did not generate."""
    if target.foreign and not force:
        for name in target.foreign:
            print(
                f"{target.output / name}: error: refusing to overwrite a file that odcs-codegen "
                "did not generate (use --force)",
                file=sys.stderr,
            )
        return EXIT_ERRORS
    write(target)
    warnings = sum(d.level == "warning" for d in result.diagnostics)
    written = len(target.new) + len(target.changed)
    print(
        f"{written} written, {len(target.unchanged)} unchanged, {len(target.stale)} removed, "
        f"{warnings} warning(s)",
        file=sys.stderr,
    )
    return EXIT_OK


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Every diagnostic on stderr, one per line."""
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
