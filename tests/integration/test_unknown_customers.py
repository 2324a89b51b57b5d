"""Rows of the optional files that name a customer who is not a known one, on hand-written files: staging judges each
row on its own text and reads nothing but its own file; the intermediate models reject the rows of unknown customers
(docs/rules/cleaning.md, docs/data-quality.md), and every such row is listed in rejected_rows, counted in
data_quality_report and reconciled.

A copy of a delivery, preference version or suppression repeats its customer, so when the customer is unknown every
copy is rejected and none counts as a duplicate; a copy of a known customer's row is a duplicate; a row that fails on
its own text keeps that reason, whatever its customer. Customer 3 signs up after A and is a known customer of the file;
customer 4's own row is rejected, so it is not a known customer; customer 9 is not in the file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from integration.harness import Warehouse, assert_succeeded

AS_OF = dt.date(2025, 3, 31)
GATES_OPEN = {"max_reject_share": 1, "max_delivery_lag_days": 36500}
UNKNOWN = "customer_id is not a known customer"

CUSTOMERS = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,postal_code,signup_date,"
    "account_status\n"
    "1,Ann,Lee,ann@example.com,555-0001,1980-01-01,Female,Springfield,IL,USA,62701,2020-01-01,Active\n"
    "2,Bo,Ray,bo@example.com,555-0002,1980-01-01,Male,Springfield,IL,USA,62701,2020-01-01,Active\n"
    "3,Cy,Oh,cy@example.com,555-0003,1980-01-01,Other,Springfield,IL,USA,62701,2025-05-01,Active\n"
    "4,Di,Ng,di@example.com,555-0004,1980-01-01,Female,Springfield,IL,USA,62701,,Active\n"
)
TRANSACTIONS = "transaction_id,customer_id,transaction_date,amount,merchant_category\n1,1,2025-03-30,10.00,Grocery\n"

DELIVERIES = """campaign_id,customer_id,test_group,sent_at,delivered,bounced,opened_at,clicked_at,unsubscribed_at
spring,1,treatment,2025-03-01 09:00:00,true,false,,,
spring,1,treatment,2025-03-01 10:00:00,true,false,,,
spring,9,treatment,2025-03-01 09:00:00,true,false,,,
spring,9,treatment,2025-03-01 09:00:00,true,false,,,
spring,4,holdout,2025-03-01 09:00:00,,,,,
spring,9,sometimes,2025-03-01 09:00:00,,,,,
spring,3,holdout,2025-03-01 09:00:00,,,,,
"""

PREFERENCES = (
    "customer_id,communication_channel,marketing_consent,notification_enabled,newsletter_subscription,"
    "preferred_language,time_zone,updated_at\n"
    "1,Email,true,true,true,en,UTC,2025-01-01 00:00:00\n"
    "1,Email,false,true,true,en,UTC,2025-01-01 00:00:00\n"
    "1,SMS,true,true,false,en,UTC,2025-01-01 00:00:00\n"
    "9,Email,true,true,true,en,UTC,2025-01-01 00:00:00\n"
    "9,Email,true,true,true,en,UTC,2025-01-01 00:00:00\n"
    "9,Pigeon,true,true,true,en,UTC,2025-01-01 00:00:00\n"
    "2,SMS,true,true,false,en,UTC,2025-02-01 00:00:00\n"
    "2,SMS,false,true,false,en,UTC,2025-03-01 00:00:00\n"
)

SUPPRESSIONS = """customer_id,email,reason,added_at
2,bo@example.com,complaint,2025-02-01 00:00:00
2,bo@example.com,complaint,2025-03-01 00:00:00
9,z@example.com,complaint,
9,z@example.com,complaint,2025-01-01 00:00:00
x9,z@example.com,complaint,
"""

EVENTS = """event_id,customer_id,event_type,occurred_at
1,1,page_view,2025-03-01 10:00:00
1,1,page_view,2025-03-01 10:00:00
2,9,page_view,2025-03-01 10:00:00
3,1,,2025-03-01 10:00:00
4,4,add_to_cart,2025-03-02 10:00:00
"""

# entity -> (raw rows, clean rows, removed duplicates, rejected rows per reason), read from the files above
EXPECTED = {
    "campaign_deliveries": (
        7,
        2,  # spring/1 (the earlier send) and spring/3
        1,  # spring/1's later send
        {UNKNOWN: 3, "test_group is not treatment/holdout": 1},  # both copies of spring/9, spring/4
    ),
    "customer_preferences": (
        8,
        4,  # customer 1's email version (the copy without consent) and sms, customer 2's two sms versions
        1,  # customer 1's copy granting consent
        {UNKNOWN: 2, "communication_channel is not Email/SMS/Phone/Push": 1},
    ),
    "suppressions": (5, 1, 1, {UNKNOWN: 2, "customer_id is not an integer": 1}),
    "behavior_events": (5, 1, 1, {UNKNOWN: 2, "event_type is missing": 1}),  # events 2 and 4
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    work = tmp_path_factory.mktemp("unknown_customers")
    raw = work / "raw"
    raw.mkdir()
    for name, text in (
        ("customers", CUSTOMERS),
        ("transactions", TRANSACTIONS),
        ("campaign_deliveries", DELIVERIES),
        ("customer_preferences", PREFERENCES),
        ("suppressions", SUPPRESSIONS),
        ("behavior_events", EVENTS),
    ):
        (raw / f"{name}.csv").write_text(text, encoding="utf-8")
    warehouse = Warehouse(raw, work / "warehouse.duckdb", work)
    run = warehouse.dbt(
        "build",
        "--select",
        "+data_quality_report",
        "+rejected_rows",
        "+customer_contactability",
        "+dim_product",
        "stg_products__rejected",
        "assert_raw_rows_reconcile",
        as_of=AS_OF,
        variables=GATES_OPEN,
        label="dbt build, unknown customers of the optional files",
    )
    assert_succeeded(run)
    assert any(node.endswith("assert_raw_rows_reconcile") for node in run.statuses()), "the reconciliation ran"
    return warehouse


def report(warehouse: Warehouse, entity: str) -> tuple[int, int, int, dict[str, int]]:
    rows = warehouse.query(
        f"select measure, detail, row_count from data_quality_report where entity = '{entity}'"
        " and measure in ('raw_rows', 'clean_rows', 'duplicate_rows', 'rejected_rows')"
    )
    single = {measure: count for measure, _, count in rows if measure != "rejected_rows"}
    rejected = {detail: count for measure, detail, count in rows if measure == "rejected_rows"}
    return single["raw_rows"], single["clean_rows"], single["duplicate_rows"], rejected


@pytest.mark.parametrize("entity", sorted(EXPECTED))
def test_unknown_customers_are_rejected_counted_and_reconciled(built: Warehouse, entity: str) -> None:
    raw, clean, duplicates, rejected = EXPECTED[entity]
    assert report(built, entity) == (raw, clean, duplicates, rejected)
    assert raw == clean + duplicates + sum(rejected.values())


def test_rejected_rows_lists_each_with_its_raw_customer_id(built: Warehouse) -> None:
    listed = Counter(
        built.query(
            "select entity, reject_reason, customer_id from rejected_rows"
            " where entity not in ('customers', 'transactions')"
        )
    )
    assert listed == Counter(
        {
            ("campaign_deliveries", UNKNOWN, "9"): 2,
            ("campaign_deliveries", UNKNOWN, "4"): 1,
            ("campaign_deliveries", "test_group is not treatment/holdout", "9"): 1,
            ("customer_preferences", UNKNOWN, "9"): 2,
            ("customer_preferences", "communication_channel is not Email/SMS/Phone/Push", "9"): 1,
            ("suppressions", UNKNOWN, "9"): 2,
            ("suppressions", "customer_id is not an integer", "x9"): 1,
            ("behavior_events", UNKNOWN, "9"): 1,
            ("behavior_events", UNKNOWN, "4"): 1,
            ("behavior_events", "event_type is missing", "1"): 1,
        }
    )


def test_staging_keeps_every_customer_id_and_the_matched_models_only_known_ones(built: Warehouse) -> None:
    """Staging reads only its own file, so it cannot know the customers; the check is intermediate."""
    staged = sorted(built.query("select customer_id from staging.stg_campaign_deliveries"))
    assert staged == [(1,), (3,), (4,), (9,)]
    matched = sorted(built.query("select customer_id, sent_at from intermediate.int_campaign_deliveries_matched"))
    assert matched == [(1, dt.datetime(2025, 3, 1, 9)), (3, dt.datetime(2025, 3, 1, 9))]
    assert sorted(built.query("select customer_id from intermediate.int_suppressions_matched")) == [(2,)]
    versions = built.query(
        "select customer_id, channel, marketing_consent from intermediate.int_customer_preferences_matched"
        " order by customer_id, updated_at, channel"
    )
    assert versions == [(1, "email", False), (1, "sms", True), (2, "sms", True), (2, "sms", False)]
    assert built.query("select event_id from intermediate.int_behavior_events_matched") == [(1,)]


def test_only_known_customers_are_judged_for_contact(built: Warehouse) -> None:
    """Customers of the run only (3 signs up after A), each on four channels; an unknown customer's suppression
    and consent reach nobody."""
    rows = built.query("select customer_id, channel, is_contactable from customer_contactability")
    assert sorted({customer_id for customer_id, _, _ in rows}) == [1, 2]
    assert len(rows) == 8
    contactable = {(customer_id, channel) for customer_id, channel, ok in rows if ok}
    # customer 1's email version is the copy without consent; customer 2 is suppressed
    assert contactable == {(1, "sms")}


def test_a_file_of_unknown_customers_only_keeps_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (raw / "transactions.csv").write_text(TRANSACTIONS, encoding="utf-8")
    (raw / "suppressions.csv").write_text("customer_id\n9\n9\n8\n", encoding="utf-8")
    warehouse = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)
    run = warehouse.dbt(
        "build",
        "--select",
        "+data_quality_report",
        "+rejected_rows",
        "+dim_product",
        "stg_products__rejected",
        "assert_raw_rows_reconcile",
        as_of=AS_OF,
        variables=GATES_OPEN,
    )
    assert_succeeded(run)
    assert report(warehouse, "suppressions") == (3, 0, 0, {UNKNOWN: 3})
