"""The fixes: each rule of a contract, its legacy names, misplaced arguments and operators."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from ..vocabulary import LEGACY_RULES, OPERATORS
from .nodes import (
    Edit,
    Entry,
    Fix,
    SourceText,
    entries,
    find,
    get,
    indent_step,
    load,
    mapping_of,
    rules,
    string,
    walk,
)
from .writer import TextWriter

__all__ = ["ARGUMENT_KEYS", "CURRENT_VERSIONS", "LEGACY_VERSIONS", "UPGRADE_VERSION", "Fixer"]

UPGRADE_VERSION = "v3.1.0"
LEGACY_VERSIONS: frozenset[str] = frozenset({"v3.0.0", "v3.0.1", "v3.0.2"})
CURRENT_VERSIONS: frozenset[str] = frozenset({"v3.1.0", "v3.2.0"})
# Rule-level keys that v3.1 library rules take inside `arguments`.
ARGUMENT_KEYS: tuple[str, ...] = ("validValues", "missingValues", "pattern", "properties")


class Fixer(TextWriter):
    """Collects the edits and fixes for one document."""

    def __init__(self, source: SourceText, path: str, *, upgrade: bool) -> None:
        self.src = source
        self.path = path
        self.upgrade = upgrade
        self.step = 2
        self.edits: list[Edit] = []
        self.fixes: list[Fix] = []
        self.leaving: set[int] = set()  # ids of the keys of entries being moved or removed

    def run(self, root: Node | None) -> None:
        """Fix the whole document."""
        if not isinstance(root, MappingNode):
            return
        self.step = indent_step(root)
        current = self.api_version(root)
        for rule in rules(root):
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
            self.edits.append(Edit(node.start_mark.index, self.src.end(node), text))

    # --- apiVersion ---------------------------------------------------------------------------

    def api_version(self, root: MappingNode) -> bool:
        """Whether v3.1 rules apply: a v3.1.0+ contract, or a v3.0.x one being upgraded."""
        found = find(root, "apiVersion")
        version = None if found is None else string(found[1])
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
        kind = string(get(rule, "type"))
        if kind == "custom":
            if not rule.flow_style:
                self.move_operators(rule)
            return
        if not current or kind not in (None, "library"):
            return
        renamed = self.rename_rule_key(rule)
        is_library = kind == "library" or renamed or string(get(rule, "metric")) is not None
        if is_library and not rule.flow_style:
            self.move_arguments(rule)

    def rename_rule_key(self, rule: MappingNode) -> bool:
        """`rule: nullCheck` -> `metric: nullValues` (see contract.LEGACY_RULES)."""
        found = find(rule, "rule")
        if found is None or find(rule, "metric") is not None:
            return False
        key, value = found
        old = string(value)
        new = LEGACY_RULES.get(old or "")
        if old is None or new is None or key.anchor is not None or value.anchor is not None:
            return False
        self.replace_word(key, "rule", "metric")
        self.replace_word(value, old, new)
        self.fixed(key, f"renamed 'rule: {old}' to 'metric: {new}'")
        return True

    def move_arguments(self, rule: MappingNode) -> None:
        """Rule-level validValues, missingValues, pattern, properties -> `arguments`."""
        moving = [e for e in entries(rule) if e[0].value in ARGUMENT_KEYS and self.movable(e)]
        if not moving:
            return
        self.leaving.update(id(key) for key, _ in moving)
        found = find(rule, "arguments")
        if found is None:
            self.create_mapping(rule, "arguments", moving)
        elif isinstance(found[1], MappingNode) and found[1].anchor is None:
            self.merge_into(rule, found[1], moving, "arguments")

    def move_operators(self, rule: MappingNode) -> None:
        """Operators on a `type: custom, engine: dqx` rule -> inside `implementation`."""
        engine = string(get(rule, "engine"))
        found = find(rule, "implementation")
        if engine is None or engine.lower() != "dqx" or found is None or found[1].anchor:
            return
        moving = [e for e in entries(rule) if e[0].value in OPERATORS and self.movable(e)]
        if not moving:
            return
        self.leaving.update(id(key) for key, _ in moving)
        key, implementation = found
        if isinstance(implementation, MappingNode):
            self.merge_into(rule, implementation, moving, "implementation")
        elif isinstance(implementation, ScalarNode) and string(implementation) is not None:
            self.merge_into_string(rule, key, implementation, moving)

    def movable(self, entry: Entry) -> bool:
        """Whether an entry can be moved (no anchors or aliases involved)."""
        key, value = entry
        return key.anchor is None and not any(n.anchor is not None for n in walk(value))

    # --- moving entries -----------------------------------------------------------------------

    def create_mapping(self, rule: MappingNode, name: str, moving: list[Entry]) -> None:
        """Put `name:` where the first moved entry was, with the moved entries under it."""
        first_key, first_value = moving[0]
        column = first_key.start_mark.column + self.step
        lines = [self.block_text(key, value, column) for key, value in moving]
        text = f"{name}:" + "".join(self.src.newline + " " * column + line for line in lines)
        end = self.src.line_end(self.src.entry_end(first_key, first_value))
        self.edits.append(Edit(first_key.start_mark.index, end, text))
        for key, value in moving[1:]:
            self.remove(rule, key, value)
        for key, _ in moving:
            self.fixed(key, f"moved {key.value} into {name}")

    def merge_into(
        self, rule: MappingNode, target: MappingNode, moving: list[Entry], name: str
    ) -> None:
        """Move entries into an existing mapping (duplicates of its entries are dropped)."""
        existing = {key.value: value for key, value in entries(target)}
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
        parsed = mapping_of(value)
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
        parsed = mapping_of(text)
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
        return load(self.flow(node))
