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
from typing import Any

from . import __version__
from ._runtime.errors import EXIT_FAILED as EXIT_ERRORS
from ._runtime.errors import EXIT_OK, EXIT_USAGE
from .cache import ModuleCache, default_cache_dir
from .compiler import (
    Build,
    Settings,
    UsageError,
    build,
    compile_contract,
    discover,
    display_path,
    module_name,
)
from .config import Config, Job, load_config, override
from .diagnostics import CompileError, Diagnostic
from .emit import Plan, diff, plan, write
from .options import add_flags, flag_values
from .orchestration.outputs import OrchestrationError, orchestration_files
from .progress import progress
from .report import FORMATS, Format, dump, github_annotation, print_diagnostics, report_document


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
        config, jobs = _jobs(args)
        if args.command == "lint":
            return _lint(config, jobs, args.format)
        outcomes = [_build_job(config, job, args, several=len(jobs) > 1) for job in jobs]
        if args.format == "json":  # one document, whatever happened
            documents = [document for _, document in outcomes]
            print(dump(documents[0] if len(documents) == 1 else {"jobs": documents}))
        return max(code for code, _ in outcomes)
    except UsageError as error:
        print(f"odcs-codegen: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except CompileError as error:
        print_diagnostics(error.diagnostics, "text")
        return EXIT_USAGE


def _jobs(args: argparse.Namespace) -> tuple[Config, list[Job]]:
    """The jobs to run: configured ones, with the command line's paths and flags on top."""
    config: Config = load_config(args.config)
    jobs = list(config.jobs)
    if args.job is not None:
        try:
            jobs = [config.job(args.job)]
        except ValueError as error:
            raise UsageError(str(error)) from None
    paths = tuple(args.paths)
    if paths and len(jobs) > 1:
        raise UsageError("PATH arguments need --job NAME when the configuration has several jobs")
    changes = {
        "sources": paths or None,
        "output": getattr(args, "output", None),
        **flag_values(args),
        "cache": False if getattr(args, "no_cache", False) else None,
    }
    jobs = [override(job, **changes) for job in jobs]
    for job in jobs:
        if not job.sources:
            raise UsageError("no contracts: give PATH... or set 'sources' in [tool.odcs-codegen]")
        if args.command != "lint" and job.output is None:
            raise UsageError("no output folder: give -o DIR or set 'output' in the configuration")
        if not 40 <= job.effective_line_length() <= 200:
            raise UsageError("--line-length must be between 40 and 200")
    return config, jobs


def _settings(job: Job) -> Settings:
    """The compiler settings of a job."""
    return Settings(
        options=job.options(), limits=job.limits(), line_length=job.effective_line_length()
    )


def _contracts(config: Config, job: Job) -> tuple[list[Path], list[Diagnostic]]:
    """The job's contract files after its contract filter, and a note for each one dropped."""
    found = discover(list(job.sources))
    kept = [p for p in found if job.contract_filter.allows(config.filter_path(p))]
    notes = [
        Diagnostic(p.as_posix(), None, "note", "contract filtered out")
        for p in found
        if p not in kept
    ]
    return kept, notes


def _build_job(
    config: Config, job: Job, args: argparse.Namespace, *, several: bool
) -> tuple[int, dict[str, Any]]:
    """generate / check / diff for one job: the exit code and the job's JSON data."""
    assert job.output is not None
    fmt: Format = args.format
    label = f"{job.name}: " if several else ""
    contracts, notes = _contracts(config, job)
    if not contracts:
        raise UsageError(f"job {job.name!r}: every contract was filtered out")
    cache = ModuleCache(default_cache_dir() if job.cache else None)
    with progress(f"{label or ''}compiling", len(contracts)) as advance:
        result = build(contracts, job.output, _settings(job), cache=cache, advance=advance)
    diagnostics = [*notes, *result.diagnostics]
    _print(diagnostics, fmt, verbose=args.verbose)
    visible = _visible(diagnostics, args.verbose)
    if result.failed:
        errors = sum(d.level == "error" for d in diagnostics)
        print(f"{label}{errors} error(s); nothing written", file=sys.stderr)
        return EXIT_ERRORS, report_document(visible, job=job.name, written=[])
    if job.output.exists() and not job.output.is_dir():
        raise UsageError(f"{job.output}: the output must be a folder, not a file")
    plans = _plans(job, result)
    drift = {state: _names(plans, state) for state in ("new", "changed", "stale")}
    drift = {"missing": drift["new"], "changed": drift["changed"], "stale": drift["stale"]}
    in_sync = all(target.in_sync for target in plans)
    if args.command == "check" or (args.command == "generate" and args.check):
        code = _check(plans, fmt, label)
        return code, report_document(visible, job=job.name, in_sync=in_sync, **drift)
    if args.command == "diff":
        text = "".join(diff(target) for target in plans)
        if fmt != "json":
            sys.stdout.write(text)
        code = EXIT_OK if in_sync else EXIT_ERRORS
        document = report_document(visible, job=job.name, in_sync=in_sync, diff=text)
        return code, {**document, **drift}
    code = _generate(plans, result, notes, label, force=args.force)
    done = code == EXIT_OK
    return code, report_document(
        visible,
        job=job.name,
        written=[*drift["missing"], *drift["changed"]] if done else [],
        unchanged=sum(len(target.unchanged) for target in plans),
        removed=list(drift["stale"]) if done else [],
    )


def _plans(job: Job, result: Build) -> list[Plan]:
    """The package's plan, then those of the job's orchestration folders (Airflow, Dagster)."""
    assert job.output is not None
    orchestration = job.orchestration()
    files = dict(result.files)
    others: list[Plan] = []
    if orchestration.wanted:
        try:
            inside, others = orchestration_files(
                orchestration, result.facts, job.effective_line_length()
            )
        except OrchestrationError as error:
            raise UsageError(str(error)) from None
        files.update(inside)
    return [plan(job.output, dict(sorted(files.items()))), *others]


def _names(plans: Sequence[Plan], state: str) -> list[str]:
    """The files of ``state`` (new, changed, stale): the package's relative to it, the
    others as shown to the user."""
    package, *others = plans
    names = list(getattr(package, state))
    for target in others:
        names += [display_path(target.output / name) for name in getattr(target, state)]
    return names


def _visible(diagnostics: Sequence[Diagnostic], verbose: bool) -> list[Diagnostic]:
    """Errors and warnings, and notes only when verbose."""
    return [d for d in diagnostics if d.level != "note" or verbose]


def _print(diagnostics: Sequence[Diagnostic], fmt: Format, *, verbose: bool) -> None:
    """Diagnostics as text (stderr) or annotations (stdout); JSON is printed once, at the end."""
    if fmt != "json":
        print_diagnostics(_visible(diagnostics, verbose), fmt)


def _lint(config: Config, jobs: Sequence[Job], fmt: Format) -> int:
    """Validate contracts without writing anything."""
    diagnostics: list[Diagnostic] = []
    count = 0
    for job in jobs:
        contracts, _ = _contracts(config, job)
        count += len(contracts)
        with progress("linting", len(contracts)) as advance:
            for path in contracts:
                try:
                    _, found = compile_contract(path, Path.cwd(), module_name(path), _settings(job))
                except CompileError as error:
                    found = list(error.diagnostics)
                diagnostics.extend(found)
                advance()
    _print(diagnostics, fmt, verbose=False)
    if fmt == "json":
        print(dump(report_document(_visible(diagnostics, False), contracts=count)))
    errors = sum(d.level == "error" for d in diagnostics)
    warnings = sum(d.level == "warning" for d in diagnostics)
    print(f"{count} contract(s): {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_ERRORS if errors else EXIT_OK


def _check(plans: Sequence[Plan], fmt: Format, label: str) -> int:
    """Report drift (missing, changed and stale files, with diffs) and exit 1 when any."""
    for target in plans:
        drift = {"missing": target.new, "changed": target.changed, "stale": target.stale}
        for state, names in drift.items():
            for name in names:
                path = display_path(target.output / name)
                if fmt == "github":
                    message = f"generated file is {state}; run 'odcs-codegen generate'"
                    print(github_annotation(Diagnostic(path, None, "error", message)))
                elif fmt == "text":
                    print(f"{path}: {state}", file=sys.stderr)
    if all(target.in_sync for target in plans):
        unchanged = sum(len(target.unchanged) for target in plans)
        print(f"{label}{unchanged} file(s) up to date", file=sys.stderr)
        return EXIT_OK
    if fmt == "text":
        sys.stdout.write("".join(diff(target) for target in plans))
    print(f"{label}generated code is out of date; run 'odcs-codegen generate'", file=sys.stderr)
    return EXIT_ERRORS


def _generate(
    plans: Sequence[Plan], result: Build, notes: Sequence[Diagnostic], label: str, *, force: bool
) -> int:
    """Write the build, refusing to overwrite files the tool did not generate."""
    foreign = [display_path(t.output / name) for t in plans for name in t.foreign]
    if foreign and not force:
        for path in foreign:
            print(
                f"{path}: error: refusing to overwrite a file that odcs-codegen did not "
                "generate (use --force)",
                file=sys.stderr,
            )
        return EXIT_ERRORS
    for target in plans:
        write(target)
    warnings = sum(d.level == "warning" for d in result.diagnostics)
    filtered = len(notes) + sum(d.level == "note" for d in result.diagnostics)
    written = sum(len(t.new) + len(t.changed) for t in plans)
    unchanged = sum(len(t.unchanged) for t in plans)
    removed = sum(len(t.stale) for t in plans)
    summary = (
        f"{label}{written} written, {unchanged} unchanged, {removed} "
        f"removed, {warnings} warning(s)"
    )
    print(summary + (f", {filtered} filtered" if filtered else ""), file=sys.stderr)
    return EXIT_OK


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
