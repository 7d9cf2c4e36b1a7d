"""Where a job's orchestration files go: the Airflow DAG folder and the Dagster definitions
file, each planned like the package (header, drift check, pruning of our own stale files)."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..emit import HEADER, Plan, plan
from .airflow import AirflowSettings, dag_files
from .dagster import DEFAULT_ASSET_KEY, definitions_file
from .facts import ModuleFacts, Target

__all__ = ["Orchestration", "OrchestrationError", "orchestration_files"]

AIRFLOW_IGNORE = ".airflowignore"
IGNORE_EVERYTHING = (
    f"{HEADER} {__version__}. DO NOT EDIT.\n"
    "# This check package holds no DAGs: Airflow need not parse its modules.\n*\n"
)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_DAG_FILE = re.compile(r"^[A-Za-z0-9_]+_dag\.py$")


class OrchestrationError(ValueError):
    """Orchestration output that cannot be written as configured."""


class Orchestration:
    """A job's orchestration settings: DAG folder, Dagster file, their options."""

    def __init__(
        self,
        package_folder: Path,
        *,
        package: str | None = None,
        airflow_dags: Path | None = None,
        airflow: Mapping[str, Any] | None = None,
        dagster: Path | None = None,
        dagster_asset_key: str | None = None,
    ) -> None:
        self.package_folder = package_folder.absolute()
        self.package = package or package_folder.name
        self.airflow_dags = airflow_dags.absolute() if airflow_dags else None
        self.airflow = AirflowSettings.of(airflow or {})
        self.dagster = dagster.absolute() if dagster else None
        self.dagster_asset_key = dagster_asset_key or DEFAULT_ASSET_KEY

    @property
    def wanted(self) -> bool:
        """Whether the job writes any orchestration file."""
        return self.airflow_dags is not None or self.dagster is not None

    def check(self) -> None:
        """OrchestrationError when the settings cannot work."""
        names = self.package.split(".")
        if not _DOTTED.match(self.package) or any(keyword.iskeyword(n) for n in names):
            raise OrchestrationError(
                f"the package name {self.package!r} cannot be imported; set 'package' to "
                "the import name of the generated package"
            )
        if self.dagster is not None and self.dagster.suffix != ".py":
            raise OrchestrationError(f"{self.dagster}: the Dagster file must be a .py file")
        dags = self.airflow_dags
        inside = dags is not None and self.package_folder in (dags, *dags.parents)
        if inside:
            raise OrchestrationError(
                f"{dags}: the Airflow DAG folder cannot be the package folder or inside it"
            )


def orchestration_files(
    orchestration: Orchestration, facts: Sequence[ModuleFacts], line_length: int
) -> tuple[dict[str, str], list[Plan]]:
    """Files that go into the package (a Dagster file inside it), and the plans of the
    folders outside it. OrchestrationError for settings that cannot work."""
    orchestration.check()
    inside: dict[str, str] = {}
    plans: list[Plan] = []
    package, folder = orchestration.package, orchestration.package_folder
    if orchestration.airflow_dags is not None:
        dags = orchestration.airflow_dags
        files = dag_files(facts, Target(dags, package, folder), orchestration.airflow, line_length)
        plans.append(plan(dags, files, owned=lambda name: _DAG_FILE.match(name) is not None))
        if dags in folder.parents:  # Airflow would parse the package's modules as DAG files
            inside[AIRFLOW_IGNORE] = IGNORE_EVERYTHING
    if orchestration.dagster is not None:
        path = orchestration.dagster
        try:
            target = Target(path.parent, package, folder)
            key = orchestration.dagster_asset_key
            source = definitions_file(facts, target, key, line_length)
        except ValueError as error:
            raise OrchestrationError(f"dagster-asset-key: {error}") from None
        if folder in path.parents:
            inside[path.relative_to(folder).as_posix()] = source
        else:
            plans.append(plan(path.parent, {path.name: source}, owned=lambda name: False))
    return inside, plans
