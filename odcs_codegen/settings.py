"""What a build depends on besides the contracts: compiler options, input limits, line length.

Kept free of the compiler's stages so that reading a configuration and looking a module up in
the cache (a warm `odcs-codegen run`) import none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "DEFAULT_LINE_LENGTH",
    "DEFAULT_SEVERITIES",
    "Limits",
    "NameFilter",
    "Options",
    "Settings",
]

DEFAULT_LINE_LENGTH = 88
"""black's default, the line length of generated code unless configured."""

DEFAULT_SEVERITIES: Mapping[str, str] = {"error": "P0", "warning": "P1", "info": "P2"}
"""ODCS rule severities -> dqlib P0-P3."""


class NameFilter(Protocol):
    """Include/exclude patterns (`config.Filter`): does any of `names` pass?"""

    def allows(self, *names: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Options:
    """Compiler choices that change generated code (command line or configuration)."""

    dialect: str = "duckdb"
    severities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    default_severity: str = "P1"
    constraint_severity: str = "P1"
    between: Literal["inclusive", "exclusive"] = "inclusive"
    dataset_filter: NameFilter | None = None
    rule_filter: NameFilter | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits that protect the compiler from hostile or broken input."""

    max_bytes: int = 8 * 1024 * 1024  # larger input -> error
    max_depth: int = 200  # nesting of mappings/sequences
    max_nodes: int = 200_000  # YAML nodes, aliases expanded (billion-laughs guard)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build depends on besides the contracts themselves."""

    options: Options = field(default_factory=Options)
    limits: Limits = field(default_factory=Limits)
    line_length: int = DEFAULT_LINE_LENGTH
