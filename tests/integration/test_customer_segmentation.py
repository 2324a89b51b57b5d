"""The guide's integration checks, on a small generated sample, against an independent reference.

1 the model builds; 2 every customer gets one segment; 3 the distribution is balanced;
4-7 each segment's criteria hold; 8 the rolling windows match an independent computation;
9 a recalculation for another as-of date changes what it should; 10 the build's timing is
reported (conftest's terminal summary), not asserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from integration import reference
from integration.design_notes import guide_queries, needs_design_notes
from integration.harness import SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS, Warehouse, assert_succeeded

SEGMENTS = ["High-Value Travelers", "Declining", "New & Growing", "Budget-Conscious", "Stable Mid-Spenders"]
COMPARED_COLUMNS = [
    "spend_last_90_days",
    "spend_prior_90_days",
    "spend_change_pct",
    "avg_monthly_spend",
    "travel_spend_pct",
    "necessities_spend_pct",
    "tenure_months",
    "lifetime_value",
    "recency_days",
    "frequency_365d",
    "monetary_365d",
    "r_score",
    "f_score",
    "m_score",
]


@pytest.fixture(scope="module")
def expected(sample_raw_dir: Path) -> dict[int, reference.CustomerResult]:
    return reference.compute(sample_raw_dir, SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def mart(built: Warehouse) -> dict[int, dict]:
    return {row["customer_id"]: row for row in built.query_dicts("select * from customer_segments")}


def mismatches(mart_rows: dict[int, dict], expected: dict[int, reference.CustomerResult]) -> list[str]:
    """Every column that differs from the reference, customer by customer."""
    problems = []
    for customer_id, want in expected.items():
        got = mart_rows[customer_id]
        if got["customer_segment"] != want.segment:
            problems.append(f"{customer_id}: segment {got['customer_segment']!r} != {want.segment!r}")
        for column in COMPARED_COLUMNS:
            if got[column] != getattr(want, column):
                problems.append(f"{customer_id}: {column} {got[column]!r} != {getattr(want, column)!r}")
    return problems


def test_1_model_builds(built: Warehouse) -> None:
    tables = {
        row[0] for row in built.query("select table_name from information_schema.tables where table_schema = 'main'")
    }
    assert {"customer_segments", "dim_customer", "data_quality_report"} <= tables


def test_2_every_customer_has_exactly_one_segment(mart: dict[int, dict], expected: dict) -> None:
    assert set(mart) == set(expected)
    assert all(row["customer_segment"] in SEGMENTS for row in mart.values())
    assert {row["as_of_date"] for row in mart.values()} == {SAMPLE_AS_OF}


def test_3_distribution_is_balanced(mart: dict[int, dict]) -> None:
    counts = {segment: 0 for segment in SEGMENTS}
    for row in mart.values():
        counts[row["customer_segment"]] += 1
    shares = {segment: count / len(mart) * 100 for segment, count in counts.items()}
    assert all(share >= 5 for share in shares.values()), shares


@pytest.mark.parametrize("segment", SEGMENTS[:4])
def test_4_to_7_segment_criteria_hold(mart: dict[int, dict], segment: str) -> None:
    """Each row's own exact amounts, put through the rules' rules, give the row's segment."""
    rows = [row for row in mart.values() if row["customer_segment"] == segment]
    assert rows, f"no {segment} customers in the sample"
    wrong = [
        row["customer_id"]
        for row in rows
        if reference.segment_of(
            row["spend_last_90_days"],
            row["spend_prior_90_days"],
            row["travel_spend_last_90_days"],
            row["necessities_spend_last_90_days"],
            row["tenure_months"],
        )
        != segment
    ]
    assert not wrong
    assert {row["segment_priority"] for row in rows} == {SEGMENTS.index(segment) + 1}


def test_8_rolling_windows_match_an_independent_computation(mart: dict[int, dict], expected: dict) -> None:
    problems = mismatches(mart, expected)
    assert not problems, problems[:20]


def test_raw_rows_reconcile_with_the_reference(built: Warehouse, sample_raw_dir: Path) -> None:
    counts = reference.clean(sample_raw_dir).counts
    report = {
        (entity, measure): count
        for entity, measure, count in built.query(
            "select entity, measure, sum(row_count) from data_quality_report group by all"
        )
    }
    for entity, want in counts.items():
        assert {measure: report[(entity, measure)] for measure in want} == want, entity
        assert want["rejected_rows"] > 0 and want["duplicate_rows"] > 0, f"the sample should exercise {entity} cleaning"


def test_every_customer_joins_its_current_dimension_row(built: Warehouse) -> None:
    unmatched = built.query(
        """
        select count(*)
        from customer_segments s
        left join dim_customer c on s.customer_key = c.customer_key and c.is_current = true
        where c.customer_id is null or c.customer_id <> s.customer_id
        """
    )
    assert unmatched == [(0,)]


@needs_design_notes
def test_every_guide_query_runs_unchanged(built: Warehouse) -> None:
    queries = guide_queries()
    # 5 per-segment examples, 3 usage patterns, 3 campaign audiences, and the migration query,
    # which reads the month view customer_segments_snapshot_2024_10 of the sample's history.
    assert len(queries) == 12, "the guide's analyst queries were not all found"
    for sql in queries:
        built.query(sql)
    top_travelers = built.query(next(q for q in queries if "'High-Value Travelers'" in q and "JOIN" not in q))
    assert top_travelers, "the High-Value Travelers query returned nothing"
    moves = built.query(next(q for q in queries if "customer_segments_snapshot_2024_10" in q))
    assert moves, "the migration query found nobody who moved between 2024-10 and the as-of date"


@pytest.mark.parametrize("month_end", [dt.date(2024, 7, 31), dt.date(2024, 10, 31), dt.date(2025, 2, 28)])
def test_backfilled_months_match_the_reference(built: Warehouse, sample_raw_dir: Path, month_end: dt.date) -> None:
    """The backfill computes every month-end in one pass; each must equal a build as of that date."""
    recorded = {
        row["customer_id"]: row
        for row in built.query_dicts(f"select * from customer_segment_snapshots where as_of_date = date '{month_end}'")
    }
    want = reference.compute(sample_raw_dir, month_end)
    assert set(recorded) == set(want)
    assert not mismatches(recorded, want)


def test_history_holds_a_year_of_month_to_month_migrations(built: Warehouse) -> None:
    pairs = built.query(
        "select from_as_of_date, to_as_of_date, count(*) from segment_migrations"
        " where segment_type = 'behavioral' group by all order by 1"
    )
    assert len(pairs) == 11 and {count for _, _, count in pairs} == {35}
    assert pairs[-1][1] == SAMPLE_AS_OF
    # every customer of the earlier date is counted once on the from side, every customer of
    # the later date once on the to side
    unbalanced = built.query(
        """
        with sides as (
            select from_as_of_date as as_of_date, sum(customer_count) as counted
            from segment_migrations where segment_type = 'behavioral' and from_segment is not null group by 1
            union all
            select to_as_of_date, sum(customer_count)
            from segment_migrations where segment_type = 'behavioral' and to_segment is not null group by 1
        ),
        recorded as (select as_of_date, count(*) as customers from customer_segment_snapshots group by 1)
        select * from sides join recorded using (as_of_date) where counted <> customers
        """
    )
    assert unbalanced == []
    current = built.query(
        """
        select count(*) from customer_segment_history h
        join customer_segments s using (customer_id, customer_segment)
        where h.is_current
        """
    )
    assert current == built.query("select count(*) from customer_segments")


def test_custom_dbt_tests_fail_on_broken_data(built: Warehouse, tmp_path: Path) -> None:
    """The criteria and reconciliation tests are not vacuous: damaged data makes them fail."""
    damaged = built.copy(tmp_path)
    with duckdb.connect(str(damaged.database)) as con:
        for table in ("customer_segments", "intermediate.int_customers_segmented"):
            con.execute(
                f"""
                update {table} set customer_segment = 'Declining', segment_priority = 2
                where customer_id = (select min(customer_id) from {table}
                                     where customer_segment = 'High-Value Travelers')
                """
            )
        # a clean row lost from the table the reconciliation counts
        con.execute(
            "delete from intermediate.int_transactions_matched where transaction_id = "
            "(select min(transaction_id) from intermediate.int_transactions_matched)"
        )
    run = damaged.dbt(
        "test", "--select", "test_name:segment_rules_hold", "assert_raw_rows_reconcile", as_of=SAMPLE_AS_OF
    )
    tests = {node: status for node, status in run.statuses().items() if node.startswith("test.")}
    assert run.returncode != 0
    assert len(tests) == 3 and set(tests.values()) == {"fail"}, tests


def test_the_unique_test_reports_each_repeated_id_once_with_its_count(built: Warehouse, tmp_path: Path) -> None:
    """The project's sort-based `unique` test on DuckDB still fails on repeats, and reports what
    dbt's own test reports: each repeated value once (one id twice, another three times)."""
    damaged = built.copy(tmp_path)
    with duckdb.connect(str(damaged.database)) as con:
        ids = [
            row[0]
            for row in con.execute(
                "select transaction_id from staging.stg_transactions"
                " where transaction_id not in (select transaction_id from staging.base_transactions__repeats)"
                " order by transaction_id limit 2"
            ).fetchall()
        ]
        for transaction_id, extra_copies in zip(ids, (1, 2), strict=True):
            con.execute(
                "insert into staging.base_transactions select base.* from staging.base_transactions as base, range(?) "
                "where base.transaction_id = ? and base.reject_reason is null",
                [extra_copies, transaction_id],
            )
    run = damaged.dbt(
        "test", "--select", "unique_stg_transactions_transaction_id", "--store-failures", as_of=SAMPLE_AS_OF
    )
    [result] = [r for r in run.results if r["unique_id"].startswith("test.")]
    assert result["status"] == "fail" and result["failures"] == 2, result
    failures = damaged.query(f"select unique_field, n_records from {result['relation_name']} order by unique_field")
    assert failures == [(ids[0], 2), (ids[1], 3)]


def test_9_recalculation_for_a_later_month(sample_raw_dir: Path, tmp_path: Path) -> None:
    """Build as of one month-end, change a profile's email and city, rebuild as of the next: the
    mart follows the reference for the new date, exactly the customers the reference moves change
    segment, and the changed profile gets a new dimension version with the old one closed."""
    first, second = dt.date(2025, 4, 30), dt.date(2025, 5, 31)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("customers.csv", "transactions.csv"):
        (raw / name).write_bytes((sample_raw_dir / name).read_bytes())
    warehouse = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)

    assert_succeeded(warehouse.dbt("build", as_of=first, label="dbt build, first month-end"))
    before = {r["customer_id"]: r for r in warehouse.query_dicts("select * from customer_segments")}
    moved_customer = min(before)
    with (raw / "customers.csv").open(newline="") as source:
        reader = csv.DictReader(source)
        columns, rows = list(reader.fieldnames or []), list(reader)
    changed = [row for row in rows if row["customer_id"] == str(moved_customer)]
    assert changed, "the customer to change is not in the raw file"
    for row in changed:
        row["email"], row["city"] = "moved@example.com", "Recalculation City"
    with (raw / "customers.csv").open("w", newline="") as target:
        writer = csv.DictWriter(target, columns)
        writer.writeheader()
        writer.writerows(rows)

    assert_succeeded(warehouse.dbt("build", as_of=second, label="dbt build, next month-end (recalculation)"))
    after = {r["customer_id"]: r for r in warehouse.query_dicts("select * from customer_segments")}

    want_before = reference.compute(sample_raw_dir, first)
    want_after = reference.compute(raw, second)
    assert not mismatches(after, want_after)
    assert {r["as_of_date"] for r in after.values()} == {second}
    moved = {c for c in before if c in after and before[c]["customer_segment"] != after[c]["customer_segment"]}
    want_moved = {c for c in want_before if c in want_after and want_before[c].segment != want_after[c].segment}
    assert moved == want_moved and moved, "the customers who changed segment differ from the reference"
    assert set(after) - set(before) == set(want_after) - set(want_before)

    versions = warehouse.query_dicts(
        f"select * from dim_customer where customer_id = {moved_customer} order by valid_from"
    )
    assert [(v["email"] == "moved@example.com", v["city"] == "Recalculation City") for v in versions] == [
        (False, False),
        (True, True),
    ]
    assert [v["is_current"] for v in versions] == [False, True]
    assert versions[0]["valid_to"] == versions[1]["valid_from"]
    assert versions[0]["valid_from"].date() == first and versions[1]["valid_from"].date() == second
    assert warehouse.query(
        "select count(*) from (select customer_id from dim_customer where is_current group by 1 having count(*) <> 1)"
    ) == [(0,)]
    key = warehouse.query(f"select customer_key from customer_segments where customer_id = {moved_customer}")
    assert key == [(versions[1]["customer_key"],)]


def test_rebuilding_the_same_input_changes_nothing(built: Warehouse, tmp_path: Path) -> None:
    """A second build of the same files and as-of date adds no customer version, keeps every key
    and leaves the year of segment history as it was."""
    again = built.copy(tmp_path)
    contents = {
        "customer_segments": "select * from customer_segments order by customer_id",
        "dim_customer": "select * from dim_customer order by customer_key",
        "data_quality_report": "select * from data_quality_report order by all",
        "customer_segment_snapshots": "select * from customer_segment_snapshots order by as_of_date, customer_id",
        "customer_segment_history": "select * from customer_segment_history order by customer_id, valid_from",
        "segment_migrations": "select * from segment_migrations order by all",
    }
    before = {name: again.query(sql) for name, sql in contents.items()}
    assert_succeeded(again.dbt("build", as_of=SAMPLE_AS_OF, label="dbt build, same input again"))
    after = {name: again.query(sql) for name, sql in contents.items()}
    for name in contents:
        assert after[name] == before[name], name


def test_two_fresh_warehouses_of_the_same_input_are_identical(
    built: Warehouse, sample_raw_dir: Path, tmp_path: Path
) -> None:
    """Every mart, keys included, depends only on the input and the as-of date, not on when or
    where it was built."""
    fresh = Warehouse(sample_raw_dir, tmp_path / "warehouse.duckdb", tmp_path)
    assert_succeeded(
        fresh.dbt(
            "build",
            as_of=SAMPLE_AS_OF,
            variables={"backfill_months": SAMPLE_BACKFILL_MONTHS},
            label="dbt build of the same sample in a second, fresh warehouse",
        )
    )
    marts = [
        name
        for (name,) in built.query(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1"
        )
    ]
    assert "dim_customer" in marts and "customer_segment_history" in marts
    for name in marts:
        # a fit's duration is a measurement of the run, not a result
        columns = "* exclude (fit_seconds)" if name == "clv_model_fits" else "*"
        content = f"select {columns} from {name} order by all"
        assert fresh.query(content) == built.query(content), name


def test_every_mart_has_an_enforced_contract(built: Warehouse) -> None:
    """Names and types of every mart column are declared and enforced, so a change that alters a
    column BI tools read fails the build instead of reaching them. dbt enforces contracts on SQL
    models only: the Python marts (lifetime value) declare their types, and their tests check them.
    segment_criteria_fields is the preview command's input, not a BI table: its columns are the criteria language's
    fields, which tests/integration/test_user_segments.py checks against the language's field table."""
    manifest = json.loads((built.work_dir / "target" / "manifest.json").read_text())
    marts = [
        node for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert len(marts) == 28  # 19, four of consent and campaigns, three of behaviour, clv_validation, segment_analytics
    for node in marts:
        if node["name"] == "segment_criteria_fields":
            continue
        if node["language"] == "sql":
            assert node["config"]["contract"]["enforced"], node["name"]
        assert node["columns"] and all(column["data_type"] for column in node["columns"].values()), node["name"]
