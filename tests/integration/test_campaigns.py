"""Consent and campaigns (docs/rules/campaigns.md and docs/rules/lifetime-value.md): contactability on hand-written
preferences, the holdout split
reproduced in plain Python, audiences only of customers contactable at selected_at and frozen across builds,
performance read independently by intention to treat (campaign_reference.py), the planted lift recovered, and a
planted consent breach failing the build. A hand-written campaign world pins point-in-time eligibility, every edge of
the conversion rule, the breach check at sent_at, and a rebuild of the same files reproducing every frozen audience."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from statsmodels.stats.proportion import power_proportions_2indep

from integration import campaign_reference as ref
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
    run = warehouse.dbt(
        "run",
        "--select",
        "+customer_contactability",
        "stg_customer_preferences",
        as_of=HAND_AS_OF,
        label="consent, hand-written",
    )
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


def test_audiences_hold_only_segment_members_contactable_at_selected_at(built: Warehouse) -> None:
    outside = built.query(
        "select count(*) from main.campaign_audiences a join main.campaigns c using (campaign_id)"
        " left join intermediate.int_customer_channels_judged k on k.customer_id = a.customer_id"
        " and k.channel = c.channel and k.as_of_date = a.selected_at"
        " left join intermediate.int_segment_memberships_listed m on m.customer_id = a.customer_id"
        " and m.segment_id = c.segment_id and m.as_of_date = a.selected_at"
        " where not coalesce(k.is_contactable, false) or a.channel <> c.channel or m.customer_id is null"
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


def purchases_of(warehouse: Warehouse) -> dict[int, list[ref.Purchase]]:
    purchases: dict[int, list[ref.Purchase]] = defaultdict(list)
    for customer_id, day, amount, category in warehouse.query(
        "select customer_id, transaction_date, amount, merchant_category from intermediate.int_transactions_matched"
    ):
        purchases[customer_id].append(ref.Purchase(day, Decimal(amount), category))
    return purchases


def assert_measured_as(got: dict[str, Any], expected: ref.Measured) -> None:
    """The mart's row against the plain reading, rates and money as the mart rounds them."""
    nt, nh = expected.treatment_size, expected.holdout_size
    ct, ch = expected.treatment_conversions, expected.holdout_conversions
    assert (got["treatment_size"], got["holdout_size"]) == (nt, nh)
    assert (got["treatment_conversions"], got["holdout_conversions"]) == (ct, ch)
    assert got["off_audience_deliveries"] == expected.off_audience_deliveries
    if ct is None or ch is None:
        assert got["conversion_rate"] is None and got["lift"] is None and got["p_value"] is None
        return
    assert float(got["conversion_rate"]) == pytest.approx(ct / nt, abs=5e-5)
    assert float(got["holdout_conversion_rate"]) == pytest.approx(ch / nh, abs=5e-5)
    lift = expected.lift()
    assert lift is not None
    assert float(got["lift"]) == pytest.approx(lift, abs=5e-5)
    low, high = expected.interval()
    assert float(got["lift_ci_low"]) == pytest.approx(low, abs=5e-5)
    assert float(got["lift_ci_high"]) == pytest.approx(high, abs=5e-5)
    assert got["p_value"] == pytest.approx(expected.p_value(), rel=1e-6, abs=1e-12)
    assert got["is_significant"] == (expected.p_value() < 0.05)
    rt, rh = expected.treatment_revenue, expected.holdout_revenue
    incremental = (rt / nt - rh / nh) * nt
    assert Decimal(got["incremental_revenue"]) == pytest.approx(incremental, abs=Decimal("0.01"))
    assert got["incremental_revenue_ci_low"] <= got["incremental_revenue"] <= got["incremental_revenue_ci_high"]


def test_performance_matches_a_plain_reading_by_intention_to_treat(built: Warehouse) -> None:
    """Section 16 on the sample: measured on the frozen audience where a campaign has one, the log elsewhere."""
    purchases = purchases_of(built)
    deliveries: dict[str, list[ref.Delivery]] = defaultdict(list)
    for campaign_id, customer_id, group, sent_at in built.query(
        "select campaign_id, customer_id, test_group, sent_at from intermediate.int_campaign_deliveries_matched"
    ):
        deliveries[campaign_id].append(ref.Delivery(customer_id, group, sent_at))
    audiences: dict[str, dict[int, str]] = defaultdict(dict)
    for campaign_id, customer_id, group in built.query(
        "select a.campaign_id, a.customer_id, a.test_group from main.campaign_audiences a"
        f" join main.campaigns c using (campaign_id) where cast(c.scheduled_at as date) <= date '{SAMPLE_AS_OF}'"
    ):
        audiences[campaign_id][customer_id] = group
    outcomes = {
        campaign_id: (categories, min_amount)
        for campaign_id, categories, min_amount in built.query(
            "select campaign_id, conversion_categories, conversion_min_amount from main.campaigns"
        )
    }
    performance = read_performance(built)
    assert set(deliveries) <= set(performance)
    assert set(audiences) & set(deliveries), "the sample has a sent campaign with a frozen audience and a log"
    assert any(outcomes[campaign_id][0] for campaign_id in deliveries), "a sent campaign names its categories"
    for campaign_id, rows in deliveries.items():
        categories, min_amount = outcomes.get(campaign_id, (None, None))
        expected = ref.measure(audiences.get(campaign_id), rows, purchases, SAMPLE_AS_OF, categories, min_amount)
        got = performance[campaign_id]
        assert_measured_as(got, expected)
        treated = [
            r
            for r in built.query_dicts(
                f"select * from intermediate.int_campaign_deliveries_matched where campaign_id = '{campaign_id}'"
                " and test_group = 'treatment'"
            )
        ]
        assert got["sent"] == len(treated)
        assert got["delivered"] == sum(bool(r["delivered"]) for r in treated)
        assert got["opened"] == sum(r["opened_at"] is not None for r in treated)
        assert got["clicked"] == sum(r["clicked_at"] is not None for r in treated)
        assert got["consent_breaches"] == 0


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
        "select customer_id, d.campaign_id, c.channel, d.sent_at from intermediate.int_campaign_deliveries_matched d"
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
        "base_customer_preferences int_customer_preferences_matched customer_contactability"
        " int_campaign_deliveries_checked"
    )
    assert_succeeded(copy.dbt("run", "--select", *selection.split(), as_of=SAMPLE_AS_OF))
    run = copy.dbt("test", "--select", "assert_no_consent_breaches", as_of=SAMPLE_AS_OF)
    assert run.returncode != 0
    assert "fail" in set(run.statuses().values())
    assert copy.query(
        f"select not_contactable_reasons_at_send from intermediate.int_campaign_deliveries_checked"
        f" where customer_id = {customer_id} and is_consent_breach"
    ) == [("no consent",)]


# A hand-written campaign world (docs/rules/campaigns.md and docs/rules/lifetime-value.md): forty customers, a static
# list as the campaigns' segment,
# email preferences with a history that changes around the selection date, and transactions on each edge of the
# conversion rule. Runs as of 2025-06-30 (a month-end) with the month-end before it: the campaigns scheduled in June
# are selected at 2025-05-31 and frozen by A.
WORLD_AS_OF = dt.date(2025, 6, 30)
SELECTED_AT = dt.date(2025, 5, 31)
LIST_IDS = range(1, 37)
OFF_AUDIENCE_ID, LOG_ONLY_ID, LATER_VERSION_ID, LATE_SIGNUP_ID = 37, 38, 39, 41
FIRST_SEND = dt.datetime(2025, 6, 1)
WORLD_CAMPAIGNS = {
    "campaigns": [
        {
            "id": "spring_offer",
            "name": "Spring offer",
            "type": "email",
            "channel": "email",
            "segment": "static/hand_list",
            "holdout_pct": 50,
            "scheduled_at": "2025-06-01 09:00",
            "cost_per_message": 0.01,
            "offer_cost": 5.00,
            "conversion": {"categories": [" Travel ", "hotels"], "min_amount": 50},
        },
        {
            "id": "sms_nudge",
            "name": "SMS nudge",
            "type": "sms",
            "channel": "sms",
            "segment": "static/hand_list",
            "holdout_pct": 50,
            "scheduled_at": "2025-06-01 10:00",
            "cost_per_message": 0.05,
        },
        {
            "id": "quiet_email",
            "name": "Quiet email (no log yet)",
            "type": "email",
            "channel": "email",
            "segment": "static/hand_list",
            "holdout_pct": 20,
            "scheduled_at": "2025-06-20 09:00",
            "cost_per_message": 0.01,
        },
    ]
}


@dataclass
class World:
    """Who plays which part: the treatment (t) and holdout (h) customers of spring_offer by the md5 split, and the
    customers whose consent changes around the selection date (p)."""

    t: list[int]
    h: list[int]
    p: dict[str, int]
    sms: list[int]
    raw: Path
    warehouse: Warehouse
    variables: dict[str, Any]


def world_roles() -> tuple[list[int], list[int], dict[str, int]]:
    treated = [i for i in LIST_IDS if ref.group_of("spring_offer", i, 50) == "treatment"]
    held = [i for i in LIST_IDS if ref.group_of("spring_offer", i, 50) == "holdout"]
    point_in_time = {
        "revoked_after": treated[8],  # consent until 2025-06-10: selected, not contactable at A
        "granted_after": treated[9],  # consent from 2025-06-05: not selected, contactable at A
        "suppressed_after": treated[10],  # suppressed on 2025-06-15: selected
        "suppressed_undated": treated[11],  # suppressed without a date: never
        "granted_that_evening": held[3],  # consent from 2025-05-31 23:00: selected
        "granted_next_day": held[4],  # consent from 2025-06-01 00:00: not selected
        "repeated_version": held[5],  # true and false at the same updated_at: the false one, not selected
    }
    return treated, held, point_in_time


def write_world(raw: Path, treated: list[int], held: list[int], p: dict[str, int], sms: list[int]) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    customers = [CUSTOMER_HEADER]
    for i in range(1, 42):
        signup = "2025-07-05" if i == LATE_SIGNUP_ID else "2020-01-01"
        customers.append(
            f"{i},First,Last,c{i}@example.com,555-100-{i:04d},1980-01-01,Female,Springfield,IL,United States,62701,"
            f"{signup},Active"
        )
    (raw / "customers.csv").write_text("\n".join(customers) + "\n")

    preferences = [PREFERENCE_HEADER]
    special = set(p.values())
    for i in range(1, 42):
        if i not in special:
            preferences.append(f"{i},Email,true,true,true,2025-01-01 00:00:00")
    preferences += [
        f"{p['revoked_after']},Email,true,true,true,2025-01-01 00:00:00",
        f"{p['revoked_after']},email,false,true,false,2025-06-10 12:00:00",
        f"{p['granted_after']},Email,true,true,true,2025-06-05 08:00:00",
        f"{p['suppressed_after']},Email,true,true,true,2025-01-01 00:00:00",
        f"{p['suppressed_undated']},Email,true,true,true,2025-01-01 00:00:00",
        f"{p['granted_that_evening']},Email,false,true,false,2025-01-01 00:00:00",
        f"{p['granted_that_evening']},EMAIL,yes,yes,yes,2025-05-31 23:00:00",
        f"{p['granted_next_day']},Email,false,true,false,2025-01-01 00:00:00",
        f"{p['granted_next_day']},Email,true,true,true,2025-06-01 00:00:00",
        f"{p['repeated_version']},Email,true,true,true,2025-01-01 00:00:00",
        f"{p['repeated_version']},Email,true,true,true,2025-03-01 10:00:00",
        f"{p['repeated_version']},Email,false,true,true,2025-03-01 10:00:00",
        f"{LATER_VERSION_ID},Email,false,true,true,2025-07-02 00:00:00",  # after A: not yet in force
    ]
    preferences += [f"{i},SMS,true,true,false,2025-01-01 00:00:00" for i in sms]
    (raw / "customer_preferences.csv").write_text("\n".join(preferences) + "\n")
    (raw / "suppressions.csv").write_text(
        "customer_id,email,reason,added_at\n"
        f"{p['suppressed_after']},,customer request,2025-06-15 09:00:00\n"
        f"{p['suppressed_undated']},,complaint,\n"
    )

    t1, t2, t3, t4, t5, t6, t7, t8 = treated[:8]
    h1, h2 = held[:2]
    purchases = [
        (t1, "2025-06-15", "50.00", " travel "),  # day 14, exactly the least amount, category in another case
        (t2, "2025-06-06", "49.99", "Travel"),  # a cent under
        (t3, "2025-06-16", "80.00", "TRAVEL"),  # day 15
        (t4, "2025-06-04", "500.00", "Grocery"),  # another category
        (t5, "2025-06-03", "60.00", "Hotels"),  # no delivery row: the window runs from the first send
        (t6, "2025-06-05", "-70.00", "Travel"),  # a refund
        (t7, "2025-06-17", "55.00", "Travel"),  # day 14 from the member's own send on 2025-06-03
        (t8, "2025-06-01", "55.00", "Travel"),  # the send day itself
        (h1, "2025-06-11", "50.00", "travel"),
        (h2, "2025-06-07", "100.00", "Grocery"),
        (OFF_AUDIENCE_ID, "2025-06-05", "99.00", "Travel"),
    ]
    lines = ["transaction_id,customer_id,transaction_date,amount,merchant_category"]
    lines += [f"{n},{c},{day},{amount},{category}" for n, (c, day, amount, category) in enumerate(purchases, 1)]
    lines += [f"{100 + i},{i},2025-01-15,20.00,Grocery" for i in range(1, 41)]
    (raw / "transactions.csv").write_text("\n".join(lines) + "\n")

    audience_t = [i for i in treated if i not in (p["granted_after"], p["suppressed_undated"])]
    audience_h = [i for i in held if i not in (p["granted_next_day"], p["repeated_version"])]
    log = ["campaign_id,customer_id,test_group,sent_at,delivered,bounced,opened_at,clicked_at,unsubscribed_at"]
    for i in audience_t:
        if i == t5:
            continue
        sent = "2025-06-03 00:00:00" if i == t7 else "2025-06-01 00:00:00"
        opened = "2025-06-01 08:00:00" if i in (t1, t2) else ""
        log.append(f"spring_offer,{i},treatment,{sent},true,false,{opened},,")
    log += [f"spring_offer,{i},holdout,2025-06-01 00:00:00,,,,," for i in audience_h]
    log.append(f"spring_offer,{OFF_AUDIENCE_ID},treatment,2025-06-01 00:00:00,true,false,,,")
    for i in sms:
        group = ref.group_of("sms_nudge", i, 50)
        if group == "treatment":
            log.append(f"sms_nudge,{i},treatment,2025-06-01 10:00:00,true,false,2025-06-01 11:00:00,,")
        else:
            log.append(f"sms_nudge,{i},holdout,2025-06-01 10:00:00,,,,,")
    log.append(f"platform_only,{LOG_ONLY_ID},treatment,2025-06-02 09:00:00,true,false,,,")
    (raw / "campaign_deliveries.csv").write_text("\n".join(log) + "\n")


def world_variables(work: Path, backfill_months: int) -> dict[str, Any]:
    segments = work / "world_segments.yml"
    segments.write_text(
        yaml.safe_dump(
            {"segments": [{"id": "hand_list", "name": "Hand list", "type": "static", "customer_ids": list(LIST_IDS)}]}
        )
    )
    campaigns = work / "world_campaigns.yml"
    campaigns.write_text(yaml.safe_dump(WORLD_CAMPAIGNS, sort_keys=False))
    return {"backfill_months": backfill_months, "segments_file": str(segments), "campaigns_file": str(campaigns)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    treated, held, p = world_roles()
    sms = [*treated[:3], *held[:2]]
    raw = tmp_path_factory.mktemp("world_raw")
    write_world(raw, treated, held, p, sms)
    work = tmp_path_factory.mktemp("world_built")
    variables = world_variables(work, 2)  # A is a month-end: A and 2025-05-31
    warehouse = Warehouse(raw, work / "warehouse.duckdb", work)
    run = warehouse.dbt(
        "build",
        "--select",
        "+campaign_performance",
        "+customer_contactability",
        "assert_deliveries_within_audiences",
        "assert_no_consent_breaches",
        as_of=WORLD_AS_OF,
        variables=variables,
        label="campaigns, hand-written world",
    )
    assert_succeeded(run)
    statuses = {node.split(".")[-1]: status for node, status in run.statuses().items()}
    assert statuses["assert_deliveries_within_audiences"] == "warn"
    assert statuses["assert_no_consent_breaches"] == "pass"
    return World(treated, held, p, sms, raw, warehouse, variables)


def world_reference(world: World) -> tuple[list[ref.Customer], list[ref.Preference], dict[int, dt.datetime | None]]:
    """The world's files read back in plain Python."""
    customers = [
        ref.Customer(
            int(row["customer_id"]),
            row["email"],
            row["phone"],
            row["account_status"],
            dt.date.fromisoformat(row["signup_date"]),
        )
        for row in csv.DictReader((world.raw / "customers.csv").open())
    ]
    preferences = [
        ref.Preference(
            int(row["customer_id"]),
            row["communication_channel"].strip().lower(),
            ref.flag(row["marketing_consent"]),
            ref.flag(row["notification_enabled"]),
            dt.datetime.fromisoformat(row["updated_at"]) if row["updated_at"] else None,
        )
        for row in csv.DictReader((world.raw / "customer_preferences.csv").open())
    ]
    suppressed = {
        int(row["customer_id"]): dt.datetime.fromisoformat(row["added_at"]) if row["added_at"] else None
        for row in csv.DictReader((world.raw / "suppressions.csv").open())
    }
    return customers, preferences, suppressed


def expected_audience(world: World, campaign_id: str, channel: str, holdout_pct: float) -> dict[int, str]:
    customers, preferences, suppressed = world_reference(world)
    return {
        c.customer_id: ref.group_of(campaign_id, c.customer_id, holdout_pct)
        for c in customers
        if c.customer_id in LIST_IDS
        and c.signup_date <= SELECTED_AT
        and ref.contactable_on(c, channel, SELECTED_AT, preferences, suppressed, set())
    }


def audience_of(warehouse: Warehouse, campaign_id: str) -> dict[int, str]:
    return dict(
        warehouse.query(
            f"select customer_id, test_group from main.campaign_audiences where campaign_id = '{campaign_id}'"
        )
    )


def test_audiences_are_judged_with_what_held_at_selected_at(world: World) -> None:
    dates = world.warehouse.query("select distinct campaign_id, selected_at from main.campaign_audiences")
    assert sorted(dates) == [(c, SELECTED_AT) for c in ("quiet_email", "sms_nudge", "spring_offer")]
    spring = audience_of(world.warehouse, "spring_offer")
    assert spring == expected_audience(world, "spring_offer", "email", 50)
    p = world.p
    for part in ("revoked_after", "suppressed_after", "granted_that_evening"):
        assert p[part] in spring, part
    for part in ("granted_after", "suppressed_undated", "granted_next_day", "repeated_version"):
        assert p[part] not in spring, part
    assert audience_of(world.warehouse, "sms_nudge") == expected_audience(world, "sms_nudge", "sms", 50)
    assert audience_of(world.warehouse, "quiet_email") == expected_audience(world, "quiet_email", "email", 20)


def test_contactability_is_judged_as_of_a_for_the_run_s_customers(world: World) -> None:
    customers, preferences, suppressed = world_reference(world)
    rows = world.warehouse.query("select customer_id, channel, is_contactable from main.customer_contactability")
    found = {(customer_id, channel): ok for customer_id, channel, ok in rows}
    # only customers signed up on or before A
    assert {customer_id for customer_id, _ in found} == set(range(1, 41))
    for c in customers:
        if c.signup_date > WORLD_AS_OF:
            continue
        for channel in ("email", "sms", "push", "phone"):
            expected = ref.contactable_on(c, channel, WORLD_AS_OF, preferences, suppressed, set())
            assert found[(c.customer_id, channel)] == expected, (c.customer_id, channel)
    p = world.p
    assert not found[(p["revoked_after"], "email")] and found[(p["granted_after"], "email")]
    assert not found[(p["suppressed_after"], "email")] and found[(p["granted_next_day"], "email")]
    # a version updated after A does not count yet
    assert found[(LATER_VERSION_ID, "email")]


def world_performance(world: World) -> dict[str, dict[str, Any]]:
    return read_performance(world.warehouse)


def world_purchases(world: World) -> dict[int, list[ref.Purchase]]:
    return purchases_of(world.warehouse)


def world_deliveries(world: World, campaign_id: str) -> list[ref.Delivery]:
    return [
        ref.Delivery(customer_id, group, sent_at)
        for customer_id, group, sent_at in world.warehouse.query(
            "select customer_id, test_group, sent_at from intermediate.int_campaign_deliveries_matched"
            f" where campaign_id = '{campaign_id}'"
        )
    ]


def test_conversion_edges_count_by_intention_to_treat(world: World) -> None:
    audience = expected_audience(world, "spring_offer", "email", 50)
    expected = ref.measure(
        audience,
        world_deliveries(world, "spring_offer"),
        world_purchases(world),
        WORLD_AS_OF,
        categories=[" Travel ", "hotels"],
        min_amount=Decimal(50),
    )
    t1, t2, t3, t4, t5, t6, t7, t8 = world.t[:8]
    h1, h2 = world.h[:2]
    # the reading itself, edge by edge: exactly the least amount on day 14, the member never sent, the member sent
    # two days later, and the holdout's exact amount convert; a cent under, day 15, another category, a refund and
    # the send day itself do not
    assert expected.converted == {t1, t5, t7, h1}
    assert {t2, t3, t4, t6, t8, h2}.isdisjoint(expected.converted)
    got = world_performance(world)["spring_offer"]
    assert_measured_as(got, expected)
    # every treatment member as selected, the one the log never sent included
    assert got["treatment_size"] == sum(group == "treatment" for group in audience.values())
    assert t5 in audience and got["sent"] == got["treatment_size"]  # one off-audience send, one member not sent
    assert got["off_audience_deliveries"] == 1
    assert got["conversion_categories"] == ["travel", "hotels"]
    assert got["conversion_min_amount"] == Decimal("50.00") and got["offer_cost"] == Decimal("5.00")
    # messages sent x 0.01 + treatment conversions x 5.00
    cost = Decimal(got["sent"]) * Decimal("0.01") + 3 * Decimal("5.00")
    assert got["cost"] == cost
    incremental = (
        expected.treatment_revenue / expected.treatment_size - expected.holdout_revenue / expected.holdout_size
    ) * expected.treatment_size
    assert float(got["roi"]) == pytest.approx(float((incremental - cost) / cost), abs=5e-4)
    assert float(got["open_rate"]) == pytest.approx(2 / got["delivered"], abs=5e-5)
    # the minimum detectable lift: 80 % power at the holdout's rate (statsmodels)
    mde = float(got["minimum_detectable_lift"])
    power = power_proportions_2indep(
        mde, 1 / expected.holdout_size, expected.treatment_size, ratio=expected.holdout_size / expected.treatment_size
    ).power
    assert power == pytest.approx(0.8, abs=0.002)


def test_any_positive_transaction_without_a_conversion_and_no_opens_on_sms(world: World) -> None:
    audience = expected_audience(world, "sms_nudge", "sms", 50)
    expected = ref.measure(audience, world_deliveries(world, "sms_nudge"), world_purchases(world), WORLD_AS_OF)
    got = world_performance(world)["sms_nudge"]
    assert_measured_as(got, expected)
    # the log has opened_at for every sms sent, yet sms has no opens to measure
    assert got["opened"] == got["sent"] > 0
    assert got["open_rate"] is None and got["click_to_open_rate"] is None
    assert got["click_rate"] is not None
    assert got["conversion_categories"] is None and got["offer_cost"] is None
    assert got["cost"] == Decimal(got["sent"]) * Decimal("0.05")


def test_a_campaign_without_a_log_and_a_log_without_a_campaign(world: World) -> None:
    performance = world_performance(world)
    quiet = performance["quiet_email"]
    audience = audience_of(world.warehouse, "quiet_email")
    assert (quiet["treatment_size"], quiet["holdout_size"]) == (
        sum(g == "treatment" for g in audience.values()),
        sum(g == "holdout" for g in audience.values()),
    )
    # nothing was sent, so nothing is known about conversion, and a campaign that cost nothing has no ROI
    for column in ("treatment_conversions", "conversion_rate", "lift", "lift_ci_low", "p_value", "is_significant"):
        assert quiet[column] is None, column
    assert quiet["cost"] == 0 and quiet["roi"] is None
    assert quiet["off_audience_deliveries"] == 0
    other = performance["platform_only"]
    assert (other["treatment_size"], other["holdout_size"], other["off_audience_deliveries"]) == (1, 0, 1)
    # not in campaigns.yml: its cost is unknown, and so its ROI
    assert other["cost"] is None and other["roi"] is None and other["lift"] is None
    assert other["minimum_detectable_lift"] is None


def test_the_breach_check_reads_the_version_in_force_at_sent_at(world: World, tmp_path: Path) -> None:
    """A send before consent was granted, one after it was withdrawn and one after a suppression are breaches; the
    same customers sent while they could be contacted were not."""
    raw = tmp_path / "raw"
    shutil.copytree(world.raw, raw)
    p = world.p
    log = (raw / "campaign_deliveries.csv").read_text().splitlines()
    moved = {
        f"spring_offer,{p['revoked_after']},treatment,2025-06-01 00:00:00": "2025-06-11 00:00:00",
        f"spring_offer,{p['suppressed_after']},treatment,2025-06-01 00:00:00": "2025-06-15 09:00:00",
    }
    rewritten = []
    for line in log:
        key = ",".join(line.split(",")[:4])
        rewritten.append(line.replace(key, key.rsplit(",", 1)[0] + "," + moved[key]) if key in moved else line)
    rewritten.append(f"spring_offer,{p['granted_after']},treatment,2025-06-01 00:00:00,true,false,,,")
    (raw / "campaign_deliveries.csv").write_text("\n".join(rewritten) + "\n")
    copy = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)
    shutil.copy(world.warehouse.database, copy.database)
    selection = ("base_campaign_deliveries", "int_campaign_deliveries_matched", "int_campaign_deliveries_checked")
    assert_succeeded(copy.dbt("run", "--select", *selection, as_of=WORLD_AS_OF, variables=world.variables))
    breaches = copy.query(
        "select customer_id, sent_at, not_contactable_reasons_at_send from intermediate.int_campaign_deliveries_checked"
        " where is_consent_breach order by customer_id"
    )
    assert breaches == sorted(
        [
            (p["revoked_after"], dt.datetime(2025, 6, 11), "no consent"),
            (p["granted_after"], dt.datetime(2025, 6, 1), "no consent"),
            # suppressed at 09:00 that morning: the send at 09:00 is at the suppression, so it counts
            (p["suppressed_after"], dt.datetime(2025, 6, 15, 9), "suppressed"),
        ]
    )
    run = copy.dbt("test", "--select", "assert_no_consent_breaches", as_of=WORLD_AS_OF, variables=world.variables)
    assert run.returncode != 0 and "fail" in set(run.statuses().values())


def test_a_rebuild_of_the_same_files_reproduces_every_frozen_audience(world: World, tmp_path: Path) -> None:
    """The warehouse as its users run it, month by month: built on 2025-05-31 from the files as they were then
    (no preference updated later, no later suppression), then on 2025-06-30 from today's files, where consent was
    withdrawn, granted and suppressed after the audiences were selected. A fresh warehouse built from today's files
    alone (the world fixture, as `make build` deletes and rebuilds) must hold the same frozen audiences, row for
    row."""
    then = tmp_path / "raw_then"
    shutil.copytree(world.raw, then)
    cutoff = dt.datetime(2025, 6, 1)
    for name, column in (("customer_preferences.csv", "updated_at"), ("suppressions.csv", "added_at")):
        with (world.raw / name).open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        kept = [row for row in rows if not row[column] or dt.datetime.fromisoformat(row[column]) < cutoff]
        assert len(kept) < len(rows), name  # something did change after selected_at
        with (then / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(kept)
    (then / "campaign_deliveries.csv").unlink()
    monthly = Warehouse(then, tmp_path / "warehouse.duckdb", tmp_path)
    selection = ("--select", "+campaign_audiences")
    variables = {**world.variables, "backfill_months": 0}
    assert_succeeded(monthly.dbt("build", *selection, as_of=SELECTED_AT, variables=variables))
    monthly = Warehouse(world.raw, monthly.database, tmp_path)
    assert_succeeded(monthly.dbt("build", *selection, as_of=WORLD_AS_OF, variables=world.variables))

    query = "select * from main.campaign_audiences order by campaign_id, audience_rank"
    frozen = monthly.query(query)
    assert {row[0] for row in frozen} == {"spring_offer", "sms_nudge", "quiet_email"}
    assert world.warehouse.query(query) == frozen
    # and the changes after selected_at were real: today, two of the selected could not be contacted and one who
    # was left out could
    p = world.p
    now = dict(
        world.warehouse.query(
            "select customer_id, is_contactable from main.customer_contactability where channel = 'email'"
        )
    )
    spring = audience_of(world.warehouse, "spring_offer")
    assert p["revoked_after"] in spring and not now[p["revoked_after"]]
    assert p["suppressed_after"] in spring and not now[p["suppressed_after"]]
    assert p["granted_after"] not in spring and now[p["granted_after"]]
