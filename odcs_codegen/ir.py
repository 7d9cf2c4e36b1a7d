"""The intermediate representation (IR): everything a template needs, decided and frozen.

    Module                          one per contract file -> one generated Python module
    ├── metadata: Metadata          id, name, version, status, domain, tags, description
    ├── sla: tuple[SlaEntry]        every slaProperties entry (latency resolved, spec 8.2)
    ├── text_rules: tuple[TextRule] `type: text` rules, kept as documentation
    ├── skipped: tuple[SkippedRule] rules that cannot run here, with the reason
    └── checks: tuple[Check]        one per schema[] object -> one @check function
        ├── dataset: Dataset        runtime schema expectations (columns, types, required)
        └── assertions: tuple[Assertion]
                                    one per executable rule: the measured metric (dqx code),
                                    the comparison, name, severity, tags and source position

Lowering (`lower.py`) builds it from a validated contract; templates only print it. All naming,
quoting and decisions happen before: fields ending in `_code` are Python source built by
`pycode`/`dialects`, every other string is data that templates print through the `py` filter
(a checked `repr()` literal) or the `comment` filter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """Where something was written: file (relative to the output folder), line, column."""

    file: str
    line: int
    column: int

    def label(self) -> str:
        """``file:line:column``."""
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Column:
    """A declared property, as the runtime schema check sees it."""

    name: str
    logical_type: str | None
    required: bool
    items: Column | None
    fields: tuple[Column, ...]
    timezone: str | None


@dataclass(frozen=True, slots=True)
class Dataset:
    """A schema object's data: its dataset name (physicalName or name) and columns."""

    name: str
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Assertion:
    """One executable rule: ``ctx.assert_that(actual_code).config(...).validator_code``."""

    name: str
    severity: str
    tags: tuple[str, ...]
    summary: str
    source: Source
    actual_code: str
    validator_code: str


@dataclass(frozen=True, slots=True)
class Check:
    """One @check function: all rules of one schema object."""

    function_name: str
    check_name: str
    schema_name: str
    docstring: str
    dataset: Dataset
    assertions: tuple[Assertion, ...]


@dataclass(frozen=True, slots=True)
class TextRule:
    """A `type: text` rule: documentation only."""

    target: str
    name: str | None
    description: str
    source: Source


@dataclass(frozen=True, slots=True)
class SkippedRule:
    """A rule that cannot run here, and why (also emitted as a warning at compile time)."""

    target: str
    name: str
    reason: str
    source: Source


@dataclass(frozen=True, slots=True)
class SlaEntry:
    """One slaProperties entry; latency entries carry their resolved freshness parameters."""

    property: str
    value: str | int | float | bool | None
    unit: str | None
    element: str | None
    max_age_hours: float | None
    timestamp_column: str | None


@dataclass(frozen=True, slots=True)
class Metadata:
    """Contract identity and documentation."""

    id: str
    name: str | None
    version: str
    status: str
    api_version: str
    domain: str | None
    data_product: str | None
    tags: tuple[str, ...]
    description: str | None


@dataclass(frozen=True, slots=True)
class Module:
    """One generated module (one contract file)."""

    module_name: str
    docstring: str
    suite_name: str
    source_path: str
    source_sha256: str
    dialect: str
    metadata: Metadata
    checks: tuple[Check, ...]
    sla: tuple[SlaEntry, ...]
    servers: tuple[dict[str, str | int | float | bool | None], ...]
    text_rules: tuple[TextRule, ...]
    skipped: tuple[SkippedRule, ...]
