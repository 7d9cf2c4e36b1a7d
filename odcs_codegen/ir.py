"""The intermediate representation (IR): everything the printer needs, decided and frozen.

    Module                          one per contract file -> one generated Python module
    ├── metadata: Metadata          id, name, version, status, domain, tags, description
    ├── sla: tuple[SlaEntry]        every slaProperties entry (latency resolved, spec 8.2)
    ├── text_rules, skipped         `type: text` rules; rules that cannot run, with the reason
    └── checks: tuple[Check]        one per schema[] object -> one @check function
        ├── dataset: Dataset        the columns the data must have (names, types, required)
        └── steps: tuple[Step]      in the contract's order:
            ├── Metric              a value measured on the dataset: SQL in the module's
            │                       dialect (or the row count), the columns it reads
            └── Assertion           a Metric, a Comparison (operator and threshold or
                                    bounds), name, severity, tags, source position

A Metric is defined once, where it is first used; later assertions on the same SQL reuse it.
Lowering (`lower.py`) builds the IR from the contract model; the printer (`render.py` and the
templates) only prints it. Every string here is data: templates print it through the `py`
filter (a checked `repr()` literal), `sql` (a readable literal), `comment` or `doc`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Number = int | float
Scalar = str | int | float | bool | None


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
    required: bool = False
    items: Column | None = None
    fields: tuple[Column, ...] = ()
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    """A schema object's data: its dataset name (physicalName or name), columns and first
    partition key (the column a partition-scoped run restricts, None without one)."""

    name: str
    columns: tuple[Column, ...]
    partition: str | None = None


MetricKind = Literal["sql", "query", "rows"]


@dataclass(frozen=True, slots=True)
class Metric:
    """A value measured on a dataset: an aggregate SQL expression (``sql``), a ``type: sql``
    rule's query (``query``) or dqlib's row count (``rows``), bound to ``variable``."""

    variable: str
    kind: MetricKind
    sql: str
    reads: tuple[str, ...] = ()


Operator = Literal["eq", "neq", "gt", "geq", "lt", "leq", "between", "not_between", "none"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """How an assertion judges its metric: an operator and a threshold or [lower, upper]."""

    operator: Operator
    value: Number = 0
    upper: Number = 0
    exclusive: bool = False

    @property
    def method(self) -> str:
        """The `Expectation` method that makes this comparison."""
        return "noop" if self.operator == "none" else f"is_{self.operator}"


@dataclass(frozen=True, slots=True)
class Assertion:
    """One executable rule: its metric, comparison, name, severity, tags and origin."""

    name: str
    severity: str
    tags: tuple[str, ...]
    summary: str
    source: Source
    metric: Metric
    comparison: Comparison
    unit: str | None = None
    description: str | None = None
    failure: str | None = None


Step = Metric | Assertion


@dataclass(frozen=True, slots=True)
class Check:
    """One @check function: all rules of one schema object, in the contract's order."""

    function_name: str
    check_name: str
    schema_name: str
    docstring: str
    dataset: Dataset
    steps: tuple[Step, ...]

    @property
    def assertions(self) -> tuple[Assertion, ...]:
        """The assertions, in order."""
        return tuple(step for step in self.steps if isinstance(step, Assertion))


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
    value: Scalar
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
    generator: str
    metadata: Metadata
    checks: tuple[Check, ...]
    sla: tuple[SlaEntry, ...]
    servers: tuple[dict[str, Scalar], ...]
    text_rules: tuple[TextRule, ...] = field(default=())
    skipped: tuple[SkippedRule, ...] = field(default=())
