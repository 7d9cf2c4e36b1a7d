"""`odcs-codegen fix`: rewrite the known non-schema placements of ODCS contracts into valid ODCS.

The contract is parsed with ruamel.yaml's round-trip composer, whose node tree carries the exact
source span of every key and value. Each fix is an edit spliced into the original text at those
spans, so everything a fix does not touch stays byte-identical: comments, blank lines, key order,
quoting, flow or block style, indentation, line breaks (LF or CRLF) and long lines (nothing is
re-emitted or reflowed). Moved keys take their end-of-line comments with them. The fixed text is
parsed again before it is returned.

The fixes, on every quality rule of every schema object and (nested) property:

1. Argument keys on library rules (``metric:`` or ``type: library``) of v3.1.0/v3.2.0 contracts:
   rule-level ``validValues``, ``missingValues``, ``pattern`` and ``properties`` move under
   ``arguments:``, which is created where the first moved key was when missing.
2. Operators (``mustBe`` ... ``mustNotBeBetween``) on ``type: custom, engine: dqx`` rules (any
   apiVersion: the compiler reads a dqx rule's operator from its implementation only) move inside
   ``implementation``: a line ``mustBeBetween: [10.0, 500.0]`` is appended to a ``|`` block
   literal, other string styles become a ``|`` block literal, a mapping gets the key. An operator
   the implementation already has with the same value is just removed; one with a different value
   is left alone (a conflict to resolve by hand).
3. The v3.0 -> v3.1 quality renames (below), on v3.1.0/v3.2.0 contracts; v3.0.x contracts are
   left alone unless ``upgrade`` is given, which sets ``apiVersion: v3.1.0`` and applies them.

The v3.0 -> v3.1 quality renames, found by diffing ``$defs/DataQuality*`` of the vendored v3.0.2
and v3.1.0 JSON Schemas (v3.0.0 and v3.0.1 are identical there) and the two versions' data-quality
docs. Everything else in those definitions was only added (``id``, ``arguments``, operators on sql
rules) or closed (``unevaluatedProperties: false``):

* the rule key ``rule`` (required for library rules in v3.0, deprecated in v3.1) is called
  ``metric``, and its values were renamed: ``nullCheck`` -> ``nullValues``, ``duplicateCount`` ->
  ``duplicateValues``, ``validValues`` -> ``invalidValues``, ``rowCount`` -> ``rowCount`` (a
  ``rule:`` already holding a v3.1 metric name keeps it). A rule that also has ``metric`` keeps its
  deprecated ``rule``; an unknown ``rule`` value is left alone;
* the rule-level ``validValues`` list of ``rule: validValues`` is ``arguments.validValues``
  (fix 1 moves it once the rule has its ``metric``).

Not done: flow-style rule mappings (``- {metric: ..., validValues: [...]}``) only get the renames,
no moves; nodes with anchors or aliases are not touched.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from ._runtime.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from .diagnostics import CompileError, Diagnostic, Position
from .emit import write_atomic
from .vocabulary import LEGACY_RULES, OPERATORS

__all__ = [
    "ARGUMENT_KEYS",
    "Fix",
    "FixResult",
    "fix_command",
    "fix_file",
    "fix_text",
    "unified_diff",
]

UPGRADE_VERSION = "v3.1.0"
LEGACY_VERSIONS: frozenset[str] = frozenset({"v3.0.0", "v3.0.1", "v3.0.2"})
CURRENT_VERSIONS: frozenset[str] = frozenset({"v3.1.0", "v3.2.0"})
# Rule-level keys that v3.1 library rules take inside `arguments`.
ARGUMENT_KEYS: tuple[str, ...] = ("validValues", "missingValues", "pattern", "properties")

_STR = "tag:yaml.org,2002:str"
_BLOCK_STYLES = ("|", ">")
_FLOW_INDICATORS = frozenset(",[]{}")

Entry = tuple[ScalarNode, Node]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Fix:
    """One change, at the 1-based position of the changed node in the original file."""

    path: str
    line: int
    column: int
    message: str

    def format(self) -> str:
        """``path:line:col: fixed: message``"""
        return f"{self.path}:{self.line}:{self.column}: fixed: {self.message}"


@dataclass(frozen=True, slots=True)
class FixResult:
    """The original and fixed text of one contract, with the changes made."""

    path: str
    original: str
    fixed: str
    fixes: tuple[Fix, ...]

    @property
    def changed(self) -> bool:
        """Whether fixing changed the text."""
        return self.fixed != self.original


@dataclass(frozen=True, slots=True)
class _Edit:
    """Replace ``text[start:end]`` of the original with ``text`` (an insertion when empty)."""

    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- public API


def fix_text(text: str, path: str, *, upgrade: bool = False) -> FixResult:
    """Fix one contract's YAML text; CompileError (one diagnostic) when it does not parse."""
    root = _compose(text, path)
    fixer = _Fixer(_Source(text), path, upgrade=upgrade)
    fixer.run(root)
    try:
        fixed = _apply(text, fixer.edits)
    except ValueError as error:  # a bug of ours: refuse rather than write a broken file
        raise _error(path, None, f"internal error: {error}; nothing changed") from None
    if fixed != text:
        _compose(fixed, path, internal=True)
    fixes = tuple(sorted(fixer.fixes, key=lambda f: (f.line, f.column, f.message)))
    return FixResult(path, text, fixed, fixes)


def fix_file(file: Path, display_path: str, *, upgrade: bool = False) -> FixResult:
    """Fix the contract in `file` (read only, never written); diagnostics name `display_path`."""
    try:
        raw = Path(file).read_bytes()
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise _error(display_path, None, message) from None
    return fix_text(_decode(raw, display_path), display_path, upgrade=upgrade)


def unified_diff(result: FixResult) -> str:
    """The unified diff from the original to the fixed text ('' when unchanged)."""
    lines = difflib.unified_diff(
        result.original.splitlines(keepends=True),
        result.fixed.splitlines(keepends=True),
        fromfile=f"a/{result.path}",
        tofile=f"b/{result.path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def fix_command(paths: Sequence[Path], *, write: bool, diff: bool, upgrade: bool) -> int:
    """The CLI body: fix every contract file (or folder of them) named; 1 when one failed."""
    from .compiler import UsageError, discover

    try:
        files = discover(paths)
    except UsageError as error:
        print(f"odcs-codegen: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    counts: Counter[str] = Counter()
    for file in files:
        counts[_fix_one(file, write=write, diff=diff, upgrade=upgrade)] += 1
    summary = f"{counts['fixed']} file(s) fixed, {counts['unchanged']} unchanged"
    if counts["failed"]:
        summary += f", {counts['failed']} error(s)"
    if counts["fixed"] and not write:
        summary += " (nothing written)"
    print(summary, file=sys.stderr)
    return EXIT_FAILED if counts["failed"] else EXIT_OK


def _fix_one(file: Path, *, write: bool, diff: bool, upgrade: bool) -> str:
    """Fix, report and maybe write one file: 'fixed', 'unchanged' or 'failed'."""
    shown = str(file)
    try:
        result = fix_file(file, shown, upgrade=upgrade)
        if write and result.changed:
            write_atomic(file, result.fixed)
    except CompileError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return "failed"
    except OSError as error:
        print(f"{shown}: error: cannot write the file: {error.strerror or error}", file=sys.stderr)
        return "failed"
    for fix in result.fixes:
        print(fix.format(), file=sys.stderr)
    if diff:
        sys.stdout.write(unified_diff(result))
    return "fixed" if result.changed else "unchanged"


# --------------------------------------------------------------------------- parsing


def _error(path: str, position: Position | None, message: str) -> CompileError:
    """A CompileError carrying one error diagnostic."""
    return CompileError([Diagnostic(path, position, "error", message)])


def _decode(raw: bytes, path: str) -> str:
    """UTF-8 text of a file (a BOM is kept, so that it is written back)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"file is not valid UTF-8: invalid byte 0x{raw[error.start]:02x}"
        raise _error(path, Position(line, column), message) from None


def _compose(text: str, path: str, *, internal: bool = False) -> Node | None:
    """The round-trip node tree of `text` (None for an empty document)."""
    try:
        root: Node | None = YAML(typ="rt").compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark is not None else None
        message = " ".join(str(error.problem or error.context or error).split())
        raise _error(path, position, _syntax_message(message, internal)) from None
    except YAMLError as error:
        raise _error(path, None, _syntax_message(" ".join(str(error).split()), internal)) from None
    return root


def _syntax_message(message: str, internal: bool) -> str:
    """The message for a YAML error in the input, or in the fixed text (a bug of ours)."""
    if internal:
        return f"internal error: the fixed text is not valid YAML ({message}); nothing changed"
    return f"invalid YAML: {message}"


def _load(text: str) -> Any:
    """Plain Python data of a YAML text (safe loader); YAMLError when it does not parse."""
    return YAML(typ="safe", pure=True).load(text)


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    """`text` with non-overlapping edits applied (insertions at one offset keep their order)."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]))
    parts: list[str] = []
    done = 0
    for _, edit in ordered:
        if edit.start < done:
            raise ValueError(f"overlapping fix edits at offset {edit.start}")
        parts.append(text[done : edit.start])
        parts.append(edit.text)
        done = edit.end
    parts.append(text[done:])
    return "".join(parts)


# --------------------------------------------------------------------------- node helpers


def _entries(node: Node | None) -> list[Entry]:
    """The (key, value) pairs of a mapping node whose keys are scalars."""
    if not isinstance(node, MappingNode):
        return []
    return [(key, value) for key, value in node.value if isinstance(key, ScalarNode)]


def _find(node: Node | None, name: str) -> Entry | None:
    """The entry of mapping `node` with key `name`."""
    for key, value in _entries(node):
        if key.value == name:
            return key, value
    return None


def _get(node: Node | None, name: str) -> Node | None:
    """The value of key `name` in mapping `node`."""
    found = _find(node, name)
    return None if found is None else found[1]


def _string(node: Node | None) -> str | None:
    """The text of a string scalar node."""
    if isinstance(node, ScalarNode) and node.tag == _STR:
        return str(node.value)
    return None


def _items(node: Node | None) -> list[Node]:
    """The items of a sequence node."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def _is_empty(node: Node) -> bool:
    """An empty scalar (`key:` with nothing after it): its marks point at the next token."""
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


def _children(node: Node) -> Iterator[Node]:
    """The direct child nodes (keys and values) of a collection node."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _walk(root: Node) -> Iterator[Node]:
    """Every node of a tree once (aliases and cycles included)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(_children(node))


def _rules(root: MappingNode) -> Iterator[MappingNode]:
    """The quality rules of every schema object and (nested) property, in document order."""
    seen: set[int] = set()
    owners = list(reversed(_items(_get(root, "schema"))))
    while owners:
        owner = owners.pop()
        if not isinstance(owner, MappingNode) or id(owner) in seen:
            continue
        seen.add(id(owner))
        yield from (r for r in _items(_get(owner, "quality")) if isinstance(r, MappingNode))
        nested = [*_items(_get(owner, "properties")), _get(owner, "items")]
        owners.extend(node for node in reversed(nested) if node is not None)


def _indent_step(root: Node) -> int:
    """The document's usual indentation step (nested block mapping vs its key), default 2."""
    steps: Counter[int] = Counter()
    for node in _walk(root):
        if isinstance(node, MappingNode) and not node.flow_style:
            for key, value in _entries(node):
                if isinstance(value, MappingNode) and not value.flow_style:
                    step = value.start_mark.column - key.start_mark.column
                    if step > 0:
                        steps[step] += 1
    return steps.most_common(1)[0][0] if steps else 2


def _shift(text: str, delta: int) -> str:
    """`text` with every line but the first indented `delta` more columns (blank lines kept)."""
    lines = text.split("\n")
    for i in range(1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        if delta >= 0:
            lines[i] = " " * delta + line
        else:
            lines[i] = line[min(-delta, len(line) - len(line.lstrip(" "))) :]
    return "\n".join(lines)


# --------------------------------------------------------------------------- source text


class _Source:
    """The original text, with line arithmetic on character offsets (the nodes' mark indexes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def line_start(self, index: int) -> int:
        """Offset of the first character of the line holding `index`."""
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """Offset of the line break ending the line holding `index` (the text's end if none)."""
        end = self.text.find("\n", index)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def next_line(self, index: int) -> int:
        """Offset just after the line break ending the line holding `index`."""
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def end(self, node: Node) -> int:
        """Offset just after a node's own text (no trailing blank lines or comments)."""
        if isinstance(node, ScalarNode):
            if node.style in _BLOCK_STYLES:
                return self.strip_back(node.start_mark.index + 1, node.end_mark.index)
            return int(node.end_mark.index)
        if not isinstance(node, CollectionNode) or node.flow_style or not node.value:
            return int(node.end_mark.index)
        if isinstance(node, MappingNode):
            key, value = node.value[-1]
            return self.entry_end(key, value)
        last = node.value[-1]
        if _is_empty(last):  # a bare "-": end after the dash
            return self.text.rfind("-", 0, last.start_mark.index) + 1
        return self.end(last)

    def entry_end(self, key: Node, value: Node) -> int:
        """Offset just after a mapping entry's value (after the colon when it has none)."""
        if _is_empty(value):
            return self.text.find(":", self.end(key)) + 1
        return self.end(value)

    def comment_after(self, index: int) -> str:
        """The end-of-line comment after `index` (with the spaces before it), or ''."""
        rest = self.text[index : self.line_end(index)].rstrip()
        return rest if rest.lstrip().startswith("#") else ""

    def source(self, node: Node) -> str:
        """A node's own text."""
        return self.text[node.start_mark.index : self.end(node)]

    def strip_back(self, low: int, index: int) -> int:
        """Move `index` back over whitespace, not below `low`."""
        while index > low and self.text[index - 1] in " \t\r\n":
            index -= 1
        return index


# --------------------------------------------------------------------------- the fixer


class _Fixer:
    """Collects the edits and fixes for one document."""

    def __init__(self, source: _Source, path: str, *, upgrade: bool) -> None:
        self.src = source
        self.path = path
        self.upgrade = upgrade
        self.step = 2
        self.edits: list[_Edit] = []
        self.fixes: list[Fix] = []
        self.leaving: set[int] = set()  # ids of the keys of entries being moved or removed

    def run(self, root: Node | None) -> None:
        """Fix the whole document."""
        if not isinstance(root, MappingNode):
            return
        self.step = _indent_step(root)
        current = self.api_version(root)
        for rule in _rules(root):
            self.rule(rule, current=current)

    # --- recording ----------------------------------------------------------------------------

    def fixed(self, node: Node, message: str) -> None:
        """Record a fix at `node`'s original position."""
        mark = node.start_mark
        self.fixes.append(Fix(self.path, mark.line + 1, mark.column + 1, message))

    def replace_word(self, node: Node, old: str, new: str) -> None:
        """Replace the scalar `old` written by `node` with `new`, keeping its quotes."""
        source = self.src.source(node)
        text = source.replace(old, new, 1) if old in source else new
        if text != source:
            self.edits.append(_Edit(node.start_mark.index, self.src.end(node), text))

    # --- apiVersion ---------------------------------------------------------------------------

    def api_version(self, root: MappingNode) -> bool:
        """Whether v3.1 rules apply: a v3.1.0+ contract, or a v3.0.x one being upgraded."""
        found = _find(root, "apiVersion")
        version = None if found is None else _string(found[1])
        if version in CURRENT_VERSIONS:
            return True
        if found is None or version not in LEGACY_VERSIONS or not self.upgrade:
            return False
        if found[1].anchor is not None:
            return False
        self.replace_word(found[1], version, UPGRADE_VERSION)
        self.fixed(found[1], f"changed apiVersion from {version} to {UPGRADE_VERSION}")
        return True

    # --- one rule -----------------------------------------------------------------------------

    def rule(self, rule: MappingNode, *, current: bool) -> None:
        """Apply the fixes that fit one quality rule."""
        kind = _string(_get(rule, "type"))
        if kind == "custom":
            if not rule.flow_style:
                self.move_operators(rule)
            return
        if not current or kind not in (None, "library"):
            return
        renamed = self.rename_rule_key(rule)
        is_library = kind == "library" or renamed or _string(_get(rule, "metric")) is not None
        if is_library and not rule.flow_style:
            self.move_arguments(rule)

    def rename_rule_key(self, rule: MappingNode) -> bool:
        """`rule: nullCheck` -> `metric: nullValues` (see contract.LEGACY_RULES)."""
        found = _find(rule, "rule")
        if found is None or _find(rule, "metric") is not None:
            return False
        key, value = found
        old = _string(value)
        new = LEGACY_RULES.get(old or "")
        if old is None or new is None or key.anchor is not None or value.anchor is not None:
            return False
        self.replace_word(key, "rule", "metric")
        self.replace_word(value, old, new)
        self.fixed(key, f"renamed 'rule: {old}' to 'metric: {new}'")
        return True

    def move_arguments(self, rule: MappingNode) -> None:
        """Rule-level validValues, missingValues, pattern, properties -> `arguments`."""
        moving = [e for e in _entries(rule) if e[0].value in ARGUMENT_KEYS and self.movable(e)]
        if not moving:
            return
        self.leaving.update(id(key) for key, _ in moving)
        found = _find(rule, "arguments")
        if found is None:
            self.create_mapping(rule, "arguments", moving)
        elif isinstance(found[1], MappingNode) and found[1].anchor is None:
            self.merge_into(rule, found[1], moving, "arguments")

    def move_operators(self, rule: MappingNode) -> None:
        """Operators on a `type: custom, engine: dqx` rule -> inside `implementation`."""
        engine = _string(_get(rule, "engine"))
        found = _find(rule, "implementation")
        if engine is None or engine.lower() != "dqx" or found is None or found[1].anchor:
            return
        moving = [e for e in _entries(rule) if e[0].value in OPERATORS and self.movable(e)]
        if not moving:
            return
        self.leaving.update(id(key) for key, _ in moving)
        key, implementation = found
        if isinstance(implementation, MappingNode):
            self.merge_into(rule, implementation, moving, "implementation")
        elif isinstance(implementation, ScalarNode) and _string(implementation) is not None:
            self.merge_into_string(rule, key, implementation, moving)

    def movable(self, entry: Entry) -> bool:
        """Whether an entry can be moved (no anchors or aliases involved)."""
        key, value = entry
        return key.anchor is None and not any(n.anchor is not None for n in _walk(value))

    # --- moving entries -----------------------------------------------------------------------

    def create_mapping(self, rule: MappingNode, name: str, moving: list[Entry]) -> None:
        """Put `name:` where the first moved entry was, with the moved entries under it."""
        first_key, first_value = moving[0]
        column = first_key.start_mark.column + self.step
        lines = [self.block_text(key, value, column) for key, value in moving]
        text = f"{name}:" + "".join(self.src.newline + " " * column + line for line in lines)
        end = self.src.line_end(self.src.entry_end(first_key, first_value))
        self.edits.append(_Edit(first_key.start_mark.index, end, text))
        for key, value in moving[1:]:
            self.remove(rule, key, value)
        for key, _ in moving:
            self.fixed(key, f"moved {key.value} into {name}")

    def merge_into(
        self, rule: MappingNode, target: MappingNode, moving: list[Entry], name: str
    ) -> None:
        """Move entries into an existing mapping (duplicates of its entries are dropped)."""
        existing = {key.value: value for key, value in _entries(target)}
        adding = [e for e in moving if e[0].value not in existing]
        same = [e for e in moving if self.same_value(e[1], existing.get(e[0].value))]
        if target.flow_style:
            self.append_flow(target, [f"{self.src.source(k)}: {self.flow(v)}" for k, v in adding])
        else:
            self.append_block(target, adding)
        for key, value in adding:
            self.remove(rule, key, value, keep_comment=bool(target.flow_style))
            self.fixed(key, f"moved {key.value} into {name}")
        self.drop_duplicates(rule, same, name)

    def merge_into_string(
        self, rule: MappingNode, key: ScalarNode, implementation: ScalarNode, moving: list[Entry]
    ) -> None:
        """Move operators into a string implementation holding a YAML mapping."""
        value = str(implementation.value)
        parsed = _mapping_of(value)
        if parsed is None:
            return
        adding = [e for e in moving if e[0].value not in parsed]
        same = [e for e in moving if e[0].value in parsed and self.equals(e[1], parsed[e[0].value])]
        lines = [f"{k.value}: {self.flow(v)}{self.comment(k, v)}" for k, v in adding]
        if lines and not self.extend_string(key, implementation, lines, adding):
            return
        for k, v in adding:
            self.remove(rule, k, v)
            self.fixed(k, f"moved {k.value} into implementation")
        self.drop_duplicates(rule, same, "implementation")

    def extend_string(
        self, key: Node, node: ScalarNode, lines: list[str], adding: list[Entry]
    ) -> bool:
        """Append `lines` to a string implementation, if it then holds the moved entries."""
        value = str(node.value)
        if node.style == "|":
            base, indent = self.literal_indents(key, node)
            added = [" " * max(indent - base, 0) + line for line in lines]
            if not self.holds(value.rstrip("\n") + "\n" + "\n".join(added) + "\n", adding):
                return False
            self.append_literal(node, indent, lines)
            return True
        body = value[:-1] if value.endswith("\n") else value
        content = (body.split("\n") if body else []) + lines
        if not self.holds("\n".join(content) + "\n", adding):
            return False
        self.rewrite_string(key, node, content)
        return True

    def holds(self, text: str, entries: list[Entry]) -> bool:
        """Whether YAML `text` is a mapping holding every entry with its value."""
        parsed = _mapping_of(text)
        return parsed is not None and all(
            k.value in parsed and self.equals(v, parsed[k.value]) for k, v in entries
        )

    def drop_duplicates(self, rule: MappingNode, same: list[Entry], name: str) -> None:
        """Remove entries that `name` already holds with the same value."""
        for key, value in same:
            self.remove(rule, key, value, keep_comment=True)
            self.fixed(key, f"removed {key.value}: {name} already has it with the same value")

    def same_value(self, node: Node, other: Node | None) -> bool:
        """Whether two nodes hold equal values."""
        return other is not None and self.equals(node, self.value(other))

    def equals(self, node: Node, value: Any) -> bool:
        """Whether `node` holds `value`."""
        try:
            return bool(self.value(node) == value)
        except YAMLError:
            return False

    def value(self, node: Node) -> Any:
        """The plain Python value of a node."""
        return _load(self.flow(node))

    # --- text of moved entries ----------------------------------------------------------------

    def comment(self, key: Node, value: Node) -> str:
        """The end-of-line comment of an entry, with the spaces before it."""
        return self.src.comment_after(self.src.entry_end(key, value))

    def block_text(self, key: Node, value: Node, column: int) -> str:
        """An entry's text (and comment) re-indented for a key at `column`."""
        end = self.src.entry_end(key, value)
        text = self.src.text[key.start_mark.index : end] + self.comment(key, value)
        return _shift(text, column - key.start_mark.column)

    def flow(self, node: Node, *, nested: bool = False) -> str:
        """A node as one line of YAML flow text: its own text when that is one flow line."""
        if isinstance(node, ScalarNode):
            return self.flow_scalar(node, nested=nested)
        source = self.src.source(node)
        if isinstance(node, CollectionNode) and node.flow_style and "\n" not in source:
            return source
        if isinstance(node, SequenceNode):
            return "[" + ", ".join(self.flow(item, nested=True) for item in node.value) + "]"
        pairs = (f"{self.flow(k, nested=True)}: {self.flow(v, nested=True)}" for k, v in node.value)
        return "{" + ", ".join(pairs) + "}"

    def flow_scalar(self, node: ScalarNode, *, nested: bool) -> str:
        """A scalar as one line of flow text (JSON-quoted when its own text will not do)."""
        if _is_empty(node):
            return "null"
        source = self.src.source(node)
        one_line = "\n" not in source and node.style not in _BLOCK_STYLES
        if one_line and node.style in ('"', "'"):
            return source
        if one_line and not (nested and _FLOW_INDICATORS & set(source)):
            return source
        return json.dumps(node.value, ensure_ascii=False) if node.tag == _STR else str(node.value)

    # --- edits ----------------------------------------------------------------------------------

    def remove(
        self, rule: MappingNode, key: Node, value: Node, *, keep_comment: bool = False
    ) -> None:
        """Delete an entry of a block mapping (its end-of-line comment too, unless kept)."""
        src = self.src
        end = src.entry_end(key, value)
        start = src.line_start(key.start_mark.index)
        prefix = src.text[start : key.start_mark.index]
        comment = self.comment(key, value).strip() if keep_comment else ""
        if not prefix.strip():
            kept = prefix + comment + src.newline if comment else ""
            self.edits.append(_Edit(start, src.next_line(end), kept))
            return
        # "- key: value": the key shares its line with the sequence dash of the rule.
        entries = _entries(rule)
        index = next(i for i, entry in enumerate(entries) if entry[0] is key)
        following = entries[index + 1][0] if index + 1 < len(entries) else None
        if (
            following is not None
            and id(following) not in self.leaving
            and src.line_start(following.start_mark.index) == src.next_line(end)
        ):  # pull the next entry up onto the dash line
            self.edits.append(_Edit(key.start_mark.index, following.start_mark.index, ""))
        else:  # leave the dash alone on its line: the rest of the rule follows, indented
            self.edits.append(_Edit(start + len(prefix.rstrip()), src.line_end(end), ""))

    def append_block(self, target: MappingNode, moving: list[Entry]) -> None:
        """Insert entries after the last entry of a block mapping, at its indentation."""
        if not moving:
            return
        column = target.start_mark.column
        at = self.src.line_end(self.src.end(target))
        text = "".join(
            self.src.newline + " " * column + self.block_text(key, value, column)
            for key, value in moving
        )
        self.edits.append(_Edit(at, at, text))

    def append_flow(self, target: MappingNode, items: list[str]) -> None:
        """Insert `key: value` items before the closing brace of a flow mapping."""
        if not items:
            return
        text = self.src.text
        at = self.src.strip_back(target.start_mark.index + 1, target.end_mark.index - 1)
        before = text[at - 1]
        joined = ", ".join(items)
        insert = joined if before == "{" else (" " if before == "," else ", ") + joined
        self.edits.append(_Edit(at, at, insert))

    def append_literal(self, literal: ScalarNode, indent: int, lines: list[str]) -> None:
        """Append lines to a `|` block literal after its last line, at column `indent`."""
        at = self.src.line_end(self.src.end(literal))
        text = "".join(self.src.newline + " " * indent + line for line in lines)
        self.edits.append(_Edit(at, at, text))

    def literal_indents(self, key: Node, literal: ScalarNode) -> tuple[int, int]:
        """A block literal's content indentation, and that of the YAML text it holds."""
        src = self.src
        header_end = src.line_end(literal.start_mark.index)
        header = src.text[literal.start_mark.index : header_end]
        lines = src.text[header_end : literal.end_mark.index].splitlines()
        written = [_indent(line) for line in lines if line.strip()]
        keys = [_indent(line) for line in lines if line.strip() and line.strip()[0] != "#"]
        indicator = re.match(r"[|>][-+]?([1-9]?)[-+]?([1-9]?)", header)
        digits = indicator.group(1) + indicator.group(2) if indicator is not None else ""
        if digits:
            base = int(key.start_mark.column) + int(digits)
        else:
            base = written[0] if written else int(key.start_mark.column) + self.step
        return base, keys[0] if keys else base

    def rewrite_string(self, key: Node, node: ScalarNode, content: list[str]) -> None:
        """Rewrite a plain, quoted or folded string as a `|` block literal of `content` lines."""
        end = self.src.end(node)
        comment = self.src.comment_after(end)
        if not all(ch.isprintable() or ch == "\t" for line in content for ch in line):
            text = json.dumps("\n".join(content) + "\n", ensure_ascii=False) + comment
        else:
            indent = int(key.start_mark.column) + self.step
            header = "|" + (str(self.step) if content[0][:1] in (" ", "\t") else "")
            nl = self.src.newline
            text = header + comment + "".join(nl + (" " * indent + c if c else "") for c in content)
        self.edits.append(_Edit(node.start_mark.index, self.src.line_end(end), text))


def _indent(line: str) -> int:
    """The number of spaces a line starts with."""
    return len(line) - len(line.lstrip(" "))


def _mapping_of(text: str) -> dict[Any, Any] | None:
    """The mapping a string implementation holds ({} when empty; None when not a mapping)."""
    try:
        data = _load(text)
    except YAMLError:
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None
