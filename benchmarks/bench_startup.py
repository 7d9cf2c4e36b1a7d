"""2. Start-up: a generated module against interpreting the contract on every run.

The headline rows come first (first_verdict.py): a fresh process until its first verdict,
nothing excluded, against dqlib main's own ODCS interpreter and datacontract-cli. The rows
after them, labelled "partial", isolate what differs between a generated module and a
runtime interpreter by leaving out what both pay; each says what it leaves out.

Generated: import the module (and its `_runtime`) and construct its suite
(`VerificationSuite(checks=CHECKS, ...)`, which builds dqlib's graph).

Runtime approach, what a tool that reads the contract at run time must do every run: import
its libraries, `yaml.safe_load` the contract, validate it against the ODCS JSON Schema
(python-jsonschema, the common choice; jsonschema-rs as the fast alternative), build the
checks (odcs-codegen's own lowering plus `interpreter.checks`, see there) and construct
the same suite.

Each repetition is a fresh Python (`-c`), so no module cache helps; the two approaches
alternate. Both first import what they share (dqlib, duckdb, pyarrow; reported on its own
line) and the clock covers only what differs. In-process rows repeat each stage in one
process for steadier per-stage numbers.
"""

from __future__ import annotations

import compileall
import json
import logging
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import jsonschema_rs
import yaml  # type: ignore[import-untyped,unused-ignore]
from dqx.api import VerificationSuite
from dqx.orm.repositories import InMemoryMetricDB

from . import first_verdict, interpreter
from .common import Row, Timing, both, interleaved, python_child, python_env, speedup, timing_row
from .generated import BENCH_CONTRACT, PACKAGE, generate, import_generated

SECTION = "2. Start-up"
VERDICT_REPEAT = 10  # rounds of the first-verdict headline (fresh processes)
SCHEMA_FILE = "odcs-json-schema-v3.1.0.json"

_SHARED = """
import time
_t0 = time.perf_counter()
import json, logging
import duckdb, pyarrow, pyarrow.parquet, pyarrow.ipc
import dqx.api, dqx.orm.repositories, dqx.provider, dqx.common
if {warm}:
    # dqlib's first suite pays one-time costs (sympy imports sympy.tensor and
    # sympy.combinatorics on its first Add, SQLAlchemy sets up the in-memory metric DB):
    # a throw-away suite with one `metric - threshold` assertion moves them to this part.
    @dqx.api.check(name="warm-up", datasets=["warm"])
    def _warm(mp, ctx):
        ctx.assert_that(mp.custom_sql("COUNT(*)") - 1).config(name="warm").is_geq(0)
    dqx.api.VerificationSuite(
        checks=[_warm], db=dqx.orm.repositories.InMemoryMetricDB(), name="warm",
        log_level=logging.WARNING,
    )
_t1 = time.perf_counter()
times = dict()
times["shared imports"] = _t1 - _t0
"""

GENERATED_CHILD = """
from dqx.api import VerificationSuite
from dqx.orm.repositories import InMemoryMetricDB
start = time.perf_counter()
from {package} import bench
times["import module"] = time.perf_counter() - start
start = time.perf_counter()
suite = VerificationSuite(
    checks=bench.CHECKS, db=InMemoryMetricDB(), name=bench.CONTRACT_NAME, log_level=logging.WARNING
)
times["construct suite"] = time.perf_counter() - start
print(json.dumps(times))
"""

RUNTIME_CHILD = """
from dqx.api import VerificationSuite
from dqx.orm.repositories import InMemoryMetricDB
def step(name, action):
    start = time.perf_counter()
    value = action()
    times[name] = time.perf_counter() - start
    return value
def imports():
    global yaml, jsonschema, jsonschema_rs, interpreter, _runtime
    import yaml
    from benchmarks import interpreter
    from {package} import _runtime
def import_pyjs():
    global jsonschema
    import jsonschema
def import_rs():
    global jsonschema_rs
    import jsonschema_rs
step("import yaml + interpreter", imports)
step("import jsonschema", import_pyjs)
step("import jsonschema_rs", import_rs)
raw = step("read contract", lambda: open({contract!r}, "rb").read())
data = step("yaml.safe_load", lambda: yaml.safe_load(raw))
schema = step("read schema JSON", lambda: json.load(open({schema!r}, encoding="utf-8")))
def python_jsonschema():
    cls = jsonschema.validators.validator_for(schema)
    cls(schema).validate(data)
step("validate (python-jsonschema)", python_jsonschema)
step(
    "validate (jsonschema-rs)",
    lambda: jsonschema_rs.validator_for(schema, validate_formats=False).validate(data),
)
module = step("lower (odcs-codegen IR)", lambda: interpreter.lowered(data, raw))
checks = step("build checks", lambda: interpreter.checks(module, _runtime))
step(
    "construct suite",
    lambda: VerificationSuite(
        checks=checks, db=InMemoryMetricDB(), name="bench", log_level=logging.WARNING
    ),
)
print(json.dumps(times))
"""

COMMON_RUNTIME_STAGES = (
    "import yaml + interpreter",
    "read contract",
    "yaml.safe_load",
    "read schema JSON",
    "lower (odcs-codegen IR)",
    "build checks",
    "construct suite",
)


def schema_path() -> Path:
    """The vendored ODCS v3.1.0 JSON Schema file."""
    return Path(str(resources.files("odcs_codegen").joinpath("schemas", SCHEMA_FILE)))


def child_times(code: str, folder: Path) -> dict[str, float]:
    """Run one child Python with the generated package importable; its stage times."""
    env = python_env()
    env["PYTHONPATH"] = str(folder) + os.pathsep + env["PYTHONPATH"]
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    stdout, _ = python_child(code, env=env)
    times: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    return times


def run(quick: bool) -> list[Row]:
    """The rows of section 2."""
    repeat, warm_repeat = (1, 3) if quick else (10, 30)
    with tempfile.TemporaryDirectory(prefix="odcs-bench-startup-") as temp:
        folder = Path(temp)
        generate(folder)
        # Compile the generated package's bytecode once, as an installed package would have.
        compileall.compile_dir(str(folder / PACKAGE), quiet=1)
        codes: dict[tuple[str, bool], str] = {}
        for warm in (True,) if quick else (True, False):
            codes["generated", warm] = (_SHARED + GENERATED_CHILD).format(
                package=PACKAGE, warm=warm
            )
            codes["runtime", warm] = (_SHARED + RUNTIME_CHILD).format(
                package=PACKAGE, warm=warm, contract=str(BENCH_CONTRACT), schema=str(schema_path())
            )
        samples: dict[tuple[str, bool], list[dict[str, float]]] = {key: [] for key in codes}
        for round_ in range(repeat):
            for key in codes if round_ % 2 == 0 else reversed(list(codes)):
                samples[key].append(child_times(codes[key], folder))
        rows = first_verdict.run(folder, 1 if quick else VERDICT_REPEAT)
        rows += fresh_rows(samples, warm=True)
        if not quick:
            rows += fresh_rows(samples, warm=False)
        rows += warm_rows(folder, warm_repeat)
    return rows


def _timing(samples: list[dict[str, float]], *stages: str) -> Timing:
    return Timing(tuple(sum(sample[stage] for stage in stages) for sample in samples))


def fresh_rows(samples: dict[tuple[str, bool], list[dict[str, float]]], *, warm: bool) -> list[Row]:
    """Rows of the fresh-interpreter measurements (``warm``: dqlib's first suite excluded)."""
    gen_samples, run_samples = samples["generated", warm], samples["runtime", warm]
    generated = _timing(gen_samples, "import module", "construct suite")
    base = COMMON_RUNTIME_STAGES
    pyjs = _timing(run_samples, *base, "import jsonschema", "validate (python-jsonschema)")
    rs = _timing(run_samples, *base, "import jsonschema_rs", "validate (jsonschema-rs)")
    shared = _timing(gen_samples + run_samples, "shared imports")
    label = "partial, dqlib warmed" if warm else "partial, cold dqlib"
    left_out = (
        "excluded from both: importing dqlib/duckdb/pyarrow and dqlib's first-suite sympy imports"
        if warm
        else "excluded from both: importing dqlib/duckdb/pyarrow"
    )
    rows = [
        timing_row(
            SECTION,
            f"{label}: generated import + suite",
            generated,
            unit="ms",
            note=f"baseline; {len(gen_samples)} interpreters each, alternating; {left_out}",
        ),
        timing_row(
            SECTION,
            f"{label}: runtime (python-jsonschema)",
            pyjs,
            unit="ms",
            ratio=both(pyjs, generated, speedup),
            note=f"read + validate + build + suite; {left_out}",
        ),
        timing_row(
            SECTION,
            f"{label}: runtime (jsonschema-rs)",
            rs,
            unit="ms",
            ratio=both(rs, generated, speedup),
            note=f"read + validate + build + suite; {left_out}",
        ),
    ]
    if warm:
        for stage in ("import module", "construct suite"):
            rows.append(
                timing_row(SECTION, f"  generated: {stage}", _timing(gen_samples, stage), unit="ms")
            )
        for stage in RUNTIME_STAGES:
            note = "incl. compiling the schema" if stage.startswith("validate") else ""
            timing = _timing(run_samples, stage)
            rows.append(timing_row(SECTION, f"  runtime: {stage}", timing, unit="ms", note=note))
        rows.append(
            timing_row(
                SECTION,
                "  shared imports + dqlib warm-up suite",
                shared,
                unit="ms",
                note="import dqlib + duckdb + pyarrow, one throw-away suite: not in the totals",
            )
        )
    else:
        rows.append(
            timing_row(
                SECTION,
                "  shared imports",
                shared,
                unit="ms",
                note="import dqlib + duckdb + pyarrow: not in the totals",
            )
        )
    return rows


RUNTIME_STAGES = (
    "import yaml + interpreter",
    "import jsonschema",
    "import jsonschema_rs",
    "read contract",
    "yaml.safe_load",
    "read schema JSON",
    "validate (python-jsonschema)",
    "validate (jsonschema-rs)",
    "lower (odcs-codegen IR)",
    "build checks",
    "construct suite",
)


def warm_rows(folder: Path, repeat: int) -> list[Row]:
    """Per-stage times repeated in this process (imports done, schema compiled per call)."""
    module = import_generated(folder)
    raw = BENCH_CONTRACT.read_bytes()
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    data = yaml.safe_load(raw)
    pyjs_class = jsonschema.validators.validator_for(schema)

    def generated() -> Any:
        return VerificationSuite(
            checks=module.CHECKS, db=InMemoryMetricDB(), name="bench", log_level=logging.WARNING
        )

    def runtime(validate: Any) -> Any:
        parsed = yaml.safe_load(raw)
        validate(parsed)
        checks = interpreter.checks(interpreter.lowered(parsed, raw), module._runtime)
        return VerificationSuite(
            checks=checks, db=InMemoryMetricDB(), name="bench", log_level=logging.WARNING
        )

    timings = interleaved(
        {
            "generated": generated,
            "pyjs": lambda: runtime(lambda d: pyjs_class(schema).validate(d)),
            "rs": lambda: runtime(
                lambda d: jsonschema_rs.validator_for(schema, validate_formats=False).validate(d)
            ),
            "yaml": lambda: yaml.safe_load(raw),
            "pyjs validate": lambda: pyjs_class(schema).validate(data),
            "rs compile": lambda: jsonschema_rs.validator_for(schema, validate_formats=False),
            "lower": lambda: interpreter.lowered(data, raw),
        },
        repeat,
    )
    gen = timings["generated"]
    label = "in-process, per run"
    rows = [
        timing_row(
            SECTION, f"{label}: generated suite construction", gen, unit="ms", note="baseline"
        ),
        timing_row(
            SECTION,
            f"{label}: runtime with python-jsonschema",
            timings["pyjs"],
            unit="ms",
            ratio=speedup(timings["pyjs"].min, gen.min),
            note="generated is this much faster; imports and first-suite costs excluded",
        ),
        timing_row(
            SECTION,
            f"{label}: runtime with jsonschema-rs",
            timings["rs"],
            unit="ms",
            ratio=speedup(timings["rs"].min, gen.min),
            note="generated is this much faster; imports and first-suite costs excluded",
        ),
        timing_row(SECTION, f"  {label}: yaml.safe_load", timings["yaml"], unit="ms"),
        timing_row(
            SECTION, f"  {label}: python-jsonschema validate", timings["pyjs validate"], unit="ms"
        ),
        timing_row(
            SECTION, f"  {label}: jsonschema-rs compile schema", timings["rs compile"], unit="ms"
        ),
        timing_row(SECTION, f"  {label}: odcs-codegen lower", timings["lower"], unit="ms"),
    ]
    return rows


if __name__ == "__main__":  # pragma: no cover
    from .common import format_table

    print(format_table(run("--quick" in sys.argv[1:])))
