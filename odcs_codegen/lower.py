"""Lowering: the contract model -> the IR (`ir.Module`), with warnings and rule errors.

Each quality rule, property constraint and freshness SLA becomes one `ir.Assertion`, in the
order the contract writes them: what it measures (a rule kind of `rules`), its comparison
(`comparison`), name, severity and source position. Rules that cannot run here are kept as
`ir.SkippedRule` with a warning; `type: text` rules as `ir.TextRule`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import ir, rules
from .diagnostics import CompileError, Diagnostic, Level
from .dialects import Dialect, get_dialect
from .measures import Measures
from .model import Contract, JsonPath, Property, Rule, SchemaObject, Threshold
from .naming import Namespace, snake_identifier, unique_label
from .render import GENERATOR
from .rules import constraints, sla
from .rules.base import Planned, RuleError, Skip, Target, number_of
from .settings import DEFAULT_SEVERITIES, Options
from .sqlrules import layout

__all__ = ["DEFAULT_SEVERITIES", "Options", "lower"]

_NO_OPTIONS = Options()
_OPERATORS: Mapping[str, ir.Operator] = {
    "mustBe": "eq",
    "mustNotBe": "neq",
    "mustBeGreaterThan": "gt",
    "mustBeGreaterOrEqualTo": "geq",
    "mustBeLessThan": "lt",
    "mustBeLessOrEqualTo": "leq",
    "mustBeBetween": "between",
    "mustNotBeBetween": "not_between",
}


@dataclass(frozen=True, slots=True)
class _Item:
    """An assertion before its metric is named: where it is written, what it measures."""

    path: JsonPath
    planned: Planned
    thresholds: tuple[Threshold, ...]
    name: str
    severity: str
    description: str | None = None
    dimension: str | None = None


def lower(
    contract: Contract,
    *,
    path: str,
    module_name: str,
    source_path: str,
    options: Options = _NO_OPTIONS,
) -> tuple[ir.Module, list[Diagnostic]]:
    """The IR of one contract (`path` names it in diagnostics) and its warnings; raises
    CompileError on errors."""
    lowering = _Lowering(contract, path, source_path, options)
    module = lowering.module(module_name)
    if any(d.level == "error" for d in lowering.diagnostics):
        raise CompileError(lowering.diagnostics)
    return module, lowering.diagnostics


class _Lowering:
    """State of lowering one contract: the model, options and the diagnostics found."""

    def __init__(self, contract: Contract, path: str, source_path: str, options: Options) -> None:
        self.contract = contract
        self.path = path
        self.source_path = source_path
        self.options = options
        self.dialect: Dialect = get_dialect(options.dialect)
        self.m = Measures(self.dialect)
        self.diagnostics: list[Diagnostic] = []
        self.text_rules: list[ir.TextRule] = []
        self.skipped: list[ir.SkippedRule] = []

    # --- diagnostics (rules.Context) -------------------------------------------------------
    def report(self, level: Level, path: JsonPath, message: str, *, key: bool = False) -> None:
        """Record a diagnostic at the position of `path` (with `key`: of its key)."""
        where = self.contract.where(path, key=key)
        self.diagnostics.append(Diagnostic(self.path, where, level, message))

    def source(self, path: JsonPath) -> ir.Source:
        """The IR source reference of `path`."""
        pos = self.contract.where(path)
        return ir.Source(self.source_path, pos.line if pos else 0, pos.column if pos else 0)

    # --- module ----------------------------------------------------------------------------
    def module(self, module_name: str) -> ir.Module:
        """The whole module."""
        contract = self.contract
        fresh = [sla.freshness(self, contract, entry) for entry in contract.sla]
        functions = Namespace(frozenset({"run", "main", "verify", "CHECKS", "DATASETS"}))
        check_names: set[str] = set()
        several = len(contract.schemas) > 1
        checks = tuple(
            self.check(
                schema,
                functions,
                check_names,
                several,
                [f for f in fresh if f and f.schema_index == i],
            )
            for i, schema in enumerate(contract.schemas)
            if self.dataset_allowed(schema)
        )
        metadata = ir.Metadata(
            id=contract.id,
            name=contract.name,
            version=contract.version,
            status=contract.status,
            api_version=contract.api_version,
            domain=contract.domain,
            data_product=contract.data_product,
            tags=contract.tags,
            description=contract.description,
        )
        return ir.Module(
            module_name=module_name,
            docstring=_docstring(metadata),
            suite_name=" ".join((metadata.name or "").split())[:255].rstrip() or module_name,
            source_path=self.source_path,
            source_sha256=contract.source_sha256,
            dialect=self.dialect.name,
            generator=GENERATOR,
            metadata=metadata,
            checks=checks,
            sla=tuple(_sla_entry(entry, f) for entry, f in zip(contract.sla, fresh, strict=True)),
            servers=contract.servers,
            text_rules=tuple(self.text_rules),
            skipped=tuple(self.skipped),
        )

    def dataset_allowed(self, schema: SchemaObject) -> bool:
        """True unless the dataset filter excludes this schema object (noted when it does)."""
        dataset_filter = self.options.dataset_filter
        allowed = dataset_filter is None or dataset_filter.allows(schema.name, schema.dataset)
        if not allowed:
            self.report("note", schema.path, f"dataset {schema.dataset!r} filtered out")
        return allowed

    # --- checks ----------------------------------------------------------------------------
    def check(
        self,
        schema: SchemaObject,
        functions: Namespace,
        check_names: set[str],
        several: bool,
        fresh: list[sla.Freshness],
    ) -> ir.Check:
        """The @check of one schema object: its assertions in the contract's order."""
        label = f"Contract: {self.contract.name or schema.dataset}"
        label += f" ({schema.dataset})" if several else ""
        props = schema.all_properties()
        target = Target(schema, None, tuple(props))
        items: list[_Item] = []
        for prop in props:
            for found in constraints.constraints(self, prop):
                severity = found.severity or self.options.constraint_severity
                name = f"{prop.dotted_name}: {found.keyword}"
                items.append(_Item(found.path, found.planned, _MUST_BE_0, name, severity))
        key = constraints.primary_key(self, schema, props)
        if key is not None:
            name = f"{schema.dataset}: primaryKey"
            severity = self.options.constraint_severity
            items.append(_Item(key.path, key.planned, _MUST_BE_0, name, severity))
        for prop in props:
            for rule in prop.quality:
                items += self.rule(rule, dataclasses.replace(target, prop=prop))
        for rule in schema.quality:
            items += self.rule(rule, target)
        for result in fresh:
            assert result.planned is not None
            threshold = Threshold("mustBeLessOrEqualTo", result.hours, result.entry.path)
            name = "SLA: Freshness check"
            items.append(_Item(result.entry.path, result.planned, (threshold,), name, "P0"))
        items.sort(key=self.order)
        columns = tuple(_column(p) for p in schema.properties)
        dataset = ir.Dataset(schema.dataset, columns, _partition_key(schema.properties))
        return ir.Check(
            function_name=functions.claim("check_" + snake_identifier(schema.dataset).lstrip("_")),
            check_name=unique_label(label, check_names),
            schema_name=schema.name,
            docstring=f"Rules of schema object {schema.name!r} (dataset {schema.dataset!r}).",
            dataset=dataset,
            steps=self.steps(items, dataset),
        )

    def order(self, item: _Item) -> tuple[int, int]:
        """Where an assertion is written (the contract's order)."""
        pos = self.contract.where(item.path, key=True)
        return (pos.line, pos.column) if pos else (0, 0)

    # --- quality rules ---------------------------------------------------------------------
    def rule(self, rule: Rule, target: Target) -> list[_Item]:
        """The assertion of one quality rule (none for text, empty and skipped rules)."""
        if rule.empty:
            return []
        name = rules.rule_label(rule.raw, target.label)
        if self.options.rule_filter is not None and not self.options.rule_filter.allows(name):
            self.report("note", rule.path, f"rule {name!r} filtered out")
            return []
        try:
            if target.prop is not None and target.prop.inside_array:
                raise Skip("rules on array elements are not supported")
            if rule.type == "text":
                text = ir.TextRule(
                    target.label, rule.name, rule.description or "", self.source(rule.path)
                )
                self.text_rules.append(text)
                return []
            planned, holder = rules.measure(self, rule, target)
            item = _Item(
                rule.path,
                planned,
                holder.thresholds,
                name,
                self.severity(rule),
                rule.description,
                rule.dimension,
            )
            self.comparison(item.thresholds)  # checked here, where the error belongs
            return [item]
        except Skip as reason:
            self.skipped.append(
                ir.SkippedRule(target.label, name, str(reason), self.source(rule.path))
            )
            self.report("warning", rule.path, f"Quality rule {name!r}: {reason}; skipping")
        except RuleError as problem:
            self.report("error", problem.path or rule.path, f"Quality rule {name!r}: {problem}")
        return []

    def severity(self, rule: Rule) -> str:
        """dqx severity of an ODCS severity word (omitted -> default; unknown -> warning + P1)."""
        if rule.severity is None:
            return self.options.default_severity
        level = self.options.severities.get(rule.severity.lower())
        if level is None:
            known = ", ".join(self.options.severities)
            self.report(
                "warning",
                (*rule.path, "severity"),
                f"unknown severity {rule.severity!r} (expected one of {known}); using P1",
            )
            return "P1"
        return level

    def comparison(self, thresholds: Sequence[Threshold]) -> tuple[ir.Comparison, str]:
        """The comparison of a rule's operator, and how the comment says it."""
        if not thresholds:
            return ir.Comparison("none"), "(recorded, no threshold)"
        if len(thresholds) > 1:
            found = " and ".join(t.operator for t in thresholds)
            raise RuleError(f"exactly one operator is required, found {found}")
        (threshold,) = thresholds
        op, value = threshold.operator, threshold.value
        operator = _OPERATORS[op]
        try:
            if operator in ("between", "not_between"):
                lower, upper = _bounds(op, value)
                exclusive = self.options.between == "exclusive"
                text = f"{op} [{lower!r}, {upper!r}]"
                return ir.Comparison(operator, lower, upper, exclusive), text
            number = number_of(value, op)
        except RuleError as problem:
            raise RuleError(str(problem), problem.path or threshold.path or None) from None
        return ir.Comparison(operator, number), f"{op} {number!r}"

    # --- steps -----------------------------------------------------------------------------
    def steps(self, items: Sequence[_Item], dataset: ir.Dataset) -> tuple[ir.Step, ...]:
        """Each metric defined where first used (identical SQL measured once), then its
        assertions, in order."""
        names = Namespace(frozenset({"m", "mp", "ctx"}))
        defined: dict[tuple[str, str], ir.Metric] = {}
        taken: set[str] = set()
        steps: list[ir.Step] = []
        for item in items:
            planned = item.planned
            key = (planned.measure.kind, planned.measure.sql)
            metric = defined.get(key)
            if metric is None:
                hint = snake_identifier(planned.hint or planned.measure.kind, prefix="metric")
                sql = planned.measure.sql
                if planned.measure.kind == "sql":
                    sql = layout(sql, self.dialect.lexicon)
                metric = ir.Metric(names.claim(hint), planned.measure.kind, sql, planned.reads)
                defined[key] = metric
                steps.append(metric)
            compared, text = self.comparison(item.thresholds)
            tags = {"odcs", re.sub(r"[^A-Za-z0-9_-]", "_", planned.tag)}
            if item.dimension and re.fullmatch(r"[A-Za-z0-9_-]+", item.dimension):
                tags.add(item.dimension)
            steps.append(
                ir.Assertion(
                    name=unique_label(item.name, taken),
                    severity=item.severity,
                    tags=tuple(sorted(tags)),
                    summary=f"{planned.summary} {text}".strip(),
                    source=self.source(item.path),
                    metric=metric,
                    comparison=compared,
                    unit=planned.unit,
                    description=item.description,
                    failure=planned.failure,
                )
            )
        return tuple(steps)


_MUST_BE_0 = (Threshold("mustBe", 0, ()),)


def _bounds(op: str, value: object) -> tuple[int | float, int | float]:
    """The [lower, upper] of a range operator, checked."""
    from .rules.base import is_number, show

    if not isinstance(value, list) or len(value) != 2 or not all(is_number(v) for v in value):
        raise RuleError(f"{op} must be a list of [lower, upper], got: {show(value)}")
    lower, upper = number_of(value[0], op), number_of(value[1], op)
    if lower > upper:
        raise RuleError(f"{op} lower bound {lower!r} is above the upper bound {upper!r}")
    return lower, upper


def _partition_key(properties: Sequence[Property]) -> str | None:
    """The column of the first partition key: the top-level property with `partitioned: true`
    and `partitionKeyPosition: 1`, else the only partitioned one (None otherwise)."""
    keys = [p for p in properties if p.partitioned]
    first = [p for p in keys if p.partition_key_position == 1]
    chosen = first or (keys if len(keys) == 1 else [])
    return chosen[0].column if chosen else None


def _column(prop: Property) -> ir.Column:
    """Runtime schema expectation of one property (nested fields and items included)."""
    return ir.Column(
        name=prop.column,
        logical_type=prop.logical_type,
        required=prop.required,
        items=_column(prop.items) if prop.items is not None else None,
        fields=tuple(_column(p) for p in prop.properties),
        timezone=prop.timezone,
    )


def _sla_entry(entry: object, fresh: sla.Freshness | None) -> ir.SlaEntry:
    """One slaProperties entry, with its resolved freshness parameters."""
    from .model import SlaEntry

    assert isinstance(entry, SlaEntry)
    value = (
        entry.value
        if entry.value is None or isinstance(entry.value, str | int | float | bool)
        else str(entry.value)
    )
    return ir.SlaEntry(
        property=entry.property,
        value=value,
        unit=entry.unit,
        element=entry.element,
        max_age_hours=fresh.hours if fresh else None,
        timestamp_column=".".join(fresh.prop.column_path) if fresh and fresh.prop else None,
    )


def _docstring(metadata: ir.Metadata) -> str:
    """The generated module's docstring: what it checks, then the contract's description."""
    title = metadata.name or metadata.id
    head = f"Data quality checks of the ODCS contract {title!r}, version {metadata.version}."
    return f"{head}\n\n{metadata.description}\n" if metadata.description else head
