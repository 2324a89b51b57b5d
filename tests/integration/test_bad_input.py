"""Every class of bad input, fed to a build on hand-written data, with its decided outcome.

Row-level problems are handled row by row: the row is rejected (kept in the entity's reject
model with its raw values and a reason, and left out of the marts) or kept and flagged or noted
in data_quality_report. File-level problems stop the build before any model runs, naming the file.
As of A = 2025-03-31, the current window is 2024-12-31..2025-03-31.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from integration.harness import PROJECT_DIR, Warehouse, assert_succeeded
from integration.test_raw_input import MART_CONTENT, assert_refused, copy_raw

AS_OF = dt.date(2025, 3, 31)
# Limits that let any share of rejects and any delivery lag through.
GATES_OPEN = {"max_reject_share": 1, "max_delivery_lag_days": 36500}

CUSTOMERS = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,postal_code,signup_date,"
    "account_status\n"
    """1,José,Ñúñez,jose@example.com,,1980-05-05,male,Springfield,IL,USA,62701,2020-01-01,Active
2,Ann,Lee,ann.example.com,,1980-01-01,Female,Springfield,IL,USA,62701,2020-01-01,Active
3,Bo,Shared,Shared@Example.com,,1980-01-01,Male,Springfield,IL,USA,62701,2020-01-01,Active
4,Cy,Shared,shared@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,2020-01-01,Active
5,Di,Odd,di@example.com,,1980-01-01,Unknown,Springfield,IL,USA,62701,2020-01-01,Active
6,Ed,Young,ed@example.com,,2007-04-01,Male,Springfield,IL,USA,62701,2020-01-01,Active
7,Fay,Adult,fay@example.com,,2007-03-31,Female,Springfield,IL,USA,62701,2020-01-01,Active
8,Gus,Old,gus@example.com,,1904-04-01,Male,Springfield,IL,USA,62701,2020-01-01,Active
9,Hal,Older,hal@example.com,,1904-03-31,Male,Springfield,IL,USA,62701,2020-01-01,Active
10,Ivy,Later,ivy@example.com,,1980-01-01,Female,Springfield,IL,USA,62701,2025-04-01,Active
11,Jo,Ancient,jo@example.com,,1980-01-01,Female,Springfield,IL,USA,62701,1899-12-31,Active
12,Kim,Edge,kim@example.com,,1980-01-01,Female,Springfield,IL,USA,62701,1900-01-01,Active
abc,Lu,Bad,lu@example.com,,1980-01-01,Female,Springfield,IL,USA,62701,2020-01-01,Active
,Mo,Nokey,mo@example.com,,1980-01-01,Female,Springfield,IL,USA,62701,2020-01-01,Active
13,Ned,Slash,ned@example.com,,1980-01-01,Male,Springfield,IL,USA,62701,2024/01/05,Active
14,Oz,Nodate,oz@example.com,,1980-01-01,Male,Springfield,IL,USA,62701,,Active
15,Pat,Twice,pat@example.com,,1980-01-01,Male,Springfield,IL,USA,62701,2020-01-01,Active
15,Pat,Twice,pat@example.com,,1980-01-01,Male,Springfield,IL,USA,62701,2020-01-01,Active
16,Quin,Moved,quin@example.com,,1980-01-01,Male,Later City,IL,USA,62701,2021-01-01,Active
16,Quin,Moved,quin@example.com,,1980-01-01,Male,First City,IL,USA,62701,2020-06-01,Active
"""
)

TRANSACTIONS = """transaction_id,customer_id,transaction_date,amount,merchant_category
101,1,2025-03-01,100.00,"  travel "
102,1,2025-03-02,50.00,AIRLINES
103,1,2025-03-03,-30.00,Grocery
104,1,2025-03-04,0.00,Grocery
105,1,2025-04-15,999.00,Hotels
107,12,2025-03-05,10000000.00,Other
108,12,2025-03-06,10000000.01,Other
109,12,2025-03-07,-10000000.01,Other
110,12,1899-12-31,5.00,Other
111,12,1900-01-01,7.00,Other
112,999,2025-03-01,5.00,Other
113,11,2025-03-01,5.00,Other
x1,1,2025-03-01,5.00,Other
,1,2025-03-01,5.00,Other
114,,2025-03-01,5.00,Other
115,1,2025-13-01,5.00,Other
116,1,,5.00,Other
117,1,2025-03-01,1e3,Other
118,1,2025-03-01,,Other
119,1,2025-03-10,20.00,Other
119,1,2025-03-10,20.00,Other
120,1,2025-03-11,30.00,Other
120,1,2025-03-09,40.00,Other
121,10,2025-03-01,5.00,Other
"""


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    work = tmp_path_factory.mktemp("bad_input")
    raw = work / "raw"
    raw.mkdir()
    (raw / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (raw / "transactions.csv").write_text(TRANSACTIONS, encoding="utf-8")
    warehouse = Warehouse(raw, work / "warehouse.duckdb", work)
    # One row of each kind: half the transactions and a quarter of the customers are rejected, and
    # the latest clean transaction is 21 days before AS_OF. The quality gates would stop the build;
    # this module is about each row's outcome, so they are opened (test_quality_gates.py tests them).
    assert_succeeded(
        warehouse.dbt("build", as_of=AS_OF, variables=GATES_OPEN, label="dbt build, hand-written bad input")
    )
    return warehouse


def rejected(warehouse: Warehouse, entity: str, id_column: str) -> dict[str | None, str]:
    """Staging's rejects, and for transactions those of unknown customers, judged after staging."""
    sql = f"select {id_column}, reject_reason from staging.stg_{entity}__rejected"
    if entity == "transactions":
        sql += f" union all select {id_column}, reject_reason from intermediate.int_transactions_unmatched"
    return dict(warehouse.query(sql))


def mart_ids(warehouse: Warehouse) -> set[int]:
    return {customer_id for (customer_id,) in warehouse.query("select customer_id from customer_segments")}


def quality(warehouse: Warehouse) -> dict[tuple[str, str, str | None], int]:
    rows = warehouse.query("select entity, measure, detail, row_count from data_quality_report")
    return {(entity, measure, detail): count for entity, measure, detail, count in rows}


def test_unparseable_and_missing_keys_are_rejected_with_their_raw_values(bad: Warehouse) -> None:
    transactions = rejected(bad, "transactions", "transaction_id")
    assert transactions["x1"] == "transaction_id is not an integer"
    assert transactions[None] == "transaction_id is missing"
    assert transactions["114"] == "customer_id is missing"
    assert transactions["115"] == "transaction_date is not an ISO date"
    assert transactions["116"] == "transaction_date is missing"
    assert transactions["117"] == "amount is not a decimal number"
    assert transactions["118"] == "amount is missing"
    assert bad.query(
        "select transaction_date, amount from staging.stg_transactions__rejected where transaction_id = '117'"
    ) == [("2025-03-01", "1e3")]
    customers = rejected(bad, "customers", "customer_id")
    assert customers["abc"] == "customer_id is not an integer"
    assert customers[None] == "customer_id is missing"
    assert customers["13"] == "signup_date is not an ISO date"
    assert customers["14"] == "signup_date is missing"


def test_orphan_transactions_are_rejected(bad: Warehouse) -> None:
    transactions = rejected(bad, "transactions", "transaction_id")
    assert transactions["112"] == "customer_id is not a known customer"
    # a transaction of a rejected customer has no known customer either
    assert transactions["113"] == "customer_id is not a known customer"


def test_absurd_values_are_rejected_and_the_limits_themselves_kept(bad: Warehouse) -> None:
    transactions = rejected(bad, "transactions", "transaction_id")
    assert transactions["108"] == "amount is beyond 10,000,000 either way"
    assert transactions["109"] == "amount is beyond 10,000,000 either way"
    assert transactions["110"] == "transaction_date is before 1900"
    assert "107" not in transactions and "111" not in transactions
    assert rejected(bad, "customers", "customer_id")["11"] == "signup_date is before 1900"
    assert bad.query("select spend_last_90_days, lifetime_value from customer_segments where customer_id = 12") == [
        (Decimal("10000000.00"), Decimal("10000007.00"))
    ]


def test_rejected_rows_stay_out_of_the_marts_and_refunds_and_zeros_count(bad: Warehouse) -> None:
    """Customer 1's clean rows: 100 + 50 travel, a 30 refund, a zero, 20 and the kept copy of 120
    (40); the row dated after A and every rejected row are left out."""
    assert bad.query(
        """
        select spend_last_90_days, travel_spend_last_90_days, necessities_spend_last_90_days,
               lifetime_value, frequency_365d
        from customer_segments where customer_id = 1
        """
    ) == [(Decimal("180.00"), Decimal("150.00"), Decimal("-30.00"), Decimal("180.00"), 4)]
    report = quality(bad)
    assert report[("transactions", "noted", "negative amount, kept as a refund")] == 1
    assert report[("transactions", "noted", "zero amount, kept (not a purchase)")] == 1
    assert mart_ids(bad).isdisjoint({11, 13, 14})


def test_duplicates_keep_one_row_chosen_by_content(bad: Warehouse) -> None:
    # same content: one copy kept; different content: the earliest date wins
    assert bad.query(
        "select transaction_date, amount from staging.stg_transactions where transaction_id in (119, 120) order by 1"
    ) == [
        (dt.date(2025, 3, 9), Decimal("40.00")),
        (dt.date(2025, 3, 10), Decimal("20.00")),
    ]
    # customers: the earliest signup_date wins
    assert bad.query(
        "select city, signup_date from staging.stg_customers where customer_id in (15, 16) order by customer_id"
    ) == [
        ("Springfield", dt.date(2020, 1, 1)),
        ("First City", dt.date(2020, 6, 1)),
    ]
    report = quality(bad)
    assert report[("customers", "duplicate_rows", None)] == 2
    assert report[("transactions", "duplicate_rows", None)] == 2


def test_future_rows_stay_in_staging_and_out_of_this_runs_marts(bad: Warehouse) -> None:
    assert bad.query("select count(*) from staging.stg_transactions where transaction_id in (105, 121)") == [(2,)]
    assert bad.query("select signup_date from staging.stg_customers where customer_id = 10") == [(dt.date(2025, 4, 1),)]
    assert 10 not in mart_ids(bad)
    report = quality(bad)
    assert report[("customers", "outside_as_of", "signed up after the as-of date")] == 1
    # 121 is dated before A but its customer is not one yet: it simply has no mart row to count in
    assert report[("transactions", "outside_as_of", "dated after the as-of date")] == 1


def test_malformed_profile_fields_are_nulled_or_flagged_and_the_customer_stays(bad: Warehouse) -> None:
    profiles = {
        row[0]: row[1:]
        for row in bad.query(
            "select customer_id, email, gender, date_of_birth, is_email_shared from staging.stg_customers"
        )
    }
    assert profiles[2][0] is None  # email without @
    assert profiles[3][0] == "Shared@Example.com" and profiles[3][3] and profiles[4][3]  # shared: kept, flagged
    assert profiles[1][3] is False
    assert profiles[5][1] is None and profiles[1][1] == "Male"  # unknown gender nulled; case normalised
    assert profiles[6][2] is None and profiles[9][2] is None  # 17 and 121 years old
    assert profiles[7][2] == dt.date(2007, 3, 31) and profiles[8][2] == dt.date(1904, 4, 1)  # 18 and 120
    assert {2, 3, 4, 5, 6, 9} <= mart_ids(bad)
    report = quality(bad)
    assert report[("customers", "flagged_field", "email nulled: no @")] == 1
    assert report[("customers", "flagged_field", "email kept, shared with another customer")] == 2
    assert report[("customers", "flagged_field", "gender nulled: not Male/Female/Other")] == 1
    assert report[("customers", "flagged_field", "date_of_birth nulled: unparseable or age outside 18-120")] == 2


def test_text_keeps_its_accents_and_categories_ignore_whitespace_and_case(bad: Warehouse) -> None:
    assert bad.query("select first_name, last_name from dim_customer where customer_id = 1") == [("José", "Ñúñez")]
    assert bad.query(
        "select transaction_id, merchant_category, category_group from intermediate.int_transactions_categorized "
        "where transaction_id in (101, 102) order by 1"
    ) == [(101, "Travel", "Travel"), (102, "Airlines", "Travel")]


def test_every_raw_row_is_accounted_for(bad: Warehouse) -> None:
    report = quality(bad)
    for entity, raw_rows in (("customers", 20), ("transactions", 24)):
        rejected_rows = sum(
            count for (e, measure, _), count in report.items() if e == entity and measure == "rejected_rows"
        )
        assert report[(entity, "raw_rows", None)] == raw_rows
        assert (
            raw_rows == report[(entity, "clean_rows", None)] + rejected_rows + report[(entity, "duplicate_rows", None)]
        )


@pytest.fixture()
def previous(built: Warehouse, tmp_path: Path) -> tuple[Warehouse, list]:
    copy = built.copy(tmp_path / "warehouse")
    return copy, copy.query(MART_CONTENT)


def with_raw(previous: tuple[Warehouse, list], raw: Path) -> Warehouse:
    warehouse, _ = previous
    return Warehouse(raw, warehouse.database, warehouse.work_dir)


def named(raw: Path, file_name: str) -> str:
    """The file as the error names it: dbt is given the raw folder relative to the project."""
    return f"{os.path.relpath(raw, PROJECT_DIR)}/{file_name}"


def test_a_header_only_file_stops_the_build(previous: tuple[Warehouse, list], built: Warehouse, tmp_path: Path) -> None:
    raw = copy_raw(built.raw_dir, tmp_path / "raw")
    header = (raw / "customers.csv").read_text().splitlines()[0]
    (raw / "customers.csv").write_text(header + "\n")
    assert_refused(with_raw(previous, raw), previous[1], f"raw file {named(raw, 'customers.csv')} has no data rows")


def test_an_empty_file_stops_the_build(previous: tuple[Warehouse, list], built: Warehouse, tmp_path: Path) -> None:
    raw = copy_raw(built.raw_dir, tmp_path / "raw")
    (raw / "transactions.csv").write_bytes(b"")
    assert_refused(with_raw(previous, raw), previous[1], f"raw file {named(raw, 'transactions.csv')} has no data rows")


def test_a_file_that_is_not_parquet_stops_the_build(
    previous: tuple[Warehouse, list], built: Warehouse, tmp_path: Path
) -> None:
    raw = copy_raw(built.raw_dir, tmp_path / "raw", skip="transactions.csv")
    (raw / "transactions.parquet").write_bytes(b"this is not a parquet file\x00\x01")
    assert_refused(with_raw(previous, raw), previous[1], named(raw, "transactions.parquet"))


def test_a_file_that_is_not_utf8_csv_stops_the_build_naming_it(
    previous: tuple[Warehouse, list], built: Warehouse, tmp_path: Path
) -> None:
    raw = copy_raw(built.raw_dir, tmp_path / "raw")
    lines = (raw / "customers.csv").read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", b",Caf\xe9 ", 1)  # a Latin-1 byte in a UTF-8 file
    (raw / "customers.csv").write_bytes(b"\n".join(lines))
    assert_refused(with_raw(previous, raw), previous[1], named(raw, "customers.csv"))
