"""Checking a configuration: schema errors and what the schema cannot check, as diagnostics."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final, cast

from ..diagnostics import Diagnostic, JsonPath
from ..options import config_schema
from .jobs import FILTER_KEYS, Job
from .reading import SECTION, Source
from .wording import alternatives, quote, show, suggestion

__all__ = ["Checker"]


@cache
def _schema() -> dict[str, Any]:
    """The configuration JSON Schema (built from the options table)."""
    return config_schema()


def _strict_integer(_checker: Any, instance: Any) -> bool:
    """JSON Schema 'integer', without booleans or floats such as 100.0."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator() -> Any:
    """A draft 2020-12 validator of the schema (floats are not integers here)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
    from jsonschema.validators import extend  # type: ignore[import-untyped,unused-ignore]

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
    strict = extend(Draft202012Validator, type_checker=checker)
    return strict(_schema())


_TYPE_WORDS: Final[Mapping[str, str]] = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "null": "null",
}
_PATTERN_HINTS: Final[Mapping[str, str]] = {
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "use letters, digits, '_', '-' and '.', starting with a letter or digit"
    ),
    "^[A-Za-z][A-Za-z0-9_-]*$": "use letters, digits, '_' and '-', starting with a letter",
}


class Checker:
    """Turns schema errors and the checks the schema cannot make into diagnostics."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.document = source.document
        self.table = "a table" if source.toml else "a mapping"
        self.data: Any = source.data

    # ------------------------------------------------------------------ positions

    def diagnostic(self, path: JsonPath, message: str, *, key: bool = False) -> Diagnostic:
        """An error at the value (or, with ``key``, the key) at config-relative ``path``."""
        full = (*self.source.root, *path)
        where = self.document.key_position(full) if key else self.document.position(full)
        return Diagnostic(self.document.path, where, "error", message)

    # ------------------------------------------------------------------ naming

    def job_label(self, index: int) -> str:
        """``job 'sales'``, or ``job #2`` when it has no usable name."""
        jobs = self.data.get("jobs") if isinstance(self.data, dict) else None
        entry = jobs[index] if isinstance(jobs, list) and index < len(jobs) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        return f"job {quote(name)}" if isinstance(name, str) and name else f"job #{index + 1}"

    def subject(self, path: JsonPath) -> str:
        """How a message names the value at ``path``: ``'line-length' of job 'sales'``."""
        suffix = ""
        if len(path) >= 2 and path[0] == "jobs" and isinstance(path[1], int):
            label = self.job_label(path[1])
            if len(path) == 2:
                return label
            suffix, path = f" of {label}", path[2:]
        name = "'" + ".".join(str(p) for p in path if isinstance(p, str)) + "'"
        if path and isinstance(path[-1], int):
            name = f"item {path[-1] + 1} of {name}"
        return name + suffix

    def scope(self, path: JsonPath) -> str:
        """`` in job 'sales'`` (or `` in 'contract-filter'``) for the table at ``path``."""
        return f" in {self.subject(path)}" if path else ""

    # ------------------------------------------------------------------ checks

    def check(self, data: Any) -> list[Diagnostic]:
        """Every problem of the configuration ``data``."""
        found = [d for error in _validator().iter_errors(data) for d in self.schema_error(error)]
        found.extend(self.regex_errors(data))
        found.extend(self.duplicate_job_names(data))
        found.extend(self.severity_word_clashes(data))
        return found

    def schema_error(self, error: Any) -> list[Diagnostic]:
        """The diagnostics of one schema error."""
        path: JsonPath = tuple(error.absolute_path)
        keyword = error.validator
        schema: Any = error.schema
        value = error.instance
        subject = self.subject(path)
        if keyword == "additionalProperties":
            return self.unknown_keys(path, value, schema)
        if keyword == "required":
            missing = [k for k in error.validator_value if k not in value]
            return [self.diagnostic(path, f"{subject} needs a {quote(k)}") for k in missing]
        if keyword == "pattern" and "propertyNames" in error.relative_schema_path:
            hint = _PATTERN_HINTS.get(str(error.validator_value), "")
            message = f"invalid key {show(value, self.table)} in {subject}: {hint}"
            return [self.diagnostic((*path, str(value)), message, key=True)]
        return [self.diagnostic(path, self.value_message(path, keyword, error, subject))]

    def value_message(self, path: JsonPath, keyword: Any, error: Any, subject: str) -> str:
        """The message of a schema error about one value."""
        value = error.instance
        shown = show(value, self.table)
        schema: Any = error.schema
        if keyword == "type":
            types = error.validator_value
            names = [types] if isinstance(types, str) else list(types)
            words = [_TYPE_WORDS.get(t, self.table) for t in names]
            message = f"{subject} must be {' or '.join(words)}, got {shown}"
            if path == ("jobs",) and isinstance(value, dict) and self.source.toml:
                header = f"[[tool.{SECTION}.jobs]]" if self.source.root else "[[jobs]]"
                message += f"; write each job as a {header} table"
            return message
        if keyword == "enum":
            choices = [str(c) for c in error.validator_value]
            message = f"{subject} must be {alternatives(choices)}, got {shown}"
            guess = suggestion(value, choices) if isinstance(value, str) else None
            return message + (f"; did you mean {quote(guess)}?" if guess else "")
        if keyword in ("minimum", "maximum"):
            low, high = schema.get("minimum"), schema.get("maximum")
            if low is not None and high is not None:
                return f"{subject} must be between {low} and {high}, got {shown}"
            if low is not None:
                return f"{subject} must be at least {low}, got {shown}"
            return f"{subject} must be at most {high}, got {shown}"
        if keyword in ("minLength", "minItems"):
            return f"{subject} must not be empty"
        if keyword == "pattern":
            hint = _PATTERN_HINTS.get(str(error.validator_value), "")
            if path[-1:] == ("name",):
                return f"invalid job name {shown}: {hint}"
            return f"{subject} must match {error.validator_value!r}, got {shown}"
        return f"{subject}: {error.message}"

    def unknown_keys(self, path: JsonPath, value: Any, schema: Any) -> list[Diagnostic]:
        """One diagnostic per key the table at ``path`` does not take."""
        expected = list(schema.get("properties", {}))
        found = []
        for key in value:
            if key in expected:
                continue
            message = f"unknown key {quote(key)}{self.scope(path)} (expected one of: "
            message += ", ".join(expected) + ")"
            guess = suggestion(key, expected)
            if guess is not None:
                message += f"; did you mean {quote(guess)}?"
            elif key == "name" and not path:
                message += f"; 'name' belongs in a job ([[tool.{SECTION}.jobs]])"
            found.append(self.diagnostic((*path, key), message, key=True))
        return found

    def scopes(self, data: Any) -> Iterator[tuple[JsonPath, Mapping[str, Any]]]:
        """The top-level table and every job table, with their paths."""
        if not isinstance(data, dict):
            return
        yield (), data
        jobs = data.get("jobs")
        if isinstance(jobs, list):
            for index, job in enumerate(jobs):
                if isinstance(job, dict):
                    yield ("jobs", index), job

    def regex_errors(self, data: Any) -> Iterator[Diagnostic]:
        """Filter patterns that Python's ``re`` does not compile."""
        for base, table in self.scopes(data):
            for key in FILTER_KEYS:
                patterns = table.get(key)
                if not isinstance(patterns, dict):
                    continue
                for part in ("includes", "excludes"):
                    items = patterns.get(part)
                    if not isinstance(items, list):
                        continue
                    for index, item in enumerate(items):
                        if not isinstance(item, str):
                            continue
                        try:
                            re.compile(item)
                        except re.error as exc:
                            path = (*base, key, part, index)
                            subject = self.subject((*base, key, part))
                            yield self.diagnostic(
                                path,
                                f"invalid regular expression {quote(item)} in {subject}: {exc}",
                            )

    def duplicate_job_names(self, data: Any) -> Iterator[Diagnostic]:
        """Jobs that share a name."""
        seen: dict[str, int] = {}
        for base, table in self.scopes(data):
            name = table.get("name")
            if not base or not isinstance(name, str):
                continue
            if name in seen:
                first = self.document.position((*self.source.root, "jobs", seen[name], "name"))
                where = f" (first used at line {first.line})" if first else ""
                yield self.diagnostic((*base, "name"), f"duplicate job name {quote(name)}{where}")
            else:
                seen[name] = cast(int, base[1])

    def shared_outputs(self, jobs: Sequence[Job]) -> Iterator[Diagnostic]:
        """Jobs that would write the same package folder."""
        owners: dict[Path, str] = {}
        for index, job in enumerate(jobs):
            if job.output is None:
                continue
            if job.output in owners:
                entry = self.data["jobs"][index]
                path: JsonPath = ("jobs", index, "output") if "output" in entry else ("jobs", index)
                message = (
                    f"{self.job_label(index)} has the same 'output' as {owners[job.output]}: "
                    "each job needs its own package folder"
                )
                yield self.diagnostic(path, message)
            else:
                owners[job.output] = self.job_label(index)

    def severity_word_clashes(self, data: Any) -> Iterator[Diagnostic]:
        """Severity words that differ only in case (words are case-insensitive)."""
        for base, table in self.scopes(data):
            words = table.get("severity")
            if not isinstance(words, dict):
                continue
            seen: dict[str, str] = {}
            for word in words:
                lower = word.lower()
                if lower in seen:
                    message = (
                        f"severity word {quote(word)} repeats {quote(seen[lower])} "
                        "(severity words are case-insensitive)"
                    )
                    yield self.diagnostic((*base, "severity", word), message, key=True)
                else:
                    seen[lower] = word


# --------------------------------------------------------------------------- building jobs
