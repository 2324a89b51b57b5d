"""Consent and campaigns (spec section 11): contactability on hand-written preferences, the holdout split
reproduced in plain Python, audiences only of contactable customers and frozen across builds, performance
read independently from the log and the transactions, the planted lift recovered, and a planted consent
breach failing the build."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from integration.harness import SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS, Warehouse, assert_succeeded

CUSTOMER_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,postal_code,"
    "signup_date,account_status"
)
# id, email, phone, account_status
CUSTOMERS = [
    (1, "one@example.com", "555-000-0001", "Active"),
    (2, "two@example.com", "555-000-0002", "Active"),
    (3, "three@example.com", "555-000-0003", "Inactive"),
    (4, "four@example.com", "555-000-0004", "Active"),
    (5, "five.example.com", "555-000-0005", "Active"),
    (6, "family@example.com", "555-000-0006", "Active"),
    (7, "Family@example.com", "555-000-0007", "Active"),
    (8, "eight@example.com", "", "Active"),
    (9, "FAMILY@example.com", "", "Suspended"),
    (10, "ten@example.com", "555-000-0010", "Active"),
    (11, "eleven@example.com", "555-000-0011", "Active"),
]
PREFERENCE_HEADER = (
    "customer_id,communication_channel,marketing_consent,notification_enabled,newsletter_subscription,updated_at"
)
PREFERENCES = f"""{PREFERENCE_HEADER}
1,Email,true,true,yes,2025-01-01 00:00:00
1,SMS,1,yes,no,2025-01-01 00:00:00
1,phone,false,false,no,2025-01-01
2,email,yes,FALSE,no,2025-01-01
3,EMAIL,true,true,true,2025-01-01
4,Email,true,true,true,2025-01-01
5,Email,true,true,true,2025-01-01
6,Email,true,true,true,2025-01-01
7,Email,true,true,true,2025-01-01
8,SMS,true,true,false,2025-01-01
8,Push,true,true,false,2025-01-01
9,Email,no,false,no,2025-01-01
10,Email,true,true,true,2025-01-01 00:00:00
10,Email,false,true,true,2025-03-01 00:00:00
10,Sms,true,true,true,2025-02-01 00:00:00
10,sms,false,true,true,2025-02-01 00:00:00
10,PUSH,YES,1,0,2025-02-01
10,Phone,maybe,true,true,2025-02-01
11,Email,true,,true,
"""
SUPPRESSIONS = """customer_id,email,reason,added_at
4,four@example.com,customer request,2025-01-05 10:00:00
9,,complaint,
"""
NO = "no consent"
# (customer, channel) -> the reasons (None: contactable); every pair not listed has no preference row: 'no consent'
# plus whatever else holds.
EXPECTED = {
    (1, "email"): None,
    (1, "sms"): None,
    (1, "phone"): "no consent, notifications off",
    (1, "push"): NO,
    (2, "email"): "notifications off",
    (3, "email"): "inactive account",
    (3, "sms"): "no consent, inactive account",
    (4, "email"): "suppressed",
    (4, "push"): "no consent, suppressed",
    (5, "email"): "no valid contact",
    (6, "email"): "shared email",
    (7, "email"): "shared email",
    (8, "sms"): "no valid contact",
    (8, "phone"): "no consent, no valid contact",
    (8, "push"): None,
    (9, "email"): "no consent, notifications off, inactive account, suppressed, shared email",
    (9, "sms"): "no consent, inactive account, suppressed, no valid contact",
    (10, "email"): NO,
    (10, "sms"): NO,
    (10, "push"): None,
    (10, "phone"): NO,
    (11, "email"): None,
}
HAND_AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def hand_written(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    raw = tmp_path_factory.mktemp("consent_raw")
    lines = [CUSTOMER_HEADER] + [
        f"{cid},First,Last,{email},{phone},1980-01-01,Female,Springfield,IL,United States,62701,2020-01-01,{status}"
        for cid, email, phone, status in CUSTOMERS
    ]
    (raw / "customers.csv").write_text("\n".join(lines) + "\n")
    (raw / "transactions.csv").write_text(
        "transaction_id,customer_id,transaction_date,amount,merchant_category\n1,1,2025-06-29,10.00,Grocery\n"
    )
    (raw / "customer_preferences.csv").write_text(PREFERENCES)
    (raw / "suppressions.csv").write_text(SUPPRESSIONS)
    work = tmp_path_factory.mktemp("consent_built")
    warehouse = Warehouse(raw, work / "warehouse.duckdb", work)
    run = warehouse.dbt("run", "--select", "+customer_contactability", as_of=HAND_AS_OF, label="consent, hand-written")
    assert_succeeded(run)
    return warehouse


def test_every_reason_one_at_a_time_and_combined(hand_written: Warehouse) -> None:
    rows = hand_written.query(
        "select customer_id, channel, is_contactable, not_contactable_reasons from main.customer_contactability"
    )
    assert len(rows) == len(CUSTOMERS) * 4
    found = {(cid, channel): reasons for cid, channel, _, reasons in rows}
    assert all(is_contactable == (reasons is None) for _, _, is_contactable, reasons in rows)
    for key, reasons in EXPECTED.items():
        assert found[key] == reasons, key
    # a pair without a preference row is never contactable, and says so first
    for key, reasons in found.items():
        if key not in EXPECTED:
            assert reasons is not None and reasons.startswith(NO), key


def test_repeated_preferences_keep_the_latest_then_the_one_granting_less(hand_written: Warehouse) -> None:
    rows = hand_written.query(
        "select channel, marketing_consent, updated_at from staging.stg_customer_preferences where customer_id = 10"
        " order by channel"
    )
    assert rows == [
        ("email", False, dt.datetime(2025, 3, 1)),
        ("phone", None, dt.datetime(2025, 2, 1)),
        ("push", True, dt.datetime(2025, 2, 1)),
        ("sms", False, dt.datetime(2025, 2, 1)),
    ]


def holdout_bucket(campaign_id: str, customer_id: int) -> int:
    """docs/marketing.md's hash, written here from the documentation rather than imported."""
    return int(hashlib.md5(f"{campaign_id}:{customer_id}".encode()).hexdigest()[:8], 16) % 10000


def test_holdout_split_is_the_documented_md5_split(built: Warehouse) -> None:
    rows = built.query(
        "select a.campaign_id, a.customer_id, a.test_group, c.holdout_pct"
        " from main.campaign_audiences a join main.campaigns c using (campaign_id)"
    )
    assert rows, "the example campaigns have audiences"
    for campaign_id, customer_id, group, holdout_pct in rows:
        expected = "holdout" if holdout_bucket(campaign_id, customer_id) < holdout_pct * 100 else "treatment"
        assert group == expected, (campaign_id, customer_id)
    assert {group for *_, group, _ in rows} == {"holdout", "treatment"}


def test_audiences_hold_only_contactable_customers_of_their_segment(built: Warehouse) -> None:
    outside = built.query(
        "select count(*) from main.campaign_audiences a join main.campaigns c using (campaign_id)"
        " left join main.customer_contactability k on k.customer_id = a.customer_id and k.channel = c.channel"
        " where not coalesce(k.is_contactable, false) or a.channel <> c.channel"
    )
    assert outside == [(0,)]
    statuses = dict(built.query("select campaign_id, status from main.campaigns"))
    with_audience = {row[0] for row in built.query("select distinct campaign_id from main.campaign_audiences")}
    assert not with_audience & {cid for cid, status in statuses.items() if status in ("draft", "cancelled")}
    # ordered and cut: ranks run 1..n without gaps, within the limit
    for campaign_id, ranks, top, limit in built.query(
        "select a.campaign_id, count(*), max(audience_rank), max(c.audience_limit)"
        " from main.campaign_audiences a join main.campaigns c using (campaign_id) group by a.campaign_id"
    ):
        assert ranks == top and (limit is None or ranks <= limit), campaign_id


def read_performance(built: Warehouse) -> dict[str, dict[str, Any]]:
    return {row["campaign_id"]: row for row in built.query_dicts("select * from main.campaign_performance")}


def test_performance_matches_a_plain_reading_of_section_11(built: Warehouse) -> None:
    deliveries = built.query_dicts("select * from staging.stg_campaign_deliveries")
    spend: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    for customer_id, day, amount in built.query(
        f"select customer_id, transaction_date, amount from intermediate.int_transactions_matched"
        f" where transaction_date <= date '{SAMPLE_AS_OF}'"
    ):
        spend[customer_id].append((day, float(amount)))
    by_campaign: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in deliveries:
        by_campaign[str(row["campaign_id"])].append(row)
    performance = read_performance(built)
    assert set(by_campaign) <= set(performance)
    for campaign_id, rows in by_campaign.items():
        first = min(r["sent_at"] for r in rows if r["test_group"] == "treatment")
        outcome = {}
        for group in ("treatment", "holdout"):
            members = [r for r in rows if r["test_group"] == group]
            converted, revenue = 0, 0.0
            for r in members:
                start = (r["sent_at"] if group == "treatment" else first).date()
                window = [a for d, a in spend[r["customer_id"]] if start < d <= start + dt.timedelta(days=14)]
                converted += any(a > 0 for a in window)
                revenue += sum(window)
            outcome[group] = (len(members), converted, revenue)
        got = performance[campaign_id]
        (nt, ct, rt), (nh, ch, rh) = outcome["treatment"], outcome["holdout"]
        assert (got["treatment_size"], got["holdout_size"]) == (nt, nh)
        treated = [r for r in rows if r["test_group"] == "treatment"]
        assert got["sent"] == len(treated)
        assert got["delivered"] == sum(bool(r["delivered"]) for r in treated)
        assert got["opened"] == sum(r["opened_at"] is not None for r in treated)
        assert got["clicked"] == sum(r["clicked_at"] is not None for r in treated)
        assert float(got["conversion_rate"]) == pytest.approx(ct / nt, abs=5e-5)
        assert float(got["holdout_conversion_rate"]) == pytest.approx(ch / nh, abs=5e-5)
        assert float(got["lift"]) == pytest.approx(ct / nt - ch / nh, abs=5e-5)
        incremental = (rt / nt - rh / nh) * nt
        assert float(got["incremental_revenue"]) == pytest.approx(incremental, abs=0.01)
        assert got["consent_breaches"] == 0


def test_planted_lift_is_recovered_within_its_statistical_error(built: Warehouse) -> None:
    # the generator no longer plants a lift (the marketing loop will, with the deliveries it writes)
    from segmentation.datagen.consent import PLANTED_LIFT  # type: ignore[attr-defined]

    performance = read_performance(built)
    measured = [campaign_id for campaign_id in PLANTED_LIFT if campaign_id in performance]
    assert measured, "the sample's past campaigns have a log"
    for campaign_id in measured:
        row = performance[campaign_id]
        nt, nh = int(row["treatment_size"]), int(row["holdout_size"])
        pt, ph = float(row["conversion_rate"]), float(row["holdout_conversion_rate"])
        # the standard error of a difference of two proportions, floored at one holdout customer's weight
        error = max(math.sqrt(pt * (1 - pt) / nt + ph * (1 - ph) / nh), 1 / nh)
        assert abs(float(row["lift"]) - PLANTED_LIFT[campaign_id]) <= 3 * error, campaign_id


def test_audience_of_a_passed_campaign_is_frozen_across_builds(built: Warehouse, tmp_path: Path) -> None:
    copy = built.copy(tmp_path / "frozen")
    statuses = dict(copy.query("select campaign_id, status from main.campaigns"))
    before = set(copy.query("select * from main.campaign_audiences"))
    # Declining and High-Value Travelers redrawn: a much lower bar for both
    changed = {
        "backfill_months": SAMPLE_BACKFILL_MONTHS,
        "high_value_min_avg_monthly_spend": 1000,
        "high_value_min_travel_pct": 5,
        "declining_max_change_pct": -5,
    }
    assert_succeeded(copy.dbt("run", "--select", "+campaign_audiences", as_of=SAMPLE_AS_OF, variables=changed))
    after = set(copy.query("select * from main.campaign_audiences"))
    for campaign_id, status in statuses.items():
        old = {row for row in before if row[0] == campaign_id}
        new = {row for row in after if row[0] == campaign_id}
        if status == "sent":
            assert new == old and old, campaign_id
    scheduled = {row for row in after if statuses[row[0]] == "scheduled"}
    assert scheduled != {row for row in before if statuses[row[0]] == "scheduled"}, "later audiences are reselected"


def test_a_delivery_to_a_customer_without_consent_fails_the_breach_test(built: Warehouse, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(built.raw_dir, raw)
    treated = built.query(
        "select customer_id, d.campaign_id, c.channel, d.sent_at from staging.stg_campaign_deliveries d"
        " join main.campaigns c using (campaign_id) where test_group = 'treatment' order by customer_id limit 1"
    )
    customer_id, _, channel, sent_at = treated[0]
    # the customer withdrew consent on the channel a day before the send
    path = raw / "customer_preferences.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows = [r for r in rows[1:] if not (r[0] == str(customer_id) and r[1].lower() == channel)]
    withdrawn = (sent_at - dt.timedelta(days=1)).isoformat(sep=" ")
    rows.append([str(customer_id), channel.upper(), "false", "true", "false", "en", "America/Chicago", withdrawn])
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    copy = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)
    shutil.copy(built.database, copy.database)
    selection = (
        "stg_customer_preferences base_customer_preferences customer_contactability int_campaign_deliveries_checked"
    )
    assert_succeeded(copy.dbt("run", "--select", *selection.split(), as_of=SAMPLE_AS_OF))
    run = copy.dbt("test", "--select", "assert_no_consent_breaches", as_of=SAMPLE_AS_OF)
    assert run.returncode != 0
    assert "fail" in set(run.statuses().values())
    assert copy.query(
        f"select not_contactable_reasons_at_send from intermediate.int_campaign_deliveries_checked"
        f" where customer_id = {customer_id} and is_consent_breach"
    ) == [("no consent",)]
