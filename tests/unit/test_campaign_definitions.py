"""campaigns.yml validation (docs/rules/campaigns.md): the example file, every kind of error with its key, user text
kept
out of SQL, and the generator's demo campaigns agreeing with the example file."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from segmentation.campaigns.build import compiled_rows, read_campaigns
from segmentation.campaigns.definitions import validate_campaigns
from segmentation.segments.definitions import DefinitionErrors
from segmentation_tools.datagen.consent import holdout_bucket
from segmentation_tools.datagen.demo_campaigns import demo_campaigns, write_campaigns_file

PROJECT_DIR = Path(__file__).resolve().parents[2]
BUILTIN = ["behavioral/declining", "behavioral/high_value_travelers", "rfm/champions"]
VALID: dict[str, Any] = {
    "id": "winback",
    "name": "Win-back",
    "type": "sms",
    "channel": "sms",
    "segment": "behavioral/declining",
    "holdout_pct": 20,
    "scheduled_at": "2026-09-08 10:00",
}


def validate(**changes: Any) -> Any:
    entry = {**VALID, **changes}
    entry = {key: value for key, value in entry.items() if value is not None}
    return validate_campaigns({"campaigns": [entry]}, "campaigns.yml", PROJECT_DIR, BUILTIN, [])


def error_of(**changes: Any) -> tuple[str, str]:
    with pytest.raises(DefinitionErrors) as raised:
        validate(**changes)
    error = raised.value.errors[0]
    return error.key, error.message


@pytest.mark.parametrize("as_of", [dt.date(2025, 6, 30), dt.date(2026, 12, 6), dt.date(2024, 1, 1)])
def test_the_demo_s_campaigns_file_is_valid_and_has_every_status(tmp_path: Path, as_of: dt.date) -> None:
    """The file the demo generator writes beside its raw files, read by the build's own validation, agrees with
    the campaigns the demo's platform sends (segmentation_tools/datagen/demo_campaigns.py)."""
    path = write_campaigns_file(tmp_path, as_of)
    campaigns = read_campaigns(PROJECT_DIR, str(path), None)
    ids = [campaign.campaign_id for campaign in campaigns]
    assert len(ids) == len(set(ids)) >= 5
    assert {campaign.declared_status for campaign in campaigns} == {None, "draft", "cancelled"}
    assert {campaign.channel for campaign in campaigns} >= {"email", "sms", "push"}
    defined = {campaign.campaign_id: campaign for campaign in campaigns}
    for demo in demo_campaigns(as_of):
        campaign = defined[demo.campaign_id]
        assert (campaign.channel, campaign.segment_id, campaign.scheduled_at) == (
            demo.channel,
            demo.segment,
            demo.scheduled_at,
        )
        assert campaign.holdout_pct == Decimal(demo.holdout_pct)
        assert campaign.offer_cost == demo.offer_cost
        if demo.conversion is not None:
            assert campaign.conversion_min_amount == demo.conversion.min_amount
            assert campaign.conversion_categories == (
                tuple(name.lower() for name in demo.conversion.categories) or None
            )


def test_a_valid_campaign_reads_its_defaults() -> None:
    (campaign,) = validate()
    assert campaign.scheduled_at == dt.datetime(2026, 9, 8, 10, 0)
    assert campaign.holdout_pct == Decimal(20)
    assert (campaign.order_by_column, campaign.order_by_direction) == ("customer_id", "asc")
    assert campaign.predicate == "true" and campaign.audience_limit is None


@pytest.mark.parametrize(
    ("changes", "key", "fragment"),
    [
        ({"colour": "red"}, "colour", "unknown key"),
        ({"id": "Win Back"}, "id", "lower-case"),
        ({"type": "letter"}, "type", "must be one of"),
        ({"type": "email"}, "channel", "goes out on email"),
        ({"segment": "declining"}, "segment", "catalog segment id"),
        ({"segment": "behavioral/nobody"}, "segment", "unknown segment"),
        ({"holdout_pct": 50.01}, "holdout_pct", "from 0 to 50"),
        ({"holdout_pct": -1}, "holdout_pct", "from 0 to 50"),
        ({"holdout_pct": True}, "holdout_pct", "from 0 to 50"),
        ({"limit": 0}, "limit", "whole number"),
        ({"limit": 2.5}, "limit", "whole number"),
        ({"scheduled_at": "next tuesday"}, "scheduled_at", "ISO date-time"),
        ({"scheduled_at": None}, "scheduled_at", "ISO date-time"),
        ({"status": "sent"}, "status", "draft or cancelled"),
        ({"order_by": "email desc"}, "order_by", "unknown column"),
        ({"order_by": "lifetime_value; drop table campaigns"}, "order_by", "a column and a direction"),
        ({"order_by": "lifetime_value;drop desc"}, "order_by", "unknown column"),
        ({"order_by": "lifetime_value sideways"}, "order_by", "asc or desc"),
        ({"cost_per_message": "free"}, "cost_per_message", "number"),
        ({"discount_pct": 10}, "discount_pct", "only a discount campaign"),
        ({"criteria": {"favourite_colour": "red"}}, "criteria.favourite_colour", ""),
        ({"conversion": ["Travel"]}, "conversion", "a mapping"),
        ({"conversion": {"category": ["Travel"]}}, "conversion.category", "unknown key"),
        ({"conversion": {"categories": "Travel"}}, "conversion.categories", "non-empty list"),
        ({"conversion": {"categories": []}}, "conversion.categories", "non-empty list"),
        ({"conversion": {"categories": ["Travel", "  "]}}, "conversion.categories[1]", "category name"),
        ({"conversion": {"categories": ["Travel", 7]}}, "conversion.categories[1]", "category name"),
        ({"conversion": {"min_amount": -0.01}}, "conversion.min_amount", "from 0"),
        ({"conversion": {"min_amount": "fifty"}}, "conversion.min_amount", "from 0"),
        ({"conversion": {"min_amount": 10.005}}, "conversion.min_amount", "at most 2 decimals"),
        ({"conversion": {"min_amount": True}}, "conversion.min_amount", "from 0"),
        ({"offer_cost": -1}, "offer_cost", "from 0"),
        ({"offer_cost": "free"}, "offer_cost", "from 0"),
        ({"offer_cost": 1.999}, "offer_cost", "at most 2 decimals"),
        ({"offer_cost": float("nan")}, "offer_cost", "from 0"),
    ],
)
def test_each_error_names_its_key(changes: dict[str, Any], key: str, fragment: str) -> None:
    found_key, message = error_of(**changes)
    assert found_key == key
    assert fragment in message


def test_conversion_and_offer_cost_are_read_as_matched() -> None:
    (campaign,) = validate(
        conversion={"categories": ["  Travel ", "HOTELS", "travel", "Airlines & Rail"], "min_amount": "50.00"},
        offer_cost=12.5,
    )
    # trimmed, lower-cased (the form transactions are matched in), each once, in the file's order
    assert campaign.conversion_categories == ("travel", "hotels", "airlines & rail")
    assert campaign.conversion_min_amount == Decimal("50.00")
    assert campaign.offer_cost == Decimal("12.5")
    row = compiled_rows([campaign], None)[0]
    assert row[-3:] == (["travel", "hotels", "airlines & rail"], Decimal("50.00"), Decimal("12.5"))


@pytest.mark.parametrize(
    ("conversion", "categories", "min_amount"),
    [
        ({"categories": ["Grocery"]}, ("grocery",), None),
        ({"min_amount": 0}, None, Decimal(0)),
        ({}, None, None),
        (None, None, None),
    ],
)
def test_either_conversion_key_may_be_left_out(
    conversion: dict[str, Any] | None, categories: tuple[str, ...] | None, min_amount: Decimal | None
) -> None:
    (campaign,) = validate(conversion=conversion)
    assert (campaign.conversion_categories, campaign.conversion_min_amount) == (categories, min_amount)
    assert campaign.offer_cost is None


def test_hostile_category_names_reach_sql_only_as_bound_values() -> None:
    hostile = "x'); drop table campaigns; --"
    (campaign,) = validate(conversion={"categories": [hostile]})
    assert hostile not in campaign.predicate
    assert compiled_rows([campaign], None)[0][-3] == [hostile]


def test_every_campaign_s_error_is_reported_at_once() -> None:
    document = {"campaigns": [{**VALID, "type": "fax"}, {**VALID, "id": "second", "holdout_pct": 90}, VALID]}
    with pytest.raises(DefinitionErrors) as raised:
        validate_campaigns(document, "campaigns.yml", PROJECT_DIR, BUILTIN, [])
    assert [(error.segment, error.key) for error in raised.value.errors] == [
        ("winback", "type"),
        ("second", "holdout_pct"),
    ]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(DefinitionErrors, match="duplicate id 'winback'"):
        validate_campaigns({"campaigns": [VALID, VALID]}, "campaigns.yml", PROJECT_DIR, BUILTIN, [])


def test_user_text_never_reaches_the_predicate_and_criteria_compile_with_escaped_literals() -> None:
    (campaign,) = validate(
        name="O'Brien's list'); drop table campaigns; --",
        criteria={"customer_type": {"operator": "eq", "value": "it's"}},
    )
    assert "O'Brien" not in campaign.predicate
    assert "'it''s'" in campaign.predicate
    row = compiled_rows([campaign], None)[0]
    assert row[1] == "O'Brien's list'); drop table campaigns; --"  # bound as a parameter, as written


def test_criteria_may_name_a_user_defined_segment() -> None:
    user = [{"id": "vip_list", "type": "static", "customer_ids": [1, 2]}]
    entry = {**VALID, "segment": "static/vip_list", "criteria": {"in_segment": "static/vip_list"}}
    (campaign,) = validate_campaigns({"campaigns": [entry]}, "campaigns.yml", PROJECT_DIR, BUILTIN, user)
    assert "customer_id in (1, 2)" in campaign.predicate


def test_the_holdout_bucket_is_md5_hex_prefix_mod_10000() -> None:
    digest = hashlib.md5(b"winback:42").hexdigest()
    assert holdout_bucket("winback", 42) == int(digest[:8], 16) % 10000
    buckets = [holdout_bucket("winback", customer_id) for customer_id in range(1, 20001)]
    assert min(buckets) >= 0 and max(buckets) <= 9999
    # a 20 % holdout holds about a fifth of customers
    assert 0.18 < sum(bucket < 2000 for bucket in buckets) / len(buckets) < 0.22
