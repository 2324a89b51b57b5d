"""Incremental staging of transactions: a month's run stages only the rows that are new or not
yet settled, and ends with exactly what a full refresh of the same files gives.

Run 1 is as of J = 2025-01-31, run 2 as of F = 2025-02-28, on hand-written files where run 2's
transactions file is run 1's with rows appended. Each scenario's incremental warehouse is
compared, row for row, with a warehouse built once from the final files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from integration.harness import Warehouse, assert_succeeded

J, F = dt.date(2025, 1, 31), dt.date(2025, 2, 28)

CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,"
    "postal_code,signup_date,account_status"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_date,amount,merchant_category"

FIRST_MONTH = [
    "1,1,2025-01-10,100.00,Grocery",
    "2,1,2025-01-31,50.00,Airlines",  # on J itself: settled by run 1
    "3,2,2025-02-10,70.00,Hotels",  # after J: run 1 keeps it in staging only, run 2 stages it again
    "4,1,31/01/2025,10.00,Grocery",  # no usable date: staged again by every run
    "12,1,2025-01-32,10.00,Grocery",  # shaped like a date but none: staged again by every run
    "5,9,2025-01-05,5.00,Gas",  # customer 9 is unknown: an orphan
    "6,,2025-01-06,5.00,Gas",  # no customer: rejected for good
    "7,2,2025-01-07,20.00,Gas",
    "7,2,2025-01-07,20.00,Gas",  # a duplicate within the month
]
SECOND_MONTH = [
    "8,2,2025-02-15,30.00,Restaurants",
    "1,1,2025-02-16,100.00,Grocery",  # reuses a settled id: the settled row is earlier and stays kept
    "9,3,2025-02-20,20.00,Grocery",
    "9,3,2025-02-20,20.00,Grocery",  # a duplicate within the new rows
    "10,1,2025-02-21,,Grocery",  # no amount: rejected
    "11,1,2025-03-05,40.00,Grocery",  # after F: future for run 2
]

BASE_SQL = """
    select * exclude (loaded_as_of) from staging.base_transactions
    order by all nulls first
"""
MARTS_SQL = {
    "clean": "select * from staging.stg_transactions order by all nulls first",
    "repeats": "select * from staging.base_transactions__repeats order by all nulls first",
    "rejected": "select * from staging.stg_transactions__rejected order by all nulls first",
    "matched": "select * from intermediate.int_transactions_matched order by all nulls first",
    "unmatched": "select * from intermediate.int_transactions_unmatched order by all nulls first",
    "quality": "select * from data_quality_report order by all nulls first",
}
# Staging and the models reporting on it (data_quality_report reads the matched and unmatched
# transactions); the rest of the warehouse reads only int_transactions_matched.
RUN = ("run", "--select", "+data_quality_report", "+stg_transactions__rejected")


def write_raw(raw: Path, transactions: list[str], customers: tuple[int, ...] = (1, 2, 3)) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "customers.csv").write_text(
        "\n".join(
            [CUSTOMERS_HEADER]
            + [
                f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,2020-01-01,active"
                for cid in customers
            ]
        )
        + "\n"
    )
    (raw / "transactions.csv").write_text("\n".join([TRANSACTIONS_HEADER, *transactions]) + "\n")
    return raw


def contents(warehouse: Warehouse) -> dict[str, list]:
    return {"base": warehouse.query(BASE_SQL)} | {name: warehouse.query(sql) for name, sql in MARTS_SQL.items()}


def loaded_as_of(warehouse: Warehouse) -> dict[tuple[int, str], dt.date]:
    """(transaction_id, date as written) -> the as-of date of the run that staged the row."""
    rows = warehouse.query(
        "select transaction_id, coalesce(json_extract_string(raw_values, '$.raw_transaction_date'),"
        " cast(transaction_date as varchar)), loaded_as_of"
        " from staging.base_transactions"
    )
    return {(tid, date_text): loaded for tid, date_text, loaded in rows}


def incremental_then_full(
    tmp_path: Path,
    second_month: list[str],
    customers: tuple[int, ...] = (1, 2, 3),
) -> tuple[Warehouse, Warehouse]:
    """Run 1 on the first month, run 2 on the grown files; and a fresh build of the grown files."""
    raw = write_raw(tmp_path / "raw", FIRST_MONTH)
    incremental = Warehouse(raw, tmp_path / "incremental.duckdb", tmp_path / "incremental")
    assert_succeeded(incremental.dbt(*RUN, as_of=J, label="dbt run of staging, incremental run 1"))
    write_raw(raw, FIRST_MONTH + second_month, customers)
    full = Warehouse(
        write_raw(tmp_path / "raw-full", FIRST_MONTH + second_month, customers),
        tmp_path / "full.duckdb",
        tmp_path / "full",
    )
    assert_succeeded(full.dbt(*RUN, as_of=F))
    return incremental, full


def test_a_month_stages_only_its_new_rows_and_equals_a_full_refresh(tmp_path: Path) -> None:
    incremental, full = incremental_then_full(tmp_path, SECOND_MONTH)
    assert_succeeded(incremental.dbt(*RUN, as_of=F, label="dbt run of staging, incremental run 2"))

    assert contents(incremental) == contents(full)
    loaded = loaded_as_of(incremental)
    # settled by run 1 and left alone by run 2
    assert loaded[(1, "2025-01-10")] == J
    assert loaded[(2, "2025-01-31")] == J
    assert loaded[(6, "2025-01-06")] == J
    # not settled by run 1, so staged again
    assert loaded[(3, "2025-02-10")] == F
    assert loaded[(4, "31/01/2025")] == F
    assert loaded[(12, "2025-01-32")] == F
    # the new month
    assert loaded[(1, "2025-02-16")] == F
    # the settled row is earlier than the new row reusing its id, so it is the copy kept
    assert incremental.query(
        "select transaction_date, removed_copies from staging.base_transactions__repeats where transaction_id = 1"
    ) == [(dt.date(2025, 1, 10), 1)]
    # id 7's copies were settled by run 1 and run 2 staged none: its repeat is kept as run 1 found it
    assert incremental.query(
        "select removed_copies from staging.base_transactions__repeats where transaction_id = 7"
    ) == [(1,)]


def test_rerunning_a_month_on_the_same_files_changes_nothing(tmp_path: Path) -> None:
    incremental, full = incremental_then_full(tmp_path, SECOND_MONTH)
    assert_succeeded(incremental.dbt(*RUN, as_of=F))
    first = contents(incremental)
    assert_succeeded(incremental.dbt(*RUN, as_of=F))
    assert contents(incremental) == first == contents(full)


def test_a_customer_arriving_for_a_settled_orphan_matches_it_without_restaging(tmp_path: Path) -> None:
    incremental, full = incremental_then_full(tmp_path, SECOND_MONTH, customers=(1, 2, 3, 9))
    assert_succeeded(incremental.dbt(*RUN, as_of=F))

    assert contents(incremental) == contents(full)
    # staging judges the row alone: the settled row stays as run 1 staged it, and now matches
    assert loaded_as_of(incremental)[(5, "2025-01-05")] == J
    matched = "select customer_id from intermediate.int_transactions_matched where transaction_id = 5"
    assert incremental.query(matched) == [(9,)]
    assert incremental.query("select count(*) from intermediate.int_transactions_unmatched") == [(0,)]


def test_a_customer_gone_from_under_settled_rows_unmatches_them_without_restaging(tmp_path: Path) -> None:
    incremental, full = incremental_then_full(tmp_path, SECOND_MONTH, customers=(1, 3))
    assert_succeeded(incremental.dbt(*RUN, as_of=F))

    assert contents(incremental) == contents(full)
    assert loaded_as_of(incremental)[(7, "2025-01-07")] == J
    # customer 2's transactions are rejected after staging; id 7 stays one transaction (its
    # repeat is kept as run 1 found it), so it is one unmatched row and one removed copy
    assert set(incremental.query("select transaction_id from intermediate.int_transactions_unmatched")) == {
        ("3",),
        ("5",),
        ("7",),
        ("8",),
    }
    assert incremental.query(
        "select removed_copies from staging.base_transactions__repeats where transaction_id = 7"
    ) == [(1,)]


@pytest.mark.parametrize("late_row", ["13,1,2025-01-20,15.00,Grocery"], ids=["a late row dated before the last run"])
def test_a_late_row_fails_the_reconciliation_and_a_full_refresh_takes_it(tmp_path: Path, late_row: str) -> None:
    incremental, full = incremental_then_full(tmp_path, [*SECOND_MONTH, late_row])

    assert_only_the_reconciliation_fails(incremental)

    assert_succeeded(incremental.dbt(*RUN, "--full-refresh", as_of=F))
    assert contents(incremental) == contents(full)


# Behaviour events are staged by the same rule on the event's date; the copies of an event_id are ranked inside
# base_behavior_events, so a new row carrying a settled row's id has every row of that id staged again.
EVENTS_HEADER = "event_id,customer_id,event_type,occurred_at"
FIRST_MONTH_EVENTS = [
    "1,1,page_view,2025-01-10 10:00:00",
    "2,1,page_view,2025-01-31 23:59:59",  # on J itself: settled by run 1
    "3,2,add_to_cart,2025-02-10 09:00:00",  # after J: staged again by run 2
    "4,1,page_view,31/01/2025 10:00",  # no usable occurred_at: rejected, staged again by every run
    "5,2,purchase,2025-01-05 08:00:00",
    "5,2,page_view,2025-01-05 08:00:00",  # a copy within the month: page_view ranks first, purchase is the duplicate
    "6,2,page_view,2025-01-06 08:00:00",  # settled; run 2 adds an id 6 that ranks before it
    "10,,page_view,2025-01-07 08:00:00",  # no customer: rejected for good
    "19,9,page_view,2025-01-09 08:00:00",  # customer 9 is unknown: unmatched, until it arrives
    # forms the quick settling test on DuckDB leaves to the full parse, which settles these four
    "12,1,page_view,2025-01-11T10:00:00Z",
    "13,1,page_view, 2025-01-12 10:00:00",
    "14,1,page_view,2025-01-13 10:00:00.5",
    "15,1,page_view,2025-01-14",
    # and rejects these two: staged again by every run
    "16,1,page_view,2025-01-15 24:00:00",
    "17,1,page_view,2025-02-30 10:00:00",
]
SECOND_MONTH_EVENTS = [
    "7,3,page_view,2025-02-15 12:00:00",
    "6,1,page_view,2025-02-16 12:00:00",  # customer "1" ranks before "2": kept, the settled row a duplicate
    "1,2,page_view,2025-02-17 12:00:00",  # reuses settled id 1 but ranks after it: the settled row stays kept
    "8,1,,2025-02-18 12:00:00",  # no event_type: rejected
    "9,1,page_view,2025-03-05 12:00:00",  # after F
]
EVENTS_SQL = {
    # which run staged a row differs between the two warehouses; every other column must not
    "base": "select * exclude (loaded_as_of, staged_by) from staging.base_behavior_events order by all nulls first",
    "clean": "select * exclude (staged_by) from staging.stg_behavior_events order by all nulls first",
    "rejected": "select * from staging.stg_behavior_events__rejected order by all nulls first",
    "matched": "select * exclude (staged_by) from intermediate.int_behavior_events_matched order by all nulls first",
    "unmatched": "select * from intermediate.int_behavior_events_unmatched order by all nulls first",
    "quality": "select * from data_quality_report order by all nulls first",
}
EVENTS_RUN = (
    "run",
    "--select",
    "+data_quality_report",
    "+stg_behavior_events__rejected",
    "+int_behavior_events_matched",
)


def write_events(raw: Path, events: list[str]) -> Path:
    (raw / "behavior_events.csv").write_text("\n".join([EVENTS_HEADER, *events]) + "\n")
    return raw


def event_contents(warehouse: Warehouse) -> dict[str, list]:
    return {name: warehouse.query(sql) for name, sql in EVENTS_SQL.items()}


def events_incremental_then_full(
    tmp_path: Path,
    first: list[str],
    final: list[str],
    customers: tuple[int, ...] = (1, 2, 3),
    variables: dict[str, int] | None = None,
    after_run_1: Callable[[Warehouse], None] | None = None,
) -> tuple[Warehouse, Warehouse]:
    """Run 1 as of J on the first events (then `after_run_1` on its warehouse), run 2 as of F on the final files;
    and a fresh build of the final files."""
    raw = write_events(write_raw(tmp_path / "raw", FIRST_MONTH), first)
    incremental = Warehouse(raw, tmp_path / "incremental.duckdb", tmp_path / "incremental")
    assert_succeeded(incremental.dbt(*EVENTS_RUN, as_of=J, variables=variables, label="events, incremental run 1"))
    if after_run_1:
        after_run_1(incremental)
    write_events(write_raw(raw, FIRST_MONTH + SECOND_MONTH, customers), final)
    assert_succeeded(incremental.dbt(*EVENTS_RUN, as_of=F, variables=variables, label="events, incremental run 2"))
    full = Warehouse(
        write_events(write_raw(tmp_path / "raw-full", FIRST_MONTH + SECOND_MONTH, customers), final),
        tmp_path / "full.duckdb",
        tmp_path / "full",
    )
    assert_succeeded(full.dbt(*EVENTS_RUN, as_of=F))
    return incremental, full


def assert_only_the_reconciliation_fails(warehouse: Warehouse) -> None:
    # Hand-written months reject a third of their rows and end days before F: the quality gates, which read the
    # same models, are opened so that only the reconciliation is at stake.
    run = warehouse.dbt(
        "build",
        "--select",
        "+assert_raw_rows_reconcile",
        as_of=F,
        variables={"max_reject_share": 1, "max_delivery_lag_days": 36500},
    )
    assert run.returncode != 0
    failed = {node for node, status in run.statuses().items() if status in ("fail", "error")}
    assert failed == {"test.segmentation.assert_raw_rows_reconcile"}, failed


def test_a_month_of_events_stages_only_its_new_rows_and_equals_a_full_refresh(tmp_path: Path) -> None:
    incremental, full = events_incremental_then_full(
        tmp_path, FIRST_MONTH_EVENTS, FIRST_MONTH_EVENTS + SECOND_MONTH_EVENTS
    )
    assert event_contents(incremental) == event_contents(full)
    staged = incremental.query(
        "select raw_event_id, raw_customer_id, raw_occurred_at, loaded_as_of, is_duplicate"
        " from staging.base_behavior_events"
    )
    loaded = {(event_id, customer, occurred): as_of for event_id, customer, occurred, as_of, _ in staged}
    duplicate = {(event_id, customer, occurred): flag for event_id, customer, occurred, _, flag in staged}
    # settled by run 1 and left alone by run 2
    assert loaded[("2", "1", "2025-01-31 23:59:59")] == J
    assert loaded[("5", "2", "2025-01-05 08:00:00")] == J
    assert loaded[("10", None, "2025-01-07 08:00:00")] == J
    assert loaded[("12", "1", "2025-01-11T10:00:00Z")] == J
    assert loaded[("13", "1", " 2025-01-12 10:00:00")] == J
    assert loaded[("14", "1", "2025-01-13 10:00:00.5")] == J
    assert loaded[("15", "1", "2025-01-14")] == J
    # not settled by run 1, so staged again
    assert loaded[("3", "2", "2025-02-10 09:00:00")] == F
    assert loaded[("4", "1", "31/01/2025 10:00")] == F
    assert loaded[("16", "1", "2025-01-15 24:00:00")] == F
    assert loaded[("17", "1", "2025-02-30 10:00:00")] == F
    # settled, but their ids gained a copy: ranked again with it
    assert loaded[("6", "2", "2025-01-06 08:00:00")] == F
    assert loaded[("1", "1", "2025-01-10 10:00:00")] == F
    assert duplicate[("6", "2", "2025-01-06 08:00:00")] and not duplicate[("6", "1", "2025-02-16 12:00:00")]
    assert not duplicate[("1", "1", "2025-01-10 10:00:00")] and duplicate[("1", "2", "2025-02-17 12:00:00")]

    # a second run of the same month on the same files changes nothing
    before = event_contents(incremental)
    assert_succeeded(incremental.dbt(*EVENTS_RUN, as_of=F))
    assert event_contents(incremental) == before

    # a table staged by the version that restaged the whole file has no loaded_as_of: the run names the fix
    with duckdb.connect(str(full.database)) as con:
        con.execute("alter table staging.base_behavior_events drop column loaded_as_of")
    run = full.dbt(*EVENTS_RUN, as_of=F)
    assert run.returncode != 0
    assert "staged by a version of the project that staged the whole file every run" in run.output
    assert "--full-refresh (make warehouse FULL_REFRESH=1)" in run.output
    assert_succeeded(full.dbt(*EVENTS_RUN, "--full-refresh", as_of=F))
    assert event_contents(full) == event_contents(incremental)


@pytest.mark.parametrize(
    ("customers", "matched_customers"),
    [((1, 2, 3, 9), {1, 2, 3, 9}), ((1, 3), {1, 3})],
    ids=["customer 9 arrives", "customer 2 is gone"],
)
def test_matched_events_follow_the_customers_without_restaging(
    tmp_path: Path, customers: tuple[int, ...], matched_customers: set[int]
) -> None:
    final = FIRST_MONTH_EVENTS + SECOND_MONTH_EVENTS
    incremental, full = events_incremental_then_full(tmp_path, FIRST_MONTH_EVENTS, final, customers)

    assert event_contents(incremental) == event_contents(full)
    matched = incremental.query("select distinct customer_id from intermediate.int_behavior_events_matched")
    assert {customer for (customer,) in matched} == matched_customers
    # event 19 stays as run 1 staged it: only its customer changed
    assert incremental.query("select loaded_as_of from staging.base_behavior_events where event_id = 19") == [(J,)]


# Run 1 ranks a row dated after J first among id 18's copies; the delivery for run 2 no longer has it. The settled
# copy is then the kept one, as a full build of the files finds.
SETTLED_COPY = "18,2,page_view,2025-01-08 08:00:00"
DROPPED_COPY = "18,1,page_view,2025-02-20 08:00:00"


@pytest.mark.parametrize("limit", [10000, 0], ids=["listed ids", "over the limit: the whole file"])
def test_a_dropped_unsettled_copy_gives_its_id_back_to_the_settled_copy(tmp_path: Path, limit: int) -> None:
    first = [*FIRST_MONTH_EVENTS, SETTLED_COPY, DROPPED_COPY]
    final = [*FIRST_MONTH_EVENTS, SETTLED_COPY, *SECOND_MONTH_EVENTS]
    kept = "select raw_customer_id from staging.base_behavior_events where event_id = 18 and not is_duplicate"

    def run_1_keeps_the_dropped_copy(warehouse: Warehouse) -> None:
        assert warehouse.query(kept) == [("1",)]

    incremental, full = events_incremental_then_full(
        tmp_path, first, final, variables={"event_restage_id_limit": limit}, after_run_1=run_1_keeps_the_dropped_copy
    )

    assert event_contents(incremental) == event_contents(full)
    assert incremental.query(kept) == [("2",)]
    settled_as_of = "select distinct loaded_as_of from staging.base_behavior_events where raw_event_id = '2'"
    # with the ids listed, a settled row of another id stays as run 1 staged it; over the limit, all are staged again
    assert incremental.query(settled_as_of) == [(J if limit else F,)]


def test_a_late_event_fails_the_reconciliation_and_a_full_refresh_takes_it(tmp_path: Path) -> None:
    grown = [*FIRST_MONTH_EVENTS, *SECOND_MONTH_EVENTS, "11,1,page_view,2025-01-20 12:00:00"]
    raw = write_events(write_raw(tmp_path / "raw", FIRST_MONTH), FIRST_MONTH_EVENTS)
    incremental = Warehouse(raw, tmp_path / "incremental.duckdb", tmp_path / "incremental")
    assert_succeeded(incremental.dbt(*EVENTS_RUN, as_of=J))
    write_events(write_raw(raw, FIRST_MONTH + SECOND_MONTH), grown)

    assert_only_the_reconciliation_fails(incremental)

    assert_succeeded(incremental.dbt(*EVENTS_RUN, "--full-refresh", as_of=F))
    full = Warehouse(
        write_events(write_raw(tmp_path / "raw-full", FIRST_MONTH + SECOND_MONTH), grown),
        tmp_path / "full.duckdb",
        tmp_path / "full",
    )
    assert_succeeded(full.dbt(*EVENTS_RUN, as_of=F))
    assert event_contents(incremental) == event_contents(full)
