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
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NoReturn

import yaml  # type: ignore[import-untyped,unused-ignore]

from .diagnostics import CompileError, Diagnostic, JsonPath, LoadedDocument, Position, type_words
from .settings import Limits
from .yaml_events import Builder, Fatal

__all__ = ["JsonPath", "Limits", "LoadedDocument", "load_bytes", "load_file"]


_DEFAULT_LIMITS: Final = Limits()


def _too_large(limits: Limits, size: int) -> str:
    """The message for input beyond ``limits.max_bytes``."""
    return f"file is larger than the limit of {limits.max_bytes} bytes ({size} bytes)"


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


def _run(builder: Builder, text: str, loader: Any = None) -> None:
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


def _build(text: str, path: str, limits: Limits) -> Builder:
    """Parse ``text`` into a builder, raising CompileError on any error."""
    builder = Builder(path, limits)
    try:
        try:
            _run(builder, text)
        except yaml.YAMLError as exc:
            if _LOADER is yaml.SafeLoader or _OWN_LIMIT_PROBLEM not in str(exc):
                raise
            builder = Builder(path, limits)
            _run(builder, text, yaml.SafeLoader)
    except Fatal as exc:
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
