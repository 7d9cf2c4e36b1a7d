"""The round-trip YAML node tree the fixer edits, and the text arithmetic on its spans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import CompileError, Diagnostic, Position

STR = "tag:yaml.org,2002:str"
BLOCK_STYLES = ("|", ">")
FLOW_INDICATORS = frozenset(",[]{}")

Entry = tuple[ScalarNode, Node]


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
class Edit:
    """Replace ``text[start:end]`` of the original with ``text`` (an insertion when empty)."""

    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- parsing


def fix_error(path: str, position: Position | None, message: str) -> CompileError:
    """A CompileError carrying one error diagnostic."""
    return CompileError([Diagnostic(path, position, "error", message)])


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text of a file (a BOM is kept, so that it is written back)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"file is not valid UTF-8: invalid byte 0x{raw[error.start]:02x}"
        raise fix_error(path, Position(line, column), message) from None


def compose(text: str, path: str, *, internal: bool = False) -> Node | None:
    """The round-trip node tree of `text` (None for an empty document)."""
    try:
        root: Node | None = YAML(typ="rt").compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark is not None else None
        message = " ".join(str(error.problem or error.context or error).split())
        raise fix_error(path, position, syntax_message(message, internal)) from None
    except YAMLError as error:
        raise fix_error(
            path, None, syntax_message(" ".join(str(error).split()), internal)
        ) from None
    return root


def syntax_message(message: str, internal: bool) -> str:
    """The message for a YAML error in the input, or in the fixed text (a bug of ours)."""
    if internal:
        return f"internal error: the fixed text is not valid YAML ({message}); nothing changed"
    return f"invalid YAML: {message}"


def load(text: str) -> Any:
    """Plain Python data of a YAML text (safe loader); YAMLError when it does not parse."""
    return YAML(typ="safe", pure=True).load(text)


def apply(text: str, edits: Sequence[Edit]) -> str:
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


def entries(node: Node | None) -> list[Entry]:
    """The (key, value) pairs of a mapping node whose keys are scalars."""
    if not isinstance(node, MappingNode):
        return []
    return [(key, value) for key, value in node.value if isinstance(key, ScalarNode)]


def find(node: Node | None, name: str) -> Entry | None:
    """The entry of mapping `node` with key `name`."""
    for key, value in entries(node):
        if key.value == name:
            return key, value
    return None


def get(node: Node | None, name: str) -> Node | None:
    """The value of key `name` in mapping `node`."""
    found = find(node, name)
    return None if found is None else found[1]


def string(node: Node | None) -> str | None:
    """The text of a string scalar node."""
    if isinstance(node, ScalarNode) and node.tag == STR:
        return str(node.value)
    return None


def items(node: Node | None) -> list[Node]:
    """The items of a sequence node."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def is_empty(node: Node) -> bool:
    """An empty scalar (`key:` with nothing after it): its marks point at the next token."""
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes (keys and values) of a collection node."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def walk(root: Node) -> Iterator[Node]:
    """Every node of a tree once (aliases and cycles included)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(children(node))


def rules(root: MappingNode) -> Iterator[MappingNode]:
    """The quality rules of every schema object and (nested) property, in document order."""
    seen: set[int] = set()
    owners = list(reversed(items(get(root, "schema"))))
    while owners:
        owner = owners.pop()
        if not isinstance(owner, MappingNode) or id(owner) in seen:
            continue
        seen.add(id(owner))
        yield from (r for r in items(get(owner, "quality")) if isinstance(r, MappingNode))
        nested = [*items(get(owner, "properties")), get(owner, "items")]
        owners.extend(node for node in reversed(nested) if node is not None)


def indent_step(root: Node) -> int:
    """The document's usual indentation step (nested block mapping vs its key), default 2."""
    steps: Counter[int] = Counter()
    for node in walk(root):
        if isinstance(node, MappingNode) and not node.flow_style:
            for key, value in entries(node):
                if isinstance(value, MappingNode) and not value.flow_style:
                    step = value.start_mark.column - key.start_mark.column
                    if step > 0:
                        steps[step] += 1
    return steps.most_common(1)[0][0] if steps else 2


def shift(text: str, delta: int) -> str:
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


class SourceText:
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
            if node.style in BLOCK_STYLES:
                return self.strip_back(node.start_mark.index + 1, node.end_mark.index)
            return int(node.end_mark.index)
        if not isinstance(node, CollectionNode) or node.flow_style or not node.value:
            return int(node.end_mark.index)
        if isinstance(node, MappingNode):
            key, value = node.value[-1]
            return self.entry_end(key, value)
        last = node.value[-1]
        if is_empty(last):  # a bare "-": end after the dash
            return self.text.rfind("-", 0, last.start_mark.index) + 1
        return self.end(last)

    def entry_end(self, key: Node, value: Node) -> int:
        """Offset just after a mapping entry's value (after the colon when it has none)."""
        if is_empty(value):
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


def indent(line: str) -> int:
    """The number of spaces a line starts with."""
    return len(line) - len(line.lstrip(" "))


def mapping_of(text: str) -> dict[Any, Any] | None:
    """The mapping a string implementation holds ({} when empty; None when not a mapping)."""
    try:
        data = load(text)
    except YAMLError:
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None
