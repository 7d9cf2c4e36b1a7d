"""Positions in TOML text: ``tomllib`` keeps none, so a small scanner over the already-parsed
text finds every key, table header and value (as many as it can)."""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib
from types import MappingProxyType
from typing import Any, Final

from ..diagnostics import JsonPath, LoadedDocument, Position

__all__ = ["toml_document"]

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END: Final = re.compile(r"[,\]}#\r\n]")


class _TomlScanner:
    """Finds the positions of keys, table headers and values in valid TOML text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.positions: dict[JsonPath, Position] = {}
        self.key_positions: dict[JsonPath, Position] = {}
        self.array_tables: dict[JsonPath, int] = {}  # path of an array of tables -> its length
        self.table: JsonPath = ()

    def at(self, index: int) -> Position:
        """The 1-based line and column of character ``index``."""
        line = bisect.bisect_right(self.line_starts, index) - 1
        return Position(line + 1, index - self.line_starts[line] + 1)

    def scan(self) -> None:
        """Walk the whole text (raises IndexError/ValueError on text it does not follow)."""
        while True:
            self.skip(newlines=True)
            if self.index >= len(self.text):
                return
            if self.text[self.index] == "[":
                self.header()
            else:
                self.key_value(self.table)

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces, comments and (when ``newlines``) line breaks."""
        text, index = self.text, self.index
        while index < len(text):
            char = text[index]
            if char in " \t" or (newlines and char in "\r\n"):
                index += 1
            elif char == "#":
                end = text.find("\n", index)
                index = len(text) if end < 0 else end
            else:
                break
        self.index = index

    def note(self, path: JsonPath, index: int, *, final: bool) -> None:
        """Record ``index`` as the key and value position of ``path`` (final: overwrite)."""
        where = self.at(index)
        if final:
            self.key_positions[path] = self.positions[path] = where
        else:
            self.key_positions.setdefault(path, where)
            self.positions.setdefault(path, where)

    def key(self) -> list[tuple[str, int]]:
        """A dotted key: its parts and where each starts."""
        parts: list[tuple[str, int]] = []
        while True:
            self.skip(newlines=False)
            start = self.index
            if self.text[start] in "\"'":
                self.index = self.string_end(start)
                token = self.text[start : self.index]
                parts.append((str(tomllib.loads(f"k = {token}")["k"]), start))
            else:
                match = _BARE_KEY.match(self.text, start)
                if match is None:
                    raise ValueError(f"no key at {start}")
                parts.append((match.group(), start))
                self.index = match.end()
            self.skip(newlines=False)
            if self.text.startswith(".", self.index):
                self.index += 1
                continue
            return parts

    def header(self) -> None:
        """A ``[table]`` or ``[[array.of.tables]]`` header: it becomes the current table."""
        start = self.index
        array = self.text.startswith("[[", start)
        self.index += 2 if array else 1
        parts = self.key()
        self.index += 2 if array else 1
        path: JsonPath = ()
        for number, (name, _) in enumerate(parts):
            path = (*path, name)
            last = number == len(parts) - 1
            self.note(path, start, final=last and not array)
            if last and array:
                count = self.array_tables.get(path, 0)
                self.array_tables[path] = count + 1
                path = (*path, count)
                self.note(path, start, final=True)
            elif path in self.array_tables:
                path = (*path, self.array_tables[path] - 1)
        self.table = path

    def key_value(self, table: JsonPath) -> None:
        """``key = value`` inside ``table``."""
        parts = self.key()
        if not self.text.startswith("=", self.index):
            raise ValueError(f"no '=' at {self.index}")
        self.index += 1
        self.skip(newlines=False)
        path = table
        for number, (name, start) in enumerate(parts):
            path = (*path, name)
            final = number == len(parts) - 1
            self.note(path, start, final=final)
        self.value(path)

    def value(self, path: JsonPath) -> None:
        """A value: string, array, inline table or other scalar."""
        text, start = self.text, self.index
        self.positions[path] = self.at(start)
        char = text[start]
        if char in "\"'":
            self.index = self.string_end(start)
        elif char == "[":
            self.index += 1
            for item in range(len(text)):
                self.skip(newlines=True)
                if text[self.index] == "]":
                    break
                self.value((*path, item))
                self.skip(newlines=True)
                if text[self.index] == ",":
                    self.index += 1
            self.index += 1
        elif char == "{":
            self.index += 1
            while True:
                self.skip(newlines=True)
                if text[self.index] == "}":
                    break
                self.key_value(path)
                self.skip(newlines=True)
                if text[self.index] == ",":
                    self.index += 1
            self.index += 1
        else:
            end = _SCALAR_END.search(text, start)
            self.index = len(text) if end is None else end.start()
            if self.index == start:
                raise ValueError(f"no value at {start}")

    def string_end(self, start: int) -> int:
        """The index just after the string that starts at ``start``."""
        text = self.text
        quote = text[start]
        escapes = quote == '"'
        if text.startswith(quote * 3, start):
            index = start + 3
            while True:
                if escapes and text[index] == "\\":
                    index += 2
                elif text.startswith(quote * 3, index):
                    end = index + 3
                    for _ in range(2):  # up to two quotes may end the content
                        if text.startswith(quote, end):
                            end += 1
                    return end
                else:
                    index += 1
        index = start + 1
        while text[index] != quote:
            index += 2 if escapes and text[index] == "\\" else 1
        return index + 1


def toml_document(text: str, data: dict[str, Any], shown: str) -> LoadedDocument:
    """Parsed TOML with the positions the scanner found (as many as it could)."""
    scanner = _TomlScanner(text)
    with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
        scanner.scan()  # positions are a courtesy: keep what was found before a surprise
    return LoadedDocument(
        path=shown,
        data=data,
        sha256="",
        positions=MappingProxyType(scanner.positions),
        key_positions=MappingProxyType(scanner.key_positions),
    )
