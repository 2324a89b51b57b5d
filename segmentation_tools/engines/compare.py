"""Compare relations built by two engines, row for row, and every customer's segment.

Rows are compared as multisets of values matched by column name, so column order and row order
do not matter, and a decimal 10.0 equals 10.00 (engines may differ in how they print a numeric,
never in its value). Anything else that differs, a segment, a cent or a date, is a difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]
EXAMPLES = 3


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[Row]


@dataclass
class RelationDiff:
    relation: str
    reference_rows: int
    other_rows: int
    missing_columns: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()
    only_in_reference: list[Row] = field(default_factory=list)
    only_in_other: list[Row] = field(default_factory=list)
    only_in_reference_count: int = 0
    only_in_other_count: int = 0

    @property
    def identical(self) -> bool:
        return not (
            self.missing_columns or self.extra_columns or self.only_in_reference_count or self.only_in_other_count
        )


def compare_tables(relation: str, reference: Table, other: Table) -> RelationDiff:
    """Rows of `reference` and `other` as multisets, over the reference's columns."""
    missing = tuple(column for column in reference.columns if column not in other.columns)
    extra = tuple(column for column in other.columns if column not in reference.columns)
    diff = RelationDiff(relation, len(reference.rows), len(other.rows), missing, extra)
    if missing:
        return diff
    order = [other.columns.index(column) for column in reference.columns]
    left = Counter(reference.rows)
    right = Counter(tuple(row[index] for index in order) for row in other.rows)
    only_left = left - right
    only_right = right - left
    diff.only_in_reference_count = sum(only_left.values())
    diff.only_in_other_count = sum(only_right.values())
    diff.only_in_reference = _examples(only_left)
    diff.only_in_other = _examples(only_right)
    return diff


def _examples(rows: Counter[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))[:EXAMPLES]


@dataclass(frozen=True)
class SegmentDiff:
    customers: int
    differing: list[tuple[Any, Any, Any, Any]]  # (customer_id, as_of_date, reference segment, other segment)

    @property
    def identical(self) -> bool:
        return not self.differing


def compare_segments(reference: Table, other: Table) -> SegmentDiff:
    """Every (customer, as-of date)'s segment; a customer present in one engine only differs too."""
    left = _segments(reference)
    right = _segments(other)
    differing = [
        (customer_id, as_of_date, left.get((customer_id, as_of_date)), right.get((customer_id, as_of_date)))
        for customer_id, as_of_date in sorted(left.keys() | right.keys(), key=lambda key: (str(key[1]), key[0]))
        if left.get((customer_id, as_of_date)) != right.get((customer_id, as_of_date))
    ]
    return SegmentDiff(len(left.keys() | right.keys()), differing)


def _segments(table: Table) -> dict[tuple[Any, Any], Any]:
    customer, as_of, segment = (table.columns.index(name) for name in ("customer_id", "as_of_date", "customer_segment"))
    return {(row[customer], row[as_of]): row[segment] for row in table.rows}


def describe(diff: RelationDiff) -> str:
    if diff.identical:
        return f"{diff.relation}: {diff.reference_rows:,} rows, identical"
    lines = [f"{diff.relation}: DIFFERS ({diff.reference_rows:,} rows against {diff.other_rows:,})"]
    if diff.missing_columns:
        lines.append(f"  columns missing: {', '.join(diff.missing_columns)}")
    if diff.extra_columns:
        lines.append(f"  extra columns: {', '.join(diff.extra_columns)}")
    if diff.only_in_reference_count:
        lines.append(f"  {diff.only_in_reference_count:,} rows only in the reference, e.g.:")
        lines.extend(f"    {row}" for row in diff.only_in_reference)
    if diff.only_in_other_count:
        lines.append(f"  {diff.only_in_other_count:,} rows only in this engine, e.g.:")
        lines.extend(f"    {row}" for row in diff.only_in_other)
    return "\n".join(lines)


def describe_segments(diff: SegmentDiff) -> str:
    if diff.identical:
        return f"segments: all {diff.customers:,} customer-dates identical"
    lines = [f"segments: {len(diff.differing):,} of {diff.customers:,} customer-dates DIFFER, e.g.:"]
    lines.extend(
        f"    customer {customer} as of {as_of}: {left} in the reference, {right} here"
        for customer, as_of, left, right in diff.differing[:EXAMPLES]
    )
    return "\n".join(lines)


def table_from(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    return Table(tuple(column.lower() for column in columns), [tuple(row) for row in rows])
