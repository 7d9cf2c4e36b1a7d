"""Tests for odcs_codegen.loader: faithful data, positions and every refusal path."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odcs_codegen import loader
from odcs_codegen.diagnostics import CompileError, Diagnostic, Position
from odcs_codegen.loader import Limits, LoadedDocument, load_bytes, load_file

# --------------------------------------------------------------------------- helpers

DEFAULT = Limits()


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the libyaml C parser and with the pure-Python parser."""
    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(loader, "_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(loader, "_LOADER", yaml.SafeLoader)
    yield str(request.param)


def load(text: str | bytes, limits: Limits = DEFAULT) -> LoadedDocument:
    """Load text (or bytes) as ``c.yaml``."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(raw, "c.yaml", limits)


def errors(text: str | bytes, limits: Limits = DEFAULT) -> list[Diagnostic]:
    """The diagnostics raised for text that must fail to load."""
    with pytest.raises(CompileError) as caught:
        load(text, limits)
    diagnostics = list(caught.value.diagnostics)
    assert diagnostics
    assert all(d.path == "c.yaml" and d.level == "error" for d in diagnostics)
    assert all("\n" not in d.message for d in diagnostics)
    return diagnostics


def only_error(text: str | bytes, limits: Limits = DEFAULT) -> Diagnostic:
    """The single diagnostic raised for text."""
    found = errors(text, limits)
    assert len(found) == 1, found
    return found[0]


def at(line: int, column: int) -> Position:
    """Shorthand for a position."""
    return Position(line, column)


def contract_text(properties: int = 450) -> str:
    """A realistic contract of about 190 KiB for 450 properties."""
    lines = [
        "apiVersion: v3.0.2",
        "kind: DataContract",
        "id: 53581432-6c55-4ba2-a65f-72344a91553a",
        "version: 1.0.0",
        "status: active",
        "schema:",
        "  - name: orders",
        "    logicalType: object",
        "    properties:",
    ]
    for i in range(properties):
        lines += [
            f"      - name: column_{i}",
            f"        logicalType: {'string' if i % 2 else 'integer'}",
            f"        physicalType: {'varchar(255)' if i % 2 else 'bigint'}",
            f"        required: {'true' if i % 3 else 'false'}",
            f'        description: "Column {i} of the orders table, used for reporting"',
            f"        examples: [2022-10-03, 'value {i}', {i}]",
            "        quality:",
            "          - rule: nullCheck",
            f"            mustBeLessThan: {i}.5",
            "        tags: [pii, finance]",
            "        customProperties:",
            "          - property: owner",
            f"            value: team-{i}",
        ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- data and positions


def test_block_positions_of_keys_and_values(parser: str) -> None:
    doc = load(
        "apiVersion: v3.0.2\n"
        "schema:\n"
        "  - name: orders\n"
        "    properties:\n"
        "      - name: id\n"
        "        logicalType: integer\n"
        "      - name: amount\n"
        "        quality:\n"
        "          - rule: nullCheck\n"
    )
    assert doc.position(()) == at(1, 1)
    assert doc.key_position(("apiVersion",)) == at(1, 1)
    assert doc.position(("apiVersion",)) == at(1, 13)
    assert doc.position(("schema",)) == at(3, 3)
    assert doc.position(("schema", 0)) == at(3, 5)
    assert doc.key_position(("schema", 0, "name")) == at(3, 5)
    assert doc.position(("schema", 0, "name")) == at(3, 11)
    assert doc.position(("schema", 0, "properties", 1)) == at(7, 9)
    assert doc.key_position(("schema", 0, "properties", 1, "name")) == at(7, 9)
    assert doc.position(("schema", 0, "properties", 1, "name")) == at(7, 15)
    assert doc.key_position(("schema", 0, "properties", 0, "logicalType")) == at(6, 9)
    assert doc.position(("schema", 0, "properties", 0, "logicalType")) == at(6, 22)
    assert doc.key_position(("schema", 0, "properties", 1, "quality", 0, "rule")) == at(9, 13)
    assert doc.position(("schema", 0, "properties", 1, "quality", 0, "rule")) == at(9, 19)


def test_flow_positions(parser: str) -> None:
    doc = load("a: {b: [1, {c: x}], 'd': \"y\"}\n")
    assert doc.data == {"a": {"b": [1, {"c": "x"}], "d": "y"}}
    assert doc.position(("a",)) == at(1, 4)
    assert doc.key_position(("a", "b")) == at(1, 5)
    assert doc.position(("a", "b")) == at(1, 8)
    assert doc.position(("a", "b", 0)) == at(1, 9)
    assert doc.position(("a", "b", 1)) == at(1, 12)
    assert doc.key_position(("a", "b", 1, "c")) == at(1, 13)
    assert doc.position(("a", "b", 1, "c")) == at(1, 16)
    assert doc.key_position(("a", "d")) == at(1, 21)
    assert doc.position(("a", "d")) == at(1, 26)


def test_position_falls_back_to_nearest_ancestor() -> None:
    doc = load("a:\n  b: [1, 2]\n")
    assert doc.position(("a", "b", 7)) == at(2, 6)
    assert doc.position(("a", "missing", "deeper")) == at(2, 3)
    assert doc.position(["a", "b", 0]) == at(2, 7)
    assert doc.key_position(("a", "b", 0)) == at(2, 7)  # no key: the value's position
    assert doc.key_position(("nope",)) == at(1, 1)


def test_positions_are_read_only_mappings() -> None:
    doc = load("a: 1\n")
    assert dict(doc.positions) == {(): at(1, 1), ("a",): at(1, 4)}
    assert dict(doc.key_positions) == {("a",): at(1, 1)}
    with pytest.raises(TypeError):
        doc.positions[("b",)] = at(1, 1)  # type: ignore[index]


def test_faithful_scalars(parser: str) -> None:
    doc = load(
        "date: 2022-10-03\n"
        "stamp: 2024-01-01T10:00:00Z\n"
        "version: 1.0.0\n"
        "words: [yes, no, on, off, y, n]\n"
        "bools: [true, True, TRUE, false, False, FALSE]\n"
        "nulls: [null, Null, NULL, ~, '', \"null\"]\n"
        "empty:\n"
        "ints: [0, -12, +3, 007, 0x1F, 0o17, 1_000, 0b11, -0x1]\n"
        "floats: [1.5, -2.0, 1e3, .5, 5., 6.02E+23]\n"
        "specials: [.inf, -.Inf, +.INF, .nan, .NaN, .NAN]\n"
        "quoted: ['12', \"true\", '2022-10-03', 'null']\n"
        "block: |\n  line\n"
    )
    data = doc.data
    assert data["date"] == "2022-10-03"
    assert data["stamp"] == "2024-01-01T10:00:00Z"
    assert data["version"] == "1.0.0"
    assert data["words"] == ["yes", "no", "on", "off", "y", "n"]
    assert data["bools"] == [True, True, True, False, False, False]
    assert data["nulls"] == [None, None, None, None, "", "null"]
    assert data["empty"] is None
    assert data["ints"] == [0, -12, 3, 7, 31, 15, "1_000", "0b11", "-0x1"]
    assert [type(v) for v in data["ints"][:6]] == [int] * 6
    assert data["floats"] == [1.5, -2.0, 1000.0, 0.5, 5.0, 6.02e23]
    assert all(type(v) is float for v in data["floats"])
    inf, minus_inf, plus_inf, *nans = data["specials"]
    assert (inf, minus_inf, plus_inf) == (math.inf, -math.inf, math.inf)
    assert all(math.isnan(v) for v in nans)
    assert data["quoted"] == ["12", "true", "2022-10-03", "null"]
    assert data["block"] == "line\n"


def test_keys_stay_the_strings_written(parser: str) -> None:
    doc = load("1: a\nnull: b\ntrue: c\n2022-10-03: d\n'x': e\n~: f\n")
    assert doc.data == {"1": "a", "null": "b", "true": "c", "2022-10-03": "d", "x": "e", "~": "f"}
    assert doc.key_position(("2022-10-03",)) == at(4, 1)


def test_standard_tags_are_honoured(parser: str) -> None:
    doc = load(
        "a: !!int '12'\n"
        "b: !!float 3\n"
        "c: !!bool 'false'\n"
        "d: !!str 12\n"
        "e: !!null ''\n"
        "f: !!timestamp 2022-01-01\n"
        "g: !!binary aGVsbG8=\n"
        "h: !!map {x: 1}\n"
        "i: !!seq [1]\n"
        "j: ! 12\n"
        "k: !<tag:yaml.org,2002:str> 5\n"
        "!!str l: 0x10\n"
    )
    assert doc.data == {
        "a": 12,
        "b": 3.0,
        "c": False,
        "d": "12",
        "e": None,
        "f": "2022-01-01",
        "g": "aGVsbG8=",
        "h": {"x": 1},
        "i": [1],
        "j": "12",
        "k": "5",
        "l": 16,
    }
    assert type(doc.data["b"]) is float


def test_wrong_standard_tags_are_errors(parser: str) -> None:
    found = errors(
        "a: !!int 1.5\nb: !!bool yes\nc: !!null x\nd: !!str {}\ne: !!map x\nf: !!seq {}\n"
    )
    assert [(d.position, d.message) for d in found] == [
        (at(1, 4), "invalid value '1.5' for YAML tag '!!int'"),
        (at(2, 4), "invalid value 'yes' for YAML tag '!!bool'"),
        (at(3, 4), "invalid value 'x' for YAML tag '!!null'"),
        (at(4, 4), "YAML tag '!!str' cannot be used on a mapping"),
        (at(5, 4), "YAML tag '!!map' cannot be used on a scalar"),
        (at(6, 4), "YAML tag '!!seq' cannot be used on a mapping"),
    ]


def test_generated_contract_loads_with_positions() -> None:
    text = contract_text()
    assert 150 * 1024 < len(text) < 230 * 1024
    doc = load(text)
    props = doc.data["schema"][0]["properties"]
    assert len(props) == 450
    assert props[449]["examples"] == ["2022-10-03", "value 449", 449]
    assert props[449]["required"] is True
    assert props[3]["quality"][0]["mustBeLessThan"] == 3.5
    line = 9 + 449 * 13 + 1
    assert doc.key_position(("schema", 0, "properties", 449, "name")) == at(line, 9)
    assert doc.position(("schema", 0, "properties", 449, "examples", 2)) == at(line + 5, 45)
    assert doc.sha256 == hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- aliases


def test_alias_expansion(parser: str) -> None:
    doc = load(
        "defaults: &d\n"
        "  logicalType: string\n"
        "  tags: [a, b]\n"
        "name: &n orders\n"
        "first: *d\n"
        "second: [*d, *n]\n"
        "*n : key from alias\n"
    )
    expected = {"logicalType": "string", "tags": ["a", "b"]}
    assert doc.data["first"] == expected
    assert doc.data["second"] == [expected, "orders"]
    assert doc.data["orders"] == "key from alias"
    assert doc.position(("first",)) == at(5, 8)
    assert doc.position(("first", "tags", 1)) == at(5, 8)  # inside an alias: the use site
    assert doc.position(("second", 1)) == at(6, 14)
    assert doc.key_position(("orders",)) == at(7, 1)
    assert doc.position(("defaults", "tags", 1)) == at(3, 13)


def test_anchor_can_be_redefined(parser: str) -> None:
    doc = load("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
    assert doc.data == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_undefined_and_recursive_aliases(parser: str) -> None:
    assert only_error("a: *nope\n") == Diagnostic(
        "c.yaml", at(1, 4), "error", "undefined YAML alias '*nope'"
    )
    recursive = only_error("a: &x [1, *x]\n")
    assert recursive.position == at(1, 11)
    assert recursive.message.startswith("recursive YAML alias '*x'")


def test_billion_laughs_is_refused(parser: str) -> None:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    error = only_error("\n".join(lines) + "\n")
    assert error.message == "YAML aliases expand to more than 200000 nodes (an alias bomb?)"
    assert error.position is not None and error.position.line <= 10


def test_alias_node_limit_is_configurable() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert load(text, Limits(max_nodes=20)).data["b"][2] == [1, 2, 3]
    error = only_error(text, Limits(max_nodes=12))
    assert error.message == "YAML aliases expand to more than 12 nodes (an alias bomb?)"


def test_alias_cannot_exceed_depth_limit() -> None:
    text = "a: &a [[[1]]]\nb: [[*a]]\n"
    assert load(text, Limits(max_depth=6)).data["b"] == [[[[[1]]]]]
    error = only_error(text, Limits(max_depth=5))
    assert error == Diagnostic(
        "c.yaml", at(2, 6), "error", "YAML nesting is deeper than the limit of 5 levels"
    )


# --------------------------------------------------------------------------- key errors


def test_duplicate_keys_are_all_reported(parser: str) -> None:
    found = errors(
        "name: a\n"
        "version: 1\n"
        "name: b\n"
        "schema:\n"
        "  - name: t\n"
        "    properties: []\n"
        "    name: u\n"
        "version: 2\n"
        "flow: {k: 1, k: 2}\n"
    )
    assert [(d.position, d.message) for d in found] == [
        (at(3, 1), "duplicate key 'name' (first defined at line 1, column 1)"),
        (at(7, 5), "duplicate key 'name' (first defined at line 5, column 5)"),
        (at(8, 1), "duplicate key 'version' (first defined at line 2, column 1)"),
        (at(9, 14), "duplicate key 'k' (first defined at line 9, column 8)"),
    ]


def test_duplicate_keys_compare_the_written_text(parser: str) -> None:
    found = errors("1: a\n'1': b\n01: c\n1.0: d\n")
    assert [(d.position, d.message) for d in found] == [
        (at(2, 1), "duplicate key '1' (first defined at line 1, column 1)")
    ]


def test_merge_keys_are_refused(parser: str) -> None:
    error = only_error("base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n")
    assert error == Diagnostic(
        "c.yaml", at(3, 3), "error", "YAML merge keys ('<<') are not supported"
    )
    assert load("'<<': quoted is fine\n").data == {"<<": "quoted is fine"}


def test_complex_keys_are_refused(parser: str) -> None:
    found = errors("? [a, b]\n: c\n? {x: 1}\n: d\ne: f\n")
    assert [(d.position, d.message) for d in found] == [
        (at(1, 3), "a mapping key must be a scalar, not a mapping or a list"),
        (at(3, 3), "a mapping key must be a scalar, not a mapping or a list"),
    ]


# --------------------------------------------------------------------------- tags and syntax


def test_unknown_tags_are_refused(parser: str) -> None:
    found = errors(
        "a: !!python/object/apply:os.system ['echo hi']\n"
        "b: !custom value\n"
        "c: !!set {x: null}\n"
        "d: !!python/name:builtins.eval ''\n"
    )
    assert [(d.position, d.message) for d in found] == [
        (at(1, 4), "unsupported YAML tag '!!python/object/apply:os.system'"),
        (at(2, 4), "unsupported YAML tag '!custom'"),
        (at(3, 4), "unsupported YAML tag '!!set'"),
        (at(4, 4), "unsupported YAML tag '!!python/name:builtins.eval'"),
    ]


def test_tab_indentation(parser: str) -> None:
    error = only_error("a:\n\tb: 1\n")
    assert error.position == at(2, 1)
    assert error.message == "found character '\\t' that cannot start any token"


def test_syntax_error_is_one_line_with_position(parser: str) -> None:
    error = only_error("a: b: c\n")
    assert error.position == at(1, 5)
    assert error.message.startswith("mapping values are not allowed")
    unclosed = only_error("a: [1, 2\nb: 3\n")
    assert unclosed.position is not None


def test_syntax_error_keeps_earlier_duplicates(parser: str) -> None:
    found = errors("a: 1\na: 2\nb: [\n")
    assert found[0].message.startswith("duplicate key 'a'")
    assert len(found) == 2


def test_control_character(parser: str) -> None:
    error = only_error("a: ok\nb: x\x07y\n")
    assert error == Diagnostic(
        "c.yaml",
        at(2, 5),
        "error",
        "unacceptable character #x0007: control characters are not allowed in YAML",
    )


def test_huge_integer_is_an_error_not_a_crash() -> None:
    error = only_error("a: " + "9" * 5000 + "\n")
    assert error.position == at(1, 4)
    assert "too many digits" in error.message


# --------------------------------------------------------------------------- documents


def test_several_documents(parser: str) -> None:
    error = only_error("a: 1\n---\nb: 2\n")
    assert error == Diagnostic(
        "c.yaml", at(2, 1), "error", "expected one YAML document, found several"
    )
    assert load("---\na: 1\n...\n").data == {"a": 1}


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# just a comment\n  # another\n", "\ufeff"])
def test_empty_contract(parser: str, text: str) -> None:
    error = only_error(text)
    assert error == Diagnostic(
        "c.yaml", None, "error", "empty contract: the file has no YAML document"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- a\n- b\n", "a list"),
        ("[a, b]\n", "a list"),
        ("just text\n", "a string"),
        ("'quoted'\n", "a string"),
        ("42\n", "a number"),
        ("4.5\n", "a number"),
        ("true\n", "a boolean"),
        ("null\n", "null"),
        ("--- ~\n", "null"),
    ],
)
def test_top_level_must_be_a_mapping(parser: str, text: str, kind: str) -> None:
    error = only_error(text)
    assert error.message == f"a contract must be a mapping at the top level, got {kind}"
    assert error.position is not None and error.position.line == 1


# --------------------------------------------------------------------------- bytes


def test_utf8_bom_is_accepted_and_positions_unchanged(parser: str) -> None:
    text = "a: 1\nb: é\n"
    plain, with_bom = load(text), load(b"\xef\xbb\xbf" + text.encode())
    assert with_bom.data == plain.data == {"a": 1, "b": "é"}
    assert dict(with_bom.positions) == dict(plain.positions)
    assert with_bom.position(("a",)) == at(1, 4)
    assert with_bom.sha256 != plain.sha256  # the hash is of the raw bytes


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("a: 1\n".encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + "a: 1\n".encode("utf-16-be"), "UTF-16"),
        ("a: 1\n".encode("utf-32"), "UTF-32"),
    ],
)
def test_other_unicode_encodings_are_refused(raw: bytes, encoding: str) -> None:
    error = only_error(raw)
    assert error.message == f"file is {encoding} encoded; save it as UTF-8"


def test_invalid_utf8_has_its_position() -> None:
    error = only_error(b"a: 1\nb: \xc3\xa9\xff\n")
    assert error == Diagnostic(
        "c.yaml",
        at(2, 5),
        "error",
        "file is not valid UTF-8: invalid byte 0xff at line 2, column 5",
    )
    assert only_error(b"\xef\xbb\xbf\x80").position == at(1, 1)


def test_max_bytes() -> None:
    limits = Limits(max_bytes=10)
    assert load("a: 1234\n", limits).data == {"a": 1234}
    error = only_error("a: 12345678\n", limits)
    assert error == Diagnostic(
        "c.yaml", None, "error", "file is larger than the limit of 10 bytes (12 bytes)"
    )


# --------------------------------------------------------------------------- nesting


def test_deep_flow_sequence_is_refused(parser: str) -> None:
    error = only_error("[" * 10_000 + "]" * 10_000)
    assert error == Diagnostic(
        "c.yaml", at(1, 201), "error", "YAML nesting is deeper than the limit of 200 levels"
    )


def test_deep_flow_mapping_is_refused(parser: str) -> None:
    error = only_error("a: {" * 10_000 + "}" * 10_000 + "\n")
    assert error.message == "YAML nesting is deeper than the limit of 200 levels"
    assert error.position == at(1, 4 * 200)


def test_deep_block_mapping_is_refused(parser: str) -> None:
    text = "".join(" " * level + "a:\n" for level in range(300))
    error = only_error(text)
    assert error.message == "YAML nesting is deeper than the limit of 200 levels"
    assert error.position == at(201, 201)


def test_nesting_at_the_limit_is_fine() -> None:
    doc = load("a: " + "[" * 199 + "]" * 199 + "\n")
    node: Any = doc.data["a"]
    depth = 1
    while node:
        node, depth = node[0], depth + 1
    assert depth == 199


# --------------------------------------------------------------------------- files


def test_load_file(tmp_path: Path) -> None:
    file = tmp_path / "orders.odcs.yaml"
    file.write_bytes(b"kind: DataContract\nkind: again\n")
    with pytest.raises(CompileError) as caught:
        load_file(file, display_path="contracts/orders.odcs.yaml")
    assert caught.value.diagnostics[0].format() == (
        "contracts/orders.odcs.yaml:2:1: error: "
        "duplicate key 'kind' (first defined at line 1, column 1)"
    )
    file.write_bytes(b"kind: DataContract\n")
    doc = load_file(file)
    assert doc.path == str(file)
    assert doc.data == {"kind": "DataContract"}
    assert doc.sha256 == hashlib.sha256(b"kind: DataContract\n").hexdigest()


def test_load_file_errors(tmp_path: Path) -> None:
    with pytest.raises(CompileError) as missing:
        load_file(tmp_path / "missing.yaml", display_path="missing.yaml")
    assert missing.value.diagnostics[0].message.startswith("cannot read the file")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * 100 + b"\n")
    with pytest.raises(CompileError) as large:
        load_file(big, display_path="big.yaml", limits=Limits(max_bytes=50))
    assert large.value.diagnostics[0].message == (
        "file is larger than the limit of 50 bytes (104 bytes)"
    )


# --------------------------------------------------------------------------- robustness

_TOKENS = [*"ab1 :-[]{},'\"&*!|>?#%@`\t\n\r~.\\", "\x00", "é", "<<", "&a ", "*a", "!!int ", "  "]
_YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_any_input_loads_or_raises_compile_error(text: str) -> None:
    try:
        doc = load(text)
    except CompileError as exc:
        assert exc.diagnostics
        assert all("\n" not in d.message for d in exc.diagnostics)
    else:
        assert isinstance(doc.data, dict)
        assert doc.position(()) is not None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_any_bytes_load_or_raise_compile_error(raw: bytes) -> None:
    try:
        load(raw)
    except CompileError as exc:
        assert exc.diagnostics


def test_a_limit_above_libyaml_own_still_decides(parser: str) -> None:
    """libyaml stops at 1,000 levels by itself; a configured limit above that is ours to apply."""
    text = "".join(" " * level + "a:\n" for level in range(1_200)) + " " * 1_200 + "1\n"
    assert load(text, Limits(max_depth=1_500)).data is not None
    error = only_error("[" * 1_400 + "]" * 1_400, Limits(max_depth=1_300))
    assert error == Diagnostic(
        "c.yaml", at(1, 1_301), "error", "YAML nesting is deeper than the limit of 1300 levels"
    )
