"""The runtime of the check packages generated from ODCS data contracts.

odcs-codegen copies this package verbatim into every generated package (as ``_runtime``), so a
package needs only dqlib, pyarrow and its engine, never odcs-codegen; ``odcs-codegen run`` uses
it in place. Its modules, by concern:

* ``schema``: the declared shape of a dataset (``Column``, ``Dataset``) and its check against
  the data's Arrow schema;
* ``measure``: what generated check functions call (``Metrics``, exact ``Expectation``s);
* ``suite``: running the checks so that every assertion gets a verdict (``execute``);
* ``engines``: which engine runs a package's checks (``duckdb_source`` with ``duckdb_files``,
  ``spark_source`` with ``spark_types``; a package carries only its own), ``files``: what the
  engines' sources share (formats, folders, partitions), ``opening``: data from the command
  line and the contract's servers;
* ``report``, ``formats``, ``html_report``: reports; ``cli``: the command line;
* ``orchestration``: one dataset's run for generated scheduled tasks and asset checks;
* ``versions``: the dqlib versions it supports (checked when ``measure`` is imported).

The names below are loaded when first used, so importing the package alone is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # explicit re-exports for type checkers; loaded lazily below
    from .duckdb_source import TableSource as TableSource  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from .duckdb_source import Workspace as Workspace  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from .errors import ContractValidationError as ContractValidationError
    from .errors import ContractWarning as ContractWarning
    from .errors import SchemaValidationError as SchemaValidationError
    from .errors import UsageError as UsageError
    from .files import Partition as Partition
    from .measure import Metrics as Metrics
    from .measure import outside as outside
    from .report import Report as Report
    from .report import verify as verify
    from .schema import Column as Column
    from .schema import Dataset as Dataset
    from .schema import schema_problems as schema_problems
    from .schema import validate_schema as validate_schema
    from .spark_source import SparkSource as SparkSource  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from .suite import Outcome as Outcome
    from .suite import Run as Run
    from .suite import execute as execute
    from .suite import open_data as open_data
    from .suite import run_checks as run_checks
    from .suite import run_data as run_data

_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("TableSource", "Workspace"), "duckdb_source"),
    **dict.fromkeys(
        (
            "ContractValidationError",
            "ContractWarning",
            "SchemaValidationError",
            "UsageError",
        ),
        "errors",
    ),
    **dict.fromkeys(("Metrics", "outside"), "measure"),
    "Partition": "files",
    "SparkSource": "spark_source",
    **dict.fromkeys(("Report", "verify"), "report"),
    **dict.fromkeys(
        ("Column", "Dataset", "schema_problems", "validate_schema"), "schema"
    ),
    **dict.fromkeys(
        ("Outcome", "Run", "execute", "open_data", "run_checks", "run_data"), "suite"
    ),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
