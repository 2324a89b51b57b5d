"""The benchmark's pure parts: dates, summaries, run_results parsing, the process-tree RSS and the table."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from segmentation import run_month
from segmentation_tools.benchmark import cli, host, measure, memory, next_month, report, runner, stats, workspace
from segmentation_tools.datagen.demo_segments import write_segments_file


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 1, 31), dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 31), dt.date(2026, 1, 31)),
        (dt.date(2026, 10, 31), dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 22), dt.date(2026, 11, 30)),  # mid-month: the same month's end
        (dt.date(2024, 2, 28), dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), dt.date(2024, 3, 31)),
    ],
)
def test_the_monthly_run_reports_on_the_first_month_end_after_the_as_of_date(day: dt.date, expected: dt.date) -> None:
    assert next_month.next_month_end(day) == expected


def test_spread_takes_the_middle_of_an_odd_list_and_the_mean_of_the_middle_two_of_an_even_one() -> None:
    assert stats.spread([3.0, 1.0, 2.0]) == stats.Spread(median=2.0, low=1.0, high=3.0)
    assert stats.spread([4.0, 1.0, 10.0, 2.0]) == stats.Spread(median=3.0, low=1.0, high=10.0)
    assert stats.spread([7.5]) == stats.Spread(7.5, 7.5, 7.5)
    with pytest.raises(ValueError):
        stats.spread([])


RUN_RESULTS = {
    "metadata": {"dbt_version": "1.11.16"},
    "elapsed_time": 30.5,
    "results": [
        {
            "unique_id": "operation.segmentation.segmentation-on-run-start-0",
            "status": "success",
            "execution_time": 0.5,
            "timing": [],
        },
        {
            "unique_id": "model.segmentation.int_customers_windowed",
            "status": "success",
            "execution_time": 20.0,
            "timing": [{"name": "compile"}, {"name": "execute"}],
        },
        {"unique_id": "model.segmentation.stg_transactions", "status": "success", "execution_time": 8.0, "timing": []},
        {
            "unique_id": "test.segmentation.not_null_customer_segments_customer_id.3bbf5b5667",
            "status": "warn",
            "execution_time": 4.25,
            "timing": [],
        },
    ],
}


def test_run_results_give_the_run_elapsed_time_and_every_node_time() -> None:
    results = stats.parse_run_results(RUN_RESULTS)
    assert results.elapsed_seconds == 30.5
    assert results.node_seconds["model.segmentation.int_customers_windowed"] == 20.0
    assert len(results.node_seconds) == 4
    # two threads: the summed node time (32.75) can exceed the run's elapsed time
    assert results.node_seconds_total == pytest.approx(32.75)


def test_run_results_give_every_nodes_status_so_two_runs_node_lists_compare() -> None:
    statuses = stats.parse_run_results(RUN_RESULTS).node_statuses
    assert statuses == {
        "operation.segmentation.segmentation-on-run-start-0": "success",
        "model.segmentation.int_customers_windowed": "success",
        "model.segmentation.stg_transactions": "success",
        "test.segmentation.not_null_customer_segments_customer_id.3bbf5b5667": "warn",
    }


def test_start_up_and_parse_is_the_wall_time_outside_the_run() -> None:
    repeat = stats.Repeat(36.0, 10**9, stats.parse_run_results(RUN_RESULTS), 5 * 10**7, 20.0, 9 * 10**8)
    assert repeat.startup_parse_seconds == pytest.approx(5.5)


@pytest.mark.parametrize(
    ("unique_id", "label"),
    [
        ("model.segmentation.stg_customers", "model stg_customers"),
        (
            "test.segmentation.not_null_customer_segments_customer_id.3bbf5b5667",
            "test not_null_customer_segments_customer_id",
        ),
        ("snapshot.segmentation.customers_snapshot", "snapshot customers_snapshot"),
        (
            "unit_test.segmentation.customer_segments.high_value_at_threshold",
            "unit_test customer_segments.high_value_at_threshold",
        ),
        ("operation.segmentation.segmentation-on-run-end-0", "operation segmentation-on-run-end-0"),
    ],
)
def test_node_labels_drop_the_package_and_a_tests_hash(unique_id: str, label: str) -> None:
    assert stats.node_label(unique_id) == label


def test_the_slowest_nodes_are_ranked_by_their_median_over_the_repeats() -> None:
    runs = [
        {"a": 10.0, "b": 1.0, "c": 5.0, "d": 0.1},
        {"a": 11.0, "b": 50.0, "c": 6.0, "d": 0.2},  # one slow outlier does not make b the slowest
        {"a": 12.0, "b": 2.0, "c": 7.0, "d": 0.3},
    ]
    assert stats.slowest_nodes(runs, 3) == ["a", "c", "b"]
    assert stats.slowest_nodes(runs, 10) == ["a", "c", "b", "d"]


def write_process(proc: Path, pid: int, parent: int, command: str, rss_kb: int | None) -> None:
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "stat").write_text(f"{pid} ({command}) S {parent} {pid} {pid} 0 -1 4194560 1234 0 0 0\n")
    rss_line = f"VmRSS:\t{rss_kb:>8} kB\n" if rss_kb is not None else ""
    (folder / "status").write_text(f"Name:\t{command}\nState:\tS (sleeping)\nPPid:\t{parent}\n{rss_line}Threads:\t3\n")


def test_the_tree_rss_sums_the_process_and_all_its_descendants_only(tmp_path: Path) -> None:
    write_process(tmp_path, 1, 0, "init", 1_000)
    write_process(tmp_path, 100, 1, "python", 50_000)  # run_month.py, the measured root
    write_process(tmp_path, 101, 100, "dbt) build (x", 900_000)  # a name with spaces and parentheses
    write_process(tmp_path, 102, 101, "duckdb worker", 100_000)  # a grandchild
    write_process(tmp_path, 103, 100, "defunct", None)  # a zombie has no VmRSS
    write_process(tmp_path, 200, 1, "other", 7_000_000)  # not ours
    write_process(tmp_path, 201, 200, "other child", 7_000_000)
    (tmp_path / "self").mkdir()  # non-numeric entries are ignored
    (tmp_path / "meminfo").write_text("MemTotal: 1 kB\n")
    assert memory.tree_rss_bytes(100, tmp_path) == (50_000 + 900_000 + 100_000) * 1024
    assert memory.tree_rss_bytes(102, tmp_path) == 100_000 * 1024
    assert memory.tree_rss_bytes(999, tmp_path) == 0  # already gone


def test_the_tree_rss_skips_a_process_that_vanished_while_it_was_read(tmp_path: Path) -> None:
    write_process(tmp_path, 100, 1, "python", 50_000)
    (tmp_path / "101").mkdir()  # listed, but its files are gone
    assert memory.tree_rss_bytes(100, tmp_path) == 50_000 * 1024


def test_the_tree_rss_of_this_process_is_plausible() -> None:
    assert 1_000_000 < memory.tree_rss_bytes(os.getpid()) < 10**11


def test_descendants_follow_the_parent_links_down_from_the_root() -> None:
    parents = {1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 21: 20}
    assert memory.descendants(parents, 10) == {10, 11, 12}
    assert memory.descendants(parents, 21) == {21}


def test_machine_facts_come_from_cpuinfo_and_meminfo() -> None:
    cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n\nprocessor\t: 1\n"
    assert host.cpu_model(cpuinfo) == "Intel(R) Xeon(R) Processor"
    assert host.cpu_model("processor : 0\n") == "unknown"
    assert host.mem_total_bytes("MemTotal:       24684084 kB\nMemFree: 1 kB\n") == 24684084 * 1024


def test_the_monthly_run_is_skipped_only_for_a_named_target_run_month_cannot_take() -> None:
    no_target_help = "usage: run_month.py [-h] [--as-of AS_OF] [--database DATABASE]"
    assert runner.monthly_skip_reason(None, "duckdb", no_target_help) is None
    assert runner.monthly_skip_reason("duckdb", "duckdb", no_target_help) is None
    assert runner.monthly_skip_reason("postgres", "duckdb", no_target_help + " [--target TARGET]") is None
    reason = runner.monthly_skip_reason("postgres", "duckdb", no_target_help)
    assert reason is not None and "'postgres'" in reason and "--target" in reason


def test_the_tail_keeps_the_last_lines() -> None:
    assert measure.tail_lines("a\nb\nc\nd\n", 2) == "c\nd"
    assert measure.tail_lines("only\n", 5) == "only"


def two_repeats(monthly: bool = True) -> list[stats.Repeat]:
    runs = [
        stats.RunResults(30.0, {f"model.p.m{index}": float(index) for index in range(8)}),
        stats.RunResults(34.0, {f"model.p.m{index}": float(index) + 1 for index in range(8)}),
    ]
    return [
        stats.Repeat(
            40.0,
            2_000_000_000,
            runs[0],
            300_000_000,
            20.0 if monthly else None,
            1_500_000_000 if monthly else None,
            unit_test_seconds=9.0,
            load_seconds=12.0,
            backfill_seconds=80.0,
            backfill_run_seconds=70.0,
            backfill_peak_rss_bytes=3_000_000_000,
            monthly_run_results=stats.RunResults(15.0, {"model.p.m1": 7.0, "model.p.m2": 7.0}) if monthly else None,
            history_monthly_seconds=30.0 if monthly else None,
            history_monthly_peak_rss_bytes=2_500_000_000 if monthly else None,
            history_monthly_run_results=stats.RunResults(20.0, {"model.p.m1": 21.0}) if monthly else None,
        ),
        stats.Repeat(
            46.0,
            2_200_000_000,
            runs[1],
            300_000_000,
            24.0 if monthly else None,
            1_700_000_000 if monthly else None,
            unit_test_seconds=11.0,
            load_seconds=14.0,
            backfill_seconds=90.0,
            backfill_run_seconds=75.0,
            backfill_peak_rss_bytes=3_200_000_000,
            monthly_run_results=stats.RunResults(12.0, {"model.p.m1": 9.0}) if monthly else None,
            history_monthly_seconds=33.0 if monthly else None,
            history_monthly_peak_rss_bytes=2_600_000_000 if monthly else None,
            history_monthly_run_results=stats.RunResults(20.0, {"model.p.m1": 6.0, "model.p.m2": 3.0})
            if monthly
            else None,
        ),
    ]


def test_the_figures_hold_one_row_per_measure_with_the_five_slowest_nodes() -> None:
    rows = stats.figures(9.5, two_repeats())
    labels = [row.label.strip() for row in rows]
    assert labels == [
        "data generation (once)",
        "next month's rows appended (once)",
        "dbt parse, cold (before the build)",
        "raw files loaded (segmentation.ingest), wall",
        "dbt build, wall",
        "start-up + parse (wall - elapsed)",
        "run (run_results elapsed_time)",
        "node time, summed over nodes",
        "model m7",
        "model m6",
        "model m5",
        "model m4",
        "model m3",
        "dbt unit tests, wall (not in the build)",
        "dbt build with the backfill, wall",
        "its run (run_results elapsed_time)",
        "monthly run (run_month.py), wall",
        "monthly run / dbt build",
        "its node time, summed over nodes",
        "its node time / the build's",
        "monthly run after the backfill, wall",
        "its node time, with the history recorded",
        "that / the node time after one date",
        "peak RSS, dbt build",
        "peak RSS, monthly run",
        "peak RSS, build with the backfill",
        "peak RSS, monthly run after the backfill",
        "warehouse file after build",
    ]
    by_label = {row.label.strip(): row.values for row in rows}
    assert by_label["start-up + parse (wall - elapsed)"] == [10.0, 12.0]
    assert by_label["node time, summed over nodes"] == [28.0, 36.0]
    assert by_label["model m7"] == [7.0, 8.0]
    assert by_label["dbt unit tests, wall (not in the build)"] == [9.0, 11.0]
    assert by_label["raw files loaded (segmentation.ingest), wall"] == [12.0, 14.0]
    assert by_label["monthly run / dbt build"] == [0.5, 24.0 / 46.0]
    # the monthly run's own dbt build: its node time, and that over the fresh build's (28 and 36 s)
    assert by_label["its node time, summed over nodes"] == [14.0, 9.0]
    assert by_label["its node time / the build's"] == [0.5, 0.25]
    assert by_label["dbt build with the backfill, wall"] == [80.0, 90.0]
    assert by_label["its run (run_results elapsed_time)"] == [70.0, 75.0]
    assert by_label["peak RSS, build with the backfill"] == [3_000_000_000, 3_200_000_000]
    # the same month on the backfill's warehouse: its node time, and that over the one-date monthly's (14 and 9 s)
    assert by_label["monthly run after the backfill, wall"] == [30.0, 33.0]
    assert by_label["its node time, with the history recorded"] == [21.0, 9.0]
    assert by_label["that / the node time after one date"] == [1.5, 1.0]
    assert by_label["peak RSS, monthly run after the backfill"] == [2_500_000_000, 2_600_000_000]
    assert by_label["next month's rows appended (once)"] == []
    assert by_label["dbt parse, cold (before the build)"] == []


def test_the_ratio_row_is_shown_with_two_decimals() -> None:
    table = report.format_table(stats.figures(9.5, two_repeats(), next_month_seconds=3.0))
    lines = {line.split("   ")[0].strip(): " ".join(line.split()) for line in table.splitlines()}
    assert lines["monthly run / dbt build"].endswith("0.51 x 0.50 - 0.52 x")
    assert lines["next month's rows appended (once)"].endswith("3.0 s 3.0 - 3.0 s")


def test_the_next_month_repeats_the_last_days_later_under_new_ids(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "next"
    raw.mkdir()
    (raw / "customers.csv").write_text("customer_id,signup_date\n1,2020-01-01\n")
    (raw / "products.csv").write_text("product_id,product_name\n1,Card\n")
    (raw / "transactions.csv").write_text(
        "transaction_id,customer_id,transaction_date,amount,merchant_category\n"
        "1,1,2026-09-30,5.00,Gas\n"  # before the last 30 days: not repeated
        "2,1,2026-10-01,10.00,Grocery\n"  # 30 days before the as-of date: not repeated
        "5,1,2026-10-02,12.00,Grocery\n"  # the first of the last 30 days
        'x,1,2026-10-31," 7.50 ","Hotels, Inc"\n'  # a bad id, quoted text: copied as it is, and repeated
        "3,1,2026/10/15,1.00,Gas\n"  # no ISO date: copied, not repeated
        "4,1,2026-11-05,2.00,Gas\n"
    )  # already after the as-of date: copied, not repeated
    added = next_month.append_next_month(raw, out, dt.date(2026, 10, 31), dt.date(2026, 11, 30))
    # no behaviour events file: none is written
    assert added == {"transactions.csv": 2}
    assert not (out / "behavior_events.csv").exists()
    # appended to the file as it was, so the loader reads the new lines alone
    assert (out / "transactions.csv").read_bytes().startswith((raw / "transactions.csv").read_bytes())
    assert (out / "customers.csv").read_text() == (raw / "customers.csv").read_text()
    # an optional input arrives as it was, so the monthly run reads the same files as the fresh build
    assert (out / "products.csv").samefile(raw / "products.csv")
    with duckdb.connect() as con:
        rows = con.sql(f"select * from read_csv('{out / 'transactions.csv'}', all_varchar = true)").fetchall()
    assert rows[:6] == [
        ("1", "1", "2026-09-30", "5.00", "Gas"),
        ("2", "1", "2026-10-01", "10.00", "Grocery"),
        ("5", "1", "2026-10-02", "12.00", "Grocery"),
        ("x", "1", "2026-10-31", " 7.50 ", "Hotels, Inc"),
        ("3", "1", "2026/10/15", "1.00", "Gas"),
        ("4", "1", "2026-11-05", "2.00", "Gas"),
    ]
    assert sorted(rows[6:]) == [
        ("6", "1", "2026-11-01", "12.00", "Grocery"),
        ("7", "1", "2026-11-30", " 7.50 ", "Hotels, Inc"),
    ]


def test_the_next_month_repeats_the_last_days_events_later_with_their_time_of_day(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "next"
    raw.mkdir()
    (raw / "customers.csv").write_text("customer_id,signup_date\n1,2020-01-01\n")
    (raw / "transactions.csv").write_text("transaction_id,customer_id,transaction_date,amount,merchant_category\n")
    (raw / "behavior_events.csv").write_text(
        "event_id,customer_id,event_type,occurred_at\n"
        "7,1,page_view,2026-10-01 23:59:59\n"  # 30 days before the as-of date: not repeated
        "8,1,purchase,2026-10-02 00:00:00\n"  # the first of the last 30 days
        "9,1,page_view,2026-10-31 23:59:59\n"  # the as-of date's last second
        "10,1,page_view,31/10/2026 10:00\n"  # no ISO timestamp: copied, not repeated
    )
    added = next_month.append_next_month(raw, out, dt.date(2026, 10, 31), dt.date(2026, 11, 30))
    assert added == {"transactions.csv": 0, "behavior_events.csv": 2}
    assert (out / "behavior_events.csv").read_bytes().startswith((raw / "behavior_events.csv").read_bytes())
    with duckdb.connect() as con:
        rows = con.sql(f"select * from read_csv('{out / 'behavior_events.csv'}', all_varchar = true)").fetchall()
    assert sorted(rows[4:]) == [
        ("11", "1", "purchase", "2026-11-01 00:00:00"),
        ("12", "1", "page_view", "2026-11-30 23:59:59"),
    ]


def test_the_table_shows_median_and_range_and_says_skipped() -> None:
    table = report.format_table(stats.figures(9.5, two_repeats(monthly=False)))
    # columns are padded to align, so compare with single spaces
    lines = {line.split("   ")[0].strip(): " ".join(line.split()) for line in table.splitlines()}
    assert lines["dbt build, wall"].endswith("43.0 s 40.0 - 46.0 s")
    assert lines["start-up + parse (wall - elapsed)"].endswith("11.0 s 10.0 - 12.0 s")
    assert lines["peak RSS, dbt build"].endswith("2,100 MB 2,000 - 2,200 MB")
    assert lines["monthly run (run_month.py), wall"].endswith("skipped")
    assert lines["peak RSS, monthly run"].endswith("skipped")
    assert table.splitlines()[0].startswith("figure")


def test_the_json_figures_keep_raw_units_and_leave_out_the_summary_when_skipped() -> None:
    entries = {entry["figure"]: entry for entry in report.figures_json(stats.figures(9.5, two_repeats(False)))}
    assert entries["peak RSS, dbt build"] == {
        "figure": "peak RSS, dbt build",
        "unit": "bytes",
        "values": [2_000_000_000, 2_200_000_000],
        "median": 2_100_000_000,
        "min": 2_000_000_000,
        "max": 2_200_000_000,
    }
    assert entries["monthly run (run_month.py), wall"] == {
        "figure": "monthly run (run_month.py), wall",
        "unit": "seconds",
        "values": [],
    }


def test_counts_must_be_positive_and_the_date_iso() -> None:
    args = cli.parse_args(["--customers", "2_000", "--transactions", "100000", "--repeat", "2"])
    assert (args.customers, args.transactions, args.repeat, args.as_of) == (2000, 100_000, 2, cli.DEFAULT_AS_OF)
    assert next_month.month_end(cli.DEFAULT_AS_OF) == cli.DEFAULT_AS_OF
    assert args.backfill_months == 12
    assert cli.parse_args(["--backfill-months", "0"]).backfill_months == 0
    for bad in (["--repeat", "0"], ["--customers", "-1"], ["--as-of", "2026/10/31"], ["--backfill-months", "-1"]):
        with pytest.raises(SystemExit):
            cli.parse_args(bad)


def test_a_long_test_name_is_cut_so_the_table_stays_readable() -> None:
    unique_id = (
        "test.segmentation.accepted_values_base_transactions_reject_reason__" + "x_is_missing__" * 20 + ".0123abcd"
    )
    label = stats.node_label(unique_id)
    assert len(label) == stats.NODE_LABEL_MAX
    assert label.startswith("test accepted_values_base_transactions_reject_reason__") and label.endswith("…")


def test_the_current_folder_links_one_set_of_raw_files_then_the_next(tmp_path: Path) -> None:
    first, second, current = tmp_path / "first", tmp_path / "second", tmp_path / "current"
    first_names = ("behavior_events.csv", "customers.csv", "transactions.csv")
    for folder, names in ((first, first_names), (second, workspace.GROWN_FILES)):
        folder.mkdir()
        for name in names:
            (folder / name).write_text(f"{folder.name} {name}\n")
    (first / "segments.yml").write_text("segments: []\n")
    workspace.link_raw_files(first, current)
    assert sorted(path.name for path in current.iterdir()) == list(first_names)
    assert all((current / name).samefile(first / name) for name in first_names)
    workspace.link_raw_files(second, current)
    # the first set's files are gone, even one the second has not
    assert sorted(path.name for path in current.iterdir()) == ["customers.csv", "transactions.csv"]
    assert [(current / name).read_text() for name in workspace.GROWN_FILES] == [
        "second customers.csv\n",
        "second transactions.csv\n",
    ]
    assert (first / "transactions.csv").read_text() == "first transactions.csv\n"


def test_the_timed_builds_read_the_demo_segments_the_generator_wrote_and_the_monthly_run_the_same(
    tmp_path: Path,
) -> None:
    paths = workspace.Paths(tmp_path / "bench")
    written = write_segments_file(paths.raw)
    variables = runner.dbt_variables(paths)
    assert Path(variables["segments_file"]) == written
    assert "campaigns_file" not in variables
    # What the monthly run passes dbt from its options: equal vars, so it reuses the build's parse.
    monthly = run_month.parse_args(
        ["--raw-dir", variables["raw_data_dir"], "--segments-file", str(runner.segments_file(paths))]
    )
    assert {"raw_data_dir": str(paths.current), "backfill_months": 0, **monthly.vars} == variables
