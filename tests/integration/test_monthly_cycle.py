"""The scheduled month-end cycle (python -m segmentation.run_month) run as a scheduler would run it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

from integration.harness import PROJECT_DIR, Warehouse, commands_env
from integration.test_segment_history import D2, D3, write_raw

MODULE = "segmentation.run_month"


# Each cycle's output goes to a file, not a pipe: a cycle waiting for the lock is not read from while the other runs,
# and the other's output would fill its pipe and block it while it holds the lock.
OUTPUTS: dict[int, IO[str]] = {}


def finished(process: subprocess.Popen[str], timeout: int) -> str:
    """Wait for a cycle and give what it printed."""
    process.wait(timeout=timeout)
    with OUTPUTS.pop(process.pid) as output:
        output.seek(0)
        return output.read()


def start_cycle(raw: Path, database: Path, log: Path, work: Path, as_of: dt.date = D3) -> subprocess.Popen[str]:
    env = commands_env(work)
    command = [
        sys.executable,
        "-m",
        MODULE,
        "--as-of",
        as_of.isoformat(),
        "--raw-dir",
        str(raw),
        "--database",
        str(database),
        "--log-file",
        str(log),
        "--wait",
        "600",
        # write_raw's transactions end 8 and 11 days before D2 and D3, a stale delivery by the default
        # max_delivery_lag_days (7); the cycle's locking and parsing are tested here, so the lag is allowed.
        "--vars",
        "{max_delivery_lag_days: 31}",
    ]
    output = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by finished())
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    OUTPUTS[process.pid] = output
    return process


def test_two_runs_started_together_take_turns_and_record_the_month_once(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    database = tmp_path / "warehouse.duckdb"
    first = start_cycle(raw, database, tmp_path / "first.log", tmp_path / "first")
    second = start_cycle(raw, database, tmp_path / "second.log", tmp_path / "second")
    outputs = [finished(process, timeout=900) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert sum("waiting up to 600 s for another run to finish" in output for output in outputs) == 1
    for log in ("first.log", "second.log"):
        assert f"month-end cycle done for {D3}" in (tmp_path / log).read_text()
    assert all("Customer segments as of 2025-03-31 (6 customers)" in output for output in outputs)

    warehouse = Warehouse(raw, database, tmp_path)
    assert warehouse.query(
        "select as_of_date, count(*), count(distinct customer_id) from customer_segment_snapshots group by 1"
    ) == [(D3, 6, 6)]
    assert warehouse.query("select count(*) from customer_segment_history") == [(6,)]


def test_a_failed_step_exits_non_zero_and_the_log_names_the_step(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    cycle = start_cycle(tmp_path / "no-such-folder", tmp_path / "warehouse.duckdb", log, tmp_path)
    output = finished(cycle, timeout=600)
    assert cycle.returncode == 1, output
    assert "customers" in output and "no-such-folder" in output
    # the loader finds no customers file: nothing is built
    assert f"month-end cycle for {D3} FAILED at step 'load'" in log.read_text()
    assert "--- dbt build" not in log.read_text()


def test_month_after_month_keeps_the_parse_records_each_date_leaves_no_working_table(tmp_path: Path) -> None:
    """The as-of date reaches dbt in the environment, not in --vars, so a new month does not make
    dbt parse the whole project again; the first run, with no saved parse, shows the check can tell."""
    raw = write_raw(tmp_path / "raw")
    database = tmp_path / "warehouse.duckdb"
    outputs = []
    for as_of in (D2, D3):
        cycle = start_cycle(raw, database, tmp_path / "run.log", tmp_path, as_of)
        outputs.append(finished(cycle, timeout=900))
        assert cycle.returncode == 0, outputs[-1]
    full_parse = ("Unable to do partial parsing", "Starting full parse")
    assert any(message in outputs[0] for message in full_parse)
    assert not any(message in outputs[1] for message in full_parse), outputs[1]
    warehouse = Warehouse(raw, database, tmp_path)
    assert warehouse.query("select as_of_date, count(*) from customer_segment_snapshots group by 1 order by 1") == [
        (D2, 6),
        (D3, 6),
    ]
    # the second month's incremental Python models leave no working table behind (macros/python_models.sql)
    assert warehouse.query("select table_name from duckdb_tables() where contains(table_name, '__dbt_tmp')") == []
