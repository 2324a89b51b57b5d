"""Validating campaigns.yml (docs/rules/campaigns.md) into Campaign values.

Every error names the file, the campaign and the key, as segment definitions do, and every value that
reaches SQL is a validated Python value: text is only ever quoted as a literal (the build passes the
rows as bound parameters), `order_by` names a whitelisted column and a direction, and `criteria` go
through the segment language's own validation and compiler (segmentation/segments).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from segmentation.segments.compiler import compile_segments
from segmentation.segments.definitions import DefinitionError, DefinitionErrors, validate_document

CAMPAIGN_TYPES = ("email", "sms", "notification", "discount")
CHANNELS = ("email", "sms", "push", "phone")
# The channel a type implies; a discount goes out on any channel.
TYPE_CHANNELS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "sms": ("sms",),
    "notification": ("push",),
    "discount": CHANNELS,
}
# Statuses a file may declare; scheduled and sent follow from scheduled_at and the run's date.
DECLARED_STATUSES = ("draft", "cancelled")
CAMPAIGN_KEYS = (
    "id",
    "name",
    "description",
    "type",
    "channel",
    "segment",
    "criteria",
    "order_by",
    "limit",
    "holdout_pct",
    "scheduled_at",
    "status",
    "cost_per_message",
    "discount_pct",
    "discount_code",
    "conversion",
    "offer_cost",
)
# The keys of `conversion`, the campaign's outcome (docs/marketing.md#reading-lift): either may be left out.
CONVERSION_KEYS = ("categories", "min_amount")
# The columns an audience may be ordered by (int_customers_featured's, at the selection date).
ORDER_BY_COLUMNS = (
    "lifetime_value",
    "avg_monthly_spend",
    "spend_last_90_days",
    "spend_change_pct",
    "travel_spend_pct",
    "travel_spend_last_90_days",
    "monetary_365d",
    "frequency_365d",
    "recency_days",
    "rfm_score",
    "tenure_months",
    "total_orders",
    "average_order_value",
    "signup_date",
    "last_order_date",
)
DIRECTIONS = ("asc", "desc")
SLUG = re.compile(r"[a-z][a-z0-9_]{0,62}")
SEGMENT_ID = re.compile(r"[a-z]+/[a-z0-9_]{1,63}")
DISCOUNT_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_LIMIT = 10_000_000
MAX_COST = Decimal("1000")
# Money per conversion and a transaction's amount: whole cents, like the transactions file's amounts.
MAX_MONEY = Decimal("1000000")
MONEY_PLACES = 2
MAX_CATEGORY_LENGTH = 200


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    description: str
    campaign_type: str
    channel: str
    segment_id: str
    criteria_json: str | None
    predicate: str
    order_by_column: str
    order_by_direction: str
    audience_limit: int | None
    holdout_pct: Decimal
    scheduled_at: dt.datetime
    declared_status: str | None
    cost_per_message: Decimal
    discount_pct: Decimal | None
    discount_code: str | None
    # The outcome: a positive transaction in one of these categories (trimmed and lower-cased, the form they are
    # matched in; None: any category) of at least this amount (None: any), within the conversion window.
    conversion_categories: tuple[str, ...] | None = None
    conversion_min_amount: Decimal | None = None
    offer_cost: Decimal | None = None


class _Invalid(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def load_campaigns(
    path: Path,
    builtin_ids: Iterable[str] | None = None,
    user_segment_entries: list[Any] | None = None,
    segments_dir: Path | None = None,
) -> list[Campaign]:
    """Every campaign of the file, validated. `builtin_ids`: the catalog's built-in segment ids (None before a
    build: then any `<type>/<slug>` id is accepted and the build checks it); `user_segment_entries`: segments.yml's
    entries, which a campaign's segment or criteria may name."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionErrors([DefinitionError(name, "", "", f"cannot read the file: {error.strerror}")]) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DefinitionErrors([DefinitionError(name, "", "", f"not valid YAML: {error}")]) from None
    # the user-defined segments a criterion may name resolve their files (a static list's CSV) beside their own file
    return validate_campaigns(document, name, segments_dir or path.parent, builtin_ids, user_segment_entries or [])


def validate_campaigns(
    document: Any,
    file: str,
    base_dir: Path,
    builtin_ids: Iterable[str] | None,
    user_segment_entries: list[Any],
) -> list[Campaign]:
    """Validate a parsed campaigns.yml; every error of every campaign (the first of each) is reported at once."""
    if document is None:
        return []
    if not isinstance(document, Mapping) or set(document) - {"campaigns"}:
        raise DefinitionErrors([DefinitionError(file, "", "", "must be a mapping with a `campaigns` list")])
    entries = document.get("campaigns") or []
    if not isinstance(entries, list):
        raise DefinitionErrors([DefinitionError(file, "", "campaigns", "must be a list of campaigns")])
    user_ids = {
        f"{entry.get('type')}/{entry.get('id')}"
        for entry in user_segment_entries
        if isinstance(entry, Mapping) and entry.get("status", "active") == "active"
    }
    known = None if builtin_ids is None else set(builtin_ids) | user_ids
    errors: list[DefinitionError] = []
    campaigns: list[Campaign] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, Mapping) and isinstance(entry.get("id"), str) else f"#{index + 1}"
        try:
            campaign = _campaign(entry, known, base_dir, user_segment_entries, builtin_ids)
        except _Invalid as invalid:
            errors.append(DefinitionError(file, str(label), invalid.key, invalid.message))
            continue
        if campaign.campaign_id in seen:
            errors.append(DefinitionError(file, campaign.campaign_id, "id", f"duplicate id '{campaign.campaign_id}'"))
            continue
        seen.add(campaign.campaign_id)
        campaigns.append(campaign)
    if errors:
        raise DefinitionErrors(errors)
    return campaigns


def _campaign(
    entry: Any,
    known_segments: set[str] | None,
    base_dir: Path,
    user_segment_entries: list[Any],
    builtin_ids: Iterable[str] | None,
) -> Campaign:
    if not isinstance(entry, Mapping):
        raise _Invalid("", "must be a mapping (id, name, type, channel, segment, scheduled_at, ...)")
    for key in entry:
        if key not in CAMPAIGN_KEYS:
            raise _Invalid(str(key), f"unknown key '{key}' (expected one of: {', '.join(CAMPAIGN_KEYS)})")
    campaign_id = entry.get("id")
    if not isinstance(campaign_id, str) or not SLUG.fullmatch(campaign_id):
        raise _Invalid("id", f"must be lower-case letters, digits and _ starting with a letter, got {campaign_id!r}")
    name = _text(entry, "name", required=True)
    description = _text(entry, "description", required=False)
    campaign_type = entry.get("type")
    if campaign_type not in CAMPAIGN_TYPES:
        raise _Invalid("type", f"must be one of {', '.join(CAMPAIGN_TYPES)}, got {campaign_type!r}")
    channel = entry.get("channel", TYPE_CHANNELS[campaign_type][0])
    if channel not in TYPE_CHANNELS[campaign_type]:
        allowed = ", ".join(TYPE_CHANNELS[campaign_type])
        raise _Invalid("channel", f"a {campaign_type} campaign goes out on {allowed}, got {channel!r}")
    segment_id = entry.get("segment")
    if not isinstance(segment_id, str) or not SEGMENT_ID.fullmatch(segment_id):
        raise _Invalid("segment", f"must be a catalog segment id such as behavioral/declining, got {segment_id!r}")
    if known_segments is not None and segment_id not in known_segments:
        raise _Invalid("segment", f"unknown segment '{segment_id}' (see the `segments` mart for the ids)")
    criteria_json, predicate = _criteria(entry, campaign_id, base_dir, user_segment_entries, builtin_ids)
    order_column, order_direction = _order_by(entry.get("order_by", "customer_id asc"))
    limit = entry.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT):
        raise _Invalid("limit", f"must be a whole number from 1 to {MAX_LIMIT:,}, got {limit!r}")
    holdout_pct = _decimal(entry, "holdout_pct", Decimal(0), Decimal(50), default=Decimal(0))
    scheduled_at = entry.get("scheduled_at")
    if isinstance(scheduled_at, str):
        try:
            scheduled_at = dt.datetime.fromisoformat(scheduled_at)
        except ValueError:
            raise _Invalid("scheduled_at", f"must be an ISO date-time, got {scheduled_at!r}") from None
    if isinstance(scheduled_at, dt.date) and not isinstance(scheduled_at, dt.datetime):
        scheduled_at = dt.datetime.combine(scheduled_at, dt.time())
    if not isinstance(scheduled_at, dt.datetime):
        raise _Invalid("scheduled_at", f"must be an ISO date-time such as 2026-10-06 09:00, got {scheduled_at!r}")
    if scheduled_at.tzinfo is not None:
        raise _Invalid("scheduled_at", "give the time in UTC without a zone")
    status = entry.get("status")
    if status is not None and status not in DECLARED_STATUSES:
        raise _Invalid(
            "status",
            f"may only be declared as draft or cancelled (scheduled and sent follow from scheduled_at), got {status!r}",
        )
    cost = _decimal(entry, "cost_per_message", Decimal(0), MAX_COST, default=Decimal(0))
    discount_pct = _decimal(entry, "discount_pct", Decimal(0), Decimal(100), default=None)
    discount_code = entry.get("discount_code")
    if discount_code is not None and (not isinstance(discount_code, str) or not DISCOUNT_CODE.fullmatch(discount_code)):
        raise _Invalid("discount_code", f"must be 1-40 letters, digits, _ or -, got {discount_code!r}")
    if campaign_type != "discount" and (discount_pct is not None or discount_code is not None):
        raise _Invalid(
            "discount_pct" if discount_pct is not None else "discount_code",
            "only a discount campaign has discount fields",
        )
    categories, min_amount = _conversion(entry.get("conversion", {}))
    offer_cost = _money(entry, "offer_cost", "offer_cost")
    return Campaign(
        campaign_id=campaign_id,
        name=name or campaign_id,
        description=description,
        campaign_type=campaign_type,
        channel=channel,
        segment_id=segment_id,
        criteria_json=criteria_json,
        predicate=predicate,
        order_by_column=order_column,
        order_by_direction=order_direction,
        audience_limit=limit,
        holdout_pct=holdout_pct,
        scheduled_at=scheduled_at,
        declared_status=status,
        cost_per_message=cost,
        discount_pct=discount_pct,
        discount_code=discount_code,
        conversion_categories=categories,
        conversion_min_amount=min_amount,
        offer_cost=offer_cost,
    )


def _text(entry: Mapping[str, Any], key: str, required: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Invalid(key, f"must be {'a non-empty ' if required else ''}text, got {value!r}")
    return value.strip()


def _decimal(entry: Mapping[str, Any], key: str, low: Decimal, high: Decimal, default: Decimal | None) -> Any:
    value = entry.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(key, f"must be a number from {low} to {high}, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Invalid(key, f"must be a number from {low} to {high}, got {value!r}") from None
    if not number.is_finite() or not low <= number <= high:
        raise _Invalid(key, f"must be a number from {low} to {high}, got {value!r}")
    return number


def _conversion(value: Any) -> tuple[tuple[str, ...] | None, Decimal | None]:
    """`conversion: {categories: [...], min_amount: X}`, either key optional. Categories are matched as the
    category map and the criteria key purchased_categories match them: trimmed, case-insensitive; so they are
    kept in that form, each once, in the file's order."""
    if not isinstance(value, Mapping):
        raise _Invalid("conversion", f"must be a mapping with categories and/or min_amount, got {value!r}")
    for key in value:
        if key not in CONVERSION_KEYS:
            raise _Invalid(f"conversion.{key}", f"unknown key '{key}' (expected one of: {', '.join(CONVERSION_KEYS)})")
    categories: tuple[str, ...] | None = None
    if "categories" in value:
        listed = value["categories"]
        if not isinstance(listed, list) or not listed:
            raise _Invalid("conversion.categories", f"must be a non-empty list of category names, got {listed!r}")
        for index, item in enumerate(listed):
            if not isinstance(item, str) or not item.strip() or len(item.strip()) > MAX_CATEGORY_LENGTH:
                raise _Invalid(
                    f"conversion.categories[{index}]",
                    f"must be a category name of 1-{MAX_CATEGORY_LENGTH} characters, got {item!r}",
                )
        categories = tuple(dict.fromkeys(item.strip().lower() for item in listed))
    min_amount = _money(value, "min_amount", "conversion.min_amount")
    return categories, min_amount


def _money(entry: Mapping[str, Any], key: str, label: str) -> Decimal | None:
    """An amount of money >= 0 in whole cents (more places would be rounded away in the marts), or None."""
    value = entry.get(key)
    if value is None:
        return None
    message = f"must be an amount from 0 to {MAX_MONEY} with at most {MONEY_PLACES} decimals, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(label, message)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid(label, message) from None
    exponent = number.as_tuple().exponent
    if (
        not number.is_finite()
        or not Decimal(0) <= number <= MAX_MONEY
        or (isinstance(exponent, int) and exponent < -MONEY_PLACES and number != number.quantize(Decimal("0.01")))
    ):
        raise _Invalid(label, message)
    return number


def _order_by(value: Any) -> tuple[str, str]:
    """`column` or `column asc|desc` (whitelisted column); or a mapping {column, direction}."""
    if isinstance(value, Mapping):
        column, direction = value.get("column"), value.get("direction", "asc")
    elif isinstance(value, str) and value.split():
        parts = value.split()
        column, direction = parts[0], parts[1] if len(parts) > 1 else "asc"
        if len(parts) > 2:
            raise _Invalid("order_by", f"must be a column and a direction, got {value!r}")
    else:
        raise _Invalid("order_by", f"must be a column and a direction such as 'lifetime_value desc', got {value!r}")
    if column != "customer_id" and column not in ORDER_BY_COLUMNS:
        raise _Invalid("order_by", f"unknown column {column!r} (one of: {', '.join(ORDER_BY_COLUMNS)})")
    if direction not in DIRECTIONS:
        raise _Invalid("order_by", f"direction must be asc or desc, got {direction!r}")
    return str(column), str(direction)


def _criteria(
    entry: Mapping[str, Any],
    campaign_id: str,
    base_dir: Path,
    user_segment_entries: list[Any],
    builtin_ids: Iterable[str] | None,
) -> tuple[str | None, str]:
    """The criteria as the segment language validates and compiles them: a dynamic segment of the campaign's own
    beside segments.yml's, so in_segment may name those too."""
    if "criteria" not in entry:
        return None, "true"
    slug = "campaign_criteria_" + campaign_id[:44]
    document = {"segments": [*user_segment_entries, {"id": slug, "type": "dynamic", "criteria": entry["criteria"]}]}
    try:
        segments = validate_document(document, "criteria", base_dir, builtin_ids)
    except DefinitionErrors as errors:
        mine = [error for error in errors.errors if error.segment == slug]
        message = mine[0].message if mine else str(errors.errors[0])
        key = mine[0].key if mine else "criteria"
        raise _Invalid(key, message) from None
    predicate = compile_segments(segments)[f"dynamic/{slug}"]
    if "purchased_products" in predicate:
        raise _Invalid("criteria", "purchased_products is not available in campaign criteria")
    return json.dumps(entry["criteria"], sort_keys=True, default=str), predicate
