"""The pipeline: discover contracts -> load -> validate -> check semantics -> lower -> render.

`build()` compiles a whole set of contracts into an in-memory map of output file -> source; only
`emit` touches the disk. A contract with errors stops nothing else from being checked, so one
run reports every error of every file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from . import ir
from .build_model import build as build_model
from .cache import ModuleCache, cache_key
from .diagnostics import CompileError, Diagnostic, UsageError, display_path, sorted_diagnostics
from .loader import load_file
from .lower import lower
from .naming import module_name
from .orchestration.facts import ModuleFacts, facts_of
from .render import (
    RUNTIME_PACKAGE,
    render_module,
    render_package_init,
    runtime_dir,
    runtime_file,
    runtime_names,
)
from .semantics import semantic_errors
from .settings import Settings
from .validation import validate_contract

PARALLEL_THRESHOLD = 8


@dataclass(frozen=True, slots=True)
class Build:
    """The result of compiling a set of contracts: files to write and what was found."""

    files: dict[str, str]
    modules: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: tuple[ModuleFacts, ...] = ()  # of every module, by name (for orchestration code)

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
    if any(d.level == "error" for d in problems):
        raise CompileError(sorted_diagnostics(problems))
    contract = build_model(doc)
    problems += semantic_errors(contract, display)
    if any(d.level == "error" for d in problems):
        raise CompileError(sorted_diagnostics(problems))
    module, warnings = lower(
        contract,
        path=display,
        module_name=name,
        source_path=relative_source(path, output),
        options=settings.options,
    )
    return module, problems + warnings


@dataclass(frozen=True, slots=True)
class Compiled:
    """One contract's outcome: its module source (None on errors) and diagnostics."""

    name: str
    source: str | None
    diagnostics: tuple[Diagnostic, ...]
    facts: ModuleFacts | None = None


def compile_to_source(path: Path, output: Path, name: str, settings: Settings) -> Compiled:
    """Compile and render one contract; errors are returned, not raised (for worker processes)."""
    try:
        module, found = compile_contract(path, output, name, settings)
    except CompileError as error:
        return Compiled(name, None, error.diagnostics)
    source = render_module(module, settings.line_length)
    return Compiled(name, source, tuple(found), facts_of(module))


def build(
    paths: Sequence[Path],
    output: Path,
    settings: Settings | None = None,
    *,
    cache: ModuleCache | None = None,
    workers: int | None = None,
    advance: Callable[[], None] | None = None,
) -> Build:
    """Compile every contract under `paths` for the package folder `output`.

    Unchanged contracts come from `cache` without loading, validating or rendering anything;
    the others are compiled in parallel processes when there are many of them. `advance` is
    called once per contract done (a progress bar).
    """
    done = advance or _nothing
    settings = settings or Settings()
    cache = cache or ModuleCache(None)
    contracts = discover(paths)
    names, diagnostics = _module_names(contracts)
    keys = {p: _key(p, names[p], output, settings) for p in contracts if p in names}
    results: dict[Path, Compiled] = {}
    for path, key in keys.items():
        hit = _cached_module(cache, key, names[path]) if key else None
        if hit is not None:
            results[path] = hit
            done()
    missing = [p for p in keys if p not in results]
    compiled_all = _compile_all(missing, output, names, settings, workers, done)
    for path, compiled in zip(missing, compiled_all, strict=True):
        results[path] = compiled
        if compiled.source is not None and compiled.facts is not None and keys[path]:
            extra = {"facts": compiled.facts.to_json()}
            cache.put(keys[path], compiled.source, compiled.diagnostics, extra)
    for path in keys:
        diagnostics.extend(results[path].diagnostics)
    sources = {r.name: r.source for r in results.values() if r.source is not None}
    files: dict[str, str] = {}
    if not any(d.level == "error" for d in diagnostics):
        files = _package_files(sources, settings, cache)
    facts = tuple(sorted((r.facts for r in results.values() if r.facts), key=_by_module))
    return Build(files, tuple(sorted(sources)), tuple(sorted_diagnostics(diagnostics)), facts)


def _by_module(facts: ModuleFacts) -> str:
    return facts.module


def _cached_module(cache: ModuleCache, key: str, name: str) -> Compiled | None:
    """A compiled module from the cache (None when absent or from an older entry format)."""
    hit = cache.get(key)
    if hit is None:
        return None
    try:
        facts = ModuleFacts.from_json(hit.extra["facts"])
    except (KeyError, TypeError):
        return None
    return Compiled(name, hit.source, tuple(hit.diagnostics), facts)


def _key(path: Path, name: str, output: Path, settings: Settings) -> str:
    """The cache key of one contract ("" when it cannot be read within the size limit)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(settings.limits.max_bytes + 1)
    except OSError:
        return ""
    if len(raw) > settings.limits.max_bytes:
        return ""
    parts = (name, relative_source(path, output), display_path(path), repr(settings))
    return cache_key(raw, *parts)


def _compile_all(
    paths: Sequence[Path],
    output: Path,
    names: dict[Path, str],
    settings: Settings,
    workers: int | None,
    done: Callable[[], None],
) -> list[Compiled]:
    """Compile contracts, in a process pool when there are enough of them to pay off."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(paths) < PARALLEL_THRESHOLD:
        compiled = []
        for path in paths:
            compiled.append(compile_to_source(path, output, names[path], settings))
            done()
        return compiled
    with ProcessPoolExecutor(max_workers=min(count, len(paths))) as pool:
        futures = [pool.submit(compile_to_source, p, output, names[p], settings) for p in paths]
        for _ in as_completed(futures):
            done()
        return [f.result() for f in futures]


def _nothing() -> None:
    """No progress to show."""


def _module_names(contracts: Sequence[Path]) -> tuple[dict[Path, str], list[Diagnostic]]:
    """Module name per contract; two contracts that would share a module are an error."""
    names: dict[Path, str] = {}
    owners: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    for path in contracts:
        name = module_name(path)
        if name in owners or name == RUNTIME_PACKAGE:
            other = owners.get(name)
            owner = display_path(other) if other else "odcs-codegen's own support module"
            message = f"module name {name!r} is already used by {owner}; rename one of the files"
            problems.append(Diagnostic(display_path(path), None, "error", message))
            continue
        owners[name] = path
        names[path] = name
    return names, problems


def _package_files(
    sources: dict[str, str], settings: Settings, cache: ModuleCache
) -> dict[str, str]:
    """The output files: one module per contract, the package `__init__`, `_runtime/`."""
    line_length = settings.line_length
    files = {f"{name}.py": source for name, source in sources.items()}
    files["__init__.py"] = _cached(
        cache,
        cache_key(b"", "__init__", str(line_length), *sorted(sources)),
        lambda: render_package_init(list(sources), line_length),
    )
    for name in runtime_names(settings.options.dialect):
        raw = (runtime_dir() / name).read_bytes()
        files[f"{RUNTIME_PACKAGE}/{name}"] = _cached(
            cache,
            cache_key(raw, RUNTIME_PACKAGE, name, str(line_length)),
            partial(runtime_file, name, line_length),
        )
    return dict(sorted(files.items()))


def _cached(cache: ModuleCache, key: str, render: Callable[[], str]) -> str:
    """A rendered file from the cache, else rendered now and stored."""
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    source = render()
    cache.put(key, source, ())
    return source
