"""A synthetic tree of contracts for the compiler benchmark.

`write_tree(folder, contracts, properties, rules)` writes `contracts` ODCS files into ten
domain folders, each with one schema object of `properties` properties (integer, number and
string in turn, every third one required, the first one unique) and `rules` quality rules
per property drawn from the common kinds (library, dqx custom), plus a row count and a sql
rule per schema object.
"""

from __future__ import annotations

from pathlib import Path

DOMAINS = 10


def _dqx(name: str, check: str, test: str) -> str:
    """A `type: custom, engine: dqx` rule in flow style."""
    return (
        f"{{name: {name}, type: custom, engine: dqx, implementation: {{check: {check}, {test}}}}}"
    )


def _library(name: str, metric: str, rest: str) -> str:
    """A library rule in flow style."""
    return f"{{name: {name}, metric: {metric}, {rest}}}"


def _rules(kind: str, p: str, threshold: int) -> list[str]:
    """The rule templates of a property of logicalType ``kind``, in the order they are used."""
    if kind == "integer":
        return [
            _library(f"{p}_nulls", "nullValues", "mustBe: 0, severity: error"),
            _dqx(f"{p}_min", "min", "mustBeGreaterOrEqualTo: 0"),
            _dqx(f"{p}_max", "max", "mustBeLessOrEqualTo: 1000000"),
            _library(
                f"{p}_duplicates", "duplicateValues", f"unit: percent, mustBeLessThan: {threshold}"
            ),
            _dqx(f"{p}_mean", "mean", "mustBeBetween: [0, 500000]"),
        ]
    if kind == "number":
        return [
            _library(f"{p}_nulls", "nullValues", f"unit: percent, mustBeLessThan: {threshold}"),
            _dqx(f"{p}_mean", "mean", "mustBeBetween: [0, 1000]"),
            _dqx(f"{p}_p90", "percentile", "percentile: 0.9, mustBeLessThan: 5000"),
            _dqx(f"{p}_stddev", "stddev", "mustBeLessThan: 10000"),
            _dqx(f"{p}_sum", "sum", "mustBeGreaterOrEqualTo: 0"),
        ]
    missing = "arguments: {missingValues: [null, '', 'N/A']}, unit: percent"
    return [
        _library(f"{p}_valid", "invalidValues", "arguments: {validValues: [a, b, c]}, mustBe: 0"),
        _library(f"{p}_pattern", "invalidValues", "arguments: {pattern: '[a-z]+'}, mustBe: 0"),
        _library(f"{p}_missing", "missingValues", f"{missing}, mustBeLessThan: {threshold}"),
        _dqx(f"{p}_length", "max_length", "mustBeLessOrEqualTo: 64"),
        _dqx(f"{p}_cardinality", "cardinality", "mustBeLessOrEqualTo: 1000"),
    ]


_TYPES = ("integer", "number", "string")


def contract_text(index: int, properties: int, rules: int, threshold: int = 5) -> str:
    """The YAML of contract number ``index`` (``threshold``: a value a change can bump)."""
    lines = [
        f"# Synthetic benchmark contract {index}.",
        "apiVersion: v3.1.0",
        "kind: DataContract",
        f"id: synthetic-{index:04d}",
        f"name: synthetic_{index:04d}",
        "version: 1.0.0",
        "status: active",
        f"domain: domain_{index % DOMAINS:02d}",
        "description:",
        f"  purpose: Synthetic contract {index} for the compiler benchmark.",
        "schema:",
        f"  - name: table_{index:04d}",
        f"    physicalName: table_{index:04d}",
        "    quality:",
        "      - {name: not_empty, metric: rowCount, mustBeGreaterThan: 0, severity: error}",
        "      - name: no_negative_p0",
        "        type: sql",
        '        query: "SELECT COUNT(*) FROM ${object} WHERE p0 < 0"',
        "        mustBe: 0",
        "    properties:",
    ]
    for number in range(properties):
        kind = _TYPES[number % len(_TYPES)]
        name = f"p{number}"
        lines.append(f"      - name: {name}")
        lines.append(f"        logicalType: {kind}")
        lines.append(f"        description: Property {number} of contract {index}.")
        if number % 3 == 0:
            lines.append("        required: true")
        if number == 0:
            lines.append("        unique: true")
        if rules:
            lines.append("        quality:")
            made = _rules(kind, name, threshold)
            for rule in range(rules):
                lines.append("          - " + made[rule % len(made)])
    return "\n".join(lines) + "\n"


def contract_path(folder: Path, index: int) -> Path:
    """Where contract ``index`` lives in the tree."""
    return folder / f"domain_{index % DOMAINS:02d}" / f"synthetic_{index:04d}.odcs.yaml"


def write_tree(folder: Path, contracts: int, properties: int, rules: int) -> list[Path]:
    """Write the tree; the contract files, in order."""
    paths = []
    for index in range(contracts):
        path = contract_path(folder, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(contract_text(index, properties, rules), encoding="utf-8")
        paths.append(path)
    return paths
