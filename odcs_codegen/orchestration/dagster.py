"""Dagster asset checks: one ``@multi_asset_check`` per dataset (one scan for all its checks),
one ``AssetCheckSpec`` per assertion plus the dataset's schema.

P0 assertions are ``blocking`` with severity ERROR (a failure stops downstream assets); P1-P3
are WARN. The asset key of a dataset comes from a pattern (``{dataset}`` by default; ``/``
separates key parts). The file imports only dagster and the check package.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..naming import Namespace, snake_identifier
from ..render import GENERATOR, environment, format_source
from .facts import DatasetFacts, ModuleFacts, Target

SCHEMA = ""  # the runtime's name for the dataset's schema check (orchestration.SCHEMA)

__all__ = ["ASSET_KEY_FIELDS", "DEFAULT_ASSET_KEY", "asset_key_of", "definitions_file"]

DEFAULT_ASSET_KEY = "{dataset}"
ASSET_KEY_FIELDS = ("dataset", "schema", "module", "contract")
_CHECK_NAME = re.compile(r"[^A-Za-z0-9_]+")
_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class _Spec:
    check: str  # Dagster's check name
    assertion: str  # the assertion's name in reports
    blocking: bool
    severity: str  # ERROR or WARN
    description: str


@dataclass(frozen=True, slots=True)
class _DatasetChecks:
    module: str
    dataset: str
    function: str
    asset_key: tuple[str, ...]
    specs: tuple[_Spec, ...]

    @property
    def key_name(self) -> str:
        """The constant that holds the asset key."""
        return f"{self.function.upper()}_KEY"

    @property
    def specs_name(self) -> str:
        """The constant that maps each check to its assertion and severity."""
        return f"{self.function.upper()}_SPECS"


def asset_key_of(pattern: str, module: ModuleFacts, dataset: DatasetFacts) -> tuple[str, ...]:
    """The asset key of a dataset: ``pattern`` with its fields filled, split at ``/``.
    ValueError names an unknown field."""
    values = {
        "dataset": dataset.name,
        "schema": dataset.schema_name,
        "module": module.module,
        "contract": module.contract,
    }

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in values:
            known = ", ".join("{" + f + "}" for f in ASSET_KEY_FIELDS)
            raise ValueError(f"unknown field {{{name}}} in the asset key (expected: {known})")
        return values[name]

    parts = tuple(part for part in _FIELD.sub(fill, pattern).split("/") if part)
    if not parts:
        raise ValueError(f"the asset key pattern {pattern!r} gives an empty key")
    return parts


def definitions_file(
    modules: Sequence[ModuleFacts], target: Target, asset_key: str, line_length: int
) -> str:
    """The source of the Dagster definitions file of a package's modules."""
    functions = Namespace()
    names: dict[tuple[str, ...], Namespace] = {}  # check names are unique per asset
    checks = []
    for module in modules:
        for dataset in module.datasets:
            key = asset_key_of(asset_key, module, dataset)
            namespace = names.setdefault(key, Namespace())
            checks.append(_dataset_checks(module, dataset, key, functions, namespace))
    text = environment().get_template("dagster_checks.py.jinja").render(
        generator=GENERATOR,
        docstring=_docstring(target, modules),
        package=target.package,
        modules=[module.module for module in modules],
        checks=checks,
    )
    return format_source(text, line_length)


def _dataset_checks(
    module: ModuleFacts,
    dataset: DatasetFacts,
    key: tuple[str, ...],
    functions: Namespace,
    names: Namespace,
) -> _DatasetChecks:
    """One dataset's multi-asset check; ``names`` hands out the check names of its asset."""
    schema = _Spec(
        names.claim("schema"),
        SCHEMA,
        True,
        "ERROR",
        f"the columns of '{dataset.name}' and their types match the contract (P0)",
    )
    specs = [schema]
    for assertion in dataset.assertions:
        name = names.claim(_CHECK_NAME.sub("_", assertion.name).strip("_").lower() or "rule")
        p0 = assertion.severity == "P0"
        description = f"{assertion.name}: {assertion.summary} ({assertion.severity})"
        specs.append(_Spec(name, assertion.name, p0, "ERROR" if p0 else "WARN", description))
    function = functions.claim(snake_identifier(f"{module.module}__{dataset.name}"))
    return _DatasetChecks(module.module, dataset.name, function, key, tuple(specs))


def _docstring(target: Target, modules: Sequence[ModuleFacts]) -> str:
    """What the file defines, how checks map to severities, and its contracts."""
    return "\n".join(
        (
            f"Dagster asset checks of the data contracts in check package '{target.package}'.",
            "",
            "One multi-asset check per dataset runs all of its checks in one scan; each",
            "assertion is one asset check, plus the dataset's schema. P0 assertions are",
            "blocking with severity ERROR (a failure stops downstream assets), P1-P3 are WARN;",
            "the exact value, the threshold and the reason are the check's metadata. A check's",
            "config names its data: `data` (a file, a folder or DB.duckdb::TABLE; default: the",
            "contract's server), `server` and `partition` (COLUMN=VALUE).",
            "",
            "Contracts:",
            *(f"- {target.contract_path(module)}" for module in modules),
        )
    )
