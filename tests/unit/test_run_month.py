"""The scheduled month-end cycle's date, lock and exit codes, without running dbt."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from segmentation import publish as publish_module
from segmentation import run_month


@pytest.mark.parametrize(
    ("today", "month_end"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
        (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 29)),
        (dt.date(2025, 3, 1), dt.date(2025, 2, 28)),
        (dt.date(2026, 11, 22), dt.date(2026, 10, 31)),
        (dt.date(2026, 10, 31), dt.date(2026, 9, 30)),
    ],
)
def test_a_run_reports_on_the_previous_month_end(today: dt.date, month_end: dt.date) -> None:
    assert run_month.last_month_end(today) == month_end


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with (
        run_month.warehouse_lock(database, 0, "pid 1, as of 2026-10-31"),
        pytest.raises(run_month.WarehouseBusy, match=r"pid 1, as of 2026-10-31"),
        run_month.warehouse_lock(database, 0, "pid 2"),
    ):
        pytest.fail("two runs held the lock at once")
    # released on exit: the next run gets it
    with run_month.warehouse_lock(database, 0, "pid 3"):
        pass


def test_a_waiting_run_says_whom_it_waits_for_and_gives_up_at_the_deadline(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    messages: list[str] = []
    with run_month.warehouse_lock(database, 0, "pid 1"):
        started = time.monotonic()
        with (
            pytest.raises(run_month.WarehouseBusy),
            run_month.warehouse_lock(database, 1.5, "pid 2", on_wait=messages.append),
        ):
            pass
        waited = time.monotonic() - started
    assert waited >= 1.4
    assert messages == ["waiting up to 1.5 s for another run to finish (pid 1)"]


def test_main_exits_75_and_logs_when_the_warehouse_is_busy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "warehouse.duckdb"
    log = tmp_path / "run_month.log"
    with run_month.warehouse_lock(database, 0, "pid 1"):
        code = run_month.main(["--as-of", "2026-10-31", "--database", str(database), "--log-file", str(log)])
    assert code == run_month.EXIT_BUSY == 75
    assert "not started: another run holds" in capsys.readouterr().out
    assert "not started: another run holds" in log.read_text()


def test_the_cycle_loads_builds_the_working_file_publishes_it_then_summarises_what_readers_see(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    published = tmp_path / "published" / "w.duckdb"
    steps = run_month.cycle_commands(dt.date(2026, 10, 31), 12, "data/raw", database, published)
    assert [name for name, _ in steps] == ["load", "source freshness", "dbt build", "publish", "summary"]
    commands = dict(steps)
    # the loader fills the working file's raw tables from the raw folder before dbt reads them
    assert commands["load"][1:] == ["-m", "segmentation.ingest", "--raw-dir", "data/raw", "--database", str(database)]
    freshness, build = commands["source freshness"], commands["dbt build"]
    assert freshness[1:4] == ["source", "freshness", "--vars"]
    assert build[1:3] == ["build", "--vars"]
    # the same vars, so the build reuses the parse of the freshness check
    assert json.loads(build[3]) == json.loads(freshness[4]) == {"raw_data_dir": "data/raw", "backfill_months": 12}
    # the data tests run on the month's data; the unit tests, on fixtures, are left to CI
    assert build[4:] == ["--exclude-resource-type", "unit_test"]
    assert "--select" not in build and "--exclude" not in build
    assert commands["publish"][-4:] == ["--database", str(database), "--published", str(published)]
    assert commands["summary"][-2:] == ["--database", str(published)]


def test_the_as_of_date_and_the_warehouse_reach_every_step_through_the_environment(tmp_path: Path) -> None:
    environ = {"PATH": "/bin", "SEGMENTATION_AS_OF_DATE": "1999-12-31", "DBT_PROFILES_DIR": "/elsewhere"}
    env = run_month.cycle_env(dt.date(2026, 10, 31), tmp_path / "w.duckdb", environ)
    assert env["SEGMENTATION_AS_OF_DATE"] == "2026-10-31"
    assert env["DUCKDB_PATH"] == str(tmp_path / "w.duckdb")
    assert env["DBT_PROFILES_DIR"] == "/elsewhere" and env["PATH"] == "/bin"
    assert run_month.cycle_env(dt.date(2026, 10, 31), tmp_path / "w.duckdb", {})["DBT_PROFILES_DIR"] == str(
        run_month.PROJECT_DIR
    )


def test_a_full_refresh_is_passed_to_the_loader_and_the_build_only_when_asked(tmp_path: Path) -> None:
    args = run_month.parse_args(["--full-refresh"])
    assert args.full_refresh and not run_month.parse_args([]).full_refresh
    database, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    plain = dict(run_month.cycle_commands(dt.date(2026, 10, 31), 0, "data/raw", database, published))
    refresh = dict(run_month.cycle_commands(dt.date(2026, 10, 31), 0, "data/raw", database, published, True))
    for step in ("load", "dbt build"):
        assert "--full-refresh" not in plain[step]
        assert refresh[step] == [*plain[step], "--full-refresh"]
    assert refresh["source freshness"] == plain["source freshness"]


def test_the_published_file_defaults_to_a_folder_beside_the_working_file() -> None:
    assert publish_module.default_published_path(Path("/srv/wh/warehouse.duckdb")) == Path(
        "/srv/wh/published/warehouse.duckdb"
    )


def test_a_negative_backfill_is_refused() -> None:
    with pytest.raises(SystemExit):
        run_month.parse_args(["--backfill-months", "-1"])


def write_results(target: Path, statuses: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": node, "status": status} for node, status in statuses.items()]
    (target / "run_results.json").write_text(json.dumps({"results": results}))


def test_failed_nodes_come_from_this_build_s_run_results_only(tmp_path: Path) -> None:
    write_results(tmp_path, {run_month.RECONCILE_TEST: "fail", "model.segmentation.x": "success", "test.y": "error"})
    assert run_month.failed_nodes(tmp_path, since=0) == {run_month.RECONCILE_TEST, "test.y"}
    # a results file older than the build is another run's: no hint from it
    assert run_month.failed_nodes(tmp_path, since=time.time() + 60) == set()
    assert run_month.failed_nodes(tmp_path / "none", since=0) == set()


def test_the_freshness_hint_names_the_var_that_accepts_old_files() -> None:
    assert "raw_freshness_error_after_days" in run_month.freshness_hint()


def test_the_reconciliation_hint_names_the_full_refresh() -> None:
    hint = run_month.reconcile_hint(full_refresh=False)
    assert "no longer matches what earlier builds staged" in hint
    assert "make warehouse FULL_REFRESH=1" in hint and "python -m segmentation.run_month --full-refresh" in hint
    assert "--full-refresh" not in run_month.reconcile_hint(full_refresh=True).split("even after")[1]


def test_dbt_s_target_path_follows_dbt_target_path(tmp_path: Path) -> None:
    assert run_month.dbt_target_path({"DBT_TARGET_PATH": str(tmp_path)}) == tmp_path
    assert run_month.dbt_target_path({}) == run_month.PROJECT_DIR / "target"


def test_extra_vars_reach_the_build_and_must_be_a_mapping(tmp_path: Path) -> None:
    args = run_month.parse_args(["--vars", "{max_reject_share: 0.1, max_delivery_lag_days: 31}"])
    assert args.vars == {"max_reject_share": 0.1, "max_delivery_lag_days": 31}
    assert run_month.parse_args([]).vars == {}
    steps = run_month.cycle_commands(
        dt.date(2026, 10, 31), 0, "data/raw", tmp_path / "w.duckdb", tmp_path / "p.duckdb", extra_vars=args.vars
    )
    build = dict(steps)["dbt build"]
    assert json.loads(build[3]) == {
        "raw_data_dir": "data/raw",
        "backfill_months": 0,
        "max_reject_share": 0.1,
        "max_delivery_lag_days": 31,
    }
    with pytest.raises(SystemExit):
        run_month.parse_args(["--vars", "0.1"])
