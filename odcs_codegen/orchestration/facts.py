"""What orchestration code needs to know of a compiled contract, small enough to cache.

The module cache keeps a contract's generated source, not its IR; these facts travel with the
source so that DAGs and asset checks are generated without compiling unchanged contracts again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import ir

__all__ = ["AssertionFacts", "DatasetFacts", "ModuleFacts", "SlaFacts", "Target", "facts_of"]


@dataclass(frozen=True, slots=True)
class AssertionFacts:
    """One assertion: its name as reports show it, severity, what it checks, where it is written."""

    name: str
    severity: str
    summary: str
    source: str


@dataclass(frozen=True, slots=True)
class DatasetFacts:
    """One dataset and its assertions, in the contract's order."""

    name: str
    schema_name: str
    partition: str | None
    assertions: tuple[AssertionFacts, ...]


@dataclass(frozen=True, slots=True)
class SlaFacts:
    """One slaProperties entry, as written."""

    property: str
    value: ir.Scalar
    unit: str | None
    element: str | None


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """A compiled contract: its module, contract name and version, datasets and SLA."""

    module: str
    contract: str
    version: str
    description: str | None
    source_path: str
    dialect: str
    tags: tuple[str, ...]
    datasets: tuple[DatasetFacts, ...]
    sla: tuple[SlaFacts, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``from_json`` reads it back)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModuleFacts:
        """Facts from ``to_json`` data; KeyError or TypeError when it is not such data."""
        datasets = tuple(
            DatasetFacts(
                d["name"],
                d["schema_name"],
                d["partition"],
                tuple(AssertionFacts(**a) for a in d["assertions"]),
            )
            for d in data["datasets"]
        )
        sla = tuple(SlaFacts(**s) for s in data["sla"])
        plain = {k: data[k] for k in ("module", "contract", "version", "description")}
        return cls(
            **plain,
            source_path=data["source_path"],
            dialect=data["dialect"],
            tags=tuple(data["tags"]),
            datasets=datasets,
            sla=sla,
        )


@dataclass(frozen=True, slots=True)
class Target:
    """Where orchestration code goes and how it imports its check package."""

    folder: Path  # the folder the generated file goes in
    package: str  # the import name of the check package
    package_folder: Path  # where the check package is generated

    def contract_path(self, facts: ModuleFacts) -> str:
        """A module's contract relative to ``folder``, with forward slashes."""
        contract = os.path.normpath(self.package_folder / facts.source_path)
        return PurePosixPath(*Path(os.path.relpath(contract, self.folder)).parts).as_posix()


def facts_of(module: ir.Module) -> ModuleFacts:
    """The facts of a lowered module."""
    datasets = tuple(
        DatasetFacts(
            check.dataset.name,
            check.schema_name,
            check.dataset.partition,
            tuple(
                AssertionFacts(a.name, a.severity, a.summary, a.source.label())
                for a in check.assertions
            ),
        )
        for check in module.checks
    )
    return ModuleFacts(
        module=module.module_name,
        contract=module.metadata.name or module.module_name,
        version=module.metadata.version,
        description=module.metadata.description,
        source_path=module.source_path,
        dialect=module.dialect,
        tags=module.metadata.tags,
        datasets=datasets,
        sla=tuple(SlaFacts(s.property, s.value, s.unit, s.element) for s in module.sla),
    )
