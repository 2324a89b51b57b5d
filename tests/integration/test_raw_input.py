"""docs/rules/raw-input.md: where the raw files come from and what happens when they are wrong."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

from integration.harness import PROJECT_DIR, SAMPLE_AS_OF, Warehouse, assert_succeeded, generate_sample

MART_CONTENT = "select * exclude (customer_key) from customer_segments order by customer_id"


def copy_raw(source: Path, target: Path, drop_column: str | None = None, skip: str | None = None) -> Path:
    """The raw CSVs, optionally without one file, or without one column in every file."""
    target.mkdir()
    for name in ("customers.csv", "transactions.csv"):
        if name == skip:
            continue
        with (source / name).open(newline="") as src, (target / name).open("w", newline="") as dst:
            reader = csv.DictReader(src)
            columns = [c for c in reader.fieldnames or [] if c != drop_column]
            writer = csv.DictWriter(dst, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(reader)
    return target


@pytest.fixture()
def previous(built: Warehouse, tmp_path: Path) -> tuple[Warehouse, list]:
    """A copy of a built warehouse and its mart's content, to show a failed run leaves it alone."""
    copy = built.copy(tmp_path / "warehouse")
    return copy, copy.query(MART_CONTENT)


def assert_refused(warehouse: Warehouse, before: list, message: str, as_of: dt.date | str = SAMPLE_AS_OF) -> None:
    """The build fails with `message` and the previously built mart is still there, unchanged."""
    run = warehouse.dbt("build", as_of=as_of)
    assert run.returncode != 0
    assert message in run.output
    assert warehouse.query(MART_CONTENT) == before


def test_missing_file_is_named_and_nothing_is_replaced(previous: tuple[Warehouse, list], tmp_path: Path) -> None:
    warehouse, before = previous
    warehouse.raw_dir = copy_raw(warehouse.raw_dir, tmp_path / "raw", skip="transactions.csv")
    relative = os.path.relpath(warehouse.raw_dir, PROJECT_DIR)
    assert_refused(warehouse, before, f"raw file for 'transactions' not found: expected {relative}/transactions.csv")


def test_missing_column_is_named_and_nothing_is_replaced(previous: tuple[Warehouse, list], tmp_path: Path) -> None:
    warehouse, before = previous
    warehouse.raw_dir = copy_raw(warehouse.raw_dir, tmp_path / "raw", drop_column="amount")
    relative = os.path.relpath(warehouse.raw_dir, PROJECT_DIR)
    assert_refused(warehouse, before, f"raw file {relative}/transactions.csv is missing required column(s): amount")


def test_as_of_date_must_be_an_iso_date(previous: tuple[Warehouse, list]) -> None:
    warehouse, before = previous
    assert_refused(
        warehouse, before, "var as_of_date must be an ISO date (YYYY-MM-DD), got '30/06/2025'", as_of="30/06/2025"
    )


def test_parquet_files_give_the_same_mart_as_csv(built: Warehouse, tmp_path: Path) -> None:
    raw = generate_sample(tmp_path / "raw", fmt="parquet")
    assert sorted(p.name for p in raw.glob("*.parquet")) == [
        "behavior_events.parquet",
        "campaign_deliveries.parquet",
        "customer_preferences.parquet",
        "customers.parquet",
        "products.parquet",
        "suppressions.parquet",
        "transactions.parquet",
    ]
    assert not list(raw.glob("*.csv"))
    warehouse = Warehouse(raw, tmp_path / "warehouse.duckdb", tmp_path)
    assert_succeeded(warehouse.dbt("build", as_of=SAMPLE_AS_OF, label="dbt build, same sample from Parquet"))
    assert warehouse.query(MART_CONTENT) == built.query(MART_CONTENT)
