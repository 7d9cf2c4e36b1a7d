"""The pipeline: discover contracts -> load -> validate -> check semantics -> lower -> render.

`build()` compiles a whole set of contracts into an in-memory map of output file -> source; only
`emit` touches the disk. A contract with errors stops nothing else from being checked, so one
run reports every error of every file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import ir
from .diagnostics import CompileError, Diagnostic, sorted_diagnostics
from .loader import Limits, LoadedDocument, load_file
from .lower import Options, lower
from .naming import snake_identifier
from .render import RUNTIME_MODULE, render_module, render_package_init, render_runtime
from .semantics import semantic_errors
from .validation import validate_contract

CONTRACT_SUFFIXES: tuple[str, ...] = (".odcs.yaml", ".odcs.yml", ".yaml", ".yml")


class UsageError(Exception):
    """A problem with how the tool was called (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build depends on besides the contracts themselves."""

    options: Options = field(default_factory=Options)
    limits: Limits = field(default_factory=Limits)
    line_length: int = 100


@dataclass(frozen=True, slots=True)
class Build:
    """The result of compiling a set of contracts: files to write and what was found."""

    files: dict[str, str]
    modules: tuple[ir.Module, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        """True when any contract had an error."""
        return any(d.level == "error" for d in self.diagnostics)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Contract files named by `paths`: files as given, folders searched for *.yaml / *.yml."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.name.endswith((".yaml", ".yml"))
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise UsageError("no contract files (*.yaml, *.yml) found in " + ", ".join(map(str, paths)))
    return unique


def module_name(path: Path) -> str:
    """The Python module of a contract file: `orders.odcs.yaml` -> `orders`."""
    name = path.name
    for suffix in CONTRACT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return snake_identifier(name, prefix="contract")


def display_path(path: Path) -> str:
    """How diagnostics name a file: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def relative_source(path: Path, output: Path) -> str:
    """The contract's path relative to the output folder, with forward slashes."""
    relative = os.path.relpath(path.resolve(), output.resolve())
    return PurePosixPath(*Path(relative).parts).as_posix()


def compile_contract(
    path: Path, output: Path, name: str, settings: Settings
) -> tuple[ir.Module, list[Diagnostic]]:
    """One contract -> its IR and warnings; CompileError with every error found."""
    display = display_path(path)
    doc = load_file(path, display, settings.limits)
    problems = validate_contract(doc.data, display, doc)
    if not any(d.level == "error" for d in problems):
        problems += semantic_errors(doc.data, display, doc.position)
    if any(d.level == "error" for d in problems):
        raise CompileError(sorted_diagnostics(problems))
    module, warnings = _lower(doc, name, relative_source(path, output), settings)
    return module, problems + warnings


def _lower(
    doc: LoadedDocument, name: str, source: str, settings: Settings
) -> tuple[ir.Module, list[Diagnostic]]:
    """Lowering, with the module name and source path of the output."""
    return lower(doc, module_name=name, source_path=source, options=settings.options)


def build(paths: Sequence[Path], output: Path, settings: Settings | None = None) -> Build:
    """Compile every contract under `paths` for the package folder `output`."""
    settings = settings or Settings()
    contracts = discover(paths)
    names = _module_names(contracts)
    modules: list[ir.Module] = []
    diagnostics: list[Diagnostic] = []
    for path in contracts:
        try:
            module, found = compile_contract(path, output, names[path], settings)
        except CompileError as error:
            diagnostics.extend(error.diagnostics)
            continue
        modules.append(module)
        diagnostics.extend(found)
    files: dict[str, str] = {}
    if not any(d.level == "error" for d in diagnostics):
        files = _render(modules, settings.line_length)
    return Build(files, tuple(modules), tuple(sorted_diagnostics(diagnostics)))


def _module_names(contracts: Sequence[Path]) -> dict[Path, str]:
    """Module name per contract; two contracts that would share a module are a usage error."""
    names: dict[Path, str] = {}
    owners: dict[str, Path] = {}
    for path in contracts:
        name = module_name(path)
        if name in owners or name == RUNTIME_MODULE:
            other = owners.get(name)
            raise UsageError(
                f"{display_path(path)}: module name {name!r} is already used by "
                f"{display_path(other) if other else 'the runtime'}; rename one of the files"
            )
        owners[name] = path
        names[path] = name
    return names


def _render(modules: Sequence[ir.Module], line_length: int) -> dict[str, str]:
    """The output files: one module per contract, the package `__init__` and the runtime."""
    files = {f"{m.module_name}.py": render_module(m, line_length) for m in modules}
    files["__init__.py"] = render_package_init([m.module_name for m in modules], line_length)
    files[f"{RUNTIME_MODULE}.py"] = render_runtime(line_length)
    return dict(sorted(files.items()))
