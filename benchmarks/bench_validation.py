"""Timings of odcs_codegen.validation, with python-jsonschema as the contrast.

Run `python benchmarks/bench_validation.py` (add `--quick` for fewer repetitions).
`run(quick)` returns (name, seconds) pairs, each the minimum over its repetitions.
"""

from __future__ import annotations

import copy
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from odcs_codegen.diagnostics import Position
from odcs_codegen.validation import core as validation
from odcs_codegen.validation import validate_contract

FILE_V310 = "odcs-json-schema-v3.1.0.json"
BUDGET = 0.100  # seconds for a 500-property contract nested 5 deep


class NoPositions:
    """A PositionLookup without positions (the benchmark measures validation only)."""

    def position(self, path: Sequence[str | int]) -> Position | None:
        return None

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        return None


def contract(fan: Sequence[int], total: int) -> dict[str, Any]:
    """A v3.1.0 contract: object properties nested len(fan) deep, `total` properties in all."""
    numbers = itertools.count()

    def leaf() -> dict[str, Any]:
        n = next(numbers)
        return {
            "name": f"p{n}",
            "logicalType": "string",
            "description": f"property {n}",
            "required": True,
            "logicalTypeOptions": {"maxLength": 20},
            "quality": [{"metric": "nullValues", "mustBe": 0}],
        }

    def level(depth: int) -> list[dict[str, Any]]:
        if depth == len(fan):
            return [leaf() for _ in range(fan[depth - 1])]
        return [
            {"name": f"o{next(numbers)}", "logicalType": "object", "properties": level(depth + 1)}
            for _ in range(fan[depth - 1])
        ]

    properties = level(1)
    while _count(properties) < total:
        properties.append(leaf())
    return {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "id": "bench",
        "version": "1.0.0",
        "status": "active",
        "schema": [{"name": "t", "physicalName": "t", "properties": properties}],
    }


def _count(properties: list[dict[str, Any]]) -> int:
    return sum(1 + _count(p.get("properties", [])) for p in properties)


def broken(data: dict[str, Any]) -> dict[str, Any]:
    """A copy with three mistakes at depths 1, 3 and 5 (null, two operators, unknown key)."""
    data = copy.deepcopy(data)
    node = data["schema"][0]["properties"][0]
    node["description"] = None
    for _ in range(2):
        node = node["properties"][0]
    node["isNullable"] = True
    for _ in range(2):
        node = node["properties"][0]
    node["quality"][0]["mustBeLessThan"] = 5
    return data


def all_broken(data: dict[str, Any]) -> dict[str, Any]:
    """A copy where every leaf property has a null description, two operators, an unknown key."""
    data = copy.deepcopy(data)
    pending = list(data["schema"][0]["properties"])
    while pending:
        node = pending.pop()
        pending.extend(node.get("properties", []))
        if "quality" in node:
            node["description"] = None
            node["quality"][0]["mustBeLessThan"] = 5
            node["isNullable"] = True
    return data


def best(action: Callable[[], object], repeat: int) -> float:
    """Minimum wall time of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def compile_all() -> None:
    """Compile every vendored schema from scratch."""
    validation._validator.cache_clear()  # the module's own lazy cache
    for file in sorted(set(validation._SCHEMA_FILES.values())):
        validation._validator(file)


def run(quick: bool) -> list[tuple[str, float]]:
    """Named timings in seconds (minimum over repetitions)."""
    repeat, slow_repeat = (3, 1) if quick else (15, 3)
    where = NoPositions()
    deep = contract((4, 3, 3, 3, 3), 500)
    deep_broken = broken(deep)
    flat = contract((100,), 100)
    nested = contract((10, 10), 110)
    assert validate_contract(deep, "deep", where) == []
    assert len(validate_contract(deep_broken, "deep", where)) == 3
    results = [("compile all 4 schemas", best(compile_all, repeat))]
    validation._validator(FILE_V310)
    oracle = jsonschema.Draft201909Validator(validation._schema(FILE_V310))
    for name, data in [
        ("validate valid, 500 props depth 5", deep),
        ("validate invalid (3 errors), 500 props depth 5", deep_broken),
        ("validate 100 props depth 1", flat),
        ("validate 110 props depth 2", nested),
    ]:
        results.append((name, best(partial(validate_contract, data, "x", where), repeat)))
    every = all_broken(deep)
    raw = validation._validator(FILE_V310)
    results.append(
        (
            "validate invalid (every property), 500 props",
            best(partial(validate_contract, every, "x", where), repeat),
        )
    )
    results.append(
        ("  of which jsonschema-rs iter_errors", best(lambda: list(raw.iter_errors(every)), repeat))
    )
    for name, data in [
        ("python-jsonschema 100 props depth 1", flat),
        ("python-jsonschema 110 props depth 2", nested),
    ]:
        results.append((name, best(partial(oracle.is_valid, data), slow_repeat)))
    return results


def table(results: list[tuple[str, float]]) -> str:
    """Results as text; ratios: of the budget, or python-jsonschema over validate_contract."""
    times = dict(results)
    lines = [f"{'timing':<50} {'ms':>10}  ratio"]
    for name, seconds in results:
        if name.startswith("python-jsonschema"):
            ours = times[name.replace("python-jsonschema", "validate")]
            ratio = f"{seconds / ours:,.0f}x validate_contract"
        elif "500 props" in name or name.startswith(" "):
            ratio = f"{seconds / BUDGET:.2f} of the 100 ms budget"
        else:
            ratio = ""
        lines.append(f"{name:<50} {seconds * 1000:>10.2f}  {ratio}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(quick="--quick" in sys.argv[1:])))
