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
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._runtime.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ..diagnostics import CompileError
from ..emit import write_atomic
from .fixer import Fixer
from .nodes import Fix, SourceText, apply, compose, decode, fix_error

__all__ = [
    "Fix",
    "FixResult",
    "fix_command",
    "fix_file",
    "fix_text",
    "unified_diff",
]


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


# --------------------------------------------------------------------------- public API


def fix_text(text: str, path: str, *, upgrade: bool = False) -> FixResult:
    """Fix one contract's YAML text; CompileError (one diagnostic) when it does not parse."""
    root = compose(text, path)
    fixer = Fixer(SourceText(text), path, upgrade=upgrade)
    fixer.run(root)
    try:
        fixed = apply(text, fixer.edits)
    except ValueError as error:  # a bug of ours: refuse rather than write a broken file
        raise fix_error(path, None, f"internal error: {error}; nothing changed") from None
    if fixed != text:
        compose(fixed, path, internal=True)
    fixes = tuple(sorted(fixer.fixes, key=lambda f: (f.line, f.column, f.message)))
    return FixResult(path, text, fixed, fixes)


def fix_file(file: Path, display_path: str, *, upgrade: bool = False) -> FixResult:
    """Fix the contract in `file` (read only, never written); diagnostics name `display_path`."""
    try:
        raw = Path(file).read_bytes()
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise fix_error(display_path, None, message) from None
    return fix_text(decode(raw, display_path), display_path, upgrade=upgrade)


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
    from ..compiler import discover
    from ..diagnostics import UsageError

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
