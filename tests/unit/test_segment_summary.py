"""The summary printed at the end of `make build`, read from a small hand-made warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from segmentation import summary as segment_summary


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create table customer_segments as select * from (values
                (1, 'Declining', 2, 100.00::decimal(18,2), 10.00::decimal(18,2), date '2024-06-30'),
                (2, 'High-Value Travelers', 1, 900.00, 6000.00, date '2024-06-30'),
                (3, 'Declining', 2, 200.02, 20.00, date '2024-06-30'),
                (4, 'Stable Mid-Spenders', 5, 0.00, 0.00, date '2024-06-30')
            ) as t(customer_id, customer_segment, segment_priority, lifetime_value, avg_monthly_spend, as_of_date)
            """
        )
        con.execute(
            """
            create table data_quality_report as select * from (values
                ('customers', 'raw_rows', null, 6), ('customers', 'clean_rows', null, 4),
                ('customers', 'rejected_rows', 'signup_date is missing', 1), ('customers', 'duplicate_rows', null, 1),
                ('customers', 'flagged_field', 'email nulled: no @', 2),
                ('customers', 'flagged_field', 'gender nulled: not Male/Female/Other', 1),
                ('transactions', 'raw_rows', null, 10), ('transactions', 'clean_rows', null, 7),
                ('transactions', 'rejected_rows', 'amount is missing', 1),
                ('transactions', 'rejected_rows', 'customer_id is not a known customer', 1),
                ('transactions', 'duplicate_rows', null, 1)
            ) as t(entity, measure, detail, row_count)
            """
        )
    return path


def test_segments_come_in_priority_order_with_counts_shares_and_averages(warehouse: Path) -> None:
    as_of, segments, quality = segment_summary.read_summary(warehouse)
    assert as_of == "2024-06-30"
    assert [(s.segment, s.customers, s.share_pct) for s in segments] == [
        ("High-Value Travelers", 1, 25.0),
        ("Declining", 2, 50.0),
        ("Stable Mid-Spenders", 1, 25.0),
    ]
    assert segments[1].avg_lifetime_value == 150.01  # (100.00 + 200.02) / 2
    assert quality[("transactions", "rejected_rows")] == 2
    assert quality[("customers", "flagged_field")] == 3


def test_formatted_summary_reads_as_a_table(warehouse: Path) -> None:
    text = segment_summary.format_summary(*segment_summary.read_summary(warehouse))
    lines = text.splitlines()
    assert lines[0] == "Customer segments as of 2024-06-30 (4 customers)"
    assert lines[3].split() == ["Declining", "2", "50.00%", "150.01", "15.00"]
    assert "transactions: 10 raw rows = 7 clean + 2 rejected + 1 duplicates removed" in lines
    assert "profile fields nulled or flagged: 3 (details: select * from data_quality_report)" in lines


def test_reject_reasons_are_listed_per_entity_most_rows_first(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into data_quality_report values"
            " ('transactions', 'rejected_rows', 'amount is beyond 10,000,000 either way', 3)"
        )
        con.execute(
            "insert into data_quality_report values ('transactions', 'rejected_rows', 'transaction_date is missing', 0)"
        )
    text = segment_summary.format_reject_reasons(segment_summary.read_reject_reasons(warehouse))
    assert text.splitlines() == [
        "customers rejected: signup_date is missing 1",
        "transactions rejected: amount is beyond 10,000,000 either way 3; amount is missing 1;"
        " customer_id is not a known customer 1",
    ]


def test_missing_warehouse_is_reported_with_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.duckdb"
    assert segment_summary.main(["--database", str(missing)]) == 1
    assert f"warehouse file {missing} does not exist" in capsys.readouterr().err


def test_history_line_reports_the_latest_pair_of_dates(warehouse: Path) -> None:
    assert segment_summary.read_history(warehouse) is None
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            create table customer_segment_snapshots as select * from (values
                (1, date '2024-05-31'), (2, date '2024-05-31'), (1, date '2024-06-30'),
                (2, date '2024-06-30'), (3, date '2024-06-30'), (1, date '2024-04-30')
            ) as t(customer_id, as_of_date)
            """
        )
        con.execute(
            """
            create table segment_migrations as select * from (values
                ('behavioral', date '2024-04-30', date '2024-05-31', 'Declining', 'Declining', 'stayed', 1),
                ('behavioral', date '2024-05-31', date '2024-06-30', 'Declining', 'Declining', 'stayed', 1),
                ('behavioral', date '2024-05-31', date '2024-06-30', 'Declining', 'Budget-Conscious', 'moved', 0),
                ('behavioral', date '2024-05-31', date '2024-06-30', 'High-Value Travelers', 'Declining', 'moved', 1),
                ('behavioral', date '2024-05-31', date '2024-06-30', null, 'Declining', 'entered', 1),
                -- another type's matrix counts the same customers again: not in the line
                ('rfm', date '2024-05-31', date '2024-06-30', 'Champions', 'At Risk', 'moved', 1),
                ('rfm', date '2024-05-31', date '2024-06-30', 'Champions', 'Champions', 'stayed', 1)
            ) as t(
                segment_type, from_as_of_date, to_as_of_date, from_segment, to_segment, migration_type, customer_count
            )
            """
        )
    line = segment_summary.format_history(segment_summary.read_history(warehouse))
    assert line == (
        "segment history: 3 as-of dates from 2024-04-30; 2024-05-31 -> 2024-06-30: "
        "1 stayed, 1 moved, 1 entered, 0 left (select * from segment_migrations)"
    )


def test_history_line_before_a_second_date_exists() -> None:
    assert segment_summary.format_history(None) == "segment history: one as-of date recorded so far, no migrations yet"


def test_last_line_names_the_publication_it_read(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table publication as select 'abc123' as publication_id, date '2024-06-30' as as_of_date,"
            " timestamp '2024-07-01 02:00:05.123456' as published_at"
        )
    assert segment_summary.main(["--database", str(warehouse)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        f"read from {warehouse}: publication abc123, as of 2024-06-30, published 2024-07-01 02:00:05 UTC"
    )
    assert "each rejected row, with its reason and ids: select * from rejected_rows" in lines


def test_a_working_file_is_named_as_such(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert segment_summary.main(["--database", str(warehouse)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"read from {warehouse}: a working file, not a published one (no publication table)"


def test_missing_optional_inputs_are_named(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table if exists data_quality_report")
        con.execute(
            """
            create table data_quality_report as select * from (values
                ('customers', 'optional_input', 'loyalty_points column: clean rows with a value', 0),
                ('customers', 'optional_input', 'last_login column: clean rows with a value', 12),
                ('products', 'optional_input', 'file: rows', 0),
                ('customers', 'raw_rows', null, 5)
            ) as t(entity, measure, detail, row_count)
            """
        )
    missing = segment_summary.read_missing_optional_inputs(warehouse)
    assert missing == ["customers loyalty_points column", "products file"]
    assert segment_summary.format_missing_optional_inputs(missing).startswith(
        "optional inputs not delivered (their features are empty): customers loyalty_points column, products file"
    )
    assert segment_summary.format_missing_optional_inputs([]) == ""


def add_lifetime_value(path: Path, statuses: list[tuple[str, str, str | None]], overall: tuple[object, ...]) -> None:
    """clv_model_fits with one date per (bg_nbd_status, gamma_gamma_status, status_reason), month-ends from
    2024-01-31 on, and clv_validation with an older overall row, a decile row and the latest date's overall row."""
    dates = ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"][-len(statuses) :]
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table clv_model_fits (as_of_date date, bg_nbd_status varchar, gamma_gamma_status varchar,"
            " status_reason varchar)"
        )
        con.executemany(
            "insert into clv_model_fits values (cast(? as date), ?, ?, ?)",
            [(date, *status) for date, status in zip(dates, statuses, strict=True)],
        )
        con.execute(
            "create table clv_validation (as_of_date date, calibration_end_date date, decile integer, customers bigint,"
            " bias_ratio double, alive_auc double, mean_absolute_error double, status_reason varchar)"
        )
        con.execute(
            "insert into clv_validation values"
            " (date '2024-05-31', date '2023-12-03', null, 90, 0.5, 0.5, 9.0, null),"
            " (date '2024-06-30', date '2024-01-02', 3, 10, null, null, null, null),"
            " (date '2024-06-30', date '2024-01-02', null, ?, ?, ?, ?, ?)",
            list(overall),
        )


OK = ("ok", "ok", None)


def test_lifetime_value_fits_all_ok_and_the_latest_holdout_check(warehouse: Path) -> None:
    add_lifetime_value(warehouse, [OK, OK], (100, 1.0234, 0.8123, 2.345, None))
    assert segment_summary.format_lifetime_value(*segment_summary.read_lifetime_value(warehouse)).splitlines() == [
        "lifetime value: both fits ok on 2 of 2 as-of dates",
        "holdout check as of 2024-06-30 (fitted to 2024-01-02, 100 customers): bias ratio 1.023, alive AUC 0.812,"
        " mean absolute error 2.35 purchase days (select * from clv_validation)",
    ]


def test_lifetime_value_says_why_the_latest_fit_is_not_ok_and_counts_the_earlier_dates(warehouse: Path) -> None:
    reason = "BG/NBD degenerate: a = 7.48e-09 below 1e-06 | Gamma-Gamma failed: no repeat customers to fit"
    earlier = [
        ("degenerate", "ok", "BG/NBD degenerate: a = 1e-09 below 1e-06"),
        OK,
        ("degenerate", "degenerate", "BG/NBD degenerate: … | Gamma-Gamma degenerate: q = 0.9 not above 1 …"),
        ("ok", "failed", "Gamma-Gamma failed: …"),
    ]
    add_lifetime_value(warehouse, [*earlier, ("degenerate", "failed", reason)], (100, None, None, None, reason))
    assert segment_summary.format_lifetime_value(*segment_summary.read_lifetime_value(warehouse)).splitlines() == [
        "lifetime value: both fits ok on 1 of 5 as-of dates; the figures that need a fit that is not ok are null"
        " (select * from clv_model_fits)",
        f"  as of 2024-06-30: {reason}",
        "  earlier dates (4): BG/NBD degenerate on 2, Gamma-Gamma degenerate on 1, Gamma-Gamma failed on 1",
        f"holdout check as of 2024-06-30 (fitted to 2024-01-02, 100 customers): no predictions ({reason})",
    ]


def test_lifetime_value_with_only_earlier_dates_not_ok(warehouse: Path) -> None:
    add_lifetime_value(
        warehouse, [("failed", "failed", "BG/NBD failed: no customers to fit | …"), OK], (5, 0.9, None, 1.5, None)
    )
    assert segment_summary.format_lifetime_value(*segment_summary.read_lifetime_value(warehouse)).splitlines() == [
        "lifetime value: both fits ok on 1 of 2 as-of dates; the figures that need a fit that is not ok are null"
        " (select * from clv_model_fits)",
        "  earlier dates (1): BG/NBD failed on 1, Gamma-Gamma failed on 1",
        "holdout check as of 2024-06-30 (fitted to 2024-01-02, 5 customers): bias ratio 0.900, no alive AUC,"
        " mean absolute error 1.50 purchase days (select * from clv_validation)",
    ]


def test_no_lifetime_value_line_without_the_marts(warehouse: Path) -> None:
    assert segment_summary.read_lifetime_value(warehouse) == ([], None)
    assert segment_summary.format_lifetime_value([], None) == ""
