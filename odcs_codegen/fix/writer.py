"""The text a fix writes: moved entries re-indented, flow text of values, and edits."""

from __future__ import annotations

import json
import re

from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from .nodes import (
    BLOCK_STYLES,
    FLOW_INDICATORS,
    STR,
    Edit,
    Entry,
    SourceText,
    entries,
    indent,
    is_empty,
    shift,
)

__all__ = ["TextWriter"]


class TextWriter:
    """Turns moves and removals into edits of the original text."""

    src: SourceText
    step: int
    edits: list[Edit]
    leaving: set[int]

    # --- text of moved entries ----------------------------------------------------------------

    def comment(self, key: Node, value: Node) -> str:
        """The end-of-line comment of an entry, with the spaces before it."""
        return self.src.comment_after(self.src.entry_end(key, value))

    def block_text(self, key: Node, value: Node, column: int) -> str:
        """An entry's text (and comment) re-indented for a key at `column`."""
        end = self.src.entry_end(key, value)
        text = self.src.text[key.start_mark.index : end] + self.comment(key, value)
        return shift(text, column - key.start_mark.column)

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
        if is_empty(node):
            return "null"
        source = self.src.source(node)
        one_line = "\n" not in source and node.style not in BLOCK_STYLES
        if one_line and node.style in ('"', "'"):
            return source
        if one_line and not (nested and FLOW_INDICATORS & set(source)):
            return source
        return json.dumps(node.value, ensure_ascii=False) if node.tag == STR else str(node.value)

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
            self.edits.append(Edit(start, src.next_line(end), kept))
            return
        # "- key: value": the key shares its line with the sequence dash of the rule.
        pairs = entries(rule)
        index = next(i for i, entry in enumerate(pairs) if entry[0] is key)
        following = pairs[index + 1][0] if index + 1 < len(pairs) else None
        if (
            following is not None
            and id(following) not in self.leaving
            and src.line_start(following.start_mark.index) == src.next_line(end)
        ):  # pull the next entry up onto the dash line
            self.edits.append(Edit(key.start_mark.index, following.start_mark.index, ""))
        else:  # leave the dash alone on its line: the rest of the rule follows, indented
            self.edits.append(Edit(start + len(prefix.rstrip()), src.line_end(end), ""))

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
        self.edits.append(Edit(at, at, text))

    def append_flow(self, target: MappingNode, items: list[str]) -> None:
        """Insert `key: value` items before the closing brace of a flow mapping."""
        if not items:
            return
        text = self.src.text
        at = self.src.strip_back(target.start_mark.index + 1, target.end_mark.index - 1)
        before = text[at - 1]
        joined = ", ".join(items)
        insert = joined if before == "{" else (" " if before == "," else ", ") + joined
        self.edits.append(Edit(at, at, insert))

    def append_literal(self, literal: ScalarNode, indent: int, lines: list[str]) -> None:
        """Append lines to a `|` block literal after its last line, at column `indent`."""
        at = self.src.line_end(self.src.end(literal))
        text = "".join(self.src.newline + " " * indent + line for line in lines)
        self.edits.append(Edit(at, at, text))

    def literal_indents(self, key: Node, literal: ScalarNode) -> tuple[int, int]:
        """A block literal's content indentation, and that of the YAML text it holds."""
        src = self.src
        header_end = src.line_end(literal.start_mark.index)
        header = src.text[literal.start_mark.index : header_end]
        lines = src.text[header_end : literal.end_mark.index].splitlines()
        written = [indent(line) for line in lines if line.strip()]
        keys = [indent(line) for line in lines if line.strip() and line.strip()[0] != "#"]
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
        self.edits.append(Edit(node.start_mark.index, self.src.line_end(end), text))
