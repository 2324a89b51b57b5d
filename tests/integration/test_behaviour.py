"""Behaviour events, journeys and daily segment performance (docs/rules/raw-input.md and docs/rules/behaviour.md) on
the test
sample, against behaviour_reference.py's independent reading, customer by customer and day by day.
Reuses the session's built warehouse; the journey memberships of every recorded date are checked
with the other types in test_segment_catalog.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from integration import behaviour_reference, catalog_reference, reference
from integration.harness import SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS, Warehouse

SUMMARY_COLUMNS = (
    "total_events, total_page_views, total_product_views, total_add_to_cart, total_purchases, total_spent,"
    " avg_order_value, first_purchase_date, last_purchase_date, days_since_purchase, purchase_frequency_days,"
    " preferred_category, preferred_device, preferred_source"
)
DAILY_COLUMNS = (
    "member_count, new_customers, active_customers, purchases, revenue, avg_order_value, page_views,"
    " product_views, add_to_cart, email_open_rate, email_click_rate, repeat_purchase_rate"
)


def month_ends(last: dt.date, count: int) -> list[dt.date]:
    dates, month_end = [], last
    for _ in range(count):
        dates.append(month_end)
        month_end = month_end.replace(day=1) - dt.timedelta(days=1)
    return sorted(dates)


@pytest.fixture(scope="module")
def inputs(sample_raw_dir: Path) -> tuple[reference.CleanInput, list[behaviour_reference.Event]]:
    data = reference.clean(sample_raw_dir)
    return data, behaviour_reference.events(sample_raw_dir, data.customers)


def test_the_sample_has_events_of_every_kind_the_rules_read(inputs: tuple[Any, ...]) -> None:
    _, all_events = inputs
    kinds = {e.event_type for e in all_events}
    assert {"page_view", "product_view", "add_to_cart", "purchase", "review", "share", "wishlist"} <= kinds


def test_behavior_summary_is_the_reference_for_every_customer(
    built: Warehouse, sample_raw_dir: Path, inputs: tuple[Any, ...]
) -> None:
    data, all_events = inputs
    customers = set(reference.compute(sample_raw_dir, SAMPLE_AS_OF, data))
    want = behaviour_reference.summary(SAMPLE_AS_OF, customers, data, all_events)
    got = {
        row[0]: tuple(row[1:])
        for row in built.query(f"select customer_id, {SUMMARY_COLUMNS} from customer_behavior_summary")
    }
    assert set(got) == set(want)
    differing = [
        f"customer {cid}: warehouse {got[cid]}, reference {want[cid]}" for cid in want if got[cid] != want[cid]
    ]
    assert not differing, "\n".join(differing[:10])


def test_journey_stages_are_the_reference_current_stays(
    built: Warehouse, sample_raw_dir: Path, inputs: tuple[Any, ...]
) -> None:
    data, all_events = inputs
    bought = behaviour_reference.purchase_days(data)
    grouped = behaviour_reference.by_customer(all_events)
    by_date = {
        on: {
            cid: {"journey/" + catalog_reference.slug(stage)}
            for cid, stage in behaviour_reference.journey_stages_on(
                on, set(reference.compute(sample_raw_dir, on, data)), bought, grouped
            ).items()
        }
        for on in month_ends(SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS)
    }
    current = {stay.customer_id: stay for stay in catalog_reference.stays(by_date) if stay.left_at is None}
    want = {
        cid: (stay.segment_id.split("/")[1].capitalize(), stay.joined_at, (SAMPLE_AS_OF - stay.joined_at).days)
        for cid, stay in current.items()
    }
    got = {
        cid: (stage, entered, days)
        for cid, stage, entered, days in built.query(
            "select customer_id, current_stage, stage_entered_at, days_in_stage from customer_journey_stages"
        )
    }
    assert got == want
    # every customer of the run has a stage and a summary, and the stages are not all one
    summary_ids = {cid for (cid,) in built.query("select customer_id from customer_behavior_summary")}
    assert set(got) == summary_ids
    assert len({stage for stage, _, _ in got.values()}) >= 3


def test_daily_performance_is_the_reference_for_every_day_and_segment(
    built: Warehouse, sample_raw_dir: Path, inputs: tuple[Any, ...]
) -> None:
    data, all_events = inputs
    first_day = SAMPLE_AS_OF - dt.timedelta(days=89)
    needed = [on for on in month_ends(SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS) if on >= first_day - dt.timedelta(days=31)]
    segments_by_date = {
        on: {cid: r.segment for cid, r in reference.compute(sample_raw_dir, on, data).items()} for on in needed
    }
    # the campaign log as staging keeps it (its cleaning is checked in test_campaigns.py and the unit tests), each
    # delivery with its campaign's channel as the campaigns file says
    channels = {
        campaign["id"]: campaign["channel"]
        for campaign in yaml.safe_load((sample_raw_dir / "campaigns.yml").read_text())["campaigns"]
    }
    deliveries = [
        behaviour_reference.Delivery(
            customer_id, test_group, sent_at.date(), bool(delivered), opened, clicked, channels.get(campaign_id)
        )
        for campaign_id, customer_id, test_group, sent_at, delivered, opened, clicked in built.query(
            "select campaign_id, customer_id, test_group, sent_at, delivered, opened_at is not null,"
            " clicked_at is not null from intermediate.int_campaign_deliveries_matched"
        )
    ]
    # messages of both channels were delivered in the window, so a rate that read the SMS deliveries would differ
    assert {"email", "sms"} <= {
        d.channel for d in deliveries if d.test_group == "treatment" and d.delivered and d.sent_day >= first_day
    }
    want = behaviour_reference.daily_performance(SAMPLE_AS_OF, segments_by_date, data, all_events, deliveries)
    rows = built.query(f"select activity_date, segment_name, {DAILY_COLUMNS} from segment_daily_performance")
    got = {(day, name): tuple(rest) for day, name, *rest in rows}
    assert len(rows) == len(got) == 90 * 6
    assert set(got) == set(want)
    differing = [f"{key}: warehouse {got[key]}, reference {want[key]}" for key in sorted(want) if got[key] != want[key]]
    assert not differing, "\n".join(differing[:10])
    # the sample has activity to compare: purchases and funnel events on most days
    assert sum(1 for value in want.values() if value[3]) > 200
    assert sum(1 for value in want.values() if value[6]) > 100
    # and campaign messages delivered on some days of the window
    assert any(value[9] is not None for value in want.values())
    # every signup of the window is new on their signup day (in a segment or Unassigned), and some are Unassigned
    signups: dict[dt.date, int] = {}
    for customer in data.customers.values():
        if first_day <= customer.signup_date <= SAMPLE_AS_OF:
            signups[customer.signup_date] = signups.get(customer.signup_date, 0) + 1
    new_by_day: dict[dt.date, int] = {}
    for (day, _), value in got.items():
        new_by_day[day] = new_by_day.get(day, 0) + value[1]
    assert {day: count for day, count in new_by_day.items() if count} == signups
    assert sum(signups.values()) > 30
    assert any(value[0] for (_, name), value in want.items() if name == "Unassigned")
