"""The demo's marketing loop on the test sample, end to end (docs/marketing.md#the-demos-marketing-loop): the
audiences the warehouse selected, the exports the export command audited, the log the simulated platform wrote, and
a fresh build of the files afterwards, which must select the same audiences and measure the planted uplift."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb

from integration.harness import SAMPLE_AS_OF, Warehouse, sample_loop_published
from segmentation.exports.audit import audit_log_path, read_records
from segmentation_tools.datagen.demo_campaigns import demo_campaigns
from segmentation_tools.datagen.truth import read_campaign_truth

SENT = [campaign for campaign in demo_campaigns(SAMPLE_AS_OF) if campaign.is_sent_by_demo]


def audience(database: Path, campaign_id: str, group: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select customer_id, test_group, audience_rank, channel, selected_at from campaign_audiences"
            " where campaign_id = ? and test_group = ? order by customer_id",
            [campaign_id, group],
        ).fetchall()


def test_the_platform_sent_to_exactly_the_exported_treatment_group(built: Warehouse, sample_raw_dir: Path) -> None:
    """Delivered ids = the audited export's ids = the treatment rows of campaign_audiences; holdout rows = the
    audience's holdout; both as the loop's warehouse selected them and as the fresh build selects them again."""
    loop_published = sample_loop_published()
    records = read_records(audit_log_path(loop_published))
    with open(sample_raw_dir / "campaign_deliveries.csv", newline="") as file:
        deliveries = list(csv.DictReader(file))
    for campaign in SENT:
        (record,) = [r for r in records if r.campaign_id == campaign.campaign_id]
        with open(record.file_path, newline="") as file:
            exported = sorted(int(row["customer_id"]) for row in csv.DictReader(file))
        assert record.row_count == len(exported) > 0 and record.left_out_count == 0
        sent = sorted(
            int(row["customer_id"])
            for row in deliveries
            if row["campaign_id"] == campaign.campaign_id and row["test_group"] == "treatment"
        )
        held = sorted(
            int(row["customer_id"])
            for row in deliveries
            if row["campaign_id"] == campaign.campaign_id and row["test_group"] == "holdout"
        )
        for database in (loop_published, built.database):
            treatment = audience(database, campaign.campaign_id, "treatment")
            holdout = audience(database, campaign.campaign_id, "holdout")
            assert [row[0] for row in treatment] == exported == sent
            assert [row[0] for row in holdout] == held
        # the fresh build of the files after the sends selects the very same rows (rank, channel, date included)
        assert audience(built.database, campaign.campaign_id, "treatment") == audience(
            loop_published, campaign.campaign_id, "treatment"
        )


def test_no_delivery_lies_outside_its_audience_and_none_breaches_consent(built: Warehouse) -> None:
    rows = built.query(
        "select campaign_id, off_audience_deliveries, consent_breaches, sent from campaign_performance"
        " where campaign_id in (" + ", ".join(f"'{c.campaign_id}'" for c in SENT) + ")"
    )
    assert len(rows) == len(SENT)
    for campaign_id, off_audience, breaches, sent in rows:
        assert (off_audience, breaches) == (0, 0), campaign_id
        assert sent > 0


def test_the_measured_lift_is_the_planted_uplift_within_its_error(built: Warehouse, sample_raw_dir: Path) -> None:
    """The holdout is untouched, so its measured conversion rate is the truth's exactly (to the mart's rounding);
    the lift is an unbiased estimate of the planted uplift, so it lies within 3.5 standard errors of it."""
    truth = read_campaign_truth(sample_raw_dir)
    assert set(truth) == {campaign.campaign_id for campaign in SENT}
    for campaign_id, n_t, n_h, p_t, p_h, lift, low, high in built.query(
        "select campaign_id, treatment_size, holdout_size, conversion_rate, holdout_conversion_rate, lift,"
        " lift_ci_low, lift_ci_high from campaign_performance where campaign_id in ("
        + ", ".join(f"'{c}'" for c in truth)
        + ")"
    ):
        planted = truth[campaign_id]
        assert abs(float(p_h) - planted.holdout_conversion_rate) <= 0.00005 + 1e-9, campaign_id
        p_t, p_h = float(p_t), float(p_h)
        se = math.sqrt(max(p_t * (1 - p_t), 1e-4) / n_t + max(p_h * (1 - p_h), 1e-4) / n_h)
        assert abs(float(lift) - planted.planted_uplift) <= 3.5 * se, (campaign_id, lift, planted.planted_uplift, se)
        assert float(low) <= float(lift) <= float(high)
