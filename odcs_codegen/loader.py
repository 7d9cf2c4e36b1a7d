"""Load one contract YAML file into JSON-like data, with the source position of every node.

The loader reads PyYAML *events* (the libyaml C parser when available) and builds the data
itself, without recursion, so that:

* scalars stay faithful: only plain scalars are resolved, with the YAML 1.2 core schema
  (dates, timestamps, ``yes``/``no`` and ``1.0.0`` stay the strings written);
* duplicate keys, merge keys, unknown tags and complex keys are errors, not silent surprises;
* deep nesting and alias bombs are refused early, with a position;
* every node's value position and every mapping key's position are kept for diagnostics.

Every problem is raised as a :class:`~odcs_codegen.diagnostics.CompileError`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NoReturn

import yaml  # type: ignore[import-untyped,unused-ignore]

from .diagnostics import CompileError, Diagnostic, JsonPath, Position, type_words

__all__ = ["JsonPath", "Limits", "LoadedDocument", "load_bytes", "load_file"]

@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits that protect the compiler from hostile or broken input."""

    max_bytes: int = 8 * 1024 * 1024  # larger input -> error
    max_depth: int = 200  # nesting of mappings/sequences
    max_nodes: int = 200_000  # YAML nodes, aliases expanded (billion-laughs guard)


_DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """A parsed contract: its data plus the positions of its values and keys."""

    path: str
    data: Any
    sha256: str
    positions: Mapping[JsonPath, Position]
    key_positions: Mapping[JsonPath, Position]
    text: str = ""  # the decoded source (to position text inside block scalars)

    def position(self, path: Sequence[str | int]) -> Position | None:
        """The position of the node at ``path``, else of its nearest recorded ancestor."""
        steps = tuple(path)
        for end in range(len(steps), -1, -1):
            found = self.positions.get(steps[:end])
            if found is not None:
                return found
        return None

    def key_position(self, path: Sequence[str | int]) -> Position | None:
        """The position of the mapping key at ``path``, else :meth:`position`."""
        found = self.key_positions.get(tuple(path))
        return found if found is not None else self.position(path)


# --------------------------------------------------------------------------- scalars

_TAG_PREFIX: Final = "tag:yaml.org,2002:"
_KEEP_STRING_TAGS: Final = frozenset({"str", "timestamp", "binary"})
_TYPED_TAGS: Final = frozenset({"int", "float", "bool", "null"})
_CONTAINER_TAGS: Final = {True: "map", False: "seq"}
_STANDARD_TAGS: Final = _KEEP_STRING_TAGS | _TYPED_TAGS | frozenset(_CONTAINER_TAGS.values())

_WORDS: Final[dict[str, Any]] = {
    **dict.fromkeys(("null", "Null", "NULL", "~", ""), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **{s + w: float(s + "inf") for s in ("", "+", "-") for w in (".inf", ".Inf", ".INF")},
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_NUMBER_START: Final = frozenset("0123456789+-.")
_NUMBER: Final = re.compile(
    r"(?P<int>[-+]?[0-9]+)"
    r"|0x(?P<hex>[0-9a-fA-F]+)"
    r"|0o(?P<oct>[0-7]+)"
    r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
)
_MISSING: Final = object()


def _resolve_plain(text: str) -> Any:
    """Resolve a plain scalar with the YAML 1.2 core schema; other text stays a string.

    Raises ValueError for a decimal integer with more digits than Python converts.
    """
    word = _WORDS.get(text, _MISSING)
    if word is not _MISSING:
        return word
    if text[0] not in _NUMBER_START:
        return text
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    kind = match.lastgroup
    if kind == "int":
        return int(text)
    if kind == "hex":
        return int(match.group("hex"), 16)
    if kind == "oct":
        return int(match.group("oct"), 8)
    return float(text)


def _tag_name(tag: str) -> str:
    """A tag as written in YAML: ``!!str`` for standard tags, else unchanged."""
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


def _short(text: str, limit: int = 60) -> str:
    """Quote text for a one-line message, escaping control characters and cutting long text."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"'{text}'" if text.isprintable() else repr(text)


def _matches_tag(kind: str, value: Any) -> bool:
    """Whether a resolved plain value fits the explicit tag ``!!kind``."""
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    return isinstance(value, int | float)


# --------------------------------------------------------------------------- builder


def _too_deep(limits: Limits) -> str:
    """The message for nesting beyond ``limits.max_depth``."""
    return f"YAML nesting is deeper than the limit of {limits.max_depth} levels"


def _too_large(limits: Limits, size: int) -> str:
    """The message for input beyond ``limits.max_bytes``."""
    return f"file is larger than the limit of {limits.max_bytes} bytes ({size} bytes)"


class _Fatal(Exception):
    """Stops loading: carries the diagnostic that ends it."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class _Anchor:
    """What an alias expands to: the value, its key text, node count and nesting height."""

    value: Any
    key: str | None  # the scalar as written, None for a mapping/sequence
    size: int
    height: int


class _Frame:
    """An open mapping or sequence on the builder's stack."""

    __slots__ = (
        "anchor",
        "height",
        "is_key",
        "is_map",
        "key",
        "key_positions",
        "path",
        "positions",
        "skip",
        "start_count",
        "value",
    )

    def __init__(
        self,
        value: dict[str, Any] | list[Any],
        path: JsonPath,
        targets: tuple[dict[JsonPath, Position], dict[JsonPath, Position]],
        anchor: str | None,
        start_count: int,
    ) -> None:
        self.value = value
        self.is_map = isinstance(value, dict)
        self.path = path
        self.positions, self.key_positions = targets
        self.anchor = anchor
        self.start_count = start_count
        self.height = 1
        self.is_key = False
        self.key: str | None = None  # mappings: pending key, None while a key is expected
        self.skip = False  # mappings: drop the pending entry (it is an error)


_Targets = tuple[JsonPath, dict[JsonPath, Position], dict[JsonPath, Position]]


def _scratch() -> _Targets:
    """Throwaway position maps for nodes that do not end up in the data."""
    return (), {}, {}


class _Builder:
    """Turns parser events into data and positions; collects non-fatal errors."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.positions: dict[JsonPath, Position] = {}
        self.key_positions: dict[JsonPath, Position] = {}
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: set[str] = set()
        self.count = 0
        self.errors: list[Diagnostic] = []

    # ------------------------------------------------------------------ reporting

    def error(self, position: Position | None, message: str) -> None:
        """Record an error and keep going."""
        self.errors.append(Diagnostic(self.path, position, "error", message))

    def fatal(self, position: Position | None, message: str) -> NoReturn:
        """Stop loading with an error."""
        raise _Fatal(Diagnostic(self.path, position, "error", message))

    # ------------------------------------------------------------------ placement

    def expects_key(self) -> _Frame | None:
        """The open mapping whose next node is a key, if any."""
        if self.stack:
            top = self.stack[-1]
            if top.is_map and top.key is None:
                return top
        return None

    def insert(self, value: Any, position: Position) -> _Targets:
        """Put a value node into the open container; return its path and position maps."""
        stack = self.stack
        if not stack:
            self.root = value
            self.positions[()] = position
            return (), self.positions, self.key_positions
        top = stack[-1]
        path: JsonPath
        if top.is_map:
            key = top.key
            top.key = None
            container = top.value
            if top.skip or key is None or not isinstance(container, dict):
                return _scratch()
            path = (*top.path, key)
            container[key] = value
        else:
            items = top.value
            assert isinstance(items, list)
            path = (*top.path, len(items))
            items.append(value)
        top.positions[path] = position
        return path, top.positions, top.key_positions

    def set_key(self, top: _Frame, key: str, position: Position) -> None:
        """Make ``key`` the pending key of mapping ``top``, reporting a duplicate."""
        path = (*top.path, key)
        top.key = key
        if key in top.value:
            first = top.key_positions.get(path)
            where = f" (first defined at line {first.line}, column {first.column})" if first else ""
            self.error(position, f"duplicate key {_short(key)}{where}")
            top.skip = True
            return
        top.skip = False
        top.key_positions[path] = position

    def complex_key(self, top: _Frame | None, position: Position) -> None:
        """Report a mapping or sequence used as a mapping key."""
        self.error(position, "a mapping key must be a scalar, not a mapping or a list")
        if top is not None:
            top.key = ""
            top.skip = True

    def define(self, name: str, anchor: _Anchor) -> None:
        """Register a completed anchored node."""
        self.anchors[name] = anchor
        self.open_anchors.discard(name)

    # ------------------------------------------------------------------ events

    def scalar(self, event: Any) -> None:
        """Handle a scalar event: a mapping key or a value."""
        self.count += 1
        mark = event.start_mark
        position = Position(mark.line + 1, mark.column + 1)
        self.check_count(position)
        text: str = event.value
        if "\x00" in text:
            self.error(position, "NUL characters are not allowed in a contract")
        top = self.expects_key()
        if top is None:
            value = self.scalar_value(event, position)
            if event.anchor is not None:
                self.define(event.anchor, _Anchor(value, text, 1, 0))
            self.insert(value, position)
            return
        if event.tag is not None or event.anchor is not None:
            value = self.scalar_value(event, position)
            if event.anchor is not None:
                self.define(event.anchor, _Anchor(value, text, 1, 0))
        if text == "<<" and event.tag is None and event.implicit[0]:
            self.error(position, "YAML merge keys ('<<') are not supported")
            top.key = text
            top.skip = True
            return
        self.set_key(top, text, position)

    def scalar_value(self, event: Any, position: Position) -> Any:
        """The value of a scalar event, honouring its tag."""
        text: str = event.value
        tag: str | None = event.tag
        try:
            if tag is None:
                return _resolve_plain(text) if event.implicit[0] else text
            return self.tagged_value(tag, text, position)
        except ValueError:
            self.error(position, f"integer {_short(text, 20)} has too many digits")
            return text

    def tagged_value(self, tag: str, text: str, position: Position) -> Any:
        """The value of an explicitly tagged scalar."""
        if tag == "!":
            return text
        kind = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
        if kind in _KEEP_STRING_TAGS:
            return text
        if kind is not None and kind in _TYPED_TAGS:
            value = _resolve_plain(text)
            if not _matches_tag(kind, value):
                self.error(position, f"invalid value {_short(text)} for YAML tag '!!{kind}'")
                return text
            return float(value) if kind == "float" else value
        if kind in _CONTAINER_TAGS.values():
            self.error(position, f"YAML tag '!!{kind}' cannot be used on a scalar")
        else:
            self.error(position, f"unsupported YAML tag {_short(_tag_name(tag))}")
        return text

    def check_container_tag(self, tag: str | None, is_map: bool, position: Position) -> None:
        """Report a tag that does not fit a mapping or sequence."""
        if tag is None or tag == "!" or tag == _TAG_PREFIX + _CONTAINER_TAGS[is_map]:
            return
        kind = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
        if kind is not None and kind in _STANDARD_TAGS:
            where = "a mapping" if is_map else "a list"
            self.error(position, f"YAML tag '!!{kind}' cannot be used on {where}")
        else:
            self.error(position, f"unsupported YAML tag {_short(_tag_name(tag))}")

    def start(self, event: Any, is_map: bool) -> None:
        """Handle the start of a mapping or sequence."""
        mark = event.start_mark
        position = Position(mark.line + 1, mark.column + 1)
        if len(self.stack) >= self.limits.max_depth:
            self.fatal(position, _too_deep(self.limits))
        self.count += 1
        self.check_count(position)
        self.check_container_tag(event.tag, is_map, position)
        value: dict[str, Any] | list[Any] = {} if is_map else []
        key_of = self.expects_key()
        if key_of is not None:
            self.complex_key(None, position)
            path, positions, key_positions = _scratch()
        else:
            path, positions, key_positions = self.insert(value, position)
        anchor: str | None = event.anchor
        if anchor is not None:
            self.anchors.pop(anchor, None)
            self.open_anchors.add(anchor)
        frame = _Frame(value, path, (positions, key_positions), anchor, self.count - 1)
        frame.is_key = key_of is not None
        self.stack.append(frame)

    def end(self) -> None:
        """Handle the end of a mapping or sequence."""
        frame = self.stack.pop()
        if frame.anchor is not None:
            size = self.count - frame.start_count
            self.define(frame.anchor, _Anchor(frame.value, None, size, frame.height))
        if self.stack:
            top = self.stack[-1]
            if frame.height >= top.height:
                top.height = frame.height + 1
            if frame.is_key:
                top.key = ""
                top.skip = True

    def check_count(self, position: Position) -> None:
        """Refuse a document with more nodes than the limit allows."""
        if self.count > self.limits.max_nodes:
            limit = self.limits.max_nodes
            self.fatal(position, f"the contract has more than {limit} YAML nodes (the limit)")

    def alias(self, event: Any) -> None:
        """Handle an alias: expand the anchored node after checking the limits."""
        mark = event.start_mark
        position = Position(mark.line + 1, mark.column + 1)
        anchor = self.resolve_alias(event.anchor, position)
        self.count += anchor.size
        limits = self.limits
        if self.count > limits.max_nodes:
            self.fatal(
                position,
                f"YAML aliases expand to more than {limits.max_nodes} nodes (an alias bomb?)",
            )
        if len(self.stack) + anchor.height > limits.max_depth:
            self.fatal(position, _too_deep(limits))
        top = self.expects_key()
        if top is not None:
            if anchor.key is None:
                self.complex_key(top, position)
            else:
                self.set_key(top, anchor.key, position)
            return
        self.insert(anchor.value, position)
        if self.stack and anchor.height >= self.stack[-1].height:
            self.stack[-1].height = anchor.height + 1

    def resolve_alias(self, name: str, position: Position) -> _Anchor:
        """The anchor an alias refers to, or a fatal error."""
        anchor = self.anchors.get(name)
        if anchor is not None:
            return anchor
        if name in self.open_anchors:
            self.fatal(
                position, f"recursive YAML alias '*{name}' (it is used inside its own anchor)"
            )
        self.fatal(position, f"undefined YAML alias '*{name}'")


# --------------------------------------------------------------------------- driver

_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
# libyaml (0.2.6 and later) has a nesting limit of its own and, in flow context, reaches it
# while scanning ahead, before any event: our limit must decide, so such input is parsed again
# by PyYAML's pure-Python parser, which streams events until the builder stops it.
_OWN_LIMIT_PROBLEM: Final = "exceeded maximum nesting depth"

_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NON_PRINTABLE: Final = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_OTHER_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
_NO_CHAR_PROBLEM: Final = "found character that cannot start any token"


def _fail(path: str, position: Position | None, message: str) -> NoReturn:
    """Raise a CompileError with one error."""
    raise CompileError([Diagnostic(path, position, "error", message)])


def _position_at(text: str, index: int) -> Position:
    """The 1-based line and column of character ``index`` of ``text``."""
    line, line_start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, line_start = line + 1, match.end()
    return Position(line, index - line_start + 1)


def _decode(raw: bytes, path: str) -> str:
    """Decode UTF-8 input (a UTF-8 BOM is dropped) and check that YAML accepts every character."""
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            _fail(path, None, f"file is {encoding} encoded; save it as UTF-8")
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        where = _position_at(before, len(before))
        _fail(
            path,
            where,
            f"file is not valid UTF-8: invalid byte 0x{raw[exc.start]:02x} "
            f"at line {where.line}, column {where.column}",
        )
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        code = ord(bad.group())
        _fail(
            path,
            _position_at(text, bad.start()),
            f"unacceptable character #x{code:04x}: control characters are not allowed in YAML",
        )
    return text


def _character_at(text: str, line: int, column: int) -> str | None:
    """The character at a 0-based line and column, if there is one."""
    lines = _LINE_BREAK.split(text)
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return None


def _syntax_error(exc: yaml.YAMLError, text: str, path: str) -> Diagnostic:
    """A one-line diagnostic for a PyYAML/libyaml error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    message = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    position = None
    if mark is not None:
        position = Position(mark.line + 1, mark.column + 1)
        if message == _NO_CHAR_PROBLEM:  # libyaml does not say which character
            char = _character_at(text, mark.line, mark.column)
            if char is not None:
                message = f"found character {char!r} that cannot start any token"
    text = " ".join(str(message).split())
    hint = next((h for problem, h in _SYNTAX_HINTS if problem in text), "")
    return Diagnostic(path, position, "error", text + hint)


_SYNTAX_HINTS: Final = (
    (
        "mapping values are not allowed",
        " (check the indentation of this line against the key above it, and quote a value "
        "that holds ': ')",
    ),
    ("did not find expected key", " (check the indentation: keys of one mapping line up)"),
    ("did not find expected '-' indicator", " (check the indentation of the list items)"),
)


def _run(builder: _Builder, text: str, loader: Any = None) -> None:
    """Feed the parser's events for ``text`` (parsed by ``loader``, default `_LOADER`)."""
    events = yaml.events
    scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
    mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    document_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent
    documents = 0
    parser = (loader or _LOADER)(text)
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is scalar_event:
                builder.scalar(event)
            elif kind is mapping_start:
                builder.start(event, True)
            elif kind is mapping_end or kind is sequence_end:
                builder.end()
            elif kind is sequence_start:
                builder.start(event, False)
            elif kind is alias_event:
                builder.alias(event)
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    builder.fatal(
                        Position(mark.line + 1, mark.column + 1),
                        "expected one YAML document, found several",
                    )
            elif event is None or kind is stream_end:
                break
    finally:
        parser.dispose()
    if documents == 0:
        builder.fatal(None, "empty contract: the file has no YAML document")


def _build(text: str, path: str, limits: Limits) -> _Builder:
    """Parse ``text`` into a builder, raising CompileError on any error."""
    builder = _Builder(path, limits)
    try:
        try:
            _run(builder, text)
        except yaml.YAMLError as exc:
            if _LOADER is yaml.SafeLoader or _OWN_LIMIT_PROBLEM not in str(exc):
                raise
            builder = _Builder(path, limits)
            _run(builder, text, yaml.SafeLoader)
    except _Fatal as exc:
        builder.errors.append(exc.diagnostic)
    except yaml.YAMLError as exc:
        builder.errors.append(_syntax_error(exc, text, path))
    else:
        if not isinstance(builder.root, dict):
            builder.error(
                builder.positions.get(()),
                f"a contract must be a mapping at the top level, got {type_words(builder.root)}",
            )
    if builder.errors:
        raise CompileError(sorted(builder.errors, key=Diagnostic.sort_key))
    return builder


def load_bytes(raw: bytes, path: str, limits: Limits = _DEFAULT_LIMITS) -> LoadedDocument:
    """Load a contract from its raw bytes; ``path`` is the name used in diagnostics."""
    if len(raw) > limits.max_bytes:
        _fail(path, None, _too_large(limits, len(raw)))
    text = _decode(raw, path)
    builder = _build(text, path, limits)
    return LoadedDocument(
        path=path,
        data=builder.root,
        sha256=hashlib.sha256(raw).hexdigest(),
        positions=MappingProxyType(builder.positions),
        key_positions=MappingProxyType(builder.key_positions),
        text=text,
    )


def load_file(
    file: Path, display_path: str | None = None, limits: Limits = _DEFAULT_LIMITS
) -> LoadedDocument:
    """Load a contract file; diagnostics name it ``display_path`` (default: ``str(file)``)."""
    shown = str(file) if display_path is None else display_path
    try:
        with Path(file).open("rb") as stream:
            raw = stream.read(limits.max_bytes + 1)
            if len(raw) > limits.max_bytes:
                _fail(shown, None, _too_large(limits, max(len(raw), Path(file).stat().st_size)))
    except OSError as exc:
        _fail(shown, None, f"cannot read the file: {exc.strerror or exc}")
    return load_bytes(raw, shown, limits)
