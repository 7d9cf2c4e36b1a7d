"""Regenerate the golden files: `python tests/update_golden.py` (then review the diff)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from odcs_codegen.compiler import build
from odcs_codegen.config import Filter
from odcs_codegen.emit import write_atomic
from odcs_codegen.lower import Options
from odcs_codegen.settings import Settings

GOLDEN = Path(__file__).resolve().parent / "golden"
DIALECTS = ("duckdb", "spark", "bigquery")
REFUSED = {"spark": Filter(excludes=("^sql with placeholders$",))}
"""Rules a dialect refuses (Spark reads the rule's "select" as a string), left out of its golden."""


def golden_build(dialect: str) -> dict[str, str]:
    """The generated files of the golden contracts in one dialect."""
    output = GOLDEN / dialect
    options = Options(dialect=dialect, rule_filter=REFUSED.get(dialect))
    result = build([GOLDEN / "contracts"], output, Settings(options=options))
    if result.failed:
        raise SystemExit("\n".join(d.format() for d in result.diagnostics))
    return result.files


ORCHESTRATION = GOLDEN / "orchestration"
EXAMPLES = GOLDEN.parent.parent / "examples" / "contracts"


def orchestration_build() -> dict[str, str]:
    """The Airflow DAGs and the Dagster file of the examples, for a package `dq_checks`
    generated beside them (paths relative to tests/golden/orchestration/)."""
    from odcs_codegen.orchestration.outputs import Orchestration, orchestration_files

    package = ORCHESTRATION / "dq_checks"
    result = build([EXAMPLES], package)
    settings = Orchestration(
        package,
        airflow_dags=ORCHESTRATION / "dags",
        airflow={"retries": 2, "retry-delay": "5m", "owner": "data-platform"},
        dagster=ORCHESTRATION / "dagster_checks.py",
        dagster_asset_key="warehouse/{dataset}",
    )
    _, plans = orchestration_files(settings, result.facts, 88)
    return {
        (target.output / name).relative_to(ORCHESTRATION).as_posix(): text
        for target in plans
        for name, text in target.files.items()
    }


CONFIG_SCHEMA = Path(__file__).resolve().parent.parent / "odcs_codegen" / "config.schema.json"


def config_schema_text() -> str:
    """config.schema.json as the options table makes it."""
    import json

    from odcs_codegen.options import config_schema

    return json.dumps(config_schema(), indent=2) + "\n"


def main() -> None:
    """Rewrite tests/golden/<dialect>/ from tests/golden/contracts/, and config.schema.json."""
    CONFIG_SCHEMA.write_text(config_schema_text(), encoding="utf-8")
    for dialect in DIALECTS:
        files = golden_build(dialect)
        target = GOLDEN / dialect
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name, content in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target / name, content)
        print(f"{target.relative_to(GOLDEN.parent.parent)}: {len(files)} files")
    shutil.rmtree(ORCHESTRATION, ignore_errors=True)
    for name, content in orchestration_build().items():
        (ORCHESTRATION / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(ORCHESTRATION / name, content)
    print(f"tests/golden/orchestration: DAGs and Dagster checks of {EXAMPLES.name}/")


if __name__ == "__main__":
    main()
