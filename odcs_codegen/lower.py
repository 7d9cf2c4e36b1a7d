"""Lowering: a schema-valid contract -> the IR (`ir.Module`), with warnings and semantic errors.

Each quality rule becomes one `ir.Assertion`: what it measures (`measures.Measure`), how it
compares (`_comparison`), its name, severity and source position. Rules that cannot run here are
kept as `ir.SkippedRule` with a warning; `type: text` rules as `ir.TextRule`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from . import ir
from ._runtime.errors import required_message
from .contract import (
    LEGACY_RULES,
    OPERATORS,
    JsonPath,
    PropertyNode,
    SchemaNode,
    as_list,
    as_mapping,
    column_name,
    operators_of,
    properties,
    rules,
    schema_objects,
)
from .diagnostics import CompileError, Diagnostic, Level
from .dialects import Dialect, get_dialect
from .loader import Limits, LoadedDocument, load_bytes
from .measures import ROW_COUNT, Measure, Measures
from .naming import Namespace, snake_identifier, unique_label
from .render import GENERATOR
from .sqlrules import (
    QueryError,
    check_duckdb_cast,
    check_duckdb_regex,
    check_duckdb_select,
    prepare,
)

DEFAULT_SEVERITIES: Mapping[str, str] = {"error": "P0", "warning": "P1", "info": "P2"}

DQX_CHECKS: frozenset[str] = frozenset(
    {
        *("missing", "duplicates", "whitelist", "blacklist", "cardinality", "count"),
        *("min", "max", "mean", "sum", "variance", "stddev", "percentile"),
        *("min_length", "max_length", "avg_length", "num_rows"),
    }
)
DQX_KEYS: frozenset[str] = frozenset(
    {"check", "column", "return", "values", "percentile", "column_type", *OPERATORS}
)
LIBRARY_ARGUMENTS: Mapping[str, frozenset[str]] = {
    "missingValues": frozenset({"missingValues"}),
    "invalidValues": frozenset({"validValues", "pattern"}),
    "duplicateValues": frozenset({"properties"}),
}
"""The `arguments` each library metric reads."""
RULE_KEYS: frozenset[str] = frozenset(
    {
        *OPERATORS,
        *("id", "name", "description", "dimension", "severity", "unit", "type", "metric"),
        *("businessImpact", "tags", "schedule", "scheduler", "customProperties", "method"),
        *("authoritativeDefinitions", "query", "engine", "implementation", "rule"),
    }
)
"""The keys of a quality rule itself (a typo of one under `arguments` is said so)."""
NUMERIC_TYPES: frozenset[str | None] = frozenset({"integer", "number", None})
LATENCY_PROPERTIES: frozenset[str] = frozenset({"latency", "ly", "freshness"})
HOURS_PER_UNIT: Mapping[str, float] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1 / 3600),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 1 / 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 1.0),
    **dict.fromkeys(("d", "day", "days"), 24.0),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 168.0),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 8760.0),
}
_CONSTRAINT_SUMMARIES: Mapping[str, str] = {
    "required": "NULL rows",
    "unique": "duplicate values",
}
_CONSTRAINT_HINTS: Mapping[str, str] = {"required": "nulls", "unique": "duplicates"}
UNIT_SYMBOLS: Mapping[str, str] = {
    unit: next(u for u, f in HOURS_PER_UNIT.items() if f == factor)
    for unit, factor in HOURS_PER_UNIT.items()
}
"""Every time unit spelling -> its symbol (days -> d)."""
TEMPORAL_SQL_TYPES: Mapping[str, str] = {"date": "DATE", "timestamp": "TIMESTAMP", "time": "TIME"}
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)"
_ISO_TEMPORAL: Mapping[str, re.Pattern[str]] = {
    "date": re.compile(_DATE),
    "timestamp": re.compile(f"{_DATE}([T ]{_TIME}{_OFFSET}?)?"),
    "time": re.compile(_TIME),
}
_HAS_OFFSET = re.compile(f"[T ]{_TIME}{_OFFSET}$")
UTC_NAMES: frozenset[str] = frozenset({"utc", "etc/utc", "z", "zulu", "etc/zulu", "gmt", "etc/gmt"})


class NameFilter(Protocol):
    """Include/exclude patterns (`config.Filter`): does any of `names` pass?"""

    def allows(self, *names: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Options:
    """Compiler choices that change generated code (command line or configuration)."""

    dialect: str = "duckdb"
    severities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    default_severity: str = "P1"
    constraint_severity: str = "P1"
    between: Literal["inclusive", "exclusive"] = "inclusive"
    dataset_filter: NameFilter | None = None
    rule_filter: NameFilter | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    """What a rule measures before its comparison is attached (``hint``: the metric's name)."""

    measure: Measure
    summary: str
    kind: str
    hint: str = ""
    unit: str | None = None
    failure: str | None = None


Freshness = tuple[Planned, Mapping[str, Any], JsonPath]


class _Skip(Exception):
    """A rule that cannot run here: becomes a warning and an `ir.SkippedRule`."""


class _Invalid(Exception):
    """A rule that is wrong: becomes an error (positioned at `path`)."""

    def __init__(self, message: str, path: JsonPath | None = None) -> None:
        super().__init__(message)
        self.path = path


def lower(
    doc: LoadedDocument, *, module_name: str, source_path: str, options: Options = Options()
) -> tuple[ir.Module, list[Diagnostic]]:
    """Build the IR of one contract; returns it with its warnings, raises CompileError on errors."""
    lowering = _Lowering(doc, source_path, options)
    module = lowering.module(module_name)
    if any(d.level == "error" for d in lowering.diagnostics):
        raise CompileError(lowering.diagnostics)
    return module, lowering.diagnostics


class _Lowering:
    """State of lowering one contract: its document, options and the diagnostics found."""

    def __init__(self, doc: LoadedDocument, source_path: str, options: Options) -> None:
        self.doc = doc
        self.data: Mapping[str, Any] = as_mapping(doc.data)
        self.source_path = source_path
        self.options = options
        self.dialect = get_dialect(options.dialect)
        self.m = Measures(self.dialect)
        self.diagnostics: list[Diagnostic] = []
        self.text_rules: list[ir.TextRule] = []
        self.skipped: list[ir.SkippedRule] = []
        self.api_version = str(self.data.get("apiVersion", ""))

    # --- diagnostics -------------------------------------------------------------------------
    def report(self, level: Level, path: JsonPath, message: str, *, key: bool = False) -> None:
        """Record a diagnostic at the position of `path` (with `key`: of its key)."""
        where = self.doc.key_position(path) if key else self.doc.position(path)
        self.diagnostics.append(Diagnostic(self.doc.path, where, level, message))

    def source(self, path: JsonPath) -> ir.Source:
        """The IR source reference of `path`."""
        pos = self.doc.position(path)
        return ir.Source(self.source_path, pos.line if pos else 0, pos.column if pos else 0)

    # --- module ------------------------------------------------------------------------------
    def module(self, module_name: str) -> ir.Module:
        """The whole module."""
        schemas = list(schema_objects(self.data))
        sla, freshness = self.sla(schemas)
        functions = Namespace(frozenset({"run", "main", "CHECKS", "DATASETS"}))
        check_names: set[str] = set()
        checks = tuple(
            self.check(schema, functions, check_names, len(schemas) > 1, freshness.get(i, []))
            for i, schema in enumerate(schemas)
            if self.dataset_allowed(schema)
        )
        metadata = self.metadata()
        return ir.Module(
            module_name=module_name,
            docstring=_docstring(metadata),
            suite_name=" ".join((metadata.name or "").split())[:255].rstrip() or module_name,
            source_path=self.source_path,
            source_sha256=self.doc.sha256,
            dialect=self.dialect.name,
            generator=GENERATOR,
            metadata=metadata,
            checks=checks,
            sla=tuple(sla),
            servers=self.servers(),
            text_rules=tuple(self.text_rules),
            skipped=tuple(self.skipped),
        )

    def servers(self) -> tuple[dict[str, str | int | float | bool | None], ...]:
        """The contract's `servers` entries (their scalar fields), for `run` without --data."""
        return tuple(
            {str(k): _scalar(v) for k, v in entry.items() if not isinstance(v, Mapping | list)}
            for entry in as_list(self.data.get("servers"))
            if isinstance(entry, Mapping)
        )

    def dataset_allowed(self, schema: SchemaNode) -> bool:
        """True unless the dataset filter excludes this schema object (noted when it does)."""
        allowed = self.options.dataset_filter is None or self.options.dataset_filter.allows(
            schema.name, schema.dataset
        )
        if not allowed:
            self.report("note", schema.path, f"dataset {schema.dataset!r} filtered out")
        return allowed

    def metadata(self) -> ir.Metadata:
        """Contract identity and documentation."""
        d = self.data
        return ir.Metadata(
            id=str(d.get("id", "")),
            name=_opt_str(d.get("name")),
            version=str(d.get("version", "")),
            status=str(d.get("status", "")),
            api_version=self.api_version,
            domain=_opt_str(d.get("domain")),
            data_product=_opt_str(d.get("dataProduct")),
            tags=tuple(str(t) for t in as_list(d.get("tags"))),
            description=_description(d.get("description")),
        )

    # --- checks ------------------------------------------------------------------------------
    def check(
        self,
        schema: SchemaNode,
        functions: Namespace,
        check_names: set[str],
        several: bool,
        extra: list[Freshness],
    ) -> ir.Check:
        """The @check of one schema object: constraints, property rules, schema rules, SLA."""
        contract_name = _opt_str(self.data.get("name")) or schema.dataset
        label = f"Contract: {contract_name}" + (f" ({schema.dataset})" if several else "")
        taken: set[str] = set()
        assertions: list[ir.Assertion] = []
        props = list(properties(schema))
        for prop in props:
            assertions.extend(self.constraints(prop, taken))
        assertions.extend(self.primary_key(schema, props, taken))
        for prop in props:
            for rule, path in rules(prop.data, prop.path):
                assertions.extend(self.rule(rule, path, schema, prop, props, taken))
        for rule, path in rules(schema.data, schema.path):
            assertions.extend(self.rule(rule, path, schema, None, props, taken))
        for planned, comparison, path in extra:
            name = "SLA: Freshness check"
            assertions.append(self.assertion(planned, comparison, path, name, "P0", taken))
        dataset = ir.Dataset(schema.dataset, self.columns(schema.data.get("properties")))
        return ir.Check(
            function_name=functions.claim("check_" + snake_identifier(schema.dataset).lstrip("_")),
            check_name=unique_label(label, check_names),
            schema_name=schema.name,
            docstring=f"Rules of schema object {schema.name!r} (dataset {schema.dataset!r}).",
            dataset=dataset,
            steps=_steps(assertions, dataset, self.dialect),
        )

    def columns(self, items: Any) -> tuple[ir.Column, ...]:
        """Runtime schema expectations of a property list."""
        return tuple(self.column(p) for p in as_list(items) if isinstance(p, Mapping))

    def column(self, prop: Mapping[str, Any]) -> ir.Column:
        """Runtime schema expectation of one property (nested fields and items included)."""
        items = prop.get("items")
        options = as_mapping(prop.get("logicalTypeOptions"))
        timezone = options.get("defaultTimezone", "Etc/UTC") if options.get("timezone") else None
        logical_type = _opt_str(prop.get("logicalType"))
        if logical_type == "vector":  # ODCS v3.2.0: a fixed-length list of numbers
            logical_type, items = "array", {"name": "items", "logicalType": "number"}
        return ir.Column(
            name=column_name(prop),
            logical_type=logical_type,
            required=prop.get("required") is True,
            items=self.column(items) if isinstance(items, Mapping) else None,
            fields=self.columns(prop.get("properties")),
            timezone=str(timezone) if timezone is not None else None,
        )

    # --- property constraints ------------------------------------------------------------------
    def constraints(self, prop: PropertyNode, taken: set[str]) -> list[ir.Assertion]:
        """Assertions for `required`, `unique` and the logicalTypeOptions of one property."""
        if prop.inside_array:
            return []
        col = self.m.column(prop.column_path)
        found: list[tuple[str, str, str]] = []
        if prop.data.get("required") is True:
            found.append(("required", self.m.nulls(col), "P0"))
        if prop.data.get("unique") is True:
            found.append(("unique", self.m.duplicates([col]), ""))
        logical_type = _opt_str(prop.data.get("logicalType"))
        options = as_mapping(prop.data.get("logicalTypeOptions"))
        for keyword, value in options.items():
            try:
                violation = self.option_violation(keyword, value, col, logical_type, options)
            except _Invalid as problem:
                self.report("error", (*prop.path, "logicalTypeOptions", keyword), str(problem))
                continue
            if violation is not None:
                found.append((keyword, self.m.count(f"{col} IS NOT NULL AND {violation}"), ""))
        if "enum" in prop.data and isinstance(prop.data["enum"], list):
            values = [_enum_value(v) for v in prop.data["enum"]]
            values = [v for v in values if v is not None]
            found.append(("enum", self.m.invalid(col, values, None), ""))
        return [
            self.assertion(
                Planned(
                    Measure(sql),
                    _CONSTRAINT_SUMMARIES.get(keyword, f"{keyword}: violating rows"),
                    keyword,
                    f"{prop.dotted_name} {_CONSTRAINT_HINTS.get(keyword, keyword + ' violations')}",
                    failure=required_message(prop.dotted_name) if keyword == "required" else None,
                ),
                {"mustBe": 0},
                prop.path,
                f"{prop.dotted_name}: {keyword}",
                severity or self.options.constraint_severity,
                taken,
            )
            for keyword, sql, severity in found
        ]

    def option_violation(
        self,
        keyword: str,
        value: Any,
        col: str,
        logical_type: str | None,
        options: Mapping[str, Any],
    ) -> str | None:
        """The SQL condition of a value violating a logicalTypeOptions keyword (None: no check)."""
        d = self.dialect
        if keyword in ("minLength", "maxLength"):
            op = "<" if keyword == "minLength" else ">"
            return f"{d.length(col, 'string')} {op} {_count(value, keyword)}"
        if keyword in ("minItems", "maxItems"):
            op = "<" if keyword == "minItems" else ">"
            return f"{d.length(col, 'list')} {op} {_count(value, keyword)}"
        if keyword == "uniqueItems":
            return f"NOT ({d.list_is_unique(col)})" if value is True else None
        if keyword == "pattern":
            return f"NOT {d.matches(self.text(col, logical_type), self.pattern(value, keyword))}"
        if keyword == "multipleOf":
            return f"NOT ({d.is_multiple_of(col, d.literal(_number(value, keyword)))})"
        bounds = {
            "minimum": "<",
            "maximum": ">",
            "exclusiveMinimum": "<=",
            "exclusiveMaximum": ">=",
        }
        if keyword in bounds and not isinstance(value, bool):
            op = bounds[keyword]
            if options.get(f"exclusive{keyword.capitalize()}") is True:  # v3.0.x boolean form
                op = {"<": "<=", ">": ">="}[op]
            return f"{col} {op} {self.bound_literal(value, keyword, logical_type)}"
        return None

    def text(self, col: str, logical_type: str | None) -> str:
        """A column as text for regex matching (a no-op for string columns)."""
        return col if logical_type == "string" else self.dialect.as_text(col)

    def bound_literal(self, value: Any, keyword: str, logical_type: str | None) -> str:
        """A minimum/maximum bound: a number, or a date/timestamp/time string of that type."""
        sql_type = TEMPORAL_SQL_TYPES.get(logical_type or "")
        if sql_type is None:
            return self.dialect.literal(_number(value, keyword))
        if not isinstance(value, str) or not _ISO_TEMPORAL[logical_type or ""].fullmatch(value):
            raise _Invalid(f"{keyword} must be an ISO 8601 {logical_type} string, got: {value!r}")
        if sql_type == "TIMESTAMP" and _HAS_OFFSET.search(value):
            sql_type = "TIMESTAMPTZ"
        if self.dialect.name == "duckdb":
            try:
                check_duckdb_cast(value, sql_type)
            except QueryError as problem:
                message = f"{keyword} {value!r} is not a valid {logical_type}: {problem}"
                raise _Invalid(message) from None
        return self.dialect.typed_literal(value, self.dialect.temporal_type(sql_type))

    def pattern(self, value: Any, where: str) -> str:
        """A regular expression, checked by the engine's own regex parser when it is DuckDB."""
        if not isinstance(value, str):
            raise _Invalid(f"{where} must be a string, got: {value!r}")
        if self.dialect.name == "duckdb":
            try:
                check_duckdb_regex(value)
            except QueryError as problem:
                hint = ""
                if "invalid perl operator" in str(problem) or "invalid escape" in str(problem):
                    hint = (
                        "; DuckDB's regex engine (RE2) has no lookahead, lookbehind or "
                        "backreferences: rewrite the pattern without them"
                    )
                raise _Invalid(f"invalid regular expression {value!r}: {problem}{hint}") from None
        return value

    def primary_key(
        self, schema: SchemaNode, props: Sequence[PropertyNode], taken: set[str]
    ) -> list[ir.Assertion]:
        """The composite primary key assertion (`<dataset>: primaryKey`), ordered by position."""
        keys = [p for p in props if p.data.get("primaryKey") is True and not p.inside_array]
        if not keys:
            return []
        keys.sort(key=lambda p: (_position_or_max(p.data.get("primaryKeyPosition")), p.path))
        cols = [self.m.column(p.column_path) for p in keys]
        names = ", ".join(p.dotted_name for p in keys)
        planned = Planned(
            Measure(self.m.key_violations(cols)),
            f"primary key ({names}): violating rows",
            "primaryKey",
            f"{schema.dataset} key violations",
        )
        label = f"{schema.dataset}: primaryKey"
        return [self.assertion(planned, {"mustBe": 0}, schema.path, label, "", taken)]

    # --- quality rules -------------------------------------------------------------------------
    def rule(
        self,
        rule: Any,
        path: JsonPath,
        schema: SchemaNode,
        prop: PropertyNode | None,
        props: Sequence[PropertyNode],
        taken: set[str],
    ) -> list[ir.Assertion]:
        """The assertion of one quality rule (none for text, empty and skipped rules)."""
        if not isinstance(rule, Mapping) or not rule:
            return []
        target = prop.dotted_name if prop else schema.name
        name = _rule_label(rule, prop, schema)
        if self.options.rule_filter is not None and not self.options.rule_filter.allows(name):
            self.report("note", path, f"rule {name!r} filtered out")
            return []
        try:
            if prop is not None and prop.inside_array:
                raise _Skip("rules on array elements are not supported")
            kind = _rule_type(rule)
            if kind == "text":
                self.text_rules.append(
                    ir.TextRule(target, _opt_str(rule.get("name")), _text(rule), self.source(path))
                )
                return []
            planned, comparison = self.plan(kind, rule, path, schema, prop, props)
            compare_path = (*path, "implementation") if comparison is not rule else path
        except _Skip as reason:
            self.skip(target, name, str(reason), path)
            return []
        except _Invalid as problem:
            self.report("error", problem.path or path, f"Quality rule {name!r}: {problem}")
            return []
        severity = self.severity(rule, path)
        try:
            return [self.assertion(planned, comparison, path, name, severity, taken, rule)]
        except _Invalid as problem:
            self.report("error", problem.path or compare_path, f"Quality rule {name!r}: {problem}")
            return []

    def plan(
        self,
        kind: str,
        rule: Mapping[str, Any],
        path: JsonPath,
        schema: SchemaNode,
        prop: PropertyNode | None,
        props: Sequence[PropertyNode],
    ) -> tuple[Planned, Mapping[str, Any]]:
        """What a rule measures and the mapping that holds its operator."""
        if kind == "library":
            return self.library(rule, path, schema, prop, props), rule
        if kind == "sql":
            return self.sql(rule, path, schema, prop), rule
        if kind == "custom":
            return self.custom(rule, path, prop, props)
        raise _Invalid(f"unknown rule type {kind!r}; expected library, sql, custom or text")

    def skip(self, target: str, name: str, reason: str, path: JsonPath) -> None:
        """Keep a rule as skipped, with a warning."""
        self.skipped.append(ir.SkippedRule(target, name, reason, self.source(path)))
        self.report("warning", path, f"Quality rule {name!r}: {reason}; skipping")

    def severity(self, rule: Mapping[str, Any], path: JsonPath) -> str:
        """dqx severity of an ODCS severity word (omitted -> default; unknown -> warning + P1)."""
        word = rule.get("severity")
        if word is None:
            return self.options.default_severity
        level = self.options.severities.get(str(word).lower())
        if level is None:
            known = ", ".join(self.options.severities)
            self.report(
                "warning",
                (*path, "severity"),
                f"unknown severity {word!r} (expected one of {known}); using P1",
            )
            return "P1"
        return level

    # --- library metrics -----------------------------------------------------------------------
    def library(
        self,
        rule: Mapping[str, Any],
        path: JsonPath,
        schema: SchemaNode,
        prop: PropertyNode | None,
        props: Sequence[PropertyNode],
    ) -> Planned:
        """nullValues, missingValues, invalidValues, duplicateValues, rowCount."""
        metric = self.metric_name(rule, path)
        args = dict(as_mapping(rule.get("arguments")))
        self.unknown_arguments(metric, args, path)
        if "rule" in rule and "validValues" in rule:
            args.setdefault("validValues", rule["validValues"])
        percent = self.unit(rule, path)
        if metric == "rowCount":
            if percent:
                raise _Invalid("rowCount has no percent unit")
            return Planned(ROW_COUNT, "row count", "rowCount", "rows")
        if metric == "duplicateValues" and "properties" in args:
            names = _names(args["properties"], "arguments.properties")
            where = (*path, "arguments", "properties")
            cols = [self.m.column(self.resolve(n, props, (*where, i))) for i, n in enumerate(names)]
            target = "_".join(names)
            return self.counted(self.m.duplicates(cols), percent, "duplicate rows", metric, target)
        if prop is None:
            hint = " (or use arguments.properties)" if metric == "duplicateValues" else ""
            raise _Invalid(f"metric {metric!r} must be on a property{hint}")
        col = self.m.column(prop.column_path)
        if metric == "nullValues":
            return self.counted(self.m.nulls(col), percent, "NULL rows", metric, prop.dotted_name)
        if metric == "missingValues":
            missing = _values(args.get("missingValues", []), "arguments.missingValues")
            _check_value_types(missing, prop.data.get("logicalType"), "arguments.missingValues")
            sql = self.m.missing(col, missing)
            return self.counted(sql, percent, "missing rows", metric, prop.dotted_name)
        if metric == "invalidValues":
            return self.invalid(args, col, percent, prop)
        if metric == "duplicateValues":
            sql = self.m.duplicates([col])
            return self.counted(sql, percent, "duplicate rows", metric, prop.dotted_name)
        raise _Invalid(f"unknown metric {metric!r}")

    def unknown_arguments(self, metric: str, args: Mapping[str, Any], path: JsonPath) -> None:
        """Warn about keys under `arguments` that the metric does not read (a typo, or a rule
        key such as `severity` indented one level too deep)."""
        known = LIBRARY_ARGUMENTS.get(metric, frozenset())
        for key in args:
            if key in known:
                continue
            takes = ", ".join(sorted(known)) or "no arguments"
            message = f"unknown key {key!r} under 'arguments' is ignored ({metric} takes {takes})"
            if key in RULE_KEYS:
                message += f"; {key!r} belongs on the rule: is it indented one level too deep?"
            else:
                message += _did_you_mean(key, known)
            self.report("warning", (*path, "arguments", key), message, key=True)

    def metric_name(self, rule: Mapping[str, Any], path: JsonPath) -> str:
        """The metric of a library rule; a legacy `rule:` is mapped with a deprecation warning."""
        if "metric" in rule:
            return str(rule["metric"])
        legacy = str(rule.get("rule", ""))
        metric = LEGACY_RULES.get(legacy)
        if metric is None:
            raise _Invalid(f"unknown library rule {legacy!r}")
        self.report(
            "warning",
            (*path, "rule"),
            f"'rule: {legacy}' is deprecated since ODCS v3.1.0; write 'metric: {metric}'"
            + (" with 'arguments.validValues'" if legacy == "validValues" else ""),
        )
        return metric

    def unit(self, rule: Mapping[str, Any], path: JsonPath) -> bool:
        """True for `unit: percent`, False for rows (the default)."""
        unit = str(rule.get("unit", "rows")).lower()
        if unit not in ("rows", "percent"):
            raise _Invalid(f"unit must be 'rows' or 'percent', got: {rule.get('unit')!r}")
        return unit == "percent"

    def counted(
        self, count_sql: str, percent: bool, what: str, kind: str, target: str = ""
    ) -> Planned:
        """A row count, or its percentage of all rows (0 on an empty table)."""
        hint = f"{target} {what}"
        if percent:
            measure = Measure(self.m.ratio(count_sql, "100.0"))
            return Planned(measure, f"{what} (%)", kind, f"{hint} percent", unit="%")
        return Planned(Measure(count_sql), what, kind, hint)

    def invalid(
        self, args: Mapping[str, Any], col: str, percent: bool, prop: PropertyNode
    ) -> Planned:
        """invalidValues with arguments.validValues and/or arguments.pattern."""
        valid = args.get("validValues")
        pattern = args.get("pattern")
        if valid is None and pattern is None and isinstance(prop.data.get("enum"), list):
            valid = [_enum_value(v) for v in prop.data["enum"]]  # v3.2.0: the enum is valid
        if valid is None and pattern is None:
            raise _Invalid(
                "invalidValues needs arguments.validValues or arguments.pattern (or an 'enum' "
                "on its property) to know which values are valid"
            )
        values = _values(valid, "arguments.validValues") if valid is not None else None
        if values is not None:
            _check_value_types(values, prop.data.get("logicalType"), "arguments.validValues")
        regex = self.pattern(pattern, "arguments.pattern") if pattern is not None else None
        logical_type = _opt_str(prop.data.get("logicalType"))
        sql = self.m.invalid(col, values, regex, text=self.text(col, logical_type))
        return self.counted(sql, percent, "invalid rows", "invalid", prop.dotted_name)

    def resolve(self, name: str, props: Sequence[PropertyNode], path: JsonPath) -> tuple[str, ...]:
        """The column path of a property referenced by name (or physicalName, or dotted name)."""
        found = _find_property(name, props)
        if found is None:
            raise _Invalid(f"property {name!r} does not exist in this schema object", path)
        return found.column_path

    # --- sql rules ---------------------------------------------------------------------------
    def sql(
        self, rule: Mapping[str, Any], path: JsonPath, schema: SchemaNode, prop: PropertyNode | None
    ) -> Planned:
        """A `type: sql` rule as a scalar subquery over the dataset's view."""
        query = rule.get("query")
        if not isinstance(query, str) or not query.strip():
            raise _Invalid("a sql rule needs a non-empty 'query'")
        names = {
            "table": self.dialect.quote_identifier(schema.dataset),
            "column": self.m.column(prop.column_path) if prop else None,
        }
        try:
            cleaned = prepare(query, names, self.dialect.lexicon)
            wrapped = self.dialect.scalar_subquery(cleaned)
            if self.dialect.name == "duckdb":
                check_duckdb_select(cleaned, wrapped)
        except QueryError as problem:
            raise _Invalid(f"query: {problem}", (*path, "query")) from None
        return Planned(Measure(cleaned, "query"), "query result", "sql", "query")

    # --- custom dqx rules --------------------------------------------------------------------
    def custom(
        self,
        rule: Mapping[str, Any],
        path: JsonPath,
        prop: PropertyNode | None,
        props: Sequence[PropertyNode],
    ) -> tuple[Planned, Mapping[str, Any]]:
        """A `type: custom, engine: dqx` rule: the DQX vocabulary read from `implementation`."""
        engine = str(rule.get("engine", ""))
        if engine.lower() != "dqx":
            raise _Skip(f"type 'custom' with engine {engine!r} is not executable by DQX")
        impl_path = (*path, "implementation")
        impl = self.implementation(rule.get("implementation"), impl_path)
        if isinstance(impl.get("check"), Mapping) and "function" in impl["check"]:
            raise _Skip(
                "a Databricks DQX implementation (check.function) is not dqlib's vocabulary"
            )
        for key in sorted(set(impl) - DQX_KEYS):
            self.report(
                "warning",
                impl_path,
                f"unknown key {key!r} in the dqx implementation is ignored"
                + _did_you_mean(key, DQX_KEYS),
            )
        check = str(impl.get("check", ""))
        if check not in DQX_CHECKS:
            known = ", ".join(sorted(DQX_CHECKS))
            raise _Invalid(f"unknown dqx check {check!r}; expected one of: {known}", impl_path)
        if check == "num_rows":
            return Planned(ROW_COUNT, "row count", "dqx-num_rows", "rows"), impl
        target = self.dqx_column(impl, prop, props, impl_path)
        return self.dqx_measure(check, impl, target, impl_path), impl

    def implementation(self, value: Any, path: JsonPath) -> Mapping[str, Any]:
        """The dqx implementation as a mapping (a YAML string is parsed, a mapping taken as is)."""
        if isinstance(value, Mapping):
            return value
        if not isinstance(value, str):
            raise _Invalid("a dqx rule needs an 'implementation' (a YAML mapping or string)", path)
        try:
            parsed = load_bytes(value.encode("utf-8"), self.doc.path, Limits(max_bytes=65536))
        except CompileError as error:
            first = error.diagnostics[0].message if error.diagnostics else "invalid YAML"
            raise _Invalid(f"implementation is not valid YAML: {first}", path) from None
        if not isinstance(parsed.data, Mapping):
            raise _Invalid("implementation must be a YAML mapping", path)
        return parsed.data

    def dqx_column(
        self,
        impl: Mapping[str, Any],
        prop: PropertyNode | None,
        props: Sequence[PropertyNode],
        path: JsonPath,
    ) -> PropertyNode:
        """The property a column-level dqx check measures (`column:`, else the rule's owner)."""
        name = impl.get("column")
        if name is None:
            if prop is None:
                raise _Invalid(f"check {impl.get('check')!r} needs a 'column'", path)
            return prop
        found = _find_property(str(name), props)
        if found is None:
            raise _Invalid(f"column {name!r} does not exist in this schema object", path)
        return found

    def dqx_measure(
        self, check: str, impl: Mapping[str, Any], target: PropertyNode, path: JsonPath
    ) -> Planned:
        """The measure of one dqx vocabulary check on one column."""
        col = self.m.column(target.column_path)
        logical_type = _opt_str(target.data.get("logicalType"))
        kind = f"dqx-{check}"
        label = f"{check}({target.dotted_name})"
        if check in ("missing", "duplicates", "whitelist", "blacklist"):
            return self.dqx_count(check, impl, col, target, path)
        if check == "cardinality":
            return Planned(Measure(self.m.distinct(col)), label, kind, label)
        if check == "count":
            return Planned(Measure(self.m.non_null(col)), label, kind, label)
        if check in ("min_length", "max_length", "avg_length"):
            default = {"array": "list", "map": "map"}.get(logical_type or "", "string")
            column_type = str(impl.get("column_type", default))
            if column_type not in ("string", "list", "map"):
                raise _Invalid(
                    f"column_type must be string, list or map, got {column_type!r}", path
                )
            function = {"min_length": "MIN", "max_length": "MAX", "avg_length": "AVG"}[check]
            return Planned(Measure(self.m.length(function, col, column_type)), label, kind, label)
        if logical_type not in NUMERIC_TYPES:
            raise _Invalid(
                f"check {check!r} needs a numeric column; {target.dotted_name!r} is "
                f"logicalType {logical_type!r}",
                path,
            )
        nan_possible = logical_type != "integer"
        if check == "sum":
            measure = Measure(self.m.total(col, nan_possible=nan_possible))
            return Planned(measure, label, kind, label)
        if check == "percentile":
            fraction = impl.get("percentile")
            if not isinstance(fraction, int | float) or not 0 <= fraction <= 1:
                raise _Invalid(
                    f"percentile must be a number from 0.0 to 1.0, got: {fraction!r}", path
                )
            return Planned(
                Measure(self.m.percentile(col, fraction, nan_possible=nan_possible)),
                label,
                kind,
                label,
            )
        function = {
            "min": "MIN",
            "max": "MAX",
            "mean": "AVG",
            "variance": "VAR_SAMP",
            "stddev": "STDDEV_SAMP",
        }[check]
        measure = Measure(self.m.statistic(function, col, nan_possible=nan_possible))
        return Planned(measure, label, kind, label)

    def dqx_count(
        self, check: str, impl: Mapping[str, Any], col: str, target: PropertyNode, path: JsonPath
    ) -> Planned:
        """missing / duplicates / whitelist / blacklist, as a count or a 0-1 fraction."""
        if check == "missing":
            sql = self.m.nulls(col)
        elif check == "duplicates":
            sql = self.m.duplicates([col])
        else:
            values = _values(impl.get("values"), "values")
            _check_value_types(values, target.data.get("logicalType"), "values")
            sql = (
                self.m.invalid(col, values, None)
                if check == "whitelist"
                else self.m.listed(col, values)
            )
        returns = str(impl.get("return", "count"))
        if returns not in ("count", "pct"):
            raise _Invalid(f"return must be 'count' or 'pct', got {returns!r}", path)
        label = f"{check}({target.dotted_name})"
        if returns == "pct":
            measure = Measure(self.m.ratio(sql, "1.0"))
            return Planned(measure, f"{label} (fraction)", f"dqx-{check}", f"{label} fraction")
        return Planned(Measure(sql), label, f"dqx-{check}", label)

    # --- SLA ---------------------------------------------------------------------------------
    def sla(
        self, schemas: Sequence[SchemaNode]
    ) -> tuple[list[ir.SlaEntry], dict[int, list[Freshness]]]:
        """All SLA entries, and the freshness assertions per schema object index."""
        entries: list[ir.SlaEntry] = []
        freshness: dict[int, list[Freshness]] = {}
        for index, entry in enumerate(as_list(self.data.get("slaProperties"))):
            if not isinstance(entry, Mapping):
                continue
            path: JsonPath = ("slaProperties", index)
            prop_name = str(entry.get("property", ""))
            hours, column, owner = None, None, None
            if prop_name.lower() in LATENCY_PROPERTIES:
                hours, column, owner = self.latency(entry, path, schemas)
            entries.append(
                ir.SlaEntry(
                    property=prop_name,
                    value=_scalar(entry.get("value")),
                    unit=_opt_str(entry.get("unit")),
                    element=_opt_str(entry.get("element")),
                    max_age_hours=hours,
                    timestamp_column=".".join(column.column_path) if column else None,
                )
            )
            if hours is not None and column is not None and owner is not None:
                planned = Planned(
                    Measure(self.m.hours_since_newest(self.m.column(column.column_path))),
                    f"hours since the newest {column.dotted_name}",
                    "freshness",
                    f"hours since {column.dotted_name}",
                    unit="h",
                )
                freshness.setdefault(owner, []).append(
                    (planned, {"mustBeLessOrEqualTo": hours}, path)
                )
        return entries, freshness

    def latency(
        self, entry: Mapping[str, Any], path: JsonPath, schemas: Sequence[SchemaNode]
    ) -> tuple[float | None, PropertyNode | None, int | None]:
        """max_age_hours, timestamp column and its schema object (spec 8.2), or a warning."""
        value, unit = entry.get("value"), str(entry.get("unit", "h")).lower()
        if not _is_number(value):
            self.report(
                "warning",
                (*path, "value"),
                f"SLA latency value must be a number, got: " f"{value!r}; freshness check skipped",
            )
            return None, None, None
        factor = HOURS_PER_UNIT.get(unit)
        if factor is None:
            self.report(
                "warning",
                (*path, "unit"),
                f"SLA latency unit {entry.get('unit')!r} is "
                "not a time unit (s, min, h, d, w, y); freshness check skipped"
                + _did_you_mean(unit, HOURS_PER_UNIT, canonical=UNIT_SYMBOLS),
            )
            return None, None, None
        hours = _number(value, "SLA latency value") * factor
        found = self.timestamp_column(entry, path, schemas)
        if found is None:
            return hours, None, None
        return hours, found[0], found[1]

    def timestamp_column(
        self, entry: Mapping[str, Any], path: JsonPath, schemas: Sequence[SchemaNode]
    ) -> tuple[PropertyNode, int] | None:
        """The column named by `element` (or the contract's v3.0 `slaDefaultElement`), else the
        first partition key (spec 8.2); it must be a date or timestamp."""
        element, where = entry.get("element"), (*path, "element")
        if not isinstance(element, str) or not element.strip():
            element, where = self.data.get("slaDefaultElement"), ("slaDefaultElement",)
        found = self.element_column(element, schemas) if isinstance(element, str) else None
        if isinstance(element, str) and element.strip() and found is None:
            names = {name for schema in schemas for name in (schema.name, schema.dataset)}
            what = (
                "names a schema object, not a property (freshness needs a date or timestamp "
                "column: write object.column)"
                if element.strip() in names
                else "does not name a property of this contract"
            )
            message = f"SLA element {element!r} {what}; freshness check skipped"
            self.report("warning", where, message)
            return None
        if found is None:
            found = _partition_key(schemas)
        if found is None:
            message = (
                "SLA latency rule: no timestamp column could be resolved; freshness check skipped"
            )
            self.report("warning", path, message)
            return None
        logical_type = found[0].data.get("logicalType")
        if logical_type not in (None, "date", "timestamp"):
            message = (
                f"SLA latency column {found[0].dotted_name!r} is logicalType {logical_type!r}; "
                "freshness needs a date or timestamp"
            )
            self.report("error", where if element else path, message)
            return None
        return found

    @staticmethod
    def element_column(
        element: str, schemas: Sequence[SchemaNode]
    ) -> tuple[PropertyNode, int] | None:
        """The property named by an SLA element (`table.column`, first of a comma list)."""
        table, _, column = element.split(",")[0].strip().rpartition(".")
        for index, schema in enumerate(schemas):
            if table and table not in (schema.name, schema.dataset):
                continue
            for prop in properties(schema):
                if column in (prop.name, ".".join(prop.column_path)) and not prop.inside_array:
                    return prop, index
        return None

    # --- assertions --------------------------------------------------------------------------
    def assertion(
        self,
        planned: Planned,
        comparison: Mapping[str, Any],
        path: JsonPath,
        name: str,
        severity: str,
        taken: set[str],
        rule: Mapping[str, Any] | None = None,
    ) -> ir.Assertion:
        """Attach the comparison, name, severity and tags to a planned measure."""
        compared, text = self.comparison(comparison)
        tags = ["odcs", re.sub(r"[^A-Za-z0-9_-]", "_", planned.kind)]
        dimension = rule.get("dimension") if rule else None
        if isinstance(dimension, str) and re.fullmatch(r"[A-Za-z0-9_-]+", dimension):
            tags.append(dimension)
        measure = planned.measure
        description = rule.get("description") if rule else None
        return ir.Assertion(
            name=unique_label(name, taken),
            severity=severity or self.options.constraint_severity,
            tags=tuple(sorted(set(tags))),
            summary=f"{planned.summary} {text}".strip(),
            source=self.source(path),
            metric=ir.Metric(planned.hint, measure.kind, measure.sql),
            comparison=compared,
            unit=planned.unit,
            description=description if isinstance(description, str) else None,
            failure=planned.failure,
        )

    def comparison(self, holder: Mapping[str, Any]) -> tuple[ir.Comparison, str]:
        """The comparison of the operator in `holder`, and its description."""
        ops = operators_of(holder)
        if not ops:
            return ir.Comparison("none"), "(recorded, no threshold)"
        if len(ops) > 1:
            raise _Invalid("exactly one operator is required, found " + " and ".join(ops))
        op = ops[0]
        value = holder[op]
        if op in ("mustBeBetween", "mustNotBeBetween"):
            lower, upper = _bounds(op, value)
            operator: ir.Operator = "between" if op == "mustBeBetween" else "not_between"
            exclusive = self.options.between == "exclusive"
            return ir.Comparison(operator, lower, upper, exclusive), f"{op} [{lower!r}, {upper!r}]"
        number = _number(value, op)
        return ir.Comparison(_OPERATORS[op], number), f"{op} {number!r}"


_OPERATORS: Mapping[str, ir.Operator] = {
    "mustBe": "eq",
    "mustNotBe": "neq",
    "mustBeGreaterThan": "gt",
    "mustBeGreaterOrEqualTo": "geq",
    "mustBeLessThan": "lt",
    "mustBeLessOrEqualTo": "leq",
}


def _steps(
    assertions: Sequence[ir.Assertion], dataset: ir.Dataset, dialect: Dialect
) -> tuple[ir.Step, ...]:
    """Each metric defined where first used (identical SQL measured once), then its assertions."""
    names = Namespace(frozenset({"m", "mp", "ctx"}))
    defined: dict[tuple[str, str], ir.Metric] = {}
    steps: list[ir.Step] = []
    quoted = {dialect.quote_identifier(c.name): c.name for c in dataset.columns}
    for assertion in assertions:
        metric = assertion.metric
        key = (metric.kind, metric.sql)
        found = defined.get(key)
        if found is None:
            reads = tuple(name for q, name in quoted.items() if q in metric.sql)
            hint = snake_identifier(metric.variable or metric.kind, prefix="metric")
            found = ir.Metric(names.claim(hint), metric.kind, metric.sql, reads)
            defined[key] = found
            steps.append(found)
        steps.append(dataclasses.replace(assertion, metric=found))
    return tuple(steps)


# --- small pure helpers --------------------------------------------------------------------------
def _did_you_mean(
    word: str, choices: Iterable[str], canonical: Mapping[str, str] | None = None
) -> str:
    """"; did you mean 'x'?" for the choice `word` looks like (case first), else "";
    `canonical` names the spelling to suggest for each choice."""
    import difflib

    listed = sorted(choices)
    folded = [c for c in listed if c.casefold() == word.casefold()]
    close = folded or difflib.get_close_matches(word, listed, n=1, cutoff=0.5)
    if not close or close[0] == word:
        return ""
    return f"; did you mean {(canonical or {}).get(close[0], close[0])!r}?"


def _opt_str(value: Any) -> str | None:
    """`value` as a string, None when absent or null."""
    return None if value is None else str(value)


def _docstring(metadata: ir.Metadata) -> str:
    """The generated module's docstring: what it checks, then the contract's description."""
    title = metadata.name or metadata.id
    head = f"Data quality checks of the ODCS contract {title!r}, version {metadata.version}."
    return f"{head}\n\n{metadata.description}\n" if metadata.description else head


def _description(value: Any) -> str | None:
    """The contract description as text (a string, or the fields of a description object)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        parts = [f"{k.capitalize()}: {v}" for k, v in value.items() if isinstance(v, str)]
        return "\n".join(parts) or None
    return None


def _text(rule: Mapping[str, Any]) -> str:
    """The description of a text rule."""
    return str(rule.get("description", rule.get("implementation", "")))


def _rule_type(rule: Mapping[str, Any]) -> str:
    """library (explicit, or implied by metric/rule), sql, custom or text."""
    if "type" in rule:
        return str(rule["type"])
    if "metric" in rule or "rule" in rule:
        return "library"
    if "query" in rule:
        return "sql"
    raise _Invalid("a quality rule needs a 'type' (library, sql, custom, text) or a 'metric'")


def _rule_label(rule: Mapping[str, Any], prop: PropertyNode | None, schema: SchemaNode) -> str:
    """The rule's name, else its id, else `<target>: <what it checks>`."""
    for key in ("name", "id"):
        if isinstance(rule.get(key), str) and rule[key].strip():
            return str(rule[key])
    target = prop.dotted_name if prop else schema.dataset
    what = rule.get("metric") or rule.get("rule") or rule.get("type") or "rule"
    if rule.get("type") == "custom" and isinstance(rule.get("implementation"), str):
        match = re.search(r"^\s*check:\s*(\w+)", rule["implementation"], re.MULTILINE)
        what = match.group(1) if match else what
    return f"{target}: {what}"


def _find_property(name: str, props: Sequence[PropertyNode]) -> PropertyNode | None:
    """The property called `name`: by dotted name, then name, then physical column path."""
    candidates = [p for p in props if not p.inside_array]
    for key in (
        lambda p: p.dotted_name,
        lambda p: p.name,
        lambda p: ".".join(p.column_path),
    ):
        for prop in candidates:
            if key(prop) == name:
                return prop
    return None


def _is_number(value: Any) -> bool:
    """A YAML int or float (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, where: str) -> int | float:
    """A finite number that a double holds (integers up to 2**53), or _Invalid."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > 2**53:
            raise _Invalid(f"{where} is too large: integers above 2**53 lose precision")
        return value
    if not _is_number(value) or not math.isfinite(value):
        raise _Invalid(f"{where} must be a number, got: {_show(value)[:60]}")
    return float(value)


def _count(value: Any, where: str) -> int:
    """A non-negative integer, or _Invalid."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid(f"{where} must be a non-negative integer, got: {value!r}")
    return value


def _bounds(op: str, value: Any) -> tuple[int | float, int | float]:
    """The [lower, upper] of a range operator, checked."""
    if not isinstance(value, list) or len(value) != 2 or not all(_is_number(v) for v in value):
        raise _Invalid(f"{op} must be a list of [lower, upper], got: {_show(value)}")
    lower, upper = _number(value[0], op), _number(value[1], op)
    if lower > upper:
        raise _Invalid(f"{op} lower bound {lower!r} is above the upper bound {upper!r}")
    return lower, upper


def _show(value: Any) -> str:
    """A value as the messages print it: numbers bare, strings quoted."""
    return (
        repr(value) if not isinstance(value, int | float) or isinstance(value, bool) else str(value)
    )


def _names(value: Any, where: str) -> list[str]:
    """A non-empty list of property names."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{where} must be a non-empty list of property names")
    return [str(v) for v in value]


def _values(value: Any, where: str) -> list[Any]:
    """A list of scalar values."""
    if not isinstance(value, list) or any(isinstance(v, Mapping | list) for v in value):
        raise _Invalid(f"{where} must be a list of values, got: {_show(value)}")
    return list(value)


def _check_value_types(values: Sequence[Any], logical_type: Any, where: str) -> None:
    """Values comparable with the column's logicalType (else the database would abort the run)."""
    expected: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "integer": (int,),
        "number": (int, float),
        "boolean": (bool,),
        "date": (str,),
        "timestamp": (str,),
        "time": (str,),
    }
    types = expected.get(str(logical_type))
    if types is None:
        return
    for v in values:
        if v is None:
            continue
        bad_bool = isinstance(v, bool) and bool not in types
        if bad_bool or not isinstance(v, types):
            article = "an" if str(logical_type)[0] in "aeiou" else "a"
            raise _Invalid(
                f"{where} holds {v!r}, which cannot be compared with {article} "
                f"{logical_type} column"
            )


def _partition_key(schemas: Sequence[SchemaNode]) -> tuple[PropertyNode, int] | None:
    """The first property with `partitioned: true` and `partitionKeyPosition: 1`."""
    for index, schema in enumerate(schemas):
        for prop in properties(schema):
            if prop.data.get("partitioned") is True and prop.data.get("partitionKeyPosition") == 1:
                return prop, index
    return None


def _enum_value(entry: Any) -> Any:
    """A v3.2.0 enum entry's value (entries are `{value, label}` objects, or plain values)."""
    return entry.get("value") if isinstance(entry, Mapping) else entry


def _position_or_max(value: Any) -> int:
    """A primaryKeyPosition, or a large number when absent."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 30


def _scalar(value: Any) -> str | int | float | bool | None:
    """An SLA value as a scalar (other shapes as their text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
