"""`python -m benchmarks [--quick] [--write [FILE]] [--only 1,2,...] [--largest ROWS]`."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from . import bench_checks, bench_compiler, bench_peer, bench_startup, bench_validation, profiles
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
    "4": ("peer (datacontract-cli)", bench_peer.run),
    "5": ("profiles", profiles.run),
    "6": ("validation", validation_rows),
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
        "--only", metavar="N,N", help="run only these sections (1-6), e.g. --only 1,3"
    )
    parser.add_argument(
        "--largest",
        type=int,
        metavar="ROWS",
        help="rows of the largest check-execution file in full mode (default 20,000,000)",
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
    try:
        found.append(f"datacontract-cli {metadata.version('datacontract-cli')}")
    except metadata.PackageNotFoundError:
        found.append("datacontract-cli not installed")
    return f"Python {platform.python_version()}; " + ", ".join(found)


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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from 1-6", file=sys.stderr)
        return 2
    if args.largest:
        sizes = dict(bench_checks.FULL_SIZES)
        repeat = sizes.pop(max(sizes))
        sizes[args.largest] = repeat
        bench_checks.FULL_SIZES = dict(sorted(sizes.items()))
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
            failures.append(f"section {key} ({title}) failed:\n{traceback.format_exc()}")
            print(failures[-1], file=sys.stderr)
            continue
        rows += section_rows
        print(f"[{key}] done in {time.perf_counter() - begun:.0f} s", file=sys.stderr, flush=True)
        if key == "4" and section_rows and section_rows[0].name == bench_peer.SKIPPED:
            print(bench_peer.SKIPPED)
    elapsed = time.perf_counter() - started
    print(format_table(rows))
    if args.write:
        command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
        write(Path(args.write), rows, mode, elapsed, chosen, failures, loads, command)
        print(f"\nwrote {args.write}", file=sys.stderr)
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
) -> None:
    """The results as Markdown."""
    sizes = ", ".join(f"{n / 1e6:g}M" for n in bench_checks.FULL_SIZES)
    if mode == "quick":
        sizes = ", ".join(f"{n / 1e6:g}M" for n in bench_checks.QUICK_SIZES)
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
        *([f"- Check-execution file sizes: {sizes} rows."] if "1" in chosen else []),
        "- min / median over repetitions; ratios against a baseline measured in the same process, "
        "interleaved with it. Profile rows are single profiled runs (shares, not timings).",
        "",
        format_markdown(rows),
        "",
    ]
    peer = path.parent / "RESULTS-peer.md"
    skipped = any(row.name == bench_peer.SKIPPED for row in rows)
    if skipped and peer.is_file() and peer != path:
        lines += [
            f"Section 4 was measured separately, with datacontract-cli installed: {peer.name}.",
            "",
        ]
    if failures:
        lines += ["## Failed sections", "", "```", *failures, "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
