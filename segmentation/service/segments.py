"""The segments the service shows: built-in ones from the published catalog, user-defined ones from the definitions
file (the source of truth for them, so a segment created a second ago is there), each with its member count from
the published catalog when it has been built.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segmentation.service.definitions import USER_TYPES, Entry, Snapshot, etag_of
from segmentation.service.models import SegmentOut
from segmentation.service.queries import CatalogRow


@dataclass(frozen=True)
class Listing:
    """Every segment by id, and which of them are built in."""

    segments: dict[str, SegmentOut]

    def get(self, segment_id: str) -> SegmentOut | None:
        return self.segments.get(segment_id)


def _criteria(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _builtin(row: CatalogRow) -> SegmentOut:
    fields = {
        "segment_name": row.segment_name,
        "description": row.description,
        "criteria": row.criteria,
        "status": row.status,
    }
    return SegmentOut(
        id=row.segment_id,
        slug=row.segment_id.split("/", 1)[-1],
        segment_name=row.segment_name,
        description=row.description,
        segment_type=row.segment_type,
        status=row.status,
        built_in=True,
        source="automatic",
        criteria=_criteria(row.criteria),
        customer_ids=None,
        customer_ids_file=None,
        customer_count=row.customer_count,
        share_of_customers=None if row.share_of_customers is None else float(row.share_of_customers),
        last_updated=row.last_updated,
        pending_refresh=False,
        etag=etag_of(fields),
    )


def _pending(entry: Entry, row: CatalogRow | None, snapshot: Snapshot) -> bool:
    """Whether the published catalog was built from another definition of the segment (or none)."""
    segment = (snapshot.segments or {}).get(entry.segment_id)
    if row is None or segment is None:
        return True
    built = (row.segment_name, row.description or "", row.status, _criteria(row.criteria))
    return built != (segment.name, segment.description, segment.status, json.loads(segment.criteria_json))


def user_defined(entry: Entry, row: CatalogRow | None, snapshot: Snapshot) -> SegmentOut:
    data: Mapping[str, Any] = entry.data
    criteria = data.get("criteria")
    listed = data.get("customer_ids")
    file_name = data.get("customer_ids_file")
    name = data.get("name")
    description = data.get("description")
    status = data.get("status", "active")
    source = "automatic" if entry.segment_type == "dynamic" else ("import" if file_name is not None else "manual")
    return SegmentOut(
        id=entry.segment_id,
        slug=entry.slug,
        segment_name=str(name).strip() if isinstance(name, str) and name.strip() else entry.slug,
        description=description if isinstance(description, str) else None,
        segment_type=entry.segment_type,
        status=status if isinstance(status, str) else str(status),
        built_in=False,
        source=source,
        criteria=criteria if isinstance(criteria, dict) else None,
        customer_ids=[item for item in listed if isinstance(item, int)] if isinstance(listed, list) else None,
        customer_ids_file=file_name if isinstance(file_name, str) else None,
        customer_count=None if row is None else row.customer_count,
        share_of_customers=None if row is None or row.share_of_customers is None else float(row.share_of_customers),
        last_updated=None if row is None else row.last_updated,
        pending_refresh=_pending(entry, row, snapshot),
        etag=entry.etag,
    )


def listing(catalog: Mapping[str, CatalogRow], snapshot: Snapshot) -> Listing:
    segments = {segment_id: _builtin(row) for segment_id, row in catalog.items() if row.segment_type not in USER_TYPES}
    for segment_id, entry in snapshot.entries.items():
        segments[segment_id] = user_defined(entry, catalog.get(segment_id), snapshot)
    return Listing(segments)


SORT_KEYS = ("segment_id", "segment_name", "segment_type", "status", "customer_count")


def select(
    segments: list[SegmentOut],
    segment_type: str | None,
    status: str | None,
    search: str | None,
    sort_by: str,
    sort_order: str,
) -> list[SegmentOut]:
    """The filters and the order, in Python: a catalog is a few hundred segments, and no text reaches SQL."""
    chosen = [
        segment
        for segment in segments
        if (segment_type is None or segment.segment_type == segment_type)
        and (status is None or segment.status == status)
        and (not search or _matches(segment, search.casefold()))
    ]

    def key(segment: SegmentOut) -> tuple[Any, ...]:
        value: Any = segment.id if sort_by == "segment_id" else getattr(segment, sort_by)
        if isinstance(value, str):
            value = value.casefold()
        missing = value is None
        return (missing, value if not missing else 0, segment.id)

    chosen.sort(key=key, reverse=sort_order == "desc")
    if sort_order == "desc":  # nulls last either way
        chosen.sort(key=lambda segment: key(segment)[0])
    return chosen


def _matches(segment: SegmentOut, needle: str) -> bool:
    return any(needle in (text or "").casefold() for text in (segment.id, segment.segment_name, segment.description))
