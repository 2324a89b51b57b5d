"""Readers open a published copy of the marts; the build writes its own working file and
publishes only after its models and tests pass (segmentation/publish.py, via segmentation/run_month.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from integration.design_notes import guide_queries
from integration.harness import PROJECT_DIR, SAMPLE_AS_OF, Warehouse, commands_env
from segmentation import publish

NEXT_MONTH_END = dt.date(2025, 7, 31)
assert NEXT_MONTH_END > SAMPLE_AS_OF

# Questions a reader asks of every mart; with the guide's own queries when the guide is beside
# the checkout.
READER_QUERIES = [
    "select * from publication",
    "select * from customer_segments order by customer_id",
    "select * from dim_customer order by customer_key",
    "select * from data_quality_report order by all",
    "select * from customer_segment_history order by customer_id, valid_from",
    "select * from segment_migrations order by all",
    *guide_queries(),
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def answers(path: Path) -> list[list[tuple[Any, ...]]]:
    """Each query's rows, sorted: the guide's migration query orders by count alone, and DuckDB may
    return tied rows in another order on two reads of the same bytes (seen once in CI)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return [sorted(con.sql(sql).fetchall(), key=repr) for sql in READER_QUERIES]


def published_as_of(path: Path) -> dt.date:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql("select as_of_date from publication").fetchall()[0][0]


def start_cycle(warehouse: Warehouse, as_of: dt.date) -> subprocess.Popen[str]:
    """The monthly cycle (python -m segmentation.run_month) as the scheduler runs it, in its own process
    group so that a kill reaches dbt too, as it would when a machine is stopped."""
    env = commands_env(warehouse.work_dir)
    command = [
        sys.executable,
        "-m",
        "segmentation.run_month",
        "--as-of",
        as_of.isoformat(),
        "--raw-dir",
        str(warehouse.raw_dir),
        "--database",
        str(warehouse.database),
        "--log-file",
        str(warehouse.work_dir / "run_month.log"),
        # The sample's transactions end on SAMPLE_AS_OF, 31 days before NEXT_MONTH_END: a stale delivery
        # by the default max_delivery_lag_days (7). Publishing is tested here, so the lag is allowed.
        "--vars",
        "{max_delivery_lag_days: 31}",
    ]
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def published_warehouse(built: Warehouse, tmp_path: Path) -> tuple[Warehouse, Path]:
    """A copy of the sample warehouse (as of SAMPLE_AS_OF, a year of history), published."""
    warehouse = built.copy(tmp_path)
    published = publish.default_published_path(warehouse.database)
    publish.publish(warehouse.database, published)
    return warehouse, published


@pytest.mark.parametrize("node", ["customer_segments", "customer_segment_snapshots"])
def test_a_build_killed_at_a_node_leaves_the_published_warehouse_as_it_was(
    published_warehouse: tuple[Warehouse, Path], node: str
) -> None:
    warehouse, published = published_warehouse
    before_bytes, before_answers = digest(published), answers(published)
    node_starts = re.compile(rf"START .*\bmodel main\.{node}\s")

    cycle = start_cycle(warehouse, NEXT_MONTH_END)
    seen: list[str] = []
    assert cycle.stdout is not None
    for line in cycle.stdout:
        seen.append(line)
        if node_starts.search(line):
            os.killpg(cycle.pid, signal.SIGKILL)
            break
    cycle.wait(timeout=60)
    assert cycle.returncode == -signal.SIGKILL, "".join(seen)[-3000:]

    assert digest(published) == before_bytes
    assert answers(published) == before_answers
    assert published_as_of(published) == SAMPLE_AS_OF
    assert not published.with_name(published.name + publish.PUBLISHING_SUFFIX).exists()

    # The working file survives the kill: the next run completes and publishes the new month.
    rerun = start_cycle(warehouse, NEXT_MONTH_END)
    output = rerun.communicate(timeout=600)[0]
    assert rerun.returncode == 0, output[-3000:]
    assert published_as_of(published) == NEXT_MONTH_END
    assert f"Customer segments as of {NEXT_MONTH_END}" in output


def test_a_reader_holding_the_published_file_open_does_not_stop_the_build(
    published_warehouse: tuple[Warehouse, Path],
) -> None:
    warehouse, published = published_warehouse
    reader = duckdb.connect(str(published), read_only=True)
    try:
        held_before = reader.sql("select as_of_date, count(*) from customer_segments group by 1").fetchall()
        cycle = start_cycle(warehouse, NEXT_MONTH_END)
        output = cycle.communicate(timeout=600)[0]
        assert cycle.returncode == 0, output[-3000:]
        assert re.search(r"published \d+ tables and \d+ views to .*published", output)
        # The reader keeps the consistent warehouse it opened; new readers get the new month.
        assert reader.sql("select as_of_date, count(*) from customer_segments group by 1").fetchall() == held_before
        assert held_before[0][0] == SAMPLE_AS_OF
    finally:
        reader.close()
    assert published_as_of(published) == NEXT_MONTH_END
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.sql("select max(as_of_date) from customer_segment_snapshots").fetchall() == [(NEXT_MONTH_END,)]


def test_the_published_file_holds_every_mart_and_nothing_else(published_warehouse: tuple[Warehouse, Path]) -> None:
    warehouse, published = published_warehouse
    with duckdb.connect(str(published), read_only=True) as con:
        objects = set(con.sql("select table_name from information_schema.tables").fetchall())
    expected = set(warehouse.query("select table_name from information_schema.tables where table_schema = 'main'"))
    assert objects == expected | {("publication",)}
    assert ("customer_segments_snapshot_2024_10",) in objects
    assert ("base_transactions",) not in objects


def test_a_publish_that_fails_midway_leaves_the_published_file_unchanged(
    published_warehouse: tuple[Warehouse, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, published = published_warehouse
    before = digest(published)

    def fail(*_: object) -> None:
        raise duckdb.IOException("disk full (simulated)")

    monkeypatch.setattr(publish, "_write_publication_row", fail)
    with pytest.raises(duckdb.IOException):
        publish.publish(warehouse.database, published)
    assert digest(published) == before
    monkeypatch.undo()
    # The half-written copy a failed publish leaves is cleared by the next one.
    publish.publish(warehouse.database, published)
    assert not published.with_name(published.name + publish.PUBLISHING_SUFFIX).exists()


def test_the_published_file_is_written_in_the_storage_format_of_duckdb_1_0(
    published_warehouse: tuple[Warehouse, Path],
) -> None:
    """So BI tools bundling an older DuckDB can read it: DuckDB 2.0's default format (999 in the
    header) is refused by 1.5 and older; 64 is read by every DuckDB from 1.0 on."""
    warehouse, published = published_warehouse
    # The header: an 8-byte checksum, the magic bytes "DUCK", then the storage version number.
    header = published.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64
    working_header = warehouse.database.read_bytes()[:20]
    assert int.from_bytes(working_header[12:20], "little") != 64, "the working file is not expected to be downgraded"
