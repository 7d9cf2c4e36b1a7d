"""Airflow 3 DAG files: one per contract, one task per dataset, scheduled from the SLA.

A DAG imports only Airflow and its check package; it runs each dataset through the package's
``_runtime.orchestration`` and fails the task on a P0 failure, a schema mismatch or
unreadable data (the last is retried, a verdict on the data is not).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..naming import Namespace, snake_identifier
from ..pycode import literal
from ..render import GENERATOR, environment, format_source
from .facts import ModuleFacts, Target
from .schedule import Schedule, schedule_of, span

__all__ = ["AirflowSettings", "dag_file_name", "dag_files", "seconds_of"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.I)
_TASK_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class AirflowSettings:
    """The ``airflow`` configuration table: ``default_args`` of every DAG."""

    retries: int | None = None
    retry_delay: int | None = None  # seconds
    owner: str | None = None

    @classmethod
    def of(cls, table: Mapping[str, object]) -> AirflowSettings:
        """Settings from the (schema-checked) table: ``retries``, ``retry-delay``, ``owner``."""
        retries = table.get("retries")
        delay = table.get("retry-delay")
        owner = table.get("owner")
        return cls(
            retries=retries if isinstance(retries, int) else None,
            retry_delay=None if delay is None else seconds_of(delay),
            owner=owner if isinstance(owner, str) else None,
        )


def seconds_of(value: object) -> int:
    """``"5m"`` -> 300, ``90`` -> 90 (seconds); ValueError for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    found = _DURATION.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"not a duration such as '30s', '5m' or '1h': {value!r}")
    return round(float(found.group(1)) * _SECONDS[(found.group(2) or "s").lower()])


def dag_file_name(module: str) -> str:
    """The DAG file of a module: ``orders_dag.py`` (never the name of a library module)."""
    return f"{module}_dag.py"


def dag_files(
    modules: Sequence[ModuleFacts],
    package: Target,
    settings: AirflowSettings,
    line_length: int,
) -> dict[str, str]:
    """File name -> source of the DAG of every module, for the folder ``package.folder``."""
    return {
        dag_file_name(facts.module): _dag_source(facts, package, settings, line_length)
        for facts in modules
    }


def _dag_source(
    facts: ModuleFacts, target: Target, settings: AirflowSettings, line_length: int
) -> str:
    schedule = schedule_of(facts.sla)
    package = target.package
    text = environment().get_template("airflow_dag.py.jinja").render(
        generator=GENERATOR,
        contract=target.contract_path(facts),
        facts=facts,
        package=package,
        docstring=_docstring(facts, package, schedule.notes + _settings_notes(settings)),
        schedule=_schedule_code(schedule),
        default_args=_default_args(settings),
        tags=list(dict.fromkeys(("odcs", "data-quality", *facts.tags))),
        tasks=_tasks(facts),
    )
    return format_source(text, line_length)


@dataclass(frozen=True, slots=True)
class _Task:
    dataset: str
    task_id: str
    function: str
    param_help: str


def _tasks(facts: ModuleFacts) -> list[_Task]:
    """One task per dataset: a task id Airflow accepts, a function name, its param's help."""
    ids, functions = Namespace(), Namespace()
    return [
        _Task(
            dataset.name,
            ids.claim(_TASK_ID.sub("_", dataset.name).strip("_") or "dataset"),
            functions.claim("check_" + snake_identifier(dataset.name)),
            f"where dataset '{dataset.name}' is (a file, a folder, DB.duckdb::TABLE); empty: "
            f"the Variable {facts.module}.{dataset.name}, else the contract's server",
        )
        for dataset in facts.datasets
    ]


def _docstring(facts: ModuleFacts, package: str, notes: Sequence[str]) -> str:
    """What the DAG does, where its data comes from, and what of the contract it maps."""
    paragraphs = (
            f"Airflow DAG '{facts.module}': the checks of contract '{facts.contract}' "
            f"{facts.version}.",
            "",
            f"One task per dataset runs its checks ({package}.{facts.module}). A P0 failure "
            "or data that does not match its schema fails the task without a retry (a "
            "verdict on the data); unreadable data fails it with retries. P1-P3 failures "
            "are logged and returned. The return value (XCom) is the run's JSON summary "
            "with its failed assertions.",
            "",
            "Data of a dataset: the DAG run's param named like it, else the Airflow Variable "
            f"'{facts.module}.<dataset>', else the contract's server (param 'server' picks "
            "one). Param 'partition' (COLUMN=VALUE) checks one partition.",
            "",
            "Mapped from the contract and the configuration:",
    )
    lines = [line for text in paragraphs for line in textwrap.wrap(text) or [""]]
    for note in notes:
        lines += textwrap.wrap(note, initial_indent="- ", subsequent_indent="  ")
    return "\n".join(lines)


def _schedule_code(schedule: Schedule) -> str:
    """The ``schedule=`` argument: a preset or cron literal, a timedelta, or None."""
    if schedule.cron is not None:
        return literal(schedule.cron)
    if schedule.seconds is not None:
        return f"datetime.timedelta(seconds={schedule.seconds})"
    return "None"


def _default_args(settings: AirflowSettings) -> str:
    """The ``default_args`` dict display of the configured settings."""
    items = []
    if settings.owner is not None:
        items.append(f'"owner": {literal(settings.owner)}')
    if settings.retries is not None:
        items.append(f'"retries": {settings.retries}')
    if settings.retry_delay is not None:
        items.append(f'"retry_delay": datetime.timedelta(seconds={settings.retry_delay})')
    return "{" + ", ".join(items) + "}"


def _settings_notes(settings: AirflowSettings) -> tuple[str, ...]:
    """What the configuration set, in words."""
    if settings.retries is None:
        return ("retries: Airflow's default (configure airflow.retries)",)
    delay = "" if settings.retry_delay is None else f", {span(settings.retry_delay)} apart"
    return (f"retries: {settings.retries}{delay} (configuration)",)
