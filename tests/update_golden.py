"""Regenerate the golden files: `python tests/update_golden.py` (then review the diff)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from odcs_codegen.compiler import Settings, build
from odcs_codegen.config import Filter
from odcs_codegen.emit import write_atomic
from odcs_codegen.lower import Options

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


if __name__ == "__main__":
    main()
