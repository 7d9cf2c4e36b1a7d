"""Real public ODCS contracts (tests/corpus: origin and licence of each in MANIFEST.json).

Each contract compiles, or is refused only where the official JSON Schema of its apiVersion
refuses it (or, listed below with the reason, where a rule cannot compile). Each compiled
contract runs on data generated from its own schema (50 rows with NULLs in optional columns,
and 0 rows) without a traceback, and its JSON report parses, and its JUnit report is XML.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from odcs_codegen._runtime import cli
from odcs_codegen.diagnostics import CompileError
from odcs_codegen.loader import load_file
from odcs_codegen.run import load_contract
from odcs_codegen.validation import validate_contract

from .synthetic import table

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: list[dict[str, str]] = json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))
FILES = [entry["file"] for entry in MANIFEST]

CANNOT_COMPILE = {
    "contracts/datacontract__datacontract-cli/quality-sql-dialects__snowflake.yaml": (
        "a sql rule in Snowflake's SQL (SAMPLE (10 ROWS)), which DuckDB cannot parse"
    ),
    "contracts/eddiethedean__odcs/examples__minimal.odcs.yaml": (
        "nullValues on a schema object: it measures one property"
    ),
    "contracts/enkinex__enkinex-odcs/odcs.module.quality.yaml": (
        "invalidValues without validValues, pattern or enum: nothing says what is valid"
    ),
}


def test_the_corpus_is_real_and_varied() -> None:
    assert len(MANIFEST) >= 60
    assert len({entry["repository"] for entry in MANIFEST}) >= 10
    on_disk = {p.relative_to(CORPUS).as_posix() for p in (CORPUS / "contracts").rglob("*.y*ml")}
    assert on_disk == set(FILES)
    for entry in MANIFEST:
        assert entry["license"] and len(entry["commit"]) == 40
        owner_repo = entry["repository"].replace("/", "__")
        assert (CORPUS / "LICENSES" / f"{owner_repo}.txt").is_file()


def schema_accepts(path: Path) -> bool:
    """Whether the official JSON Schema of the contract's apiVersion accepts it."""
    try:
        doc = load_file(path)
    except CompileError:
        return False  # not even YAML a contract can be read from
    return not validate_contract(doc.data, str(path), doc)


def compile_module(file: str) -> Any:
    """The contract's generated module (in memory), or None when it is refused."""
    path = CORPUS / file
    try:
        module, _ = load_contract(path)
    except CompileError as error:
        if file in CANNOT_COMPILE:
            return None
        assert not schema_accepts(path), "\n".join(d.format() for d in error.errors)
        return None
    assert file not in CANNOT_COMPILE, "it compiles now: remove it from CANNOT_COMPILE"
    return module


def test_most_of_the_corpus_compiles() -> None:
    outcomes = Counter(compile_module(file) is not None for file in FILES)
    assert outcomes[True] >= 70, outcomes


@pytest.mark.parametrize("rows", [50, 0])
@pytest.mark.parametrize("file", FILES)
def test_contract_compiles_and_runs_on_its_own_schema(
    file: str, rows: int, tmp_path: Path
) -> None:
    module = compile_module(file)
    if module is None:
        pytest.skip("refused, as its schema (or the reason in CANNOT_COMPILE) says")
    data = []
    for dataset in module.DATASETS:
        path = tmp_path / f"{len(data)}.parquet"
        pq.write_table(table(dataset, rows), path)
        data.append(f"{dataset.name}={path}")
    for output_format in ("json", "junit"):
        out, err = io.StringIO(), io.StringIO()
        code = cli.run_report(module, data, output_format=output_format, stdout=out, stderr=err)
        assert code in (0, 1), err.getvalue()
        assert "Traceback" not in err.getvalue()
        if output_format == "json":
            report = json.loads(out.getvalue())
            assert report["summary"]["errors"] == []
            for result in report["results"]:
                assert result["status"] in ("PASSED", "FAILED")
                if result["value"] is None:
                    assert result["reason"], result
        else:
            assert ElementTree.fromstring(out.getvalue()).tag == "testsuites"
