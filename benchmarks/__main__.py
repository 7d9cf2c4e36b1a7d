"""`python -m benchmarks [--quick] [--write [FILE]] [--only 1,2,...] [--largest ROWS]`.

Peers run from their own environments: set ODCS_BENCH_DATACONTRACT (datacontract-cli's
`datacontract` executable, else it is looked up on PATH) and ODCS_BENCH_DQX_PYTHON (a Python
with dqlib's main branch); see benchmarks/peers.py. Section 8 needs pyspark (and Java); it
says "skipped" without. `--write` in full mode also draws benchmarks/scaling.png (needs
matplotlib; without it the plot is skipped with a message).
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from . import (
    bench_checks,
    bench_compiler,
    bench_peer,
    bench_scaling,
    bench_spark,
    bench_startup,
    bench_validation,
    explain,
    peers,
    plot,
    profiles,
)
from .common import Row, format_markdown, format_table

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def validation_rows(quick: bool) -> list[Row]:
    """bench_validation's timings as rows (its ratios: of the budget, or python-jsonschema's)."""
    section = "6. Validation (bench_validation.py)"
    results = bench_validation.run(quick)
    times = dict(results)
    rows = []
    for name, seconds in results:
        ratio = ""
        if name.startswith("python-jsonschema"):
            ours = times.get(name.replace("python-jsonschema", "validate"))
            ratio = f"{seconds / ours:,.0f}x validate_contract" if ours else ""
        elif "500 props" in name or name.startswith(" "):
            ratio = f"{seconds / bench_validation.BUDGET:.2f} of the 100 ms budget"
        rows.append(Row(section, name, seconds * 1000, None, "ms", ratio, "min over reps"))
    return rows


SECTIONS: dict[str, tuple[str, Callable[[bool], list[Row]]]] = {
    "1": ("check execution", bench_checks.run),
    "2": ("start-up", bench_startup.run),
    "3": ("compiler throughput", bench_compiler.run),
    "4": ("end to end, datacontract-cli", bench_peer.run),
    "5": ("profiles", profiles.run),
    "6": ("validation", validation_rows),
    "7": ("scaling with rules", bench_scaling.run),
    "8": ("Spark", bench_spark.run),
}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    parser.add_argument(
        "--write",
        nargs="?",
        const=str(RESULTS),
        metavar="FILE",
        help="also write the results as Markdown (default: benchmarks/RESULTS.md)",
    )
    parser.add_argument(
        "--only", metavar="N,N", help="run only these sections (1-8), e.g. --only 1,3"
    )
    parser.add_argument(
        "--largest",
        type=int,
        metavar="ROWS",
        help="full mode: the largest check-execution file has ROWS rows (default 20,000,000) "
        "and no file of sections 4, 7 and 8 has more",
    )
    return parser.parse_args(argv)


def versions() -> str:
    """The versions that matter, as one line."""
    names = (
        "duckdb",
        "dqlib",
        "pyarrow",
        "black",
        "jsonschema",
        "jsonschema-rs",
        "PyYAML",
        "Jinja2",
    )
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return f"Python {platform.python_version()}; " + ", ".join(found) + "; " + peers.versions()


def machine() -> str:
    """Cores, memory and CPU model (no host names, no paths)."""
    memory = ""
    model = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB RAM"
                break
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{os.cpu_count()} cores", memory, model, f"{platform.system()} {platform.machine()}"]
    return ", ".join(part for part in parts if part)


def _without_paths(text: str) -> str:
    """A traceback without this machine's folders: the checkout as ``.``, installed packages
    as ``<site-packages>``."""
    root = str(Path(__file__).resolve().parent.parent)
    text = text.replace(root + os.sep, "").replace(root, ".")
    for folder in sorted({p for p in sys.path if p.endswith("site-packages")}, key=len)[::-1]:
        text = text.replace(folder, "<site-packages>")
    return text


def compile_bytecode() -> None:
    """Bytecode for odcs-codegen's own modules, as an installed wheel has it: without it, a
    checkout under PYTHONDONTWRITEBYTECODE compiles them again in every child process."""
    import odcs_codegen

    compileall.compile_dir(str(Path(odcs_codegen.__file__).parent), quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from 1-8", file=sys.stderr)
        return 2
    if args.largest:
        explain.cap(args.largest)
    compile_bytecode()
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    rows: list[Row] = []
    failures: list[str] = []
    loads: list[str] = []
    for key in chosen:
        title, run = SECTIONS[key]
        loads.append(f"{key}: {os.getloadavg()[0]:.1f}")
        print(f"[{key}] {title} ({mode}) ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        try:
            section_rows = run(args.quick)
        except Exception:  # a failing section must not hide the others
            failures.append(
                f"section {key} ({title}) failed:\n{_without_paths(traceback.format_exc())}"
            )
            print(failures[-1], file=sys.stderr)
            continue
        rows += section_rows
        print(f"[{key}] done in {time.perf_counter() - begun:.0f} s", file=sys.stderr, flush=True)
        for row in section_rows:
            if row.name.startswith("skipped:"):
                print(f"{row.name} ({row.note})", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(format_table(rows))
    if args.write:
        command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
        write(Path(args.write), rows, mode, elapsed, chosen, failures, loads, command, args.largest)
        print(f"\nwrote {args.write}", file=sys.stderr)
        if mode == "full":
            drawn = plot.write_plot(rows, Path(args.write).parent / plot.PLOT.name)
            if drawn is not None:
                print(f"wrote {drawn}", file=sys.stderr)
    return 1 if failures else 0


def write(
    path: Path,
    rows: list[Row],
    mode: str,
    elapsed: float,
    chosen: list[str],
    failures: list[str],
    loads: Sequence[str] = (),
    command: str = "python -m benchmarks --write",
    largest: int | None = None,
) -> None:
    """The results as Markdown: the machine, versions, file sizes, what each ratio times,
    the tables."""
    capped = (
        f" (capped by `--largest {largest}`: no file above {largest / 1e6:g}M rows in sections "
        "4, 7 and 8, and the largest of section 1 has that many)"
        if largest and mode == "full"
        else ""
    )
    lines = [
        "# Benchmark results",
        "",
        f"Recorded by `{command}` on "
        f"{datetime.date.today().isoformat()} ({mode} mode, sections {', '.join(chosen)}, "
        f"{elapsed / 60:.1f} minutes).",
        "",
        f"- Machine: {machine()} (shared and noisy: read the ratios and minimums, not single "
        "medians).",
        f"- Versions: {versions()}.",
        f"- Load average (1 min) when each section started: {', '.join(loads)} (it includes the "
        "previous section's own work; well above 2 means other work shared the 2 cores).",
        f"- Rows of the data files, by section: {explain.sizes(mode)}{capped}.",
        "- min / median over repetitions; ratios against a baseline measured in the same process, "
        "interleaved with it (a ratio of minimums, then of medians). Profile rows are single "
        "profiled runs (shares, not timings).",
        "",
        "## What each ratio times",
        "",
        *(f"- {explain.RATIOS[key]}" for key in chosen if key in explain.RATIOS),
        "",
        "## Results",
        "",
        format_markdown(rows),
        "",
    ]
    if mode == "full" and plot.points(rows):
        lines += [f"![check time against rows and rules]({plot.PLOT.name})", ""]
    if failures:
        lines += ["## Failed sections", "", "```", *failures, "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
