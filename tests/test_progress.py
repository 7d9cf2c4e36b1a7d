"""Progress bars: shown on a terminal, never in pipes or CI logs."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from odcs_codegen.progress import MIN_ITEMS

from .conftest import contract_text

BAR = "━"  # rich's bar character


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir()
    body = """\
    schema:
      - name: t
        properties:
          - name: id
            logicalType: integer
            required: true
    """
    for number in range(MIN_ITEMS + 5):
        (folder / f"c{number:02}.yaml").write_text(contract_text(body, name=f"c{number}"))
    return folder


def _environment(**extra: str) -> dict[str, str]:
    quiet = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD")
    env = {k: v for k, v in os.environ.items() if k not in quiet}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "100", **extra}


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the command with stdout and stderr on a pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


COMMAND = [sys.executable, "-m", "odcs_codegen.cli"]


def test_a_terminal_shows_a_bar_while_linting(contracts: Path) -> None:
    code, output = _on_a_terminal([*COMMAND, "lint", str(contracts)], contracts, _environment())
    assert code == 0, output
    assert "linting" in output and BAR in output
    assert f"{MIN_ITEMS + 5} contract(s): 0 error(s)" in output


def test_a_terminal_shows_a_bar_while_generating(contracts: Path, tmp_path: Path) -> None:
    args = [*COMMAND, "generate", str(contracts), "-o", str(tmp_path / "pkg")]
    env = _environment(ODCS_CODEGEN_CACHE=str(tmp_path / "cache"))
    code, output = _on_a_terminal(args, contracts, env)
    assert code == 0, output
    assert "compiling" in output and BAR in output


def test_ci_and_pipes_get_no_bar(contracts: Path) -> None:
    code, output = _on_a_terminal(
        [*COMMAND, "lint", str(contracts)], contracts, _environment(CI="true")
    )
    assert code == 0 and BAR not in output and "linting" not in output
    piped = subprocess.run(
        [*COMMAND, "lint", str(contracts)], capture_output=True, text=True, env=_environment()
    )
    assert piped.returncode == 0
    assert BAR not in piped.stderr + piped.stdout and "\x1b[" not in piped.stderr
