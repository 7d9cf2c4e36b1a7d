"""Fuzzing: hostile contract text never becomes code in a generated module.

Hypothesis builds contracts whose names, descriptions, tags, valid values, patterns and sql
string literals hold quotes, triple quotes, backslashes, line breaks of every kind, ``#``,
NUL, unicode look-alikes, Python keywords, names that collide once sanitized, encoding
declarations and ``__import__('os')`` payloads that try to create a sentinel file. Every
contract either fails with clean diagnostics or compiles to a module that

* is UTF-8 Python (no encoding declaration can be smuggled into its first two lines),
  compiles, and is left unchanged by black;
* holds only the AST node kinds, names and calls the templates produce (an allowlist);
* carries contract text only inside string literals and comments (the marker never reaches
  code), with the metadata round-tripping exactly;
* imports and runs on a small table without running anything else (the sentinel file that the
  payloads try to create never appears);
* is byte-identical under two PYTHONHASHSEEDs (subprocess).

The default budget keeps CI fast; ``HYPOTHESIS_PROFILE=long`` runs a long campaign (see
docs/security.md).
"""

from __future__ import annotations

import ast
import importlib
import io
import itertools
import math
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import black
import pyarrow as pa
import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from odcs_codegen.cache import ModuleCache
from odcs_codegen.compiler import Build, build
from odcs_codegen.lower import Options
from odcs_codegen.pycode import comment, literal
from odcs_codegen.render import RUNTIME_PACKAGE, black_mode, runtime_file
from odcs_codegen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "fuzz-ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture
    ],
)
settings.register_profile("long", settings.get_profile("fuzz-ci"), max_examples=2000)
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
FUZZ = settings.get_profile("long" if LONG else "fuzz-ci")
# The subprocess hash-seed test is ~100x dearer per example than the in-process ones.
FUZZ_SUBPROCESS = settings(FUZZ, max_examples=40 if LONG else 2)

MARKER = "PWNQ"  # upper case: sanitized identifiers are lower case, so it never reaches one
SENTINEL_ENV = "ODCS_FUZZ_SENTINEL"
_TOUCH = f"touch \"${SENTINEL_ENV}\""
_OPEN = f"open(__import__('os').environ['{SENTINEL_ENV}'], 'w')"

# Under a smuggled `coding: utf-7` declaration +ACI- decodes to a double quote, so this string
# literal becomes `"x" if __import__("os").system(...) else "y"`.
UTF7_PAYLOAD = f"x+ACI- if __import__(+ACI-os+ACI-).system(+ACI-{_TOUCH}+ACI-) else +ACI-y"
# Fragments that would run code if contract text were ever pasted into code unquoted.
PAYLOADS = (
    f"__import__('os').system('{_TOUCH}')",
    f"'); __import__('os').system('{_TOUCH}'); ('",
    f'"); __import__("os").system("{_TOUCH}"); ("',
    f'"""\n{_OPEN}\n"""',
    f"'''\n{_OPEN}\n'''",
    f"\\\n{_OPEN} #",
    f"x\r{_OPEN}",
    f"x\r\n{_OPEN}",
    f"x\x0c\n{_OPEN}",
    f"x\u2028{_OPEN}",
    f"x\x85{_OPEN}",
    f"{{{{ {_OPEN} }}}}{{% raw %}}",
    f"\\' + {_OPEN} + \\'",
    f'\\" + {_OPEN} + \\"',
    "\\N{BULLET}\\x41\\u0041",
    f"x\" if {_OPEN} else \"y",
    UTF7_PAYLOAD,
    "# -*- coding: utf-7 -*-",
    "vim: set fileencoding=unicode_escape :",
    "# fmt: off",
    "# fmt: skip",
    "# type: ignore",
    f"*/ {_OPEN} /*",
)
PIECES = (
    "'", '"', '"""', "'''", "\\", "\\\\", "\n", "\r\n", "\r", "\t", "#", "\x00", "\x0b", "\x0c",
    "\x1b", "\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\u200b", "\u202e", "\ufeff", "\U0001f600",
    # look-alikes: fullwidth, ligatures, Cyrillic, dotted I, long s, roman numeral, math letters
    "\uff43\uff4c\uff41\uff53\uff53", "\ufb01le", "\u0430dmin", "\u0130", "\u017f", "\u2168",
    "\U0001d4b8", "\u01c5", "\u00df",
    # keywords, soft keywords, builtins, dunders, module names
    "class", "None", "True", "def", "lambda", "match", "type", "_", "print", "__init__",
    "__import__", "_runtime", "_cli", "CHECKS", "run", "main", "check_", "1abc", "0",
    # SQL and template syntax
    "--", "/*", "*/", ";", "$$", "{table}", "${column}", "{property}", "{{", "}}", "{%", "%}",
    "%s", "{0}", "`", "coding=utf-7 ", "coding:latin-1 ",
    MARKER,
)
# Text that must stay text: a mix of pieces, payloads and arbitrary characters.
hostile = st.lists(
    st.one_of(st.sampled_from(PIECES), st.sampled_from(PAYLOADS), st.text(max_size=4)),
    max_size=5,
).map("".join)
marked = st.builds(lambda a, b: a + MARKER + b, hostile, hostile)
# Names end up in SQL identifiers and literals: no NUL there (see test_nul_in_names_*).
name_text = st.one_of(marked, hostile).map(lambda s: s.replace("\x00", "") or MARKER)


def _collision_group(base: str) -> list[str]:
    """Names that sanitize to the same identifier."""
    return [base, base.upper(), f" {base}!", f"{base}__", "\uff10" + base, base.title()]


collide = st.sampled_from(["orders", "class", "_runtime", "1st", "run", "\uff4f\uff52\uff44"])
names = st.one_of(name_text, collide.flatmap(lambda b: st.sampled_from(_collision_group(b))))

# Valid regular expressions holding hostile text (escaped), for arguments.pattern and options.
REGEXES = (r"[A-Z]{2}-[0-9]+", r"^(?:a|b)*$", r"\d+", r"[\"'\\#]*", r".*")
pattern = st.one_of(
    st.sampled_from(REGEXES),
    st.builds(
        lambda text, tail: "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text) + tail,
        hostile.map(lambda s: s.replace("\x00", "")),
        st.sampled_from(["", ".*", "[a-z]?"]),
    ),
)


def sql_string(text: str) -> str:
    """A DuckDB string literal of `text` (NUL removed: DuckDB strings cannot hold it)."""
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


@st.composite
def quality_rules(draw: st.DrawFn, *, on_property: bool) -> list[dict[str, Any]]:
    """A few quality rules with hostile names, descriptions, values and sql literals."""
    rules: list[dict[str, Any]] = []
    for kind in draw(st.lists(st.sampled_from(["null", "valid", "pattern", "missing", "text",
                                                "sql", "white", "rows"]), max_size=4)):
        rule: dict[str, Any] = {}
        if draw(st.booleans()):
            rule["name"] = draw(names)
        if draw(st.booleans()):
            rule["description"] = draw(marked)
        if kind == "rows" or not on_property:
            kind = "sql" if kind == "sql" else "rows"
        if kind == "null":
            rule.update(metric="nullValues", mustBeLessThan=draw(st.integers(0, 5)))
        elif kind == "valid":
            values = draw(st.lists(name_text, min_size=1, max_size=3))
            rule.update(metric="invalidValues", arguments={"validValues": values}, mustBe=0)
        elif kind == "pattern":
            rule.update(metric="invalidValues", arguments={"pattern": draw(pattern)}, mustBe=0)
        elif kind == "missing":
            values = draw(st.lists(st.one_of(name_text, st.none()), max_size=3))
            rule.update(metric="missingValues", arguments={"missingValues": values},
                        mustBeLessOrEqualTo=draw(st.integers(0, 3)))
        elif kind == "text":
            rule.update(type="text", description=draw(marked))
        elif kind == "white":
            values = draw(st.lists(name_text, min_size=1, max_size=3))
            rule.update(type="custom", engine="dqx",
                        implementation={"check": "whitelist", "values": values, "mustBe": 0})
        elif kind == "sql":
            literal_text = sql_string(draw(marked))
            where = "{column} = " if on_property else "'' <> "
            rule.update(
                type="sql",
                query=f"SELECT COUNT(*) FROM {{table}} WHERE {where}{literal_text}",
                mustBeGreaterOrEqualTo=0,
            )
        else:
            rule.update(metric="rowCount", mustBeGreaterOrEqualTo=0)
        rules.append(rule)
    return rules


@st.composite
def properties(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Properties with hostile (case-insensitively distinct) column names."""
    found: list[dict[str, Any]] = []
    columns: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        prop: dict[str, Any] = {"name": draw(names)}
        if draw(st.booleans()):
            prop["physicalName"] = draw(names)
        column = prop.get("physicalName") or prop["name"]
        if column.lower() in columns:
            continue
        columns.add(column.lower())
        prop["logicalType"] = "string"
        if draw(st.booleans()):
            prop["description"] = draw(marked)
        if draw(st.booleans()):
            prop["tags"] = draw(st.lists(marked, max_size=2))
        if draw(st.booleans()):
            prop["required"] = True
        if draw(st.booleans()):
            prop["unique"] = True
        if draw(st.booleans()):
            prop["logicalTypeOptions"] = {"pattern": draw(pattern), "maxLength": 100}
        prop["quality"] = draw(quality_rules(on_property=True))
        found.append(prop)
    return found


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    """A v3.1.0 contract made of hostile text."""
    schemas: list[dict[str, Any]] = []
    datasets: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        schema: dict[str, Any] = {"name": draw(names)}
        if draw(st.booleans()):
            schema["physicalName"] = draw(names)
        dataset = schema.get("physicalName") or schema["name"]
        if dataset.lower() in datasets or schema["name"].lower() in datasets:
            continue
        datasets.update({dataset.lower(), schema["name"].lower()})
        if draw(st.booleans()):
            schema["description"] = draw(marked)
        schema["properties"] = draw(properties())
        schema["quality"] = draw(quality_rules(on_property=False))
        schemas.append(schema)
    contract: dict[str, Any] = {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "id": draw(st.one_of(marked, st.just("fuzz"))),
        # dqlib refuses suite names over 255 characters: test_long_contract_name_still_runs
        "name": draw(st.one_of(marked, hostile).map(lambda s: s[:200])),
        "version": draw(st.one_of(st.just("1.0.0"), marked)),
        "status": draw(st.one_of(st.just("active"), marked)),
        "schema": schemas,
    }
    if draw(st.booleans()):
        contract["domain"] = draw(marked)
    if draw(st.booleans()):
        contract["dataProduct"] = draw(marked)
    if draw(st.booleans()):
        contract["tags"] = draw(st.lists(marked, max_size=3))
    if draw(st.booleans()):
        contract["description"] = {"purpose": draw(marked), "usage": draw(hostile)}
    return contract


def file_part(text: str, fallback: str) -> str:
    """`text` made usable as one path component (no '/', no NUL, short, not '.'/'..')."""
    cleaned = "".join(c for c in text if c not in "/\x00")[:40]
    while len(cleaned.encode("utf-8")) > 60:
        cleaned = cleaned[:-1]
    return cleaned if cleaned.strip(".") else fallback


# Folder and file names are part of the source path printed in the module header comment.
folder_names = st.one_of(
    st.sampled_from(["contracts", "coding=utf-7", "coding:latin-1 x", "-*- coding: utf_7 -*-",
                     "vim: set fileencoding=utf-16 :", "# fmt: off", "x\ny", "a\u2028b"]),
    hostile.map(lambda s: file_part(s, "contracts")),
)
file_names = st.one_of(
    st.sampled_from(["orders", "coding=utf-7 orders", "class", "1st", "__init__", "_runtime"]),
    hostile.map(lambda s: file_part(s, "contract")),
)

# --------------------------------------------------------------------------- the allowlist
# Node kinds of templates/module.py.jinja and templates/__init__.py.jinja (see
# test_allowlist_covers_the_golden_modules): constants, containers, annotations, imports,
# the @check functions with their assertion chains, run() and the __main__ guard.
ALLOWED_NODES = frozenset({
    ast.Module, ast.Expr, ast.Constant, ast.ImportFrom, ast.Import, ast.alias, ast.Assign,
    ast.AnnAssign, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.List, ast.Set,
    ast.Dict, ast.Call, ast.keyword, ast.FunctionDef, ast.arguments, ast.arg, ast.Return,
    ast.BinOp, ast.Sub, ast.Add, ast.BitOr, ast.UnaryOp, ast.USub, ast.If, ast.Compare, ast.Eq,
    ast.Raise, ast.Load, ast.Store,
})


def template_names() -> frozenset[str]:
    """Names the module templates bind: module constants, imports, function parameters."""
    names: set[str] = set()
    for template in ("module.py.jinja", "__init__.py.jinja"):
        text = (ROOT / "templates" / template).read_text("utf-8")
        names.update(re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=", text, re.MULTILINE))
        for imported in re.findall(r"^\s*(?:from \S+ )?import (.+)$", text, re.MULTILINE):
            names.update(part.split(" as ")[-1].strip() for part in imported.split(","))
        names.update(re.findall(r"\b(\w+): (?:MetricProvider|Context|Mapping|bool|str)\b", text))
    return frozenset(names)


ALLOWED_NAMES = template_names() | {
    # builtins the templates use in annotations and the __main__ guard
    "tuple", "list", "str", "bool", "float", "SystemExit", "__name__", "__all__",
}
ALLOWED_IMPORTS = frozenset({
    "__future__", "collections.abc", "typing", "dqx.api", "dqx.provider", "dqx.common",
    None, RUNTIME_PACKAGE,  # `from . import _runtime`, `from ._runtime import Column, ...`
})
# Called as name(...) / obj.attr(...): dotted form of the callee.
ALLOWED_CALLS = frozenset({
    "check", "float", "SystemExit", "Metrics", "Dataset", "Column", "m.sql", "m.query",
    "m.num_rows", "m.expect", "_runtime.run_checks", "_runtime.verify", "cli.main",
})
# Methods called on the result of a call: the expectation's comparison.
ALLOWED_CHAINED = frozenset(
    {"is_eq", "is_neq", "is_gt", "is_geq", "is_lt", "is_leq", "is_between", "is_not_between",
     "noop"}
)
ALLOWED_ATTRIBUTES = frozenset({
    "sql", "query", "num_rows", "expect", "run_checks", "verify", "main", "Report",
    *ALLOWED_CHAINED,
})


def dotted(node: ast.expr) -> str:
    """`a.b.c` for a Name/Attribute chain, else '<expr>'."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return "<expr>"


def check_ast(source: str) -> None:
    """Fail unless `source` uses only what the templates produce."""
    tree = ast.parse(source)
    functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert functions <= {"run", "verify"} | {f for f in functions if f.startswith("check_")}
    for f in functions - {"run", "verify"}:
        assert f.isidentifier() and f.isascii() and f == f.lower(), f
    # locals of check functions: `m = Metrics(...)` and metrics `x = m.sql(...)`
    local_names: set[str] = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and function.name.startswith("check_"):
                (target,) = node.targets
                assert isinstance(target, ast.Name) and target.id.isascii(), ast.dump(node)
                assert isinstance(node.value, ast.Call), ast.dump(node)
                assert dotted(node.value.func) in ("Metrics", "m.sql", "m.query", "m.num_rows")
                local_names.add(target.id)
    for node in ast.walk(tree):
        assert type(node) in ALLOWED_NODES, f"unexpected node {ast.dump(node)[:200]}"
        if isinstance(node, ast.Name):
            allowed = node.id in ALLOWED_NAMES or node.id in functions or node.id in local_names
            assert allowed, f"unexpected name {node.id}"
        elif isinstance(node, ast.Attribute):
            assert node.attr in ALLOWED_ATTRIBUTES, f"unexpected attribute {node.attr}"
        elif isinstance(node, ast.ImportFrom):
            assert node.module in ALLOWED_IMPORTS, f"unexpected import {node.module}"
        elif isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["pyarrow"], "unexpected import"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                assert func.attr in ALLOWED_CHAINED, f"unexpected call .{func.attr}"
            else:
                assert dotted(func) in ALLOWED_CALLS, f"unexpected call {dotted(func)}"
            if dotted(func) == "float":
                assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
                assert node.args[0].value in ("nan", "inf")
            if dotted(func) in ("m.sql", "m.query"):  # SQL is always one string literal
                assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
                assert isinstance(node.args[0].value, str)
                for keyword in node.keywords:  # reads=[column literals]
                    assert keyword.arg == "reads" and isinstance(keyword.value, ast.List)
                    assert all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                               for e in keyword.value.elts)
        elif isinstance(node, ast.Constant):
            assert node.value is ... or isinstance(node.value, str | int | float | bool | None)


def check_tokens(source: str) -> None:
    """The marker appears only in string literals and comments, never in code."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            assert MARKER not in token.string, f"contract text in code: {token}"
        if token.type == tokenize.COMMENT:
            assert token.string.isprintable(), f"unescaped control character in {token}"


def check_files(files: dict[str, str]) -> None:
    """Every output file: the support modules are fixed templates, the others pass the checks."""
    for name, source in files.items():
        folder, _, file = name.rpartition("/")
        assert name.isascii() and file[:-3].isidentifier(), name
        if folder:
            assert folder == RUNTIME_PACKAGE, name
            assert source == runtime_file(file, 88)  # the runtime, copied verbatim
        else:
            check_module_source(source)


def check_module_source(source: str, line_length: int = 88) -> None:
    """Every static property of one generated module."""
    raw = source.encode("utf-8")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    assert encoding == "utf-8", f"generated module declares encoding {encoding!r}"
    compile(raw, "<generated>", "exec", dont_inherit=True)  # bytes: declarations apply
    assert black.format_str(source, mode=black_mode(line_length)) == source
    check_ast(source)
    check_tokens(source)


# --------------------------------------------------------------------------- compile and run
_packages = itertools.count(1)


def write_contract(root: Path, contract: dict[str, Any], folder: str, stem: str) -> Path:
    """Write a contract as YAML (every control character escaped) under root/folder."""
    directory = root / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=False, sort_keys=False, width=1 << 30),
                    encoding="utf-8")
    return path


def compile_paths(paths: list[Path], output: Path, dialect: str = "duckdb") -> Build:
    """Build in-process (no cache); only CompileError-style diagnostics may come out."""
    settings_ = Settings(options=Options(dialect=dialect))
    return build(paths, output, settings_, cache=ModuleCache(None), workers=1)


def clean_failure(result: Build) -> None:
    """A failed build reports one-line diagnostics (the message part: a path holding a line
    break is test_diagnostic_paths_stay_on_one_line) and writes nothing."""
    assert result.failed and not result.files
    for diagnostic in result.diagnostics:
        assert diagnostic.message.isprintable(), diagnostic.format()
        assert "Traceback" not in diagnostic.message


@contextmanager
def imported(files: dict[str, str], root: Path) -> Iterator[dict[str, ModuleType]]:
    """Write `files` as a fresh package under root and import every contract module."""
    package = f"odcs_fuzz_pkg_{next(_packages)}"
    folder = root / package
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield {
            name[:-3]: importlib.import_module(f"{package}.{name[:-3]}")
            for name in sorted(files)
            if name != "__init__.py" and "/" not in name
        }
    finally:
        sys.path.remove(str(root))
        for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[loaded]


def small_table(dataset: Any) -> pa.Table:
    """Three rows for a dataset of string columns (a NULL unless required, a hostile value)."""
    columns = {
        c.name: pa.array(["a", "b" if c.required else None, f"x'\"\\{MARKER}"], pa.string())
        for c in dataset.columns
    }
    return pa.table(columns) if columns else pa.table({"_": pa.array([1, 2, 3])})


@pytest.fixture
def sentinel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The file every payload tries to create; it must never exist."""
    path = tmp_path / "SENTINEL"
    monkeypatch.setenv(SENTINEL_ENV, str(path))
    yield path
    assert not path.exists(), "a payload from a contract was executed"


def sql_text(contract: dict[str, Any]) -> str:
    """All contract text that ends up inside generated SQL, joined."""
    parts: list[str] = []
    for schema in contract["schema"]:
        parts += [schema["name"], schema.get("physicalName") or ""]
        for owner in [schema, *schema["properties"]]:
            parts += [owner["name"], owner.get("physicalName") or ""]
            parts.append(str(owner.get("logicalTypeOptions", "")))
            parts += [str(rule) for rule in owner.get("quality", [])]
    return "".join(parts)


def run_module(module: ModuleType, source: str, contract: dict[str, Any]) -> list[Any]:
    """Run a generated module's checks on small tables: every assertion gets a verdict, and the
    run never raises (a query the database rejects fails only its own assertion)."""
    tables = {d.name: small_table(d) for d in module.DATASETS}
    results = module.run(tables)
    tree = ast.parse(source)
    expected = sum(isinstance(n, ast.Attribute) and n.attr == "expect" for n in ast.walk(tree))
    rules = [r for r in results if "schema" not in r.assertion_tags]
    assert len(rules) == expected
    assert {r.status for r in results} <= {"PASSED", "FAILED"}
    if currently_in_test_context():
        broken = [r for r in results if r.status == "FAILED" and not r.metric.value_or(None)]
        event(f"assertions without a value: {min(len(broken), 3)}+")
    return results


def check_metadata(module: ModuleType, contract: dict[str, Any]) -> None:
    """Contract text comes back exactly, as data."""
    assert contract["id"] == module.CONTRACT_ID
    assert contract["name"] == module.CONTRACT_NAME
    assert contract["version"] == module.CONTRACT_VERSION
    assert contract["status"] == module.CONTRACT_STATUS
    assert contract.get("domain") == module.DOMAIN
    assert contract.get("dataProduct") == module.DATA_PRODUCT
    assert list(module.TAGS) == contract.get("tags", [])
    datasets = [s.get("physicalName") or s["name"] for s in contract["schema"]]
    assert [d.name for d in module.DATASETS] == datasets
    for dataset, schema in zip(module.DATASETS, contract["schema"], strict=True):
        expected = [p.get("physicalName") or p["name"] for p in schema["properties"]]
        assert [c.name for c in dataset.columns] == expected
    texts = [r["description"] for s in contract["schema"] for p in [s, *s["properties"]]
             for r in p.get("quality", []) if r.get("type") == "text"]
    assert sorted(t["description"] for t in module.TEXT_RULES) == sorted(texts)
    functions = [f.__name__ for f in module.CHECKS]
    assert len(set(functions)) == len(functions) == len(contract["schema"])


# --------------------------------------------------------------------------- the tests
@FUZZ
@given(contract=contracts(), folder=folder_names, stem=file_names,
       dialect=st.sampled_from(["duckdb", "duckdb", "bigquery"]))
def test_hostile_contracts_compile_to_inert_modules(
    contract: dict[str, Any], folder: str, stem: str, dialect: str, sentinel: Path
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        path = write_contract(root / "src", contract, folder, stem)
        result = compile_paths([path], root / "out" / "pkg", dialect)
        if result.failed:
            clean_failure(result)
            event(f"clean error: {result.diagnostics[0].message[:40]}")
            return
        event("compiled")
        check_files(result.files)
        if dialect != "duckdb":
            return
        with imported(result.files, root / "pkgs") as modules:
            assert sentinel.parent.exists() and not sentinel.exists()
            ((name, module),) = modules.items()
            check_metadata(module, contract)
            run_module(module, result.files[f"{name}.py"], contract)


@FUZZ
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(hostile, inner, max_size=3)),
    max_leaves=10,
))
def test_literal_round_trips(value: Any) -> None:
    """pycode.literal: any JSON-like value becomes one expression that evaluates back to it."""
    code = literal(value)
    tree = ast.parse(code, mode="eval")
    for node in ast.walk(tree):
        assert type(node) in {ast.Expression, ast.Constant, ast.Tuple, ast.Dict, ast.Load,
                              ast.UnaryOp, ast.USub, ast.Call, ast.Name}, ast.dump(node)
        if isinstance(node, ast.Call):
            assert ast.unparse(node) in ("float('nan')", "float('inf')")
    back = eval(compile(tree, "<literal>", "eval"), {"__builtins__": {"float": float}})
    assert _same(back, value)


def _same(got: Any, expected: Any) -> bool:
    """Equality where lists came back as tuples and NaN equals NaN."""
    if isinstance(expected, list):
        return isinstance(got, tuple) and len(got) == len(expected) and all(
            _same(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, dict):
        return isinstance(got, dict) and list(got) == list(expected) and all(
            _same(got[k], v) for k, v in expected.items())
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(got, float) and math.isnan(got)
    return type(got) is type(expected) and got == expected


@FUZZ
@given(text=st.one_of(hostile, st.text()))
def test_comment_is_one_inert_line(text: str) -> None:
    """pycode.comment: one printable line that never declares a source encoding."""
    line = "# " + comment(text)
    assert line.isprintable()
    assert len(line.splitlines()) == 1
    source = f"{line}\n{line}\nX = 1\n".encode()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    assert encoding == "utf-8"
    tokens = list(tokenize.generate_tokens(io.StringIO(source.decode()).readline))
    assert [t.type for t in tokens[:2]] == [tokenize.COMMENT, tokenize.NL]


@FUZZ_SUBPROCESS
@given(batch=st.lists(contracts(), min_size=2, max_size=4))
def test_output_is_identical_under_two_hash_seeds(batch: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        for index, contract in enumerate(batch):
            write_contract(root / "src", contract, "contracts", f"c{index}")
        outputs = []
        for seed in ("0", "4242"):
            out = root / f"out{seed}" / "pkg"
            env = {**os.environ, "PYTHONHASHSEED": seed,
                   "ODCS_CODEGEN_CACHE": str(root / f"cache{seed}")}
            proc = subprocess.run(
                [sys.executable, "-m", "odcs_codegen.cli", "generate", str(root / "src"),
                 "-o", str(out), "--no-cache"],
                cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
            )
            assert "Traceback" not in proc.stderr, proc.stderr
            assert proc.returncode in (0, 1), proc.stderr
            files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.exists() else {}
            outputs.append((proc.returncode, proc.stderr, files))
        assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------- fixed cases
def hostile_contract(**overrides: Any) -> dict[str, Any]:
    """A compact contract carrying a payload in every text field."""
    payload = PAYLOADS[1] + MARKER
    contract: dict[str, Any] = {
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": "fixed", "name": payload,
        "version": "1.0.0", "status": "active", "domain": UTF7_PAYLOAD,
        "tags": [PAYLOADS[3], PAYLOADS[9]],
        "description": {"purpose": PAYLOADS[2], "usage": PAYLOADS[4]},
        "schema": [{
            "name": payload, "physicalName": 'tbl"; DROP TABLE x; --',
            "properties": [{
                "name": PAYLOADS[5], "physicalName": "col'\"`\n--", "logicalType": "string",
                "required": True,
                "quality": [
                    {"name": PAYLOADS[0], "metric": "invalidValues",
                     "arguments": {"validValues": list(PAYLOADS[:4])}, "mustBe": 0},
                    {"type": "text", "description": PAYLOADS[6]},
                    {"name": PAYLOADS[12], "type": "sql", "mustBeGreaterOrEqualTo": 0,
                     "query": "SELECT COUNT(*) FROM {table} WHERE {column} = "
                              + sql_string(PAYLOADS[15] + " -- /* "),
                     },
                ],
            }],
        }],
    }
    contract.update(overrides)
    return contract


@pytest.mark.parametrize(
    "folder",
    ["coding=utf-7", "coding:utf_7,x", "-*- coding: utf-7 -*-", "vim: fileencoding=utf-7 :",
     "coding=unicode_escape", "coding=latin-1 x", "contracts"],
)
def test_no_encoding_declaration_from_the_source_path(
    folder: str, tmp_path: Path, sentinel: Path
) -> None:
    """The header comment names the contract's path: a folder called `coding=utf-7` must not
    become an encoding declaration (it would turn `+ACI-` in a literal into a quote)."""
    path = write_contract(tmp_path / "src", hostile_contract(), folder, "coding=utf-7 orders")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    assert not result.failed, [d.format() for d in result.diagnostics]
    check_files(result.files)
    with imported(result.files, tmp_path / "pkgs") as modules:
        ((name, module),) = modules.items()
        assert UTF7_PAYLOAD == module.DOMAIN
        run_module(module, result.files[f"{name}.py"], hostile_contract())


def test_fixed_hostile_contract_runs_inert(tmp_path: Path, sentinel: Path) -> None:
    path = write_contract(tmp_path / "src", hostile_contract(), "contracts", "orders")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    assert not result.failed, [d.format() for d in result.diagnostics]
    check_files(result.files)
    with imported(result.files, tmp_path / "pkgs") as modules:
        ((name, module),) = modules.items()
        check_metadata(module, hostile_contract())
        results = run_module(module, result.files[f"{name}.py"], hostile_contract())
        assert {r.status for r in results} <= {"PASSED", "FAILED", "OK"}


def test_allowlist_covers_the_golden_modules() -> None:
    """The allowlist is what the templates produce: the golden modules pass it (the
    orchestration files are another shape, checked by tests/test_orchestration.py)."""
    root = ROOT / "tests" / "golden"
    golden = sorted(root.rglob("*.py"))
    assert golden
    for path in golden:
        parts = path.relative_to(root).parts
        if path.parent.name != RUNTIME_PACKAGE and parts[0] != "orchestration":
            check_ast(path.read_text("utf-8"))


def test_allowlist_rejects_injected_code() -> None:
    for code in ("import os\n", "__import__('os')\n", "X = open('f')\n", "X = eval('1')\n",
                 "X = f'{1}'\n", "X = lambda: 1\n", "X = [a for a in ()]\n",
                 "def check_x(mp, ctx):\n    import os\n", "X = mp.custom_sql(CONTRACT_ID)\n"):
        with pytest.raises(AssertionError):
            check_ast(code)


@pytest.mark.parametrize("field", ["schema", "property", "validValue"])
def test_nul_in_names_is_a_clean_error(field: str, tmp_path: Path) -> None:
    contract = hostile_contract()
    if field == "schema":
        contract["schema"][0]["physicalName"] = "t\x00x"
    elif field == "property":
        contract["schema"][0]["properties"][0]["physicalName"] = "c\x00x"
    else:
        contract["schema"][0]["properties"][0]["quality"][0]["arguments"]["validValues"] = ["\x00"]
    path = write_contract(tmp_path / "src", contract, "contracts", "nul")
    clean_failure(compile_paths([path], tmp_path / "out" / "pkg"))


def test_bigquery_sql_rule_cannot_escape_its_subquery(tmp_path: Path) -> None:
    contract = hostile_contract()
    contract["schema"][0]["properties"][0]["quality"] = [
        {"type": "sql", "mustBe": 0,
         "query": "SELECT 1) AS x FROM t; DROP TABLE t; SELECT (1"},
    ]
    path = write_contract(tmp_path / "src", contract, "contracts", "bq")
    result = compile_paths([path], tmp_path / "out" / "pkg", "bigquery")
    clean_failure(result)


def test_generated_package_imports_in_a_fresh_process(tmp_path: Path) -> None:
    """The fixed hostile contract's package, written to disk, imports in a new interpreter
    (bytes read by Python itself, encoding detection included) without running a payload."""
    path = write_contract(tmp_path / "src", hostile_contract(), "contracts", "orders")
    out = tmp_path / "out" / "pkg"
    result = compile_paths([path], out)
    out.mkdir(parents=True)
    for name, text in result.files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    env = {**os.environ, SENTINEL_ENV: str(tmp_path / "SENTINEL")}
    proc = subprocess.run(
        [sys.executable, "-c", "import pkg.orders as m; print(len(m.CHECKS))"],
        cwd=out.parent, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "1", proc.stderr
    assert not (tmp_path / "SENTINEL").exists()


@pytest.mark.parametrize("name", ["n" * 300, " \t "])
def test_long_contract_name_still_runs(name: str, tmp_path: Path) -> None:
    contract = hostile_contract(name=name)
    path = write_contract(tmp_path / "src", contract, "contracts", "long")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    assert not result.failed
    with imported(result.files, tmp_path / "pkgs") as modules:
        ((name, module),) = modules.items()
        run_module(module, result.files[f"{name}.py"], {"schema": []})


def test_backslash_literals_survive_dqlib(tmp_path: Path) -> None:
    contract = hostile_contract()
    prop = contract["schema"][0]["properties"][0]
    prop["quality"] = [{"name": "valid", "metric": "invalidValues", "mustBe": 0,
                        "arguments": {"validValues": ["a\\", "Select"]}}]
    path = write_contract(tmp_path / "src", contract, "contracts", "backslash")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    assert not result.failed
    with imported(result.files, tmp_path / "pkgs") as modules:
        (module,) = modules.values()
        (dataset,) = module.DATASETS
        table = pa.table({dataset.columns[0].name: pa.array(["Select", "a\\"])})
        outcomes = {r.assertion: r for r in module.run({dataset.name: table})}
        assert outcomes["valid"].status == "PASSED", outcomes["valid"]


def test_huge_integers_become_literals() -> None:
    """repr() of an int beyond sys.get_int_max_str_digits() raises: literal() falls back to hex."""
    for value in (16**5000, -(16**5000), 10**4299):
        assert eval(literal(value)) == value


@pytest.mark.parametrize("number", ["1" + "0" * 400, "0x" + "f" * 4000])
def test_huge_operator_value_is_a_clean_error(number: str, tmp_path: Path) -> None:
    contract = hostile_contract()
    contract["schema"][0]["quality"] = [{"metric": "rowCount", "mustBe": 0}]
    path = write_contract(tmp_path / "src", contract, "contracts", "huge")
    path.write_text(path.read_text("utf-8").replace("mustBe: 0", f"mustBe: {number}"), "utf-8")
    clean_failure(compile_paths([path], tmp_path / "out" / "pkg"))


def test_placeholders_inside_sql_strings_stay_text(tmp_path: Path) -> None:
    contract = hostile_contract()
    prop = contract["schema"][0]["properties"][0]
    prop["physicalName"] = "it's"
    prop["quality"] = [{"name": "q", "type": "sql", "mustBe": 0,
                        "query": "SELECT COUNT(*) FROM {table} WHERE {column} = '{column}'"}]
    path = write_contract(tmp_path / "src", contract, "contracts", "placeholders")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    assert not result.failed, [d.format() for d in result.diagnostics]
    calls = [n for n in ast.walk(ast.parse(result.files["placeholders.py"]))
             if isinstance(n, ast.Call) and dotted(n.func) == "m.query"]
    (sql,) = [c.args[0].value for c in calls if "SELECT" in c.args[0].value]
    assert "\"it's\" = '{column}'" in sql, sql


def test_sql_rules_cannot_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2", "utf-8")
    contract = hostile_contract()
    contract["schema"][0]["quality"] = [{
        "name": "exfiltrate", "type": "sql", "mustBe": 0,
        "query": f"SELECT length(content) FROM read_text({sql_string(str(secret))})",
    }]
    path = write_contract(tmp_path / "src", contract, "contracts", "exfil")
    result = compile_paths([path], tmp_path / "out" / "pkg")
    if result.failed:
        return  # refused at compile time: fixed
    with imported(result.files, tmp_path / "pkgs") as modules:
        (module,) = modules.values()
        (dataset,) = module.DATASETS
        outcomes = module.run({dataset.name: small_table(dataset)})
        leaked = [r for r in outcomes if r.assertion == "exfiltrate"]
        assert leaked and leaked[0].metric.value_or(None) != len("hunter2"), leaked
