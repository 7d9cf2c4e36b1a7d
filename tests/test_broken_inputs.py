"""Broken and hostile inputs: one clear diagnostic each, exit 1, no traceback, bounded cost.

`tests/broken/` holds the corpus; `tests/broken/expected.txt` pins, per file, the
``file:line:col: error: message`` line that ``odcs-codegen lint FILE`` must print (run from that
folder; line and column are left out only where the input has none: an empty file, a UTF-16
file). Inputs that are too large to commit (a 20 MB file, a 1 GB sparse file) are generated into
a temporary folder.

The real CLI runs in subprocesses with an address-space limit; wall time and peak RSS of every
resource case are measured (run with ``-s`` to print them).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from odcs_codegen.cli import main
from odcs_codegen.loader import Limits, load_bytes

BROKEN = Path(__file__).resolve().parent / "broken"
EXPECTED_FILE = BROKEN / "expected.txt"


# `path:line:col: level: message`, `path: level: message`, or the closing summary lines.
DIAGNOSTIC = re.compile(r"^[^\n:]+(?::\d+:\d+)?: (error|warning|note): \S.*$")
SUMMARY = re.compile(
    r"^(\d+ contract\(s\): \d+ error\(s\), \d+ warning\(s\)|\d+ error\(s\); nothing written)$"
)
TIMEOUT_S = 120  # per subprocess; typical runs take about a second
MAX_RSS = 512 * 1024 * 1024  # peak resident memory of one CLI run
ADDRESS_SPACE = 4 * 1024 * 1024 * 1024  # hard limit (RLIMIT_AS) for every CLI subprocess


def read_expected() -> dict[str, str]:
    """expected.txt: file name -> the diagnostic line (comments and blank lines skipped)."""
    expected: dict[str, str] = {}
    for line in EXPECTED_FILE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name = line.split(":", 1)[0]
            assert name not in expected, f"{name} is listed twice in expected.txt"
            expected[name] = line
    return expected


EXPECTED = read_expected()


# --------------------------------------------------------------------------- subprocess helper
@dataclass(frozen=True)
class Run:
    """One finished CLI subprocess."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes

    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def describe(self) -> str:
        return f"{self.seconds:.2f} s, peak RSS {self.peak_rss / 2**20:.0f} MiB"


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cli(args: list[str], cwd: Path, cache: Path, timeout: float = TIMEOUT_S) -> Run:
    """`python -m odcs_codegen.cli ARGS` with a memory limit; measures time and peak RSS."""
    env = {**os.environ, "ODCS_CODEGEN_CACHE": str(cache)}
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "odcs_codegen.cli", *args],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_limit_address_space,
    )
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        chunks[name] = stream.read()  # type: ignore[attr-defined]

    readers = [threading.Thread(target=drain, args=(n, s))
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode != -9, f"timed out after {timeout} s: {args}"
    return Run(
        proc.returncode,
        chunks["out"].decode("utf-8", "replace"),
        chunks["err"].decode("utf-8", "replace"),
        time.monotonic() - start,
        usage.ru_maxrss * 1024,
    )


def assert_clean_failure(run: Run, expected: str | None = None) -> None:
    """Exit 1, no traceback, only well-formed one-line diagnostics (and `expected` among them)."""
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    for line in run.lines():
        assert DIAGNOSTIC.match(line) or SUMMARY.match(line), f"malformed line: {line!r}"
    assert any(DIAGNOSTIC.match(line) and ": error: " in line for line in run.lines())
    if expected is not None:
        assert expected in run.lines(), f"{expected!r} not in:\n{run.stderr[-3000:]}"
    assert run.peak_rss < MAX_RSS, run.describe()


# --------------------------------------------------------------------------- the corpus
def test_corpus_is_complete() -> None:
    files = {p.name for p in BROKEN.iterdir() if p.suffix in (".yaml", ".yml")}
    assert len(files) >= 40
    assert files == set(EXPECTED), "every corpus file needs an expected line"
    for name, line in EXPECTED.items():
        assert DIAGNOSTIC.match(line) and ": error: " in line, line
        assert line.startswith(name + ":")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lint_reports_the_expected_line(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Per file, in process (fast): exit 1 and exactly the pinned diagnostic."""
    monkeypatch.chdir(BROKEN)
    assert main(["lint", name]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert EXPECTED[name] in lines, "\n".join(lines)
    for line in lines:
        assert DIAGNOSTIC.match(line) or SUMMARY.match(line), f"malformed line: {line!r}"


def test_lint_subprocess_whole_corpus(tmp_path: Path) -> None:
    """The real CLI over the whole corpus in one process: every pinned line, nothing else."""
    run = run_cli(["lint", *sorted(EXPECTED)], BROKEN, tmp_path / "cache")
    assert_clean_failure(run)
    for line in EXPECTED.values():
        assert line in run.lines(), line
    errors = sum(": error: " in line for line in run.lines())
    warnings = sum(": warning: " in line for line in run.lines())
    assert run.lines()[-1] == (
        f"{len(EXPECTED)} contract(s): {errors} error(s), {warnings} warning(s)"
    )


def test_generate_subprocess_whole_corpus_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out" / "pkg"
    run = run_cli(["generate", *sorted(EXPECTED), "-o", str(out)], BROKEN, tmp_path / "cache")
    assert_clean_failure(run)
    for line in EXPECTED.values():
        assert line in run.lines(), line
    assert run.lines()[-1].endswith("error(s); nothing written")
    assert not out.exists() and not out.parent.exists()


# --------------------------------------------------------------------------- resource limits
HEADER = "apiVersion: v3.1.0\nkind: DataContract\nid: x\nname: x\nversion: 1.0.0\nstatus: active\n"


def _twenty_megabytes(folder: Path) -> tuple[str, str]:
    path = folder / "big.yaml"
    path.write_text(HEADER + "description:\n  purpose: " + "a" * (20 * 2**20) + "\n", "utf-8")
    size = path.stat().st_size
    limit = Limits().max_bytes
    return path.name, (
        f"big.yaml: error: file is larger than the limit of {limit} bytes ({size} bytes)"
    )


def _block_nesting(folder: Path) -> tuple[str, str]:
    path = folder / "block_nesting.yaml"
    path.write_text(HEADER + "tags:\n" + "- " * 10_000 + "x\n", "utf-8")
    column = 1 + 2 * 199  # the root mapping and `tags` are two levels, each "- " one more
    return path.name, (
        f"block_nesting.yaml:8:{column}: error: YAML nesting is deeper than the limit of 200 levels"
    )


def _from_corpus(name: str):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> tuple[str, str]:
        (folder / name).write_bytes((BROKEN / name).read_bytes())
        return name, EXPECTED[name]

    return make


RESOURCE_CASES = {
    "alias_bomb": _from_corpus("alias_bomb.yaml"),
    "nesting_10000": _from_corpus("nesting_10000.yaml"),
    "block_nesting_10000": _block_nesting,
    "integer_5000_digits": _from_corpus("integer_too_long.yaml"),
    "twenty_megabytes": _twenty_megabytes,
}


@pytest.mark.parametrize("command", ["lint", "generate"])
@pytest.mark.parametrize("case", sorted(RESOURCE_CASES))
def test_resource_case_is_cheap(case: str, command: str, tmp_path: Path) -> None:
    """Bombs, deep nesting and big files: the pinned error, quickly, in little memory."""
    name, expected = RESOURCE_CASES[case](tmp_path)
    out = tmp_path / "out" / "pkg"
    args = ["lint", name] if command == "lint" else ["generate", name, "-o", str(out)]
    run = run_cli(args, tmp_path, tmp_path / "cache")
    print(f"\n{case} ({command}): {run.describe()}")
    assert_clean_failure(run, expected)
    assert run.seconds < 30, run.describe()
    assert not out.exists()


@pytest.mark.parametrize(
    "command",
    ["lint", "generate"],
)
def test_one_gigabyte_sparse_file_is_refused_without_reading_it(
    command: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(2**30)
    out = tmp_path / "out" / "pkg"
    args = ["lint", path.name] if command == "lint" else ["generate", path.name, "-o", str(out)]
    run = run_cli(args, tmp_path, tmp_path / "cache")
    limit = Limits().max_bytes
    expected = f"huge.yaml: error: file is larger than the limit of {limit} bytes ({2**30} bytes)"
    assert_clean_failure(run, expected)


def test_limits_give_clear_errors() -> None:
    """loader.Limits: each limit is configurable and names itself in the error."""
    text = (HEADER + "tags: [a, b, c]\n").encode()
    small = Limits(max_bytes=len(text) - 1)
    with pytest.raises(Exception, match=rf"larger than the limit of {len(text) - 1} bytes"):
        load_bytes(text, "x.yaml", small)
    nested = (HEADER + "tags: [[[[x]]]]\n").encode()
    with pytest.raises(Exception, match="deeper than the limit of 3 levels") as info:
        load_bytes(nested, "x.yaml", Limits(max_depth=3))
    assert "x.yaml:7:" in str(info.value)
    aliases = (HEADER + "a: &a [x, x, x]\nb: [*a, *a, *a, *a]\n").encode()
    with pytest.raises(Exception, match=r"more than 10 (YAML )?nodes") as info:
        load_bytes(aliases, "x.yaml", Limits(max_nodes=10))
    assert re.search(r"x\.yaml:\d+:\d+: error: ", str(info.value))
    assert load_bytes(text, "x.yaml", Limits(max_bytes=len(text))).data["tags"] == ["a", "b", "c"]


def test_max_nodes_counts_every_node() -> None:
    text = (HEADER + "tags: [" + ", ".join(["a"] * 20) + "]\n").encode()
    with pytest.raises(Exception, match="more than 10 YAML nodes"):
        load_bytes(text, "x.yaml", Limits(max_nodes=10))


# --------------------------------------------------------------------------- paths and output
def test_diagnostic_paths_stay_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "two\nlines.yaml").write_text("just a string\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "two\nlines.yaml"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert all(DIAGNOSTIC.match(line) or SUMMARY.match(line) for line in lines), lines


def test_output_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        HEADER + "schema:\n  - name: t\n    properties:\n      - {name: a, logicalType: string}\n",
        "utf-8",
    )
    (tmp_path / "taken").write_text("not a folder\n", "utf-8")
    run = run_cli(["generate", "c.yaml", "-o", "taken"], tmp_path, tmp_path / "cache")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert (tmp_path / "taken").read_text("utf-8") == "not a folder\n"
