"""The validated form of a definition: a tree of criteria, each leaf typed, ready to compile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from segmentation.segments.fields import Kind

Value = int | float | str | bool | dt.date


@dataclass(frozen=True)
class Compare:
    """`column <operator> values`: one value, two for between, several for in / not_in."""

    column: str
    kind: Kind
    operator: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class WithinLastDays:
    column: str
    days: int


@dataclass(frozen=True)
class Inactive:
    """No positive transaction from A - days to A (none at all counts as inactive)."""

    days: int


@dataclass(frozen=True)
class TextIn:
    """lower(trim(column)) is one of the values (already trimmed and lower-cased)."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ListHasAny:
    """The list column holds any of the values; `negate`: it holds none of them."""

    column: str
    values: tuple[Value, ...]
    negate: bool


@dataclass(frozen=True)
class InSegment:
    """A member of any of the segments; `negate`: of none of them."""

    segment_ids: tuple[str, ...]
    negate: bool


@dataclass(frozen=True)
class Group:
    """`and` (a flat object or `all:`) or `or` (`any:`)."""

    operator: str
    children: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    child: Rule


@dataclass(frozen=True)
class CustomerIds:
    """A static segment: the listed ids (those that are customers of the date are members)."""

    ids: tuple[int, ...]


Rule = Compare | WithinLastDays | Inactive | TextIn | ListHasAny | InSegment | Group | Not | CustomerIds


@dataclass(frozen=True)
class Segment:
    """One user-defined segment, validated."""

    slug: str
    segment_type: str  # static / dynamic
    name: str
    description: str
    status: str  # active / draft / archived
    source: str  # automatic (criteria) / manual (listed ids) / import (a CSV of ids)
    criteria_json: str
    rule: Rule

    @property
    def segment_id(self) -> str:
        return f"{self.segment_type}/{self.slug}"
