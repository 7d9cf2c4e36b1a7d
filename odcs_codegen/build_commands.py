"""`odcs-codegen generate`, `check`, `diff` and `lint`: the commands that compile contracts.

Each configured job (or the one the command line describes) is compiled through the module
cache; generate writes its package and orchestration files, check and diff compare them with
what is on disk, lint only reports. Imported by the command line only for these commands, so
that `run` and `--version` never load the compiler.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._runtime.errors import EXIT_FAILED as EXIT_ERRORS
from ._runtime.errors import EXIT_OK
from .cache import ModuleCache, default_cache_dir
from .compiler import Build, build, compile_contract, discover
from .config import Config, Job, load_config, override
from .diagnostics import CompileError, Diagnostic, UsageError, display_path
from .emit import Plan, diff, plan, write
from .naming import module_name
from .options import flag_values
from .orchestration.outputs import OrchestrationError, orchestration_files
from .progress import progress
from .report import Format, dump, github_annotation, print_diagnostics, report_document
from .settings import Settings

__all__ = ["build_command"]


def build_command(args: argparse.Namespace) -> int:
    """Run generate, check, diff or lint as ``args`` (from ``cli.parser``) say; the exit code."""
    config, jobs = _jobs(args)
    if args.command == "lint":
        return _lint(config, jobs, args.format)
    outcomes = [_build_job(config, job, args, several=len(jobs) > 1) for job in jobs]
    if args.format == "json":  # one document, whatever happened
        documents = [document for _, document in outcomes]
        print(dump(documents[0] if len(documents) == 1 else {"jobs": documents}))
    return max(code for code, _ in outcomes)


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
