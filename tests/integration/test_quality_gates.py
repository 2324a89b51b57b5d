"""The quality gates: a delivery with too many rejected rows, a stale delivery and a category map whose
keys clash as the models match them each fail the build with a message saying what to fix, and the
monthly cycle does not publish such a delivery. Each case has files of its own, written here.

As of A = 2025-03-31; every customer is clean, so only the transactions decide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from integration.harness import DBT, PROJECT_DIR, DbtRun, Warehouse, assert_succeeded, commands_env
from integration.test_readme_defaults import COPY_IGNORES

A = dt.date(2025, 3, 31)
REJECT_GATE = "test.segmentation.assert_reject_share_within_limit"
STALE_GATE = "test.segmentation.assert_delivery_is_current"
HISTORY_STORE = "model.segmentation.customer_segment_snapshots"
CUSTOMERS_HEADER = (
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,"
    "postal_code,signup_date,account_status"
)
TRANSACTIONS_HEADER = "transaction_id,customer_id,transaction_date,amount,merchant_category"


def write_raw(raw: Path, transactions: list[str], customers: int = 4) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "customers.csv").write_text(
        "\n".join(
            [CUSTOMERS_HEADER]
            + [
                f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,2020-01-01,"
                "active"
                for cid in range(1, customers + 1)
            ]
        )
        + "\n"
    )
    (raw / "transactions.csv").write_text("\n".join([TRANSACTIONS_HEADER, *transactions]) + "\n")
    return raw


def clean_rows(count: int, last_date: dt.date = A, first_id: int = 1) -> list[str]:
    """`count` clean transactions of customers 1-4, the last one dated `last_date`, the others a day apart before it."""
    return [
        f"{first_id + n},{1 + n % 4},{last_date - dt.timedelta(days=count - 1 - n)},{10 + n}.00,Grocery"
        for n in range(count)
    ]


def warehouse_for(tmp_path: Path, name: str, transactions: list[str]) -> Warehouse:
    work = tmp_path / name
    return Warehouse(write_raw(work / "raw", transactions), work / "warehouse.duckdb", work)


def failed(run: DbtRun) -> set[str]:
    return {node for node, status in run.statuses().items() if status in ("fail", "error")}


def gate_messages(run: DbtRun) -> list[str]:
    return [line.split("  ", 1)[-1] for line in run.output.splitlines() if "Quality gate " in line]


def test_rejected_transactions_exactly_at_the_limit_pass(tmp_path: Path) -> None:
    # 1 of 20 raw rows rejected: a share of exactly 0.05.
    warehouse = warehouse_for(tmp_path, "at_limit", [*clean_rows(19), "20,1,2025-03-01,,Grocery"])
    assert_succeeded(warehouse.dbt("build", as_of=A, label="dbt build, rejects exactly at max_reject_share"))
    assert warehouse.query(
        "select sum(row_count) from data_quality_report where entity = 'transactions' and measure = 'rejected_rows'"
    ) == [(1,)]


def test_one_rejected_row_over_the_limit_fails_with_the_share_and_the_top_reasons(tmp_path: Path) -> None:
    # 2 of 20 raw rows rejected (0.10): an unparseable amount and a transaction of an unknown customer.
    rows = [*clean_rows(18), "19,1,2025-03-01,12$,Grocery", "20,99,2025-03-02,5.00,Grocery"]
    warehouse = warehouse_for(tmp_path, "over_limit", rows)
    run = warehouse.dbt("build", as_of=A)
    assert run.returncode != 0
    assert failed(run) == {REJECT_GATE}
    assert gate_messages(run) == [
        "Quality gate assert_reject_share_within_limit failed: transactions: 2 of 20 raw rows rejected (10.0 %), "
        "more than max_reject_share 0.05; top reasons: amount is not a decimal number 1; customer_id is not a known "
        "customer 1. Each rejected row and its reason, in the working file: select * from rejected_rows "
        "where entity = 'transactions'. Fix the delivery, or build it anyway with --vars "
        '"{max_reject_share: <share>}".'
    ]
    assert "Failure in test assert_reject_share_within_limit" in run.output
    # The month is not recorded in the history: the gate runs before the history store.
    assert run.statuses()[HISTORY_STORE] == "skipped"

    # A known-bad delivery goes through when the limit is raised for the run.
    assert_succeeded(warehouse.dbt("build", as_of=A, variables={"max_reject_share": 0.1}))


def test_the_failing_row_names_three_reasons_with_their_counts(tmp_path: Path) -> None:
    rows = [
        *clean_rows(10),
        *(f"{100 + n},1,2025-03-01,,Grocery" for n in range(3)),  # amount is missing: 3
        *(f"{200 + n},1,2025/03/01,5.00,Grocery" for n in range(2)),  # not an ISO date: 2
        "300,,2025-03-01,5.00,Grocery",  # customer_id is missing: 1
        "301,1,,5.00,Grocery",  # transaction_date is missing: 1, tied with the above and after it
    ]
    warehouse = warehouse_for(tmp_path, "reasons", rows)
    run = warehouse.dbt("build", "--select", "+assert_reject_share_within_limit", "--store-failures", as_of=A)
    assert failed(run) == {REJECT_GATE}
    [result] = [r for r in run.results if r["unique_id"] == REJECT_GATE]
    assert warehouse.query(
        "select entity, raw_rows, rejected_rows, rejected_pct, max_reject_share, top_reasons"
        f" from {result['relation_name']}"
    ) == [
        (
            "transactions",
            17,
            7,
            warehouse.query("select round(7 * 100.0 / 17, 2)")[0][0],
            warehouse.query("select 0.05")[0][0],
            "amount is missing 3; transaction_date is not an ISO date 2; customer_id is missing 1",
        )
    ]


def test_a_stale_delivery_fails_with_both_dates_and_passes_at_exactly_the_lag(tmp_path: Path) -> None:
    # The latest transaction on or before A is 8 days before it; one dated after A does not count.
    stale = warehouse_for(tmp_path, "stale", [*clean_rows(5, A - dt.timedelta(days=8)), "50,1,2025-04-02,5.00,Gas"])
    run = stale.dbt("build", as_of=A)
    assert run.returncode != 0
    assert failed(run) == {STALE_GATE}
    assert gate_messages(run) == [
        "Quality gate assert_delivery_is_current failed: transactions: the latest clean transaction is dated "
        "2025-03-23, 8 days before the as-of date 2025-03-31, more than max_delivery_lag_days 7: the delivery looks "
        "stale. Deliver current files, or build as of the date the files end (var as_of_date), or accept the lag "
        'with --vars "{max_delivery_lag_days: <days>}".'
    ]
    assert run.statuses()[HISTORY_STORE] == "skipped"
    assert_succeeded(stale.dbt("build", as_of=A, variables={"max_delivery_lag_days": 8}))

    current = warehouse_for(tmp_path, "current", clean_rows(5, A - dt.timedelta(days=7)))
    assert_succeeded(current.dbt("build", as_of=A, label="dbt build, delivery lag exactly max_delivery_lag_days"))


def test_a_backfill_checks_only_the_as_of_date(tmp_path: Path) -> None:
    # Transactions from December: the month-ends before A are far behind them, A is not.
    warehouse = warehouse_for(tmp_path, "backfill", clean_rows(120))
    assert_succeeded(warehouse.dbt("build", as_of=A, variables={"backfill_months": 3}))


def test_no_transaction_on_or_before_the_as_of_date_fails(tmp_path: Path) -> None:
    warehouse = warehouse_for(tmp_path, "none_yet", ["1,1,2025-04-01,5.00,Gas", "2,2,2025-04-02,5.00,Gas"])
    run = warehouse.dbt("build", "--select", "+assert_delivery_is_current", as_of=A)
    assert failed(run) == {STALE_GATE}
    assert gate_messages(run)[0].startswith(
        "Quality gate assert_delivery_is_current failed: transactions: no clean transaction is dated on or before "
        "the as-of date 2025-03-31."
    )


def test_a_case_variant_in_the_category_map_fails_and_cannot_double_count(tmp_path: Path) -> None:
    """A user adds `grocery,Necessities` beside `Grocery,Necessities`, in a copy of the project."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=COPY_IGNORES)
    seed = project / "seeds" / "category_groups.csv"
    seed.write_text(seed.read_text().rstrip("\n") + "\ngrocery,Necessities\n")
    raw = write_raw(tmp_path / "raw", clean_rows(12))
    env = {
        **os.environ,
        "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }

    def build(*args: str) -> subprocess.CompletedProcess[str]:
        load = [sys.executable, "-m", "segmentation.ingest", "--raw-dir", str(raw)]
        loaded = subprocess.run(load, cwd=project, env=env, capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        command = [str(DBT), "build", *args, "--vars", f"{{raw_data_dir: '{raw}', as_of_date: {A}}}"]
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)

    run = build()
    assert run.returncode != 0
    assert "Failure in test assert_category_map_keys_unique" in run.stdout
    assert (
        "Quality gate assert_category_map_keys_unique failed: seeds/category_groups.csv: 2 rows ('Grocery' and "
        "'grocery') are the same category once trimmed and compared case-insensitively, so their transactions would "
        "be counted more than once; keep one row." in run.stdout
    )
    # Nothing that reads the map is built: the segments never see the doubled spend.
    assert "SKIP relation intermediate.int_transactions_categorized" in run.stdout

    # Without the seed's gate, the key test of the categorised transactions catches the fan-out.
    run = build("--exclude", "assert_category_map_keys_unique")
    assert run.returncode != 0
    assert "Failure in test assert_categorized_transactions_do_not_fan_out" in run.stdout
    assert "int_transactions_categorized has 24 rows for 12 clean transactions" in run.stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cycle(raw: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """The monthly cycle as the scheduler runs it (tests/integration/test_monthly_cycle.py)."""
    env = commands_env(work)
    command = [
        sys.executable,
        "-m",
        "segmentation.run_month",
        "--as-of",
        A.isoformat(),
        "--raw-dir",
        str(raw),
        "--database",
        str(work / "warehouse.duckdb"),
        "--log-file",
        str(work / "run_month.log"),
    ]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def test_the_monthly_cycle_does_not_publish_a_delivery_with_too_many_rejects(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", clean_rows(40))
    good = run_cycle(raw, tmp_path)
    assert good.returncode == 0, good.stdout[-3000:]
    published = tmp_path / "published" / "warehouse.duckdb"
    before = digest(published)

    # The corrected month's delivery adds 6 rows whose dates no longer parse: 6 of 46 rows rejected (13 %).
    (raw / "transactions.csv").write_text(
        (raw / "transactions.csv").read_text() + "".join(f"{100 + n},1,03/{10 + n}/2025,5.00,Gas\n" for n in range(6))
    )
    bad = run_cycle(raw, tmp_path)
    assert bad.returncode == 1, bad.stdout[-3000:]
    assert digest(published) == before
    assert (
        "Quality gate assert_reject_share_within_limit failed: transactions: 6 of 46 raw rows rejected (13.04 %), "
        "more than max_reject_share 0.05; top reasons: transaction_date is not an ISO date 6." in bad.stdout
    )
    assert "Failure in test assert_reject_share_within_limit" in bad.stdout
    log = (tmp_path / "run_month.log").read_text()
    assert "Failure in test assert_reject_share_within_limit" in log
    assert f"month-end cycle for {A} FAILED at step 'dbt build'" in log
