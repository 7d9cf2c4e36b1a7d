"""The runtime approach's stand-in for "build the checks": dqlib checks from odcs-codegen's IR.

A tool that interprets a contract on every run must turn its rules into dqlib checks after
reading and validating the YAML. Here odcs-codegen's own lowering decides every metric and
comparison (the IR holds each assertion's Python expression), and `checks()` wraps them in
`@check` functions without generating, formatting or importing a module, which is the least
work such a tool can do. Used by bench_startup (and its profile).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from types import CodeType, MappingProxyType, ModuleType
from typing import Any

from dqx.api import Context, check
from dqx.provider import MetricProvider

from odcs_codegen import ir
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
    module, _ = lower(doc, module_name=name, source_path=f"{name}.odcs.yaml")
    return module


def checks(module: ir.Module, runtime: ModuleType) -> list[Callable[..., None]]:
    """One dqlib check per schema object of ``module``, evaluating its assertions' expressions."""
    made = []
    for item in module.checks:
        steps: list[tuple[CodeType, str, str, set[str], CodeType]] = [
            (
                compile(a.actual_code, a.name, "eval"),
                a.name,
                a.severity,
                set(a.tags),
                compile("_builder." + a.validator_code, a.name, "eval"),
            )
            for a in item.assertions
        ]

        def body(mp: MetricProvider, ctx: Context, steps: list[Any] = steps) -> None:
            scope: dict[str, Any] = {"mp": mp, "_runtime": runtime}
            for actual, name, severity, tags, validator in steps:
                builder = ctx.assert_that(eval(actual, scope)).config(
                    name=name, severity=severity, tags=tags
                )
                eval(validator, {"_builder": builder})

        body.__name__ = item.function_name
        made.append(check(name=item.check_name, datasets=[item.dataset.name])(body))
    return made
