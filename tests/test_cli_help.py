"""Every subcommand says what it does in --help, and every argument has a help text."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from odcs_codegen.cli import parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    root = parser()
    (action,) = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_subcommand_has_a_description_and_a_help_line() -> None:
    root = parser()
    (action,) = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    assert {choice.dest: bool(choice.help) for choice in action._choices_actions} == {
        name: True for name in subcommands()
    }
    for name, command in subcommands().items():
        assert command.description, name


def test_every_argument_has_a_help_text() -> None:
    for name, command in subcommands().items():
        missing = [a.dest for a in command._actions if not a.help and a.dest != "help"]
        assert missing == [], f"{name}: {missing}"


def test_init_in_a_new_folder_says_to_cd_there(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", "init", "myproj"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stderr.splitlines()[-1] == (
        "next: cd myproj && odcs-codegen generate && odcs-codegen run contracts/orders.odcs.yaml"
    )


def test_run_takes_one_contract_not_a_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", "run", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"odcs-codegen run: error: {tmp_path}: run takes one contract file, not a folder\n"
    )
