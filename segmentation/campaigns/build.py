"""What the build's Python model (models/intermediate/int_campaigns_compiled.py) and the monthly cycle call."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from segmentation.campaigns.definitions import Campaign, load_campaigns
from segmentation.segments.build import segments_path
from segmentation.segments.definitions import DefinitionError, DefinitionErrors

COLUMNS = (
    "campaign_id varchar, campaign_name varchar, description varchar, campaign_type varchar, channel varchar,"
    " segment_id varchar, criteria varchar, predicate varchar, order_by_column varchar, order_by_direction varchar,"
    " audience_limit integer, holdout_pct decimal(5, 2), scheduled_at timestamp, declared_status varchar,"
    " cost_per_message decimal(18, 4), discount_pct decimal(5, 2), discount_code varchar, definitions_file varchar,"
    " conversion_categories varchar[], conversion_min_amount decimal(18, 2), offer_cost decimal(18, 2)"
)


def campaigns_path(project_dir: Path, campaigns_file: str | None) -> Path | None:
    """The var `campaigns_file`, relative to the project root unless absolute; None when no file is named."""
    if not campaigns_file:
        return None
    path = Path(campaigns_file)
    return path if path.is_absolute() else project_dir / path


def user_segment_entries(project_dir: Path, segments_file: str | None) -> list[Any]:
    """The segments file's raw entries (already validated by the segments' own step), for criteria that name them."""
    path = segments_path(project_dir, segments_file)
    if path is None or not path.exists():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("segments") if isinstance(document, dict) else None
    return list(entries) if isinstance(entries, list) else []


def read_campaigns(
    project_dir: Path, campaigns_file: str | None, builtin_ids: Iterable[str] | None, segments_file: str | None = None
) -> list[Campaign]:
    """The file's campaigns, validated; none when no file is named, and an error when the file named is missing."""
    path = campaigns_path(project_dir, campaigns_file)
    if path is None:
        return []
    segments = segments_path(project_dir, segments_file)
    try:
        return load_campaigns(
            path,
            builtin_ids,
            user_segment_entries(project_dir, segments_file),
            segments.parent if segments is not None else None,
        )
    except DefinitionErrors as errors:
        header = DefinitionError(
            str(path), "", "", f"{len(errors.errors)} definition error(s); no campaign is built from the file"
        )
        raise DefinitionErrors([header, *errors.errors]) from None


def compiled_rows(campaigns: list[Campaign], campaigns_file: str | None) -> list[tuple[Any, ...]]:
    """One row per campaign, bound as parameters (never pasted into SQL); none without a file."""
    return [
        (
            c.campaign_id,
            c.name,
            c.description,
            c.campaign_type,
            c.channel,
            c.segment_id,
            c.criteria_json,
            c.predicate,
            c.order_by_column,
            c.order_by_direction,
            c.audience_limit,
            c.holdout_pct,
            c.scheduled_at,
            c.declared_status,
            c.cost_per_message,
            c.discount_pct,
            c.discount_code,
            campaigns_file,
            list(c.conversion_categories) if c.conversion_categories is not None else None,
            c.conversion_min_amount,
            c.offer_cost,
        )
        for c in campaigns
    ]
