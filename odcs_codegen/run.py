"""`odcs-codegen run`: run a contract's checks on local data and print a report.

`odcs-codegen run CONTRACT --data DATASET=FILE ...` compiles the contract with the settings of
the project's configuration (as `generate` would, through the module cache and without black;
in the dialect of `--engine` when given), executes the module in memory against odcs-codegen's
own runtime and hands it to the runtime's `cli.run_report`, the function
`python -m package.module` uses. With `--module package.module` an already generated module is
run with its package's own runtime. Reading the data, the
report formats and the exit codes all live in the runtime.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
import types
from pathlib import Path
from typing import Any

from ._runtime.errors import EXIT_FAILED, EXIT_USAGE
from ._runtime.errors import UsageError as RuntimeUsageError
from .cache import ModuleCache, cache_key, default_cache_dir
from .config import Config, Job, load_config
from .diagnostics import CompileError, Diagnostic, UsageError, display_path
from .naming import module_name
from .render import RUNTIME_PACKAGE, module_source
from .settings import Settings

PROG = "odcs-codegen run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `odcs-codegen run` (those after CONTRACT match `python -m module`)."""
    from ._runtime.cli import add_run_arguments

    parser.add_argument(
        "contract",
        nargs="?",
        type=Path,
        metavar="CONTRACT",
        help="the ODCS contract to compile and run (or give --module)",
    )
    parser.add_argument(
        "--module",
        metavar="PACKAGE.MODULE",
        help="run an already generated module instead of compiling CONTRACT",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="TOML or YAML configuration (default: found)"
    )
    parser.add_argument("--job", metavar="NAME", help="the configured job whose settings apply")
    parser.add_argument("--no-cache", action="store_true", help="compile the contract again")
    add_run_arguments(parser)


def run_command(args: argparse.Namespace) -> int:
    """Run the checks as `args` (from a parser set up by `add_arguments`) say; the exit code."""
    try:
        if args.module is not None and args.contract is not None:
            raise UsageError("give either CONTRACT or --module, not both")
        if args.module is not None:
            return _run_generated(args)
        if args.contract is None:
            hint = next((item for item in args.data if "=" not in item), None)
            if hint is not None:
                raise UsageError(f"bad --data '{hint}': expected DATASET=FILE (put CONTRACT first)")
            raise UsageError("no CONTRACT given (or --module PACKAGE.MODULE)")
        return _run_contract(args.contract, args)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _report(module: types.ModuleType, cli: Any, args: argparse.Namespace, base: Any) -> int:
    code: int = cli.run_report(
        module,
        list(args.data),
        server=args.server,
        output_format=args.format,
        output=args.output,
        base_dir=base,
        prog=PROG,
        engine=args.engine,
        spark_remote=args.spark_remote,
        partition=args.partition,
        **_publishing(args),
    )
    return code


def _publishing(args: argparse.Namespace) -> dict[str, Any]:
    """The publishing arguments of `run_report` (none unless `--publish` was given)."""
    if getattr(args, "publish", None) is None:
        return {}
    return {"publish": args.publish, "publish_config": args.publish_config or args.config}


def _run_contract(contract: Path, args: argparse.Namespace) -> int:
    """Compile `contract` in memory with the configured settings and run its checks."""
    if contract.is_dir():
        raise UsageError(f"{contract}: run takes one contract file, not a folder")
    if not contract.is_file():
        raise UsageError(f"{contract}: no such contract file")
    try:
        config = load_config(args.config, start=contract.parent)
    except CompileError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return EXIT_USAGE
    job = _job_for(config, contract, args.job)
    options = dataclasses.replace(job.options(), dialect=_dialect_to_run(job.dialect, args))
    settings = Settings(options=options, limits=job.limits())
    use_cache = job.cache and not args.no_cache
    try:
        module, diagnostics = load_contract(contract, settings, use_cache=use_cache)
    except CompileError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        errors = sum(d.level == "error" for d in error.diagnostics)
        print(f"{errors} error(s); nothing run", file=sys.stderr)
        return EXIT_FAILED
    for diagnostic in diagnostics:
        if diagnostic.level != "note":
            print(diagnostic.format(), file=sys.stderr)
    from ._runtime import cli

    return _report(module, cli, args, contract.parent)


def _dialect_to_run(configured: str, args: argparse.Namespace) -> str:
    """The dialect to compile with: the engine asked for (`--engine`, `--spark-remote`), else
    the configured dialect when it can run here; UsageError for BigQuery."""
    from ._runtime.engines import check_runnable

    engine = args.engine or ("spark" if args.spark_remote else None)
    if args.spark_remote and engine != "spark":
        raise UsageError("--spark-remote needs --engine spark")
    if engine is not None:
        return str(engine)
    try:
        check_runnable(configured)
    except RuntimeUsageError as error:
        raise UsageError(f"the configured dialect '{configured}': {error}") from None
    return configured


def load_contract(
    contract: Path, settings: Settings | None = None, *, use_cache: bool = False
) -> tuple[types.ModuleType, list[Diagnostic]]:
    """A contract's generated module, compiled and executed in memory against odcs-codegen's
    own runtime (its `from . import _runtime`), and the compiler's warnings.

    Raises CompileError when the contract has errors.
    """
    source, diagnostics = _compiled_source(contract, settings or Settings(), use_cache=use_cache)
    return _in_memory_module(module_name(contract), source, contract), diagnostics


def _job_for(config: Config, contract: Path, wanted: str | None) -> Job:
    """The job whose settings apply: `--job`, else the one whose sources hold the contract."""
    if wanted is not None:
        try:
            return config.job(wanted)
        except ValueError as error:
            raise UsageError(str(error)) from None
    target = contract.absolute()
    for job in config.jobs:
        for source in job.sources:
            if target == source or source in target.parents:
                return job
    return config.jobs[0]


def _compiled_source(
    contract: Path, settings: Settings, *, use_cache: bool
) -> tuple[str, list[Diagnostic]]:
    """The module's source (unformatted) and warnings, from the cache when it has them."""
    cache = ModuleCache(default_cache_dir() if use_cache else None)
    name = module_name(contract)
    try:
        raw = contract.read_bytes()
    except OSError as error:
        raise UsageError(f"{contract}: cannot read the file: {error.strerror}") from None
    key = cache_key(raw, "run", name, display_path(contract), repr(settings))
    hit = cache.get(key)
    if hit is not None:
        return hit.source, hit.diagnostics
    from .compiler import compile_contract  # only on a cache miss

    module, found = compile_contract(contract, contract.parent, name, settings)
    source = module_source(module)
    cache.put(key, source, found)
    return source, list(found)


def _in_memory_module(name: str, source: str, contract: Path) -> types.ModuleType:
    """Execute a generated module's source as a module of the `odcs_codegen` package, so that
    its `from . import _runtime` is odcs-codegen's own runtime."""
    module = types.ModuleType(f"odcs_codegen._contract_{name}")
    module.__package__ = "odcs_codegen"
    module.__file__ = os.fspath(contract.parent / f"{name}.py")
    code = compile(source, f"<{display_path(contract)}>", "exec")
    exec(code, module.__dict__)
    return module


def _run_generated(args: argparse.Namespace) -> int:
    """Import an already generated module and run it with its own package's runtime."""
    sys.path.insert(0, os.getcwd())
    try:
        try:
            module = importlib.import_module(args.module)
        except (ImportError, ValueError, TypeError) as error:
            raise UsageError(f"cannot import module '{args.module}': {error}") from error
        if not hasattr(module, "DATASETS") or not hasattr(module, "CHECKS"):
            raise UsageError(f"module '{module.__name__}' was not generated by odcs-codegen")
        package = module.__package__ or ""
        try:
            cli = importlib.import_module(f"{package}.{RUNTIME_PACKAGE}.cli")
        except ModuleNotFoundError:
            raise UsageError(
                f"module '{module.__name__}' was generated by an older odcs-codegen; "
                "generate it again"
            ) from None
        return _report(module, cli, args, None)
    finally:
        sys.path.remove(os.getcwd())
