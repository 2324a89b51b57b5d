"""Segment history, memberships and migrations over three month-ends, on hand-written data
where who moves where is known in advance; and that re-running months or the backfill changes
nothing.

As of D1 = 2025-01-31 the current window is 2024-11-02..2025-01-31; as of D2 = 2025-02-28 it
is 2024-11-30..2025-02-28 (prior 2024-09-01..2024-11-29); as of D3 = 2025-03-31 it is
2024-12-31..2025-03-31 (prior 2024-10-02..2024-12-30).

    1  Stable at every date (small spend, no necessities).
    2  20,000 of travel on 2024-12-15: High-Value Traveler at D1 and D2; at D3 it has moved to
       the prior window and nothing replaced it, so Declining.
    3  300 of groceries in January: Budget-Conscious at D1; 1,000 of other spend in February
       drops necessities to 23 %, Stable at D2; 3,000 of groceries in March brings them back
       to 77 % of 4,300, Budget-Conscious again at D3 (two separate memberships).
    4  signs up on 2025-02-10 and spends 600: not a customer at D1, New & Growing from D2.
    5  Stable at D1 and D2; in one scenario it is gone from the files before D3 (it left).
    6  no transactions at all: Stable at every date.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from integration.design_notes import guide_queries, needs_design_notes
from integration.harness import Warehouse, assert_succeeded

D1, D2, D3 = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)
HVT, DECL, NEW, BUDGET, STABLE = (
    "High-Value Travelers",
    "Declining",
    "New & Growing",
    "Budget-Conscious",
    "Stable Mid-Spenders",
)

CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,"
    "postal_code,signup_date,account_status"
)
SIGNUPS = {1: "2020-01-01", 2: "2020-01-01", 3: "2020-01-01", 4: "2025-02-10", 5: "2020-01-01", 6: "2020-01-01"}
TRANSACTIONS = [
    # id, customer, date, amount, category
    (1, 1, "2025-01-15", "500.00", "Restaurants"),
    (2, 1, "2025-03-15", "500.00", "Restaurants"),
    (3, 2, "2024-12-15", "20000.00", "Airlines"),
    (4, 3, "2025-01-10", "300.00", "Grocery"),
    (5, 3, "2025-02-20", "1000.00", "Electronics"),
    (6, 3, "2025-03-20", "3000.00", "Grocery"),
    (7, 4, "2025-02-15", "600.00", "Restaurants"),
    (8, 5, "2025-01-05", "100.00", "Restaurants"),
]

HISTORY_SQL = """
    select customer_id, customer_segment, valid_from, valid_to, is_current
    from customer_segment_history order by customer_id, valid_from
"""
MEMBERSHIPS_SQL = """
    select customer_id, segment_name, joined_at, left_at, is_active
    from customer_segment_memberships where segment_type = 'behavioral' order by customer_id, joined_at
"""
NONZERO_MIGRATIONS_SQL = """
    select from_as_of_date, from_segment, to_segment, migration_type, customer_count
    from segment_migrations where segment_type = 'behavioral' and customer_count > 0
    order by from_as_of_date, from_segment nulls first, to_segment nulls last
"""
STORE_SQL = "select * from customer_segment_snapshots order by as_of_date, customer_id"
ANALYTICS_SQL = "select * from segment_analytics order by segment_id, as_of_date"
BEHAVIOURAL_COUNTS_SQL = f"""
    select segment_name, total_customers from segment_analytics
    where segment_type = 'behavioral' and as_of_date = '{D3}' order by segment_name
"""
# Eight transactions, the latest 8 to 16 days before each month-end: a stale delivery by the
# default max_delivery_lag_days (7). The history is what is tested here, so the lag is allowed.
LAG_ALLOWED = {"max_delivery_lag_days": 31}


def write_raw(raw: Path, without_customer: int | None = None) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    customers = [CUSTOMERS_HEADER] + [
        f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,{signup},active"
        for cid, signup in SIGNUPS.items()
        if cid != without_customer
    ]
    transactions = ["transaction_id,customer_id,transaction_date,amount,merchant_category"] + [
        ",".join(map(str, row)) for row in TRANSACTIONS if row[1] != without_customer
    ]
    (raw / "customers.csv").write_text("\n".join(customers) + "\n")
    (raw / "transactions.csv").write_text("\n".join(transactions) + "\n")
    return raw


def build(warehouse: Warehouse, as_of: dt.date, label: str, **variables: object) -> None:
    assert_succeeded(warehouse.dbt("build", as_of=as_of, variables={**LAG_ALLOWED, **variables}, label=label))


def contents(warehouse: Warehouse) -> dict[str, list]:
    return {
        sql: warehouse.query(sql)
        for sql in (STORE_SQL, HISTORY_SQL, MEMBERSHIPS_SQL, NONZERO_MIGRATIONS_SQL, ANALYTICS_SQL)
    }


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Warehouse]:
    """Three month-ends built one after another, as the monthly schedule would; and a second
    warehouse that shares the first two months but loses customer 5 before the third. Its files
    lose customer 5's transactions too, rows that earlier runs settled: a delivery that removes
    older rows fails the reconciliation of an incremental run and is staged again with
    --full-refresh, which leaves the recorded history as it is."""
    work = tmp_path_factory.mktemp("monthly")
    raw = write_raw(work / "raw")
    sequential = Warehouse(raw, work / "warehouse.duckdb", work)
    build(sequential, D1, "dbt build, history scenario D1")
    build(sequential, D2, "dbt build, history scenario D2")
    leaving = sequential.copy(work / "leaving")
    leaving = Warehouse(write_raw(work / "leaving" / "raw", without_customer=5), leaving.database, leaving.work_dir)
    build(sequential, D3, "dbt build, history scenario D3")
    incremental = leaving.dbt("build", as_of=D3, variables=LAG_ALLOWED)
    assert incremental.statuses().get("test.segmentation.assert_raw_rows_reconcile") == "fail"
    assert_succeeded(
        leaving.dbt(
            "build",
            "--full-refresh",
            as_of=D3,
            variables=LAG_ALLOWED,
            label="dbt build --full-refresh, D3 without customer 5",
        )
    )
    return {"sequential": sequential, "leaving": leaving}


def test_history_has_one_version_per_change(monthly: dict[str, Warehouse]) -> None:
    assert monthly["sequential"].query(HISTORY_SQL) == [
        (1, STABLE, D1, None, True),
        (2, HVT, D1, D3, False),
        (2, DECL, D3, None, True),
        (3, BUDGET, D1, D2, False),
        (3, STABLE, D2, D3, False),
        (3, BUDGET, D3, None, True),
        (4, NEW, D2, None, True),
        (5, STABLE, D1, None, True),
        (6, STABLE, D1, None, True),
    ]


def test_a_customer_gone_from_the_files_leaves_and_has_no_current_version(monthly: dict[str, Warehouse]) -> None:
    rows = monthly["leaving"].query(HISTORY_SQL)
    assert [r for r in rows if r[0] == 5] == [(5, STABLE, D1, D3, False)]
    assert [r for r in rows if r[0] != 5] == [r for r in monthly["sequential"].query(HISTORY_SQL) if r[0] != 5]


def test_segment_as_of_any_date_is_one_where_clause(monthly: dict[str, Warehouse]) -> None:
    def segments_on(day: str) -> dict[int, str]:
        rows = monthly["leaving"].query(
            f"select customer_id, customer_segment from customer_segment_history "
            f"where valid_from <= date '{day}' and (valid_to > date '{day}' or valid_to is null)"
        )
        return dict(rows)

    assert segments_on("2025-02-15") == {1: STABLE, 2: HVT, 3: BUDGET, 5: STABLE, 6: STABLE}
    assert segments_on("2025-03-10") == {1: STABLE, 2: HVT, 3: STABLE, 4: NEW, 5: STABLE, 6: STABLE}
    assert segments_on("2025-04-15") == {1: STABLE, 2: DECL, 3: BUDGET, 4: NEW, 6: STABLE}


def test_memberships_have_join_and_leave_dates(monthly: dict[str, Warehouse]) -> None:
    assert monthly["leaving"].query(MEMBERSHIPS_SQL) == [
        (1, STABLE, D1, None, True),
        (2, HVT, D1, D3, False),
        (2, DECL, D3, None, True),
        (3, BUDGET, D1, D2, False),
        (3, STABLE, D2, D3, False),
        (3, BUDGET, D3, None, True),
        (4, NEW, D2, None, True),
        (5, STABLE, D1, D3, False),
        (6, STABLE, D1, None, True),
    ]


def test_migration_matrix_counts_moves_entries_and_leavers(monthly: dict[str, Warehouse]) -> None:
    warehouse = monthly["leaving"]
    assert warehouse.query(NONZERO_MIGRATIONS_SQL) == [
        (D1, None, NEW, "entered", 1),
        (D1, BUDGET, STABLE, "moved", 1),
        (D1, HVT, HVT, "stayed", 1),
        (D1, STABLE, STABLE, "stayed", 3),
        (D2, HVT, DECL, "moved", 1),
        (D2, NEW, NEW, "stayed", 1),
        (D2, STABLE, BUDGET, "moved", 1),
        (D2, STABLE, STABLE, "stayed", 2),
        (D2, STABLE, None, "left", 1),
    ]
    # every pair carries the whole matrix, zeros included: 5 x 5 moves, 5 entries, 5 departures
    assert warehouse.query(
        "select from_as_of_date, to_as_of_date, count(*) from segment_migrations"
        " where segment_type = 'behavioral' group by all order by 1"
    ) == [(D1, D2, 35), (D2, D3, 35)]


@needs_design_notes
def test_guide_migration_query_runs_on_the_month_views(monthly: dict[str, Warehouse]) -> None:
    """The guide's query, with only its month renamed to one this history holds, gives the
    moves of the README's query on segment_migrations."""
    guide_query = next((q for q in guide_queries() if "customer_segments_snapshot_2024_10" in q), None)
    if guide_query is None:
        pytest.fail("the guide's migration query was not found")
    warehouse = monthly["leaving"]
    moved = warehouse.query(
        guide_query.replace("customer_segments_snapshot_2024_10", "customer_segments_snapshot_2025_02")
    )
    readme = warehouse.query(
        """
        select from_segment as prior_segment, to_segment as current_segment, customer_count
        from segment_migrations
        where segment_type = 'behavioral'
          and to_as_of_date = (select max(to_as_of_date) from segment_migrations)
          and migration_type = 'moved' and customer_count > 0
        order by customer_count desc, prior_segment
        """
    )
    assert sorted(moved) == sorted(readme) == [(HVT, DECL, 1), (STABLE, BUDGET, 1)]


def test_rerunning_a_month_changes_no_history(monthly: dict[str, Warehouse], tmp_path: Path) -> None:
    again = monthly["sequential"].copy(tmp_path)
    before = contents(again)
    build(again, D2, "dbt build, history scenario: D2 again")
    build(again, D3, "dbt build, history scenario: D3 again")
    assert contents(again) == before

    # a profile change seen by a run for an earlier month than the latest profile version
    # (customer 4's, stamped D2) is not recorded: it would be stamped before existing versions
    dimension = "select * from dim_customer order by customer_key"
    versions = again.query(dimension)
    raw = write_raw(tmp_path / "changed_raw")
    customers = (
        (raw / "customers.csv")
        .read_text()
        .replace("c1@example.com,,1980-01-01,Other,Springfield", "c1@example.com,,1980-01-01,Other,Shelbyville")
    )
    (raw / "customers.csv").write_text(customers)
    changed = Warehouse(raw, again.database, again.work_dir)
    build(changed, D1, "dbt build, history scenario: D1 again with a changed profile")
    assert changed.query(dimension) == versions
    assert contents(changed) == before

    # Corrections on the latest date are recorded, each stamped after the one it replaces.
    stamp = dt.datetime.combine(D3, dt.time())
    build(changed, D3, "dbt build, history scenario: D3 again with a changed profile")
    customers = (raw / "customers.csv").read_text().replace("Shelbyville", "Capital City")
    (raw / "customers.csv").write_text(customers)
    build(changed, D3, "dbt build, history scenario: D3 again with a second correction")
    customer_1 = changed.query_dicts("select * from dim_customer where customer_id = 1 order by valid_from")
    assert [(v["city"], v["valid_from"], v["valid_to"], v["is_current"]) for v in customer_1] == [
        ("Springfield", dt.datetime.combine(D1, dt.time()), stamp, False),
        ("Shelbyville", stamp, stamp + dt.timedelta(microseconds=1), False),
        ("Capital City", stamp + dt.timedelta(microseconds=1), None, True),
    ]
    assert len({v["customer_key"] for v in customer_1}) == 3
    assert changed.query("select customer_key from customer_segments where customer_id = 1") == [
        (customer_1[-1]["customer_key"],)
    ]


def test_backfill_builds_the_same_history_in_one_run_and_again_changes_nothing(
    monthly: dict[str, Warehouse], tmp_path: Path
) -> None:
    raw = write_raw(tmp_path / "raw")
    backfilled = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)
    build(backfilled, D3, "dbt build, history scenario backfill of 3 month-ends", backfill_months=3)
    first = contents(backfilled)
    assert first == contents(monthly["sequential"])
    build(backfilled, D3, "dbt build, history scenario backfill again", backfill_months=3)
    assert contents(backfilled) == first


def test_recalculate_segments_applies_changed_thresholds_to_a_recorded_month(
    monthly: dict[str, Warehouse], tmp_path: Path
) -> None:
    warehouse = monthly["sequential"].copy(tmp_path)
    counts_before = dict(warehouse.query(BEHAVIOURAL_COUNTS_SQL))
    # customer 2's prior spend of 20,000 no longer makes it Declining once the floor is 25,000
    run = warehouse.dbt(
        "run-operation", "recalculate_segments", as_of=D3, variables={"declining_min_prior_spend": 25000}
    )
    assert run.returncode == 0, run.output[-3000:]
    assert "6 customers as of 2025-03-31" in run.output and "1 changed segment" in run.output
    assert re.search(r"Declining -> Stable Mid-Spenders: 1\b", run.output)
    # it changed the working file only, and says what makes readers see it
    assert "readers of the published file see it after `make publish`" in run.output
    assert warehouse.query("select customer_segment from customer_segments where customer_id = 2") == [(STABLE,)]
    history = warehouse.query(HISTORY_SQL)
    assert [r for r in history if r[0] == 2] == [(2, HVT, D1, D3, False), (2, STABLE, D3, None, True)]
    # the catalog's behavioural memberships follow the store
    assert [r for r in warehouse.query(MEMBERSHIPS_SQL) if r[0] == 2] == [
        (2, HVT, D1, D3, False),
        (2, STABLE, D3, None, True),
    ]
    # and so does the migration matrix: customer 2's move into D3 is now to Stable Mid-Spenders
    assert [r for r in warehouse.query(NONZERO_MIGRATIONS_SQL) if r[0] == D2 and r[1] == HVT] == [
        (D2, HVT, STABLE, "moved", 1)
    ]
    # and so do the segments' analytics of D3: customer 2 counts among the Stable Mid-Spenders
    counts_after = dict(warehouse.query(BEHAVIOURAL_COUNTS_SQL))
    assert (counts_after[DECL], counts_after[STABLE]) == (counts_before[DECL] - 1, counts_before[STABLE] + 1)

    # an earlier month is recalculated by name; the mart, which is of D3, is left alone
    run = warehouse.dbt(
        "run-operation",
        "recalculate_segments",
        "--args",
        "{as_of_date: 2025-01-31}",
        as_of=D3,
        variables={"high_value_min_avg_monthly_spend": 7000},
    )
    assert run.returncode == 0, run.output[-3000:]
    assert re.search(r"High-Value Travelers -> Stable Mid-Spenders: 1\b", run.output)
    assert warehouse.query(
        "select as_of_date, customer_segment from customer_segment_snapshots where customer_id = 2 order by 1"
    ) == [(D1, STABLE), (D2, HVT), (D3, STABLE)]


def test_recalculate_segments_refuses_a_month_that_was_never_computed(monthly: dict[str, Warehouse]) -> None:
    run = monthly["sequential"].dbt(
        "run-operation", "recalculate_segments", "--args", "{as_of_date: 2025-04-30}", as_of=D3
    )
    assert run.returncode != 0
    assert "no figures are computed for as-of date 2025-04-30" in run.output
