"""The segment builder's logic, apart from its page: turn the form into a definition, check the file it would
save with the build's own validation (segmentation.segments.definitions), preview the member count with the
build's own compiler on the published `segment_criteria_fields`, and append the definition to the segments file the
published warehouse was built from (its publication records it), or to $DASHBOARD_SEGMENTS_FILE.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from segmentation.build_definitions import recorded
from segmentation.segments.compiler import compile_segments
from segmentation.segments.definitions import DefinitionErrors, load_segments_text
from segmentation.segments.rules import Segment

SEGMENTS_FILE_VARIABLE = "DASHBOARD_SEGMENTS_FILE"
# The name a definition's errors give when there is no file to save it to (nothing is read or written there).
UNSAVED = Path("segments.yml")
FIELDS_MART = "segment_criteria_fields"


def segments_file(database: Path) -> Path | None:
    """The file the builder saves to: $DASHBOARD_SEGMENTS_FILE, else the one the published `database` was built from;
    None when neither names one (a warehouse built without user-defined segments)."""
    configured = os.environ.get(SEGMENTS_FILE_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    if not database.exists():
        return None
    files = recorded(database)
    return files.segments if files is not None else None


@dataclass(frozen=True)
class Form:
    """The builder form's common criteria; zero, empty or blank means not used."""

    slug: str
    name: str
    description: str = ""
    segment_type: str = "dynamic"
    status: str = "active"
    behavioral_segments: tuple[str, ...] = ()
    in_segments: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_monetary: float = 0
    min_frequency: int = 0
    recency_days: int = 0
    days_inactive: int = 0
    extra_criteria: str = ""  # YAML: a mapping of further criteria, in the segment language
    customer_ids: tuple[int, ...] = ()  # static segments


def definition(form: Form) -> dict[str, Any]:
    """The segments.yml entry for the form. The extra YAML must be a mapping; it is merged last, so it can
    override a form field."""
    entry: dict[str, Any] = {"id": form.slug, "name": form.name}
    if form.description:
        entry["description"] = form.description
    entry["type"] = form.segment_type
    if form.status != "active":
        entry["status"] = form.status
    if form.segment_type == "static":
        entry["customer_ids"] = list(form.customer_ids)
        return entry
    criteria: dict[str, Any] = {}
    if form.behavioral_segments:
        criteria["customer_segment"] = {"in": list(form.behavioral_segments)}
    if form.in_segments:
        criteria["in_segment"] = list(form.in_segments)
    if form.countries:
        criteria["location"] = {"countries": list(form.countries)}
    if form.min_monetary:
        criteria["min_monetary"] = form.min_monetary
    if form.min_frequency:
        criteria["min_frequency"] = form.min_frequency
    if form.recency_days:
        criteria["recency_days"] = form.recency_days
    if form.days_inactive:
        criteria["days_inactive"] = form.days_inactive
    if form.extra_criteria.strip():
        extra = yaml.safe_load(form.extra_criteria)
        if not isinstance(extra, Mapping):
            raise ValueError("the YAML box must hold a mapping of criteria, e.g. `total_orders: {gte: 3}`")
        criteria.update(extra)
    entry["criteria"] = criteria
    return entry


def entry_text(entry: Mapping[str, Any]) -> str:
    """The entry as a list item indented like segments.yml's own (`  - id: ...`)."""
    dumped = yaml.safe_dump([dict(entry)], sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "".join(f"  {line}" if line.strip() else line for line in dumped.splitlines(keepends=True))


def candidate_text(current: str, entry: Mapping[str, Any]) -> str:
    """segments.yml as it would be saved: the current text, untouched, with the entry appended."""
    has_list = isinstance(yaml.safe_load(current or "") or None, Mapping)
    text = current if not current or current.endswith("\n") else current + "\n"
    if not has_list:
        text += "segments:\n"
    return text + "\n" + entry_text(entry)


@dataclass(frozen=True)
class Check:
    segment: Segment
    text: str  # the file as it would be saved
    predicate: str  # the compiled SQL predicate over segment_criteria_fields


def check(entry: Mapping[str, Any], path: Path | None, builtin_ids: Iterable[str] | None) -> Check:
    """Validate the whole file as it would be saved, as the build will; raises the build's DefinitionErrors. With no
    file (`path` None) the entry is checked on its own."""
    current = path.read_text(encoding="utf-8") if path is not None and path.exists() else ""
    text = candidate_text(current, entry)
    segments = load_segments_text(text, path or UNSAVED, builtin_ids)
    segment_id = f"{entry.get('type')}/{entry.get('id')}"
    chosen = next(segment for segment in segments if segment.segment_id == segment_id)
    return Check(chosen, text, compile_segments(segments)[segment_id])


def preview_count(result: Check, count: Callable[[str], int]) -> int:
    """Members on the published date: `count` runs `select count(*) from segment_criteria_fields where <sql>`."""
    if result.segment.status != "active":
        return 0
    return count(f"select count(*) from {FIELDS_MART} where {result.predicate}")


def save(entry: Mapping[str, Any], path: Path, builtin_ids: Iterable[str] | None) -> Check:
    """Check the entry against the file as it is now (it may have changed since the preview) and write the file
    with the entry appended, by rename; raises the build's DefinitionErrors and writes nothing when invalid."""
    result = check(entry, path, builtin_ids)
    staging = path.with_name(path.name + ".dashboard")
    staging.write_text(result.text, encoding="utf-8")
    os.replace(staging, path)
    return result


__all__ = ["Check", "DefinitionErrors", "Form", "check", "definition", "preview_count", "save", "segments_file"]
