"""Rendering: IR -> Python source through the Jinja templates, then black with a pinned mode."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import ir
from .pycode import comment, docstring, literal, set_literal

if TYPE_CHECKING:  # black and jinja2 are imported when first used: a warm rebuild needs neither
    import black
    import jinja2

RUNTIME_MODULE = "_runtime"
CLI_MODULE = "_cli"
SUPPORT_MODULES = (RUNTIME_MODULE, CLI_MODULE)
"""The modules every package holds besides its contracts' (same text in every package)."""


def templates_dir() -> Path:
    """The templates: inside the installed package (wheel), else the repository's `templates/`."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment: strict undefined, no autoescape, filters py, pyset, comment."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = literal
    env.filters["pyset"] = set_literal
    env.filters["comment"] = comment
    env.filters["doc"] = docstring
    return env


def black_mode(line_length: int = 100) -> black.Mode:
    """The one black mode generated code is formatted with."""
    import black

    return black.Mode(
        target_versions={black.mode.TargetVersion.PY311},
        line_length=line_length,
        string_normalization=True,
        magic_trailing_comma=True,
    )


def format_source(source: str, line_length: int = 100) -> str:
    """`source` formatted by black (idempotent)."""
    import black

    return black.format_str(source, mode=black_mode(line_length))


def render_module(module: ir.Module, line_length: int = 100) -> str:
    """The generated module of one contract."""
    text = environment().get_template("module.py.jinja").render(m=module)
    return format_source(text, line_length)


def render_package_init(modules: Sequence[str], line_length: int = 100) -> str:
    """The package's `__init__.py`, listing its modules."""
    docstring = "Data quality checks generated from ODCS contracts by odcs-codegen."
    text = (
        environment()
        .get_template("__init__.py.jinja")
        .render(docstring=docstring, modules=sorted(modules))
    )
    return format_source(text, line_length)


RUNTIME_LINE_LENGTH = 100


@cache
def render_support(name: str, line_length: int = 100) -> str:
    """A support module of the package (`_runtime.py`, `_cli.py`), the same in every package.

    Its template is kept black-formatted at line length 100 (a test checks it), so black only
    runs for another line length.
    """
    if name not in SUPPORT_MODULES:
        raise ValueError(f"not a support module: {name!r}")
    text = environment().get_template(f"{name}.py.jinja").render()
    return text if line_length == RUNTIME_LINE_LENGTH else format_source(text, line_length)
