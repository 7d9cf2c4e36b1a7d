"""Tests of odcs_codegen.fix: the rewrites, formatting preservation, diffs and the CLI body."""

from __future__ import annotations

import difflib
import re
import stat
from pathlib import Path

import pytest
import yaml

from odcs_codegen.diagnostics import CompileError
from odcs_codegen.fix import Fix, FixResult, fix_command, fix_file, fix_text, unified_diff
from odcs_codegen.loader import load_bytes
from odcs_codegen.validation import validate_contract

CASES = Path(__file__).parent / "fix_cases"
SPEC_EXAMPLE = CASES / "dqx_spec_example.odcs.yaml"

HEAD = "apiVersion: {version}\nkind: DataContract\nid: c1\nversion: 1.0.0\nstatus: active\n"


def contract(body: str, version: str = "v3.1.0") -> str:
    """The five required fields (lines 1-5) followed by `body`."""
    return HEAD.format(version=version) + body


def errors(text: str) -> list[str]:
    """Schema validation errors of a contract text, as 'line:col: message'."""
    doc = load_bytes(text.encode("utf-8"), "c.yaml")
    return [d.format() for d in validate_contract(doc.data, "c.yaml", doc)]


def fixed(text: str, *, upgrade: bool = False) -> FixResult:
    """Fix `text`; check that the result parses and that fixing it again changes nothing."""
    result = fix_text(text, "c.yaml", upgrade=upgrade)
    again = fix_text(result.fixed, "c.yaml", upgrade=upgrade)
    assert again.fixed == result.fixed
    assert again.fixes == ()
    return result


def messages(result: FixResult) -> list[str]:
    """The fixes as 'line:col: message'."""
    return [f"{f.line}:{f.column}: {f.message}" for f in result.fixes]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines only in `before` and the lines only in `after` (a line diff)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            removed.extend(old[i1:i2])
            added.extend(new[j1:j2])
    return removed, added


def comments(text: str) -> list[str]:
    """Every comment of a YAML text without '#' in its scalars."""
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


# --------------------------------------------------------------------------- the DQX spec example


def test_spec_example_has_seven_schema_errors_before_fixing() -> None:
    text = SPEC_EXAMPLE.read_text(encoding="utf-8")
    found = errors(text)
    assert len(found) == 7
    assert all("run 'odcs-codegen fix'" in e for e in found)


def test_spec_example_validates_after_fixing() -> None:
    result = fixed(SPEC_EXAMPLE.read_text(encoding="utf-8"))
    assert result.changed
    assert errors(result.fixed) == []


def test_spec_example_fixes_are_where_validation_pointed() -> None:
    text = SPEC_EXAMPLE.read_text(encoding="utf-8")
    pointed = {e.split(": error:")[0].removeprefix("c.yaml:") for e in errors(text)}
    result = fixed(text)
    assert {f"{f.line}:{f.column}" for f in result.fixes} == pointed
    assert messages(result) == [
        "49:9: moved mustBeGreaterOrEqualTo into implementation",
        "83:13: moved mustBeGreaterOrEqualTo into implementation",
        "99:13: moved validValues into arguments",
        "106:13: moved mustBeLessOrEqualTo into implementation",
        "121:13: moved mustBeBetween into implementation",
        "131:13: moved mustBe into implementation",
        "147:13: moved mustBeBetween into implementation",
    ]


def test_spec_example_keeps_every_comment() -> None:
    text = SPEC_EXAMPLE.read_text(encoding="utf-8")
    before = comments(text)
    assert len(before) == 18
    assert comments(fixed(text).fixed) == before


def test_spec_example_changes_only_the_moved_lines() -> None:
    text = SPEC_EXAMPLE.read_text(encoding="utf-8")
    removed, added = changed_lines(text, fixed(text).fixed)
    operators = [
        "mustBeGreaterOrEqualTo: 100",
        "mustBeGreaterOrEqualTo: 1",
        "mustBeLessOrEqualTo: 10",
        "mustBeBetween: [10.0, 500.0]",
        "mustBe: 0",
        "mustBeBetween: [3, 120]",
    ]
    valid_values = "validValues: [pending, processing, shipped, delivered, cancelled]"
    assert [line.strip() for line in removed] == [
        operators[0],
        operators[1],
        valid_values,
        *operators[2:],
    ]
    assert [line.strip() for line in added] == [
        operators[0],
        operators[1],
        "arguments:",
        valid_values,
        *operators[2:],
    ]
    assert len(text.splitlines()) + 1 == len(fixed(text).fixed.splitlines())


def test_spec_example_operators_land_in_the_implementations() -> None:
    data = yaml.safe_load(fixed(SPEC_EXAMPLE.read_text(encoding="utf-8")).fixed)
    orders = data["schema"][0]
    volume_floor = orders["quality"][2]["implementation"]
    assert volume_floor == "check: num_rows\nmustBeGreaterOrEqualTo: 100\n"
    rules = {r["name"]: r for p in orders["properties"] for r in p.get("quality", [])}
    assert yaml.safe_load(rules["average_order_value_reasonable"]["implementation"]) == {
        "check": "mean",
        "column": "total_amount",
        "mustBeBetween": [10.0, 500.0],
    }
    assert rules["status_valid_values"]["arguments"] == {
        "validValues": ["pending", "processing", "shipped", "delivered", "cancelled"]
    }
    assert not any(key.startswith("must") for key in rules["order_id_positive"])


def test_spec_example_fix_is_idempotent() -> None:
    once = fix_text(SPEC_EXAMPLE.read_text(encoding="utf-8"), "c.yaml")
    twice = fix_text(once.fixed, "c.yaml")
    assert twice.fixed == once.fixed
    assert not twice.changed
    assert twice.fixes == ()


# --------------------------------------------------------------------------- arguments


def test_argument_keys_move_under_a_new_arguments_mapping() -> None:
    text = contract(
        """schema:
  - name: t
    properties:
      - name: a
        logicalType: string
        quality:
          - metric: invalidValues
            pattern: '^[a-z]+$'   # lower case
            mustBe: 0
            validValues:
              - x
              - "y"
          - metric: missingValues
            missingValues: [null, '', N/A]
            mustBeLessThan: 5
"""
    )
    result = fixed(text)
    assert result.fixed == contract(
        """schema:
  - name: t
    properties:
      - name: a
        logicalType: string
        quality:
          - metric: invalidValues
            arguments:
              pattern: '^[a-z]+$'   # lower case
              validValues:
                - x
                - "y"
            mustBe: 0
          - metric: missingValues
            arguments:
              missingValues: [null, '', N/A]
            mustBeLessThan: 5
"""
    )
    assert messages(result) == [
        "13:13: moved pattern into arguments",
        "15:13: moved validValues into arguments",
        "19:13: moved missingValues into arguments",
    ]
    assert errors(result.fixed) == []


def test_argument_keys_join_an_existing_arguments_mapping() -> None:
    text = contract(
        """schema:
  - name: t
    quality:
      - metric: duplicateValues
        arguments:
          properties: [a, b]
        mustBe: 0
    properties:
      - name: a
        logicalType: string
        quality:
          - metric: invalidValues
            validValues: [x]
            arguments: {pattern: '^x$'}
            mustBe: 0
          - type: library
            metric: missingValues
            missingValues: [""]  # same as below
            arguments:
              missingValues: [""]
            mustBe: 0
      - name: b
        logicalType: string
"""
    )
    result = fixed(text)
    assert "arguments: {pattern: '^x$', validValues: [x]}" in result.fixed
    assert "            # same as below\n" in result.fixed
    assert messages(result) == [
        "18:13: moved validValues into arguments",
        "23:13: removed missingValues: arguments already has it with the same value",
    ]
    assert errors(result.fixed) == []


def test_conflicting_argument_is_left_alone() -> None:
    text = contract(
        """schema:
  - name: t
    properties:
      - name: a
        logicalType: string
        quality:
          - metric: invalidValues
            validValues: [x]
            arguments:
              validValues: [y]
            mustBe: 0
"""
    )
    result = fixed(text)
    assert not result.changed
    assert result.fixes == ()


def test_key_on_the_sequence_dash_line() -> None:
    text = contract(
        """schema:
  - name: t
    properties:
      - name: a
        logicalType: string
        quality:
          - validValues: [x, y]
            metric: invalidValues
            mustBe: 0
"""
    )
    result = fixed(text)
    assert "          - arguments:\n              validValues: [x, y]\n" in result.fixed
    assert errors(result.fixed) == []


def test_argument_keys_stay_on_non_library_rules() -> None:
    text = contract(
        """schema:
  - name: t
    properties:
      - name: a
        logicalType: string
        quality:
          - type: text
            validValues: [x]
          - type: sql
            query: SELECT 1
            pattern: x
            mustBe: 1
"""
    )
    assert not fixed(text).changed


# --------------------------------------------------------------------------- custom dqx rules


def custom_rule(implementation: str, operator: str = "mustBeGreaterOrEqualTo: 1") -> str:
    """A contract with one `type: custom, engine: dqx` rule on property `a` (rule at line 12)."""
    return contract(
        f"""schema:
  - name: t
    properties:
      - name: a
        logicalType: integer
        quality:
          - name: r
            type: custom
            engine: dqx
            {operator}
            implementation:{implementation.rstrip(chr(10))}
"""
    )


def implementation_of(text: str) -> object:
    """The implementation of the rule of `custom_rule`."""
    rule = yaml.safe_load(text)["schema"][0]["properties"][0]["quality"][0]
    assert not any(key.startswith("must") for key in rule)
    return rule["implementation"]


def test_operator_is_appended_to_a_block_literal() -> None:
    result = fixed(custom_rule(" |\n              check: min\n              column: a\n"))
    assert result.fixed.endswith(
        "            implementation: |\n"
        "              check: min\n"
        "              column: a\n"
        "              mustBeGreaterOrEqualTo: 1\n"
    )
    assert messages(result) == ["15:13: moved mustBeGreaterOrEqualTo into implementation"]
    assert errors(result.fixed) == []


def test_between_is_appended_as_a_flow_list() -> None:
    block_list = "mustBeBetween:   # inclusive\n              - 10.0\n              - 500.0"
    result = fixed(custom_rule(" |-\n              check: mean\n", block_list))
    assert result.fixed.endswith("  check: mean\n              mustBeBetween: [10.0, 500.0]\n")
    assert implementation_of(result.fixed) == "check: mean\nmustBeBetween: [10.0, 500.0]"


def test_literal_with_an_indentation_indicator() -> None:
    result = fixed(custom_rule(" |2\n                check: min\n", "mustBe: 0"))
    assert yaml.safe_load(str(implementation_of(result.fixed))) == {"check": "min", "mustBe": 0}


def test_operator_is_added_to_a_block_mapping_implementation() -> None:
    result = fixed(custom_rule("\n              check: min\n              column: a  # the id\n"))
    assert result.fixed.endswith(
        "            implementation:\n"
        "              check: min\n"
        "              column: a  # the id\n"
        "              mustBeGreaterOrEqualTo: 1\n"
    )
    assert implementation_of(result.fixed) == {
        "check": "min",
        "column": "a",
        "mustBeGreaterOrEqualTo": 1,
    }
    assert errors(result.fixed) == []


def test_operator_is_added_to_a_flow_mapping_implementation() -> None:
    result = fixed(custom_rule(" {check: min, column: a}", "mustBe: 0  # none"))
    assert "            # none\n" in result.fixed
    assert "implementation: {check: min, column: a, mustBe: 0}\n" in result.fixed
    assert errors(result.fixed) == []


def test_quoted_implementation_becomes_a_block_literal() -> None:
    result = fixed(custom_rule(' "check: min"  # quoted'))
    assert result.fixed.endswith(
        "            implementation: |  # quoted\n"
        "              check: min\n"
        "              mustBeGreaterOrEqualTo: 1\n"
    )
    assert errors(result.fixed) == []


def test_operator_already_in_the_implementation() -> None:
    literal = " |\n              check: min\n              mustBe: {}\n"
    same = fixed(custom_rule(literal.format(0), "mustBe: 0"))
    assert messages(same) == [
        "15:13: removed mustBe: implementation already has it with the same value"
    ]
    assert errors(same.fixed) == []
    other = fixed(custom_rule(literal.format(1), "mustBe: 0"))
    assert not other.changed


def test_operators_move_on_dqx_rules_only() -> None:
    text = custom_rule(" |\n              check: min\n").replace("engine: dqx", "engine: soda")
    assert not fixed(text).changed


def test_operators_move_under_v3_0_too() -> None:
    text = custom_rule(" |\n              check: min\n").replace("v3.1.0", "v3.0.2")
    result = fixed(text)
    assert result.fixed == fixed(custom_rule(" |\n              check: min\n")).fixed.replace(
        "v3.1.0", "v3.0.2"
    )


# --------------------------------------------------------------------------- rule -> metric

LEGACY_RULES = """schema:
  - name: orders
    quality:
      - rule: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: status
        logicalType: string
        quality:
          - rule: nullCheck
            mustBe: 0
          - rule: "validValues"   # legacy
            validValues: [a, b]
            mustBe: 0
          - type: library
            rule: duplicateCount
            mustBeLessThan: 10
            unit: percent
"""


def test_rule_is_left_alone_under_v3_0() -> None:
    text = contract(LEGACY_RULES, "v3.0.2")
    assert errors(text) == []
    result = fixed(text)
    assert not result.changed
    assert result.fixes == ()


def test_upgrade_converts_v3_0_rules() -> None:
    result = fixed(contract(LEGACY_RULES, "v3.0.2"), upgrade=True)
    assert result.fixed == contract(
        """schema:
  - name: orders
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: status
        logicalType: string
        quality:
          - metric: nullValues
            mustBe: 0
          - metric: "invalidValues"   # legacy
            arguments:
              validValues: [a, b]
            mustBe: 0
          - type: library
            metric: duplicateValues
            mustBeLessThan: 10
            unit: percent
""",
        "v3.1.0",
    )
    assert messages(result) == [
        "1:13: changed apiVersion from v3.0.2 to v3.1.0",
        "9:9: renamed 'rule: rowCount' to 'metric: rowCount'",
        "15:13: renamed 'rule: nullCheck' to 'metric: nullValues'",
        "17:13: renamed 'rule: validValues' to 'metric: invalidValues'",
        "18:13: moved validValues into arguments",
        "21:13: renamed 'rule: duplicateCount' to 'metric: duplicateValues'",
    ]
    assert errors(result.fixed) == []


def test_rule_is_converted_under_v3_1_without_upgrade() -> None:
    text = contract(LEGACY_RULES)
    assert errors(text)
    result = fixed(text)
    assert result.fixed == fixed(contract(LEGACY_RULES, "v3.0.2"), upgrade=True).fixed
    assert errors(result.fixed) == []


def test_rule_conversion_leaves_unknown_and_redundant_rules() -> None:
    text = contract(
        """schema:
  - name: t
    quality:
      - rule: someOtherCheck
        mustBe: 0
      - rule: rowCount
        metric: rowCount
        mustBe: 0
      - type: custom
        rule: nullCheck
        engine: soda
        implementation: x
"""
    )
    assert not fixed(text).changed


def test_upgrade_keeps_v3_1_contracts() -> None:
    text = contract("schema:\n  - name: t\n", "v3.2.0")
    assert not fixed(text, upgrade=True).changed


# --------------------------------------------------------------------------- formatting


VALID = [
    contract("schema:\n  - name: t\n"),
    contract(LEGACY_RULES, "v3.0.0"),
    contract(
        """schema:
  - name: t
    quality:
      - {metric: rowCount, mustBe: 1}
      - type: custom
        engine: dqx
        implementation: |
          check: num_rows
          mustBe: 1
"""
    ),
    "",
    "- a list\n",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_contracts_are_unchanged(text: str) -> None:
    result = fixed(text)
    assert not result.changed
    assert result.fixed == text
    assert result.fixes == ()


def test_crlf_line_breaks_and_bom_are_kept() -> None:
    text = "\ufeff" + SPEC_EXAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    result = fixed(text)
    assert result.fixed.startswith("\ufeffapiVersion")
    assert result.fixed.count("\n") == result.fixed.count("\r\n")
    expected = fixed(SPEC_EXAMPLE.read_text(encoding="utf-8")).fixed.replace("\n", "\r\n")
    assert result.fixed == "\ufeff" + expected


def test_indentation_step_of_the_document_is_used() -> None:
    text = contract(
        """description:
    purpose: four spaces
schema:
    -   name: t
        properties:
            -   name: a
                logicalType: string
                quality:
                    -   metric: invalidValues
                        mustBe: 0
                        validValues: [x]
"""
    )
    result = fixed(text)
    assert result.fixed.endswith(
        "                        arguments:\n                            validValues: [x]\n"
    )
    assert errors(result.fixed) == []


def test_file_without_final_line_break() -> None:
    text = custom_rule(" |\n              check: min").rstrip("\n")
    result = fixed(text)
    assert result.fixed.endswith("  check: min\n              mustBeGreaterOrEqualTo: 1")


# --------------------------------------------------------------------------- errors


def test_yaml_syntax_error() -> None:
    with pytest.raises(CompileError) as caught:
        fix_text("apiVersion: v3.1.0\nschema: [a\nkind: x\n", "bad.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.position is not None
    assert diagnostic.format().startswith("bad.yaml:3:5: error: invalid YAML: ")
    assert "\n" not in diagnostic.format()


def test_invalid_utf8(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_bytes(b"apiVersion: v3.1.0\nid: \xff\n")
    with pytest.raises(CompileError) as caught:
        fix_file(file, "c.yaml")
    assert caught.value.diagnostics[0].format() == (
        "c.yaml:2:5: error: file is not valid UTF-8: invalid byte 0xff"
    )


# --------------------------------------------------------------------------- results and diffs


def test_fix_file_reads_only(tmp_path: Path) -> None:
    file = tmp_path / "spec.odcs.yaml"
    file.write_bytes(SPEC_EXAMPLE.read_bytes())
    result = fix_file(file, "shown/spec.odcs.yaml")
    assert result.changed
    assert result.path == "shown/spec.odcs.yaml"
    assert result.fixes[0] == Fix(
        "shown/spec.odcs.yaml", 49, 9, "moved mustBeGreaterOrEqualTo into implementation"
    )
    assert file.read_bytes() == SPEC_EXAMPLE.read_bytes()


def test_unified_diff() -> None:
    result = fixed(custom_rule(" |\n              check: min\n"))
    assert unified_diff(result) == (
        "--- a/c.yaml\n"
        "+++ b/c.yaml\n"
        "@@ -12,6 +12,6 @@\n"
        "           - name: r\n"
        "             type: custom\n"
        "             engine: dqx\n"
        "-            mustBeGreaterOrEqualTo: 1\n"
        "             implementation: |\n"
        "               check: min\n"
        "+              mustBeGreaterOrEqualTo: 1\n"
    )
    assert unified_diff(fixed(VALID[0])) == ""


def test_unified_diff_without_final_line_break() -> None:
    result = fixed(custom_rule(" |\n              check: min").rstrip("\n"))
    assert unified_diff(result).endswith(
        "-              check: min\n"
        "\\ No newline at end of file\n"
        "+              check: min\n"
        "+              mustBeGreaterOrEqualTo: 1\n"
        "\\ No newline at end of file\n"
    )


# --------------------------------------------------------------------------- fix_command


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with the spec example, a valid contract and a nested legacy one."""
    (tmp_path / "spec.odcs.yaml").write_bytes(SPEC_EXAMPLE.read_bytes())
    (tmp_path / "valid.yaml").write_text(VALID[0], encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "legacy.yml").write_text(contract(LEGACY_RULES, "v3.0.1"), "utf-8")
    (tmp_path / "notes.txt").write_text("not a contract", encoding="utf-8")
    return tmp_path


def test_fix_command_dry_run(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert fix_command([folder], write=False, diff=False, upgrade=False) == 0
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    spec = folder / "spec.odcs.yaml"
    assert lines[0] == f"{spec}:49:9: fixed: moved mustBeGreaterOrEqualTo into implementation"
    assert len(lines) == 8
    assert lines[-1] == "1 file(s) fixed, 2 unchanged (nothing written)"
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_fix_command_writes_and_diffs(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = folder / "spec.odcs.yaml"
    spec.chmod(0o640)
    assert fix_command([folder], write=True, diff=True, upgrade=True) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"--- a/{spec}\n+++ b/{spec}\n")
    assert f"--- a/{folder / 'sub' / 'legacy.yml'}\n" in out
    assert "+apiVersion: v3.1.0\n" in out
    assert err.splitlines()[-1] == "2 file(s) fixed, 1 unchanged"
    assert errors(spec.read_text(encoding="utf-8")) == []
    assert errors((folder / "sub" / "legacy.yml").read_text(encoding="utf-8")) == []
    assert stat.S_IMODE(spec.stat().st_mode) == 0o640
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.txt", "spec.odcs.yaml", "sub", "valid.yaml"]  # no temp files left
    assert fix_command([folder], write=True, diff=True, upgrade=True) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "0 file(s) fixed, 3 unchanged\n"


def test_fix_command_unparsable_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = folder / "broken.yaml"
    broken.write_text("apiVersion: v3.1.0\nschema: [a\nkind: x\n", encoding="utf-8")
    content = broken.read_bytes()
    paths = [broken, folder / "spec.odcs.yaml"]
    assert fix_command(paths, write=True, diff=False, upgrade=False) == 1
    _, err = capsys.readouterr()
    first, *rest = err.splitlines()
    assert re.fullmatch(rf"{re.escape(str(broken))}:3:5: error: invalid YAML: .+", first)
    assert "Traceback" not in err
    assert rest[-1] == "1 file(s) fixed, 0 unchanged, 1 error(s)"
    assert broken.read_bytes() == content
    assert errors((folder / "spec.odcs.yaml").read_text(encoding="utf-8")) == []


def test_fix_command_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fix_command([tmp_path / "nope.yaml"], write=False, diff=False, upgrade=False) == 2
    assert capsys.readouterr().err.startswith("odcs-codegen: error: ")
