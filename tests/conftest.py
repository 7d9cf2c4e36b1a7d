"""Shared test helpers: compile contracts into a real package in a temp folder and import it."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from odcs_codegen.compiler import build
from odcs_codegen.emit import plan, write
from odcs_codegen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count(1)

HEADER = """\
apiVersion: {api}
kind: DataContract
id: test-contract
name: {name}
version: 1.0.0
status: active
"""


def contract_text(body: str, *, name: str = "tests", api: str = "v3.1.0") -> str:
    """A complete contract: the standard header plus `body` (YAML, dedented)."""
    return HEADER.format(api=api, name=name) + textwrap.dedent(body)


class Generated:
    """A compiled package in a temp folder, importable."""

    def __init__(self, root: Path, package: str, result: Any) -> None:
        self.root = root
        self.package = package
        self.build = result

    def module(self, name: str) -> ModuleType:
        """Import one generated module."""
        return importlib.import_module(f"{self.package}.{name}")


@pytest.fixture
def generate(tmp_path: Path) -> Iterator[Callable[..., Generated]]:
    """Compile contract texts ({file name: YAML}) into a fresh importable package."""
    added: list[str] = []

    def _generate(contracts: dict[str, str], settings: Settings | None = None) -> Generated:
        number = next(_counter)
        source = tmp_path / f"contracts{number}"
        source.mkdir()
        for file_name, text in contracts.items():
            (source / file_name).write_text(text, encoding="utf-8")
        package = f"generated_pkg_{number}"
        root = tmp_path / f"out{number}"
        output = root / package
        result = build([source], output, settings)
        assert not result.failed, "\n".join(d.format() for d in result.diagnostics)
        write(plan(output, result.files))
        sys.path.insert(0, str(root))
        added.append(str(root))
        return Generated(root, package, result)

    yield _generate
    for entry in added:
        sys.path.remove(entry)
