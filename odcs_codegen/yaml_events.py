"""Building data and positions from PyYAML parser events, without recursion.

Only plain scalars are resolved (the YAML 1.2 core schema); duplicate keys, merge keys, unknown
tags and complex keys are errors; nesting and alias expansion are bounded by the loader's limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NoReturn

from .diagnostics import Diagnostic, JsonPath, Position

if TYPE_CHECKING:
    from .loader import Limits

__all__ = ["Builder", "Fatal"]

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


def _too_deep(limits: Limits) -> str:
    """The message for nesting beyond ``limits.max_depth``."""
    return f"YAML nesting is deeper than the limit of {limits.max_depth} levels"


class Fatal(Exception):
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


class Builder:
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
        raise Fatal(Diagnostic(self.path, position, "error", message))

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
