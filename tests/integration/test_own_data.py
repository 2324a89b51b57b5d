"""Your own data: `make warehouse RAW_DIR=… AS_OF=…` runs the month-end cycle on your files (build with
tests, publish only when it passes, summary with the reject lines) and `make build` never writes into
a folder of yours. Each call runs the Makefile as a user would, with dbt's target/ and logs/, the
cycle's log and the warehouse in a temporary folder."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from integration.harness import PROJECT_DIR, SAMPLE_AS_OF, commands_env
from segmentation_tools.datagen.generator import MARKER_FILE

MAKE = shutil.which("make") or "make"
J, F = dt.date(2025, 1, 31), dt.date(2025, 2, 28)

CUSTOMERS = [
    "customer_id,first_name,last_name,email,phone,date_of_birth,gender,city,state,country,postal_code,signup_date,"
    "account_status",
    *(
        f"{cid},First{cid},Last{cid},c{cid}@example.com,,1980-01-01,Other,Springfield,IL,USA,62701,2020-01-01,active"
        for cid in (1, 2, 3)
    ),
    "4,Jane,Doe,jane.doe@example.com,555-010-0100,1980-01-01,Female,Springfield,IL,USA,62701,not-a-date,active",
]
TRANSACTIONS = [
    "transaction_id,customer_id,transaction_date,amount,merchant_category",
    "1,1,2025-01-10,100.00,Grocery",
    "2,2,2025-01-20,50.00,Airlines",
    "3,1,2025-01-15,,Grocery",  # amount is missing
    "4,9,2025-01-05,5.00,Gas",  # customer 9 does not exist
    "5,4,2025-01-06,7.00,Gas",  # customer 4 is rejected, so not a known customer
    "6,3,2025-02-10,20.00,Hotels",  # after J
]
LATE_ROW = "7,3,2025-01-20,15.00,Grocery"  # dated before the first build's as-of date, delivered later
# The hand-written files reject a third of their rows on purpose and end days before the as-of dates; the
# quality gates, which would refuse them, have their own tests (test_quality_gates.py).
OPEN_GATES = "VARS={max_reject_share: 1, max_delivery_lag_days: 60}"


def make(*arguments: str, work: Path) -> subprocess.CompletedProcess[str]:
    env = commands_env(work)
    # As a user runs it, not as a sub-make of `make test` (which would print "Entering directory" lines).
    for name in ("DUCKDB_PATH", "MAKELEVEL", "MAKEFLAGS", "MFLAGS"):
        env.pop(name, None)
    return subprocess.run([MAKE, *arguments], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def warehouse_args(raw: Path, database: Path, as_of: dt.date, *extra: str) -> list[str]:
    return [
        "warehouse",
        f"RAW_DIR={raw}",
        f"AS_OF={as_of.isoformat()}",
        f"DUCKDB_PATH={database}",
        f"RUN_LOG={database.parent / 'run_month.log'}",
        *extra,
    ]


def published_of(database: Path) -> Path:
    return database.parent / "published" / database.name


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_make_build_refuses_a_folder_of_user_files_and_changes_nothing(tmp_path: Path) -> None:
    user = tmp_path / "my-export"
    user.mkdir()
    (user / "customers.csv").write_text("\n".join(CUSTOMERS) + "\n")
    (tmp_path / "warehouse.duckdb").write_bytes(b"the user's warehouse")
    (user / "warehouse.duckdb").write_bytes(b"another warehouse of theirs")
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "warehouse.duckdb").write_bytes(b"the demo's warehouse, deleted only after the data step")
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}

    run = make(
        "build", f"RAW_DIR={user}", f"DEMO_DIR={demo}", "CUSTOMERS=10", "TRANSACTIONS=10", work=tmp_path / "work"
    )

    assert run.returncode != 0, run.stdout
    assert f"refusing to write demo data into {user}" in run.stderr
    assert f"make warehouse RAW_DIR={user} AS_OF=" in run.stderr
    assert "rm -f" not in run.stdout  # stopped before the demo warehouse was deleted
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file() and "work" not in path.parts} == (
        before
    )
    assert not (user / MARKER_FILE).exists()


def test_make_warehouse_builds_publishes_and_summarises_your_files(sample_raw_dir: Path, tmp_path: Path) -> None:
    """Your files, built with no definitions unless you name them: the sample's folder holds the demo's segments and
    campaigns files, and the first build reads neither; the second names them."""
    database = tmp_path / "warehouse.duckdb"
    published = published_of(database)

    run = make(*warehouse_args(sample_raw_dir, database, SAMPLE_AS_OF), work=tmp_path)

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "segmentation_tools.datagen" not in run.stdout
    assert f"views to {published}" in run.stdout
    lines = run.stdout.splitlines()
    assert f"Customer segments as of {SAMPLE_AS_OF}" in run.stdout
    assert any(line.startswith("customers rejected: ") for line in lines)
    assert any(line.startswith("transactions rejected: customer_id is not a known customer") for line in lines)
    (publication_id,) = query(published, "select publication_id from publication")[0]
    assert f"read from {published}: publication {publication_id}, as of {SAMPLE_AS_OF}" in run.stdout
    assert lines[-1].startswith(f"month-end cycle done for {SAMPLE_AS_OF}")
    # Readers get every rejected row, as many per reason as the report counts.
    assert query(
        published, "select entity, reject_reason, count(*) from rejected_rows group by all order by all"
    ) == query(
        published,
        "select entity, detail, row_count from data_quality_report where measure = 'rejected_rows' and row_count > 0"
        " order by all",
    )
    segments = query(published, "select * exclude (customer_key) from customer_segments order by customer_id")
    assert "--- segments: no user-defined segments (segments_file not given)" in lines
    assert "--- campaigns: no campaigns (campaigns_file not given)" in lines
    none_read = "no user-defined segments (segments_file not given); no campaigns (campaigns_file not given)"
    assert f"definitions: {none_read}" in lines
    assert query(published, "select count(*) from segments where segment_type in ('static', 'dynamic')") == [(0,)]
    assert query(published, "select count(*) from campaigns") == [(0,)]
    assert query(published, "select segments_file, campaigns_file from publication") == [(None, None)]
    # the demo's VIP list (with its id that is no customer) is not built on your data, so nothing warns about it
    assert any("PASS assert_static_segment_ids_are_customers" in line for line in lines)

    own_segments, own_campaigns = sample_raw_dir / "segments.yml", sample_raw_dir / "campaigns.yml"
    again = make(
        *warehouse_args(
            sample_raw_dir,
            database,
            SAMPLE_AS_OF,
            "FULL_REFRESH=1",
            f"SEGMENTS_FILE={own_segments}",
            f"CAMPAIGNS_FILE={own_campaigns}",
        ),
        work=tmp_path,
    )

    assert again.returncode == 0, again.stdout[-4000:]
    assert "--full-refresh" in again.stdout
    again_lines = again.stdout.splitlines()
    assert f"--- segments: 5 user-defined segment(s) from {own_segments}, valid" in again_lines
    assert f"--- campaigns: 5 campaign(s) from {own_campaigns}, valid" in again_lines
    assert f"definitions: 5 user-defined segment(s) from {own_segments}; 5 campaign(s) from {own_campaigns}" in (
        again_lines
    )
    assert query(published, "select segments_file, campaigns_file from publication") == [
        (str(own_segments), str(own_campaigns))
    ]
    assert query(published, "select publication_id from publication") != [(publication_id,)]
    assert query(published, "select * exclude (customer_key) from customer_segments order by customer_id") == segments
    assert query(published, "select count(distinct as_of_date) from customer_segment_snapshots") == [(1,)]


@pytest.fixture(scope="module")
def first_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """Hand-written files built as of J with `make warehouse`."""
    work = tmp_path_factory.mktemp("own")
    raw = work / "raw"
    raw.mkdir()
    (raw / "customers.csv").write_text("\n".join(CUSTOMERS) + "\n")
    (raw / "transactions.csv").write_text("\n".join(TRANSACTIONS) + "\n")
    database = work / "warehouse.duckdb"
    run = make(*warehouse_args(raw, database, J, OPEN_GATES), work=work)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return raw, database, run


def test_rejected_rows_in_the_published_file_carry_reasons_and_ids_only(
    first_month: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, database, run = first_month
    rows = query(published_of(database), "select * from rejected_rows order by all")
    assert rows == [
        # well-formed lines: no line number or text (those are for lines the reader could not split)
        ("customers", "signup_date is not an ISO date", "4", None, None, None, None, None, None),
        ("transactions", "amount is missing", "1", "3", "2025-01-15", None, "Grocery", None, None),
        ("transactions", "customer_id is not a known customer", "4", "5", "2025-01-06", "7.00", "Gas", None, None),
        ("transactions", "customer_id is not a known customer", "9", "4", "2025-01-05", "5.00", "Gas", None, None),
    ]
    # The rejected customer's personal fields stay in the working file.
    published_text = {
        str(value) for row in query(published_of(database), "select * from rejected_rows") for value in row
    }
    assert not published_text & {"Jane", "Doe", "jane.doe@example.com", "555-010-0100"}
    assert "customers rejected: signup_date is not an ISO date 1" in run.stdout


def test_a_changed_old_row_fails_with_the_full_refresh_hint_and_full_refresh_takes_it(
    first_month: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    first_raw, first_database, _ = first_month
    raw = tmp_path / "raw"
    shutil.copytree(first_raw, raw)
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(first_database, database)
    shutil.copytree(published_of(first_database).parent, published_of(database).parent)
    with (raw / "transactions.csv").open("a") as transactions:
        transactions.write(LATE_ROW + "\n")
    published_before = query(published_of(database), "select publication_id from publication")

    run = make(*warehouse_args(raw, database, F, OPEN_GATES), work=tmp_path)

    assert run.returncode != 0
    hint = (
        "the raw transactions or behaviour events file no longer matches what earlier builds staged: rows dated on or "
        "before the last build's as-of date were changed, added or removed"
    )
    assert hint in run.stdout
    assert "make warehouse FULL_REFRESH=1" in run.stdout
    assert "python -m segmentation.run_month --full-refresh" in run.stdout
    assert f"month-end cycle for {F} FAILED at step 'dbt build'" in run.stdout
    assert query(published_of(database), "select publication_id from publication") == published_before

    refreshed = make(*warehouse_args(raw, database, F, "FULL_REFRESH=1", OPEN_GATES), work=tmp_path)

    assert refreshed.returncode == 0, refreshed.stdout[-4000:]
    assert hint not in refreshed.stdout
    assert query(
        published_of(database),
        "select row_count from data_quality_report where entity = 'transactions' and measure = 'raw_rows'",
    ) == [(len(TRANSACTIONS),)]
