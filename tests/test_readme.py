"""The README's Python examples run as written, and its commands use options that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
RUNNABLE = [
    b for b in BLOCKS if b.startswith(("import", "from")) and "myproject" not in b
]  # complete programs; snippets that name your own project are not


def test_the_readme_has_runnable_examples() -> None:
    assert len(RUNNABLE) >= 1


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.splitlines()[-1][:40])
def test_a_python_example_runs(block: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip()


COMMANDS = sorted(set(re.findall(r"^\s*(?:\$ )?odcs-codegen ([a-z]+)((?: [^\n#]*)?)", README, re.M)))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c[0]}{c[1][:30]}")
def test_a_readme_command_has_only_known_options(command: tuple[str, str]) -> None:
    name, rest = command
    flags = re.findall(r"(?<!\S)(--[a-z][a-z-]*)", rest)
    helped = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", name, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0, helped.stderr
    for flag in flags:
        assert flag in helped.stdout, f"odcs-codegen {name} has no {flag}"
