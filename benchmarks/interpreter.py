"""The runtime approach's stand-in for "build the checks": dqlib checks from odcs-codegen's IR.

A tool that interprets a contract on every run must turn its rules into dqlib checks after
reading and validating the YAML. Here odcs-codegen's own lowering decides every metric and
comparison (the structured IR), and `checks()` wraps them in `@check` functions that call the
runtime directly, without generating, formatting or importing a module, which is the least
work such a tool can do. Used by bench_startup (and its profile).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from types import MappingProxyType, ModuleType
from typing import Any

from dqx.api import Context, check
from dqx.provider import MetricProvider

from odcs_codegen import ir
from odcs_codegen.build_model import build
from odcs_codegen.loader import LoadedDocument
from odcs_codegen.lower import lower


def lowered(data: Any, raw: bytes, name: str = "bench") -> ir.Module:
    """The IR of a contract parsed by ``yaml.safe_load`` (no source positions)."""
    doc = LoadedDocument(
        path=f"{name}.odcs.yaml",
        data=data,
        sha256=hashlib.sha256(raw).hexdigest(),
        positions=MappingProxyType({}),
        key_positions=MappingProxyType({}),
    )
    contract = build(doc)
    module, _ = lower(contract, path=doc.path, module_name=name, source_path=f"{name}.odcs.yaml")
    return module


def checks(module: ir.Module, runtime: ModuleType) -> list[Callable[..., None]]:
    """One dqlib check per schema object of ``module``, measuring and comparing its steps."""
    made = []
    for item in module.checks:

        def body(mp: MetricProvider, ctx: Context, item: ir.Check = item) -> None:
            m = runtime.Metrics(mp, ctx, item.dataset.name, module.dialect)
            measured: dict[str, Any] = {}
            for step in item.steps:
                if isinstance(step, ir.Metric):
                    if step.kind == "rows":
                        measured[step.variable] = m.num_rows()
                    else:
                        call = m.sql if step.kind == "sql" else m.query
                        measured[step.variable] = call(step.sql, reads=step.reads)
                    continue
                expectation = m.expect(
                    measured[step.metric.variable],
                    step.name,
                    severity=step.severity,
                    tags=step.tags,
                    at=step.source.label(),
                )
                comparison = step.comparison
                method = getattr(expectation, comparison.method)
                if comparison.operator == "none":
                    method()
                elif comparison.operator in ("between", "not_between"):
                    method(comparison.value, comparison.upper, exclusive=comparison.exclusive)
                else:
                    method(comparison.value)

        body.__name__ = item.function_name
        made.append(check(name=item.check_name, datasets=[item.dataset.name])(body))
    return made
