"""Identifiers derived from contract names: valid, stable, distinct; the real name stays a literal.

Check functions are named after dataset names and modules after contract file names. Names that
differ only by case, punctuation or NFKC normalization, Python keywords, soft keywords and
builtins, leading digits and empty names must all give valid ASCII identifiers that never shadow
anything, the same ones on every run, and distinct ones where they share a namespace. Two
contract files that would become the same module are an error naming both files.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import os
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odcs_codegen.cache import ModuleCache
from odcs_codegen.cli import main
from odcs_codegen.compiler import build
from odcs_codegen.naming import Namespace, module_name, snake_identifier, unique_label
from odcs_codegen.render import RUNTIME_PACKAGE, runtime_names

FUZZ = settings(max_examples=200, deadline=None)
FUZZ_COMPILE = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

TRICKY = [
    "orders", "Orders", "ORDERS", "orders!", " orders ", "or-ders", "or.ders", "or ders",
    "\uff4f\uff52\uff44\uff45\uff52\uff53",  # fullwidth "orders": NFKC-equal to "orders"
    "OrderItems", "order_items", "orderItems", "ORDER__ITEMS",
    "class", "def", "None", "True", "lambda", "match", "case", "type", "_",
    "print", "list", "id", "__import__", "__init__", "__name__", "_runtime", "run", "main",
    "CHECKS", "DATASETS", "check", "check_", "1st", "2024_orders", "0", "",
    " ", "!!!", "\u00df", "\ufb01le", "file", "\u2168", "\u01c5", "\u0130", "\u017f",
    "\U0001d4b8lass", "\u0430dmin", "admin", "\u65e5\u672c", "caf\u00e9", "cafe\u0301",
    "a\u200bb", "\u202eevil", "x\ny", "tab\there", "quote'\"", "back\\slash",
]
SHADOWABLE = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def is_safe_identifier(name: str) -> bool:
    """ASCII, a Python identifier, not a keyword, soft keyword or builtin, NFKC-stable."""
    return (
        name.isascii()
        and name.isidentifier()
        and name not in SHADOWABLE
        and unicodedata.normalize("NFKC", name) == name
    )


# --------------------------------------------------------------------------- naming.py
@pytest.mark.parametrize("name", TRICKY)
@pytest.mark.parametrize("prefix", ["", "contract"])
def test_snake_identifier_is_safe_and_idempotent(name: str, prefix: str) -> None:
    result = snake_identifier(name, prefix=prefix)
    assert is_safe_identifier(result), (name, result)
    assert result == result.lower()
    assert snake_identifier(result, prefix=prefix) == result
    assert snake_identifier(name, prefix=prefix) == result  # deterministic


@FUZZ
@given(name=st.text(), prefix=st.sampled_from(["", "contract", "check"]))
def test_snake_identifier_of_any_text(name: str, prefix: str) -> None:
    result = snake_identifier(name, prefix=prefix)
    assert is_safe_identifier(result), (name, result)
    assert snake_identifier(result, prefix=prefix) == result


@FUZZ
@given(names=st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=8)), max_size=30))
def test_namespace_hands_out_distinct_stable_identifiers(names: list[str]) -> None:
    def claim_all() -> list[str]:
        space = Namespace(frozenset({"run", "main", "CHECKS", "DATASETS"}))
        return [space.claim("check_" + snake_identifier(n).lstrip("_")) for n in names]

    first = claim_all()
    assert first == claim_all()
    assert len(set(first)) == len(first)
    normalized = {unicodedata.normalize("NFKC", f) for f in first}
    assert len(normalized) == len(first)
    assert all(is_safe_identifier(f) and f.startswith("check_") for f in first)


@FUZZ
@given(labels=st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=300)), max_size=20))
def test_unique_label_gives_distinct_dqlib_names(labels: list[str]) -> None:
    taken: set[str] = set()
    out = [unique_label(label, taken) for label in labels]
    assert len(set(out)) == len(out)
    for label in out:
        assert 0 < len(label) <= 255
        assert label == label.strip()  # dqlib strips names; a stripped twin would collide


def test_unique_label_cut_never_ends_in_a_space() -> None:
    """Regression: "a"*254 + " b" was cut to "a"*254 + " ", which dqlib strips to "a"*254, the
    label of the next rule: the suite failed with duplicate_assertion_names."""
    taken: set[str] = set()
    first = unique_label("a" * 254 + " b", taken)
    second = unique_label("a" * 254, taken)
    assert first == first.strip() and second == second.strip()
    assert first != second
    third = unique_label("a" * 250 + " bcdefgh", taken)
    assert third == third.strip() and len(third) <= 255 and third not in (first, second)


# --------------------------------------------------------------------------- generated modules
def quoted(text: str) -> str:
    """A YAML double-quoted scalar of `text` (every special character escaped)."""
    return yaml.safe_dump(text, default_style='"', width=1 << 30, allow_unicode=False).strip()


def contract(datasets: list[str], name: str = "identifiers") -> str:
    """A contract with one schema object per dataset name."""
    body = "".join(
        f"  - name: {quoted(f'schema {i}')}\n"
        f"    physicalName: {quoted(d)}\n"
        f"    properties:\n"
        f"      - {{name: {quoted(d or 'c')}, logicalType: string, required: true}}\n"
        for i, d in enumerate(datasets)
    )
    return textwrap.dedent(f"""\
        apiVersion: v3.1.0
        kind: DataContract
        id: identifiers
        name: {quoted(name)}
        version: 1.0.0
        status: active
        schema:
        """) + body


def compiled(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    source = tmp_path / "contracts"
    source.mkdir(parents=True, exist_ok=True)
    for file_name, text in files.items():
        (source / file_name).write_text(text, "utf-8")
    result = build([source], tmp_path / "out" / "pkg", cache=ModuleCache(None), workers=1)
    assert not result.failed, [d.format() for d in result.diagnostics]
    return result.files


def check_functions(source: str) -> list[tuple[str, str, list[str]]]:
    """(function name, check name literal, datasets literal) of every @check function."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name not in ("run", "verify"):
            (decorator,) = node.decorator_list
            assert isinstance(decorator, ast.Call)
            kwargs = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
            found.append((node.name, kwargs["name"], kwargs["datasets"]))
    return found


DATASET_GROUPS = {
    "case and punctuation": ["orders", "Orders", "ORDERS!", "or-ders", " orders"],
    "nfkc": ["orders", "\uff4f\uff52\uff44\uff45\uff52\uff53", "\U0001d428rders"],
    "keywords and builtins": ["class", "def", "print", "list", "match", "_", "None", "__import__"],
    "module level names": ["run", "main", "CHECKS", "DATASETS", "check", "check_", "_runtime", "_cli"],
    "digits and nothing": ["1st", "2024", "0", "!!!", "\u00df", "\u65e5\u672c"],
    "suffix clash": ["orders", "orders_2", "orders 2", "Orders"],
}


@pytest.mark.parametrize("group", sorted(DATASET_GROUPS))
def test_check_functions_are_distinct_valid_and_keep_the_real_name(
    group: str, tmp_path: Path
) -> None:
    datasets = DATASET_GROUPS[group]
    files = compiled(tmp_path, {"c.yaml": contract(datasets)})
    functions = check_functions(files["c.py"])
    names = [f for f, _, _ in functions]
    assert len(set(names)) == len(names) == len(datasets)
    assert all(is_safe_identifier(n) and n.startswith("check_") for n in names), names
    assert [d for _, _, (d,) in functions] == datasets  # the real names, as literals
    assert [label for _, label, _ in functions] == [
        f"Contract: identifiers ({d})" for d in datasets
    ]
    again = compiled(tmp_path / "again", {"c.yaml": contract(datasets)})
    assert [f for f, _, _ in check_functions(again["c.py"])] == names  # stable


@FUZZ_COMPILE
@given(datasets=st.lists(
    st.one_of(
        st.sampled_from([n for n in TRICKY if n]),
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=6),
    ),
    min_size=1, max_size=6, unique=True,
))
def test_any_dataset_names_give_distinct_functions(
    datasets: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp_path = tmp_path_factory.mktemp("ids")
    files = compiled(tmp_path, {"c.yaml": contract(datasets)})
    functions = check_functions(files["c.py"])
    names = [f for f, _, _ in functions]
    assert len(set(names)) == len(names) == len(datasets)
    assert all(is_safe_identifier(n) for n in names)
    assert [d for _, _, (d,) in functions] == datasets


def test_identifiers_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    source = tmp_path / "contracts"
    source.mkdir()
    all_names = [n for group in DATASET_GROUPS.values() for n in group]
    (source / "c.yaml").write_text(contract(list(dict.fromkeys(all_names))), "utf-8")
    for file_name in ("Class.yaml", "1st orders.odcs.yaml", "\u00e9t\u00e9.yml", "print.yaml"):
        (source / file_name).write_text(contract(["t"]), "utf-8")
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}" / "pkg"
        env = {**os.environ, "PYTHONHASHSEED": seed, "ODCS_CODEGEN_CACHE": str(tmp_path / "c")}
        proc = subprocess.run(
            [sys.executable, "-m", "odcs_codegen.cli", "generate", str(source), "-o", str(out),
             "--no-cache"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.py"))})
    assert outputs[0] == outputs[1]
    modules = [
        "__init__.py", "c.py", "contract_1st_orders.py", "contract_class.py", "contract_print.py",
        "ete.py",
    ]
    runtime = [f"{RUNTIME_PACKAGE}/{name}" for name in runtime_names("duckdb")]
    assert sorted(outputs[0]) == sorted(modules + runtime)


# --------------------------------------------------------------------------- module names
MODULE_NAMES = {
    "orders.odcs.yaml": "orders",
    "Orders.yml": "orders",
    "OrderItems.odcs.yml": "order_items",
    "class.yaml": "contract_class",
    "print.odcs.yaml": "contract_print",
    "1st.yaml": "contract_1st",
    "_runtime.yaml": "runtime",
    "_cli.yaml": "cli",
    "__init__.yaml": "init",
    ".yaml": "contract",
    "\u00df.yaml": "contract",
    "\u00e9t\u00e9.yaml": "ete",
    "\uff4f\uff52\uff44\uff45\uff52\uff53.yaml": "orders",
    "my orders (v2).yaml": "my_orders_v2",
}


@pytest.mark.parametrize("file_name", sorted(MODULE_NAMES))
def test_module_names(file_name: str) -> None:
    name = module_name(Path(file_name))
    assert name == MODULE_NAMES[file_name]
    assert is_safe_identifier(name) and name != RUNTIME_PACKAGE


COLLISIONS = [
    ("orders.yaml", "Orders.odcs.yaml"),
    ("orders.yaml", "\uff4f\uff52\uff44\uff45\uff52\uff53.yaml"),
    ("order-items.yaml", "OrderItems.yml"),
    ("class.yaml", "contract_class.yaml"),
    ("1st.yaml", "contract-1st.yml"),
]


@pytest.mark.parametrize(("first", "second"), COLLISIONS)
def test_two_files_for_one_module_is_an_error_naming_both(
    first: str, second: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    for file_name in (first, second):
        (folder / file_name).write_text(contract(["t"]), "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ODCS_CODEGEN_CACHE", str(tmp_path / "cache"))
    assert main(["generate", "contracts", "-o", "out/pkg"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1, errors
    (error,) = errors
    assert f"contracts/{first}" in error and f"contracts/{second}" in error, error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["dataset", "column"])
def test_empty_name_is_a_compile_error(where: str, tmp_path: Path) -> None:
    source = tmp_path / "contracts"
    source.mkdir()
    text = contract(["t"])
    if where == "dataset":
        text = text.replace('  - name: "schema 0"\n    physicalName: "t"\n', '  - name: ""\n')
    else:
        text = text.replace('{name: "t", logicalType', '{name: "", logicalType')
    assert text != contract(["t"])
    (source / "c.yaml").write_text(text, "utf-8")
    result = build([source], tmp_path / "out" / "pkg", cache=ModuleCache(None), workers=1)
    assert result.failed


def test_long_names_give_short_stable_distinct_identifiers() -> None:
    long_a, long_b = "a" * 300, "a" * 299 + "b"
    first, second = snake_identifier(long_a), snake_identifier(long_b)
    assert len(first) <= 100 and len(second) <= 100 and first != second
    assert first == snake_identifier(long_a) == snake_identifier(first)
    assert snake_identifier("A" * 300) == first  # same sanitized name, same identifier


def test_a_contract_file_with_a_255_byte_name_generates(tmp_path: Path) -> None:
    """The module file and the writer's temporary file must fit the file system's limit."""
    source = tmp_path / "contracts"
    source.mkdir()
    stem = "orders_" + "x" * (255 - len("orders_.odcs.yaml"))
    (source / f"{stem}.odcs.yaml").write_text(contract(["t"]), "utf-8")
    env = {**os.environ, "ODCS_CODEGEN_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "odcs_codegen.cli", "generate", "contracts", "-o", "out/pkg"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (module,) = [p.name for p in (tmp_path / "out" / "pkg").glob("orders_*.py")]
    assert module == snake_identifier(stem) + ".py" and len(module) <= 103
