"""3. Compiler throughput on a synthetic tree (synthetic.py), with the module cache.

* cold build: `build(tree, output, cache=<empty folder>, workers=N)`, N = 1 and 2 (the
  machine's cores), alternating, each on a fresh empty cache; contracts per second;
* warm rebuild, nothing changed: `build()` in this process, and `odcs-codegen generate` as a
  child process (start-up and imports count, as they do for users), target under 1 s;
* one contract changed: only its module is compiled again, counted by a counting cache
  (misses, stores) and by the new entries in the cache folder.

The cache is a temporary folder (`ModuleCache(path)`, and `ODCS_CODEGEN_CACHE` for the
command line), never the user's.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from odcs_codegen.cache import Entry, ModuleCache
from odcs_codegen.compiler import Build, build
from odcs_codegen.diagnostics import Diagnostic
from odcs_codegen.settings import Settings

from . import synthetic
from .bench_checks import codegen_command
from .common import (
    Row,
    Timing,
    both,
    clock,
    interleaved,
    python_env,
    ratio,
    timed_child,
    timing_row,
)

SECTION = "3. Compiler throughput"
FULL = {
    **{"contracts": 200, "properties": 40, "rules": 4, "cold": 2, "warm": 7, "changed": 5},
    **{"subset": 40, "subset_repeat": 3},
}
QUICK = {
    **{"contracts": 8, "properties": 5, "rules": 2, "cold": 1, "warm": 1, "changed": 1},
    **{"subset": 8, "subset_repeat": 1},
}
WARM_TARGET = 1.0  # seconds


class CountingCache(ModuleCache):
    """A ModuleCache that counts its hits, misses and stores."""

    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder)
        self.hits = self.misses = self.stores = 0

    def get(self, key: str) -> Entry | None:
        found = super().get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(
        self,
        key: str,
        source: str,
        diagnostics: Sequence[Diagnostic],
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.stores += 1
        super().put(key, source, diagnostics, extra)


def clear_process_caches() -> None:
    """Forget what odcs-codegen memoizes per process (compiled JSON Schemas, the rendered
    runtime, the Jinja environment, the DuckDB connection of the SQL checks, ...), so a
    build in this process is as cold as a fresh command line's, imports aside."""
    for name, module in list(sys.modules.items()):
        if name != "odcs_codegen" and not name.startswith("odcs_codegen."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def entries(folder: Path) -> set[str]:
    """The cache entries in ``folder``."""
    return {p.name for p in folder.glob("*.json")} if folder.is_dir() else set()


def checked(result: Build) -> Build:
    """``result``, after making sure it compiled."""
    errors = [d.format() for d in result.diagnostics if d.level == "error"]
    if errors:
        raise RuntimeError("the synthetic tree does not compile:\n" + "\n".join(errors[:10]))
    return result


def rebuild(tree: Path, output: Path, cache: ModuleCache) -> Build:
    """One checked build of ``tree`` into ``output`` through ``cache``."""
    return checked(build([tree], output, Settings(), cache=cache))


def run(quick: bool) -> list[Row]:
    """The rows of section 3."""
    size = QUICK if quick else FULL
    count = size["contracts"]
    with tempfile.TemporaryDirectory(prefix="odcs-bench-compiler-") as temp:
        folder = Path(temp)
        tree, output = folder / "contracts", folder / "out"
        paths = synthetic.write_tree(tree, count, size["properties"], size["rules"])
        shape = f"{size['properties']} props x {size['rules']} rules"
        rows = cold_rows(folder, [tree], output, size["cold"], f"{count} contracts, {shape}", 2)
        subset = paths[: size["subset"]]
        rows += speedup_rows(folder, subset, output, size["subset_repeat"])
        cache_dir = folder / "cache"
        checked(build([tree], output, Settings(), cache=ModuleCache(cache_dir)))
        rows += warm_rows(tree, output, cache_dir, size["warm"])
        rows += changed_rows(tree, output, cache_dir, size)
        rows += cli_rows(folder, tree, cache_dir, size)
    return rows


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def cold_build(
    folder: Path, paths: Sequence[Path], output: Path, workers: int
) -> tuple[float, float]:
    """One cold build (empty cache, per-process caches cleared): (wall, CPU) seconds."""
    cache = Path(tempfile.mkdtemp(prefix="cold-cache-", dir=folder))
    clear_process_caches()
    cpu = cpu_seconds()
    wall = clock(
        lambda: checked(build(paths, output, Settings(), cache=ModuleCache(cache), workers=workers))
    )
    cpu = cpu_seconds() - cpu
    shutil.rmtree(cache, ignore_errors=True)
    return wall, cpu


def cold_rows(
    folder: Path, paths: Sequence[Path], output: Path, repeat: int, shape: str, workers: int
) -> list[Row]:
    """Cold builds of the whole tree with the default worker count (the machine's cores)."""
    runs = [cold_build(folder, paths, output, workers) for _ in range(repeat)]
    timing = Timing(tuple(wall for wall, _ in runs))
    count = len(synthetic_contracts(paths))
    usage = max(cpu / wall for wall, cpu in runs)
    return [
        timing_row(
            SECTION,
            f"cold build, {shape}, workers={workers}",
            timing,
            note=f"{count / timing.min:.2f} contracts/s best; {repeat} rep(s); CPU/wall "
            f"{usage:.2f} (2.0 = both cores busy with the build)",
        )
    ]


def synthetic_contracts(paths: Sequence[Path]) -> list[Path]:
    """The contract files named by ``paths`` (files or folders)."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.odcs.yaml")) if path.is_dir() else [path]
    return found


def speedup_rows(folder: Path, paths: Sequence[Path], output: Path, repeat: int) -> list[Row]:
    """workers=2 against workers=1 on a subset, interleaved (the parallel speed-up)."""
    results: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for round_ in range(repeat):
        for workers in (1, 2) if round_ % 2 == 0 else (2, 1):
            results[workers].append(cold_build(folder, paths, output, workers))
    one = Timing(tuple(wall for wall, _ in results[1]))
    two = Timing(tuple(wall for wall, _ in results[2]))
    usage = {w: max(cpu / wall for wall, cpu in runs) for w, runs in results.items()}
    count = len(paths)
    return [
        timing_row(
            SECTION,
            f"cold build, {count} of them, workers=2",
            two,
            ratio=both(one, two, ratio).replace("x", "x speed-up", 1),
            note=f"{count / two.min:.2f} contracts/s; vs workers=1, {repeat} interleaved reps; "
            f"CPU/wall {usage[2]:.2f}",
        ),
        timing_row(
            SECTION,
            f"cold build, {count} of them, workers=1",
            one,
            note=f"{count / one.min:.2f} contracts/s; baseline; CPU/wall {usage[1]:.2f}",
        ),
    ]


def warm_rows(tree: Path, output: Path, cache_dir: Path, repeat: int) -> list[Row]:
    """Rebuilds with nothing changed, in this process."""
    cache = CountingCache(cache_dir)
    before = entries(cache_dir)
    timing = interleaved(
        {"warm": lambda: checked(build([tree], output, Settings(), cache=cache))}, repeat
    )["warm"]
    added = len(entries(cache_dir) - before)
    target = "meets" if timing.median < WARM_TARGET else "misses"
    return [
        timing_row(
            SECTION,
            "warm rebuild, nothing changed: build()",
            timing,
            note=f"{target} the < {WARM_TARGET:g} s target (median); {cache.misses} misses, "
            f"{added} new entries in {repeat} builds",
        )
    ]


def changed_rows(tree: Path, output: Path, cache_dir: Path, size: dict[str, int]) -> list[Row]:
    """Rebuilds after changing one contract (a threshold), in this process."""
    first = synthetic.contract_path(tree, 0)
    original = first.read_text(encoding="utf-8")
    times: list[float] = []
    misses: list[int] = []
    added: list[int] = []
    try:
        for rep in range(size["changed"]):
            first.write_text(
                synthetic.contract_text(0, size["properties"], size["rules"], threshold=6 + rep),
                encoding="utf-8",
            )
            cache = CountingCache(cache_dir)
            before = entries(cache_dir)
            times.append(clock(partial(rebuild, tree, output, cache)))
            misses.append(cache.misses)
            added.append(len(entries(cache_dir) - before))
    finally:
        first.write_text(original, encoding="utf-8")
    return [
        timing_row(
            SECTION,
            "one contract changed: build()",
            Timing(tuple(times)),
            note=f"cache misses per build {sorted(set(misses))}, new entries {sorted(set(added))} "
            f"(1 = only that module compiled)",
        )
    ]


def cli_rows(folder: Path, tree: Path, warm_cache: Path, size: dict[str, int]) -> list[Row]:
    """`odcs-codegen generate` as a child process: warm, one change, and bare start-up.

    The child's cache starts as a copy of the warm in-process cache (same keys: same
    contracts, output and working folder), so its first run only writes the files.
    """
    cache_dir = folder / "cli-cache"
    shutil.copytree(warm_cache, cache_dir)
    env = python_env({"ODCS_CODEGEN_CACHE": str(cache_dir)})
    output = folder / "out"
    command = [*codegen_command(), "generate", str(tree), "-o", str(output)]
    first = Timing((timed_child(command, env=env),))
    warm = interleaved({"warm": lambda: timed_child(command, env=env)}, size["warm"])["warm"]
    version = interleaved(
        {"version": lambda: timed_child([*codegen_command(), "--version"], env=env)}, size["warm"]
    )["version"]
    imports = interleaved(
        {
            "imports": lambda: timed_child(
                [sys.executable, "-c", "import odcs_codegen.cli"], env=env
            )
        },
        size["warm"],
    )["imports"]
    bare = interleaved(
        {"bare": lambda: timed_child([sys.executable, "-c", "pass"], env=env)}, size["warm"]
    )["bare"]
    path = synthetic.contract_path(tree, 1)
    original = path.read_text(encoding="utf-8")
    changed: list[float] = []
    added: list[int] = []
    try:
        for rep in range(size["changed"]):
            path.write_text(
                synthetic.contract_text(1, size["properties"], size["rules"], threshold=6 + rep),
                encoding="utf-8",
            )
            before = entries(cache_dir)
            changed.append(timed_child(command, env=env))
            added.append(len(entries(cache_dir) - before))
    finally:
        path.write_text(original, encoding="utf-8")
    target = "meets" if warm.median < WARM_TARGET else "misses"
    return [
        timing_row(
            SECTION,
            "odcs-codegen generate, warm cache, empty output folder",
            first,
            note="child process; writes every file",
        ),
        timing_row(
            SECTION,
            "odcs-codegen generate, nothing changed",
            warm,
            ratio=ratio(warm.median, version.median).replace("x", "x of --version"),
            note=f"child process; {target} the < {WARM_TARGET:g} s target (median)",
        ),
        timing_row(
            SECTION,
            "odcs-codegen generate, one contract changed",
            Timing(tuple(changed)),
            note=f"child process; new cache entries per run {sorted(set(added))}",
        ),
        timing_row(SECTION, "  odcs-codegen --version (start-up alone)", version),
        timing_row(SECTION, "  python -c 'import odcs_codegen.cli'", imports),
        timing_row(SECTION, "  python -c 'pass' (interpreter alone)", bare),
    ]


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
