"""Compiling validated segments to SQL predicates over one row of the criteria fields.

A predicate reads only the columns of `int_customers_featured` (and its latest date, the mart
`segment_criteria_fields`), unqualified. Every value reaches the SQL as a literal rendered here
from a validated Python value: numbers from int/float, dates from datetime.date, text quoted
with its quotes doubled, so a value is only ever compared with, never run. Every criterion is
wrapped in coalesce(..., false): a comparison with a null is false, and `not` then holds exactly
where its criterion does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from segmentation.segments.fields import BUILTIN_SEGMENT_COLUMNS
from segmentation.segments.rules import (
    Compare,
    CustomerIds,
    Group,
    Inactive,
    InSegment,
    ListHasAny,
    Not,
    Rule,
    Segment,
    TextIn,
    Value,
    WithinLastDays,
)

_COMPARISONS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "before": "<", "after": ">"}


def literal(value: Value) -> str:
    """A SQL literal of a validated value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        # the shortest decimal that reads back as the float, written without an exponent
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


def _list(values: Iterable[Value]) -> str:
    return ", ".join(literal(value) for value in values)


def _false_if_null(condition: str) -> str:
    return f"coalesce({condition}, false)"


class Compiler:
    """Predicates for a file's segments; in_segment of a user-defined segment inlines its predicate."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = {segment.segment_id: segment for segment in segments}
        self._compiled: dict[str, str] = {}

    def predicate(self, segment_id: str) -> str:
        if segment_id not in self._compiled:
            self._compiled[segment_id] = self.rule(self.segments[segment_id].rule)
        return self._compiled[segment_id]

    def rule(self, rule: Rule) -> str:
        if isinstance(rule, Compare):
            return self._compare(rule)
        if isinstance(rule, WithinLastDays):
            return _false_if_null(f"{rule.column} between as_of_date - {literal(rule.days)} and as_of_date")
        if isinstance(rule, Inactive):
            # no positive transaction from A - N to A; a customer who never bought is inactive too
            return f"coalesce(recency_days > {literal(rule.days)}, true)"
        if isinstance(rule, TextIn):
            return _false_if_null(f"lower(trim({rule.column})) in ({_list(rule.values)})")
        if isinstance(rule, ListHasAny):
            condition = _false_if_null(f"list_has_any({rule.column}, [{_list(rule.values)}])")
            return f"not {condition}" if rule.negate else condition
        if isinstance(rule, InSegment):
            members = " or ".join(self._member(segment_id) for segment_id in rule.segment_ids)
            return f"not ({members})" if rule.negate else f"({members})"
        if isinstance(rule, Group):
            return "(" + f" {rule.operator} ".join(self.rule(child) for child in rule.children) + ")"
        if isinstance(rule, Not):
            return f"not {self.rule(rule.child)}"
        if isinstance(rule, CustomerIds):
            return f"customer_id in ({_list(rule.ids)})" if rule.ids else "false"
        raise TypeError(f"unknown rule {rule!r}")

    def _compare(self, rule: Compare) -> str:
        if rule.operator == "between":
            low, high = rule.values
            return _false_if_null(f"{rule.column} between {literal(low)} and {literal(high)}")
        if rule.operator in ("in", "not_in"):
            keyword = "in" if rule.operator == "in" else "not in"
            return _false_if_null(f"{rule.column} {keyword} ({_list(rule.values)})")
        return _false_if_null(f"{rule.column} {_COMPARISONS[rule.operator]} {literal(rule.values[0])}")

    def _member(self, segment_id: str) -> str:
        segment = self.segments.get(segment_id)
        if segment is None:
            # a built-in segment: the customer's segment of its type is one of the built-in columns
            return _false_if_null(f"{literal(segment_id)} in ({', '.join(BUILTIN_SEGMENT_COLUMNS)})")
        if segment.status != "active":
            return "false"  # only active segments have members
        return self.predicate(segment_id)


def compile_segments(segments: Sequence[Segment]) -> Mapping[str, str]:
    """segment_id -> predicate, for every segment of a file."""
    compiler = Compiler(segments)
    return {segment.segment_id: compiler.predicate(segment.segment_id) for segment in segments}
