"""The generator's consent and campaign files (spec section 7): consent rates by channel, deliveries only to
customers the build will find contactable, the documented holdout split, and every planted conversion planted."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from segmentation.datagen.consent import DEMO_CAMPAIGNS, PLANTED_LIFT, holdout_bucket
from segmentation.datagen.generator import GenerationSummary, generate

AS_OF = dt.date(2026, 11, 30)
TRUE = {"true", "1", "yes"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("consent")
    return out, generate(3000, 120_000, AS_OF, 5, out)


def test_consent_rates_differ_by_channel(run: tuple[Path, GenerationSummary]) -> None:
    out, _ = run
    granted: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for row in read(out / "customer_preferences.csv"):
        channel = row["communication_channel"].lower()
        rows[channel] += 1
        granted[channel] += row["marketing_consent"].lower() in TRUE
    shares = {channel: granted[channel] / rows[channel] for channel in ("email", "sms", "phone", "push")}
    assert shares["email"] > shares["push"] > shares["sms"] > shares["phone"] > 0.05


def test_deliveries_go_only_to_consenting_unsuppressed_active_customers(run: tuple[Path, GenerationSummary]) -> None:
    out, _ = run
    channel_of = {campaign.campaign_id: campaign.channel for campaign in DEMO_CAMPAIGNS}
    latest: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    for row in read(out / "customer_preferences.csv"):
        key = (row["customer_id"], row["communication_channel"].lower())
        if key not in latest or row["updated_at"] > latest[key][0]:
            latest[key] = (row["updated_at"], row)
    suppressed = {row["customer_id"] for row in read(out / "suppressions.csv")}
    status = {row["customer_id"]: row["account_status"] for row in read(out / "customers.csv")}
    deliveries = read(out / "campaign_deliveries.csv")
    assert deliveries
    for row in deliveries:
        updated, preference = latest[(row["customer_id"], channel_of[row["campaign_id"]])]
        if updated <= row["sent_at"]:
            assert preference["marketing_consent"].lower() in TRUE, row
            assert preference["notification_enabled"].lower() not in {"false", "0", "no"}, row
        assert row["customer_id"] not in suppressed and status[row["customer_id"]] == "Active", row


def test_holdout_split_and_planted_conversions(run: tuple[Path, GenerationSummary]) -> None:
    out, summary = run
    treated: Counter[str] = Counter()
    groups: defaultdict[str, set[str]] = defaultdict(set)
    pct = {campaign.campaign_id: campaign.holdout_pct for campaign in DEMO_CAMPAIGNS}
    for row in read(out / "campaign_deliveries.csv"):
        expected = (
            "holdout"
            if holdout_bucket(row["campaign_id"], int(row["customer_id"])) < pct[row["campaign_id"]] * 100
            else "treatment"
        )
        assert row["test_group"] == expected
        groups[row["campaign_id"]].add(row["test_group"])
        treated[row["campaign_id"]] += row["test_group"] == "treatment"
        if row["test_group"] == "holdout":
            assert row["delivered"] == row["opened_at"] == row["clicked_at"] == ""
    assert set(summary.planted_conversions) == set(treated) == set(PLANTED_LIFT)
    for campaign_id, count in treated.items():
        assert summary.planted_conversions[campaign_id] == round(PLANTED_LIFT[campaign_id] * count), campaign_id
        assert groups[campaign_id] == {"treatment", "holdout"}
