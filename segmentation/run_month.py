"""Run the month-end cycle: load the raw files, build, test and record the segments as of a month-end, publish the
marts for readers, then print the summary. Meant for a scheduler (the 1st of each month at
02:00); safe to re-run.

The loader (segmentation/ingest/) reads the raw folder into the warehouse's raw tables, a file it
has loaded unchanged left alone; `dbt source freshness` then checks the monthly files brought new
rows recently enough. One `dbt build` does the models, their data tests and the snapshots, in
dependency order, so the segment history records a month only after the segments' tests pass. Only then are the marts
published (segmentation/publish.py): a run that fails or is killed leaves readers the last published
warehouse, unchanged. Re-running a month
replaces that month's rows and nothing else, so a retry after a failure, or a second run of a
month that succeeded, leaves the same history. Two runs never write at once: the second waits
for the first (up to --wait seconds) or exits with a message naming the run that holds the lock.

Exit codes: 0 done, 1 a step failed (the log says which), 75 another run holds the warehouse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

import yaml

from segmentation.build_definitions import CAMPAIGNS_VAR, SEGMENTS_VAR, DefinitionFiles, describe, resolve
from segmentation.campaigns.build import read_campaigns
from segmentation.project import IS_CHECKOUT, PROJECT_DIR, dbt_output_env, from_work_dir, work_dir
from segmentation.publish import default_published_path
from segmentation.segments.build import read_segments
from segmentation.segments.definitions import DefinitionErrors

EXIT_FAILED = 1
EXIT_BUSY = 75  # EX_TEMPFAIL: a scheduler may retry later
# The scheduled build leaves out the dbt unit tests, as dbt Labs advises for production: they run on
# fixed fixtures, so they check the models' SQL, which only changes with a commit, and `make test` (CI)
# runs them, as does any plain `dbt build`. Every data test still runs on the month's data. `make bench`
# times them on their own (docs/performance.md).
SCHEDULED_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")
RECONCILE_TEST = "test.segmentation.assert_raw_rows_reconcile"


def reconcile_hint(full_refresh: bool) -> str:
    """What to do when the raw files no longer add up to what the warehouse staged."""
    if full_refresh:
        return (
            "the raw rows do not reconcile even after a full refresh (test assert_raw_rows_reconcile): "
            "raw rows <> clean + rejected + duplicates; see `select * from data_quality_report` and report it"
        )
    return (
        "the raw transactions or behaviour events file no longer matches what earlier builds staged: rows dated on or "
        "before the "
        "last build's as-of date were changed, added or removed (test assert_raw_rows_reconcile failed). "
        "Stage the whole file again: `make warehouse FULL_REFRESH=1` (with the same RAW_DIR and AS_OF) or "
        "`python -m segmentation.run_month --full-refresh` (with the same arguments); the segment history "
        "recorded so far is kept"
    )


def freshness_hint() -> str:
    """What to do when `dbt source freshness` fails the cycle (docs/data-quality.md#freshness)."""
    return (
        "the customers or transactions file has brought no new rows for longer than raw_freshness_error_after_days "
        "(dbt source freshness above): deliver the month's files, or accept the old ones for this run with "
        "`--vars '{raw_freshness_error_after_days: <days>}'` (make warehouse VARS=...)"
    )


def dbt_target_path(env: dict[str, str]) -> Path:
    """Where dbt writes run_results.json for the cycle's build."""
    target = Path(env.get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else PROJECT_DIR / target


def failed_nodes(target_path: Path, since: float) -> set[str]:
    """The nodes that failed or errored in the dbt run that wrote run_results.json after `since`;
    empty when dbt stopped before writing it (an older file is another run's)."""
    results_file = target_path / "run_results.json"
    try:
        if results_file.stat().st_mtime < since:
            return set()
        results = json.loads(results_file.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return set()
    return {r["unique_id"] for r in results if r.get("status") in ("fail", "error")}


class WarehouseBusy(Exception):
    """Another run holds the warehouse lock."""


def last_month_end(today: dt.date) -> dt.date:
    """The month-end a run on `today` reports on: the last day of the previous month."""
    return today.replace(day=1) - dt.timedelta(days=1)


def default_database() -> Path:
    return Path(os.environ.get("DUCKDB_PATH", "data/warehouse.duckdb"))


@contextmanager
def warehouse_lock(
    database: Path, wait_seconds: float, holder: str, on_wait: Callable[[str], None] = lambda message: None
) -> Iterator[None]:
    """Hold an exclusive lock beside the warehouse file for the whole cycle.

    An OS file lock is released when the process dies, so a killed run never leaves a stale lock.
    `holder` is written into the lock file so that a run kept waiting can say whom it waits for.
    """
    lock_path = database.with_name(database.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock_file:
        deadline = time.monotonic() + wait_seconds
        waiting = False
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                lock_file.seek(0)
                other = lock_file.read().strip() or "unknown"
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another run holds {lock_path} ({other}); waited {wait_seconds:g} s. "
                        "Retry later, or pass --wait to wait longer."
                    ) from None
                if not waiting:
                    on_wait(f"waiting up to {wait_seconds:g} s for another run to finish ({other})")
                    waiting = True
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(holder)
        lock_file.flush()
        try:
            yield
        finally:
            lock_file.seek(0)
            lock_file.truncate()
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def say(message: str, log: TextIO) -> None:
    """Print a line and append it to the log with a timestamp."""
    print(message, flush=True)
    log.write(f"{dt.datetime.now().isoformat(timespec='seconds')} {message}\n")
    log.flush()


def run_step(name: str, command: list[str], log: TextIO, env: dict[str, str]) -> bool:
    """Run one step, streaming its output to the terminal and the log; True when it succeeded."""
    say(f"--- {name}: {' '.join(command)}", log)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    stream: IO[str] = process.stdout  # type: ignore[assignment]
    for line in stream:
        sys.stdout.write(line)
        log.write(line)
    returncode = process.wait()
    seconds = time.perf_counter() - started
    outcome = "ok" if returncode == 0 else f"FAILED (exit {returncode})"
    say(f"--- {name}: {outcome} in {seconds:.1f} s", log)
    return returncode == 0


def cycle_commands(
    as_of: dt.date,
    backfill_months: int,
    raw_dir: str,
    database: Path,
    published: Path,
    full_refresh: bool = False,
    extra_vars: dict[str, Any] | None = None,
) -> list[tuple[str, list[str]]]:
    """The cycle's steps, in order: load the raw files, check their freshness, build (models, tests,
    snapshots, history) into the working file, publish its marts for readers, then the summary, read
    from what readers now see. `full_refresh` loads every raw file whole and stages the whole raw
    transactions file again instead of its new rows; `extra_vars` adds dbt vars (the definitions files,
    a quality gate's limit for a delivery known to be off); the publication records the definitions
    files the build read."""
    bin_dir = Path(sys.executable).parent
    refresh = ["--full-refresh"] if full_refresh else []
    # The as-of date is not among them: it reaches dbt through cycle_env, so that month after month
    # the vars stay the same and dbt reuses its parse of the project (a new var means a full parse).
    variables = {"raw_data_dir": raw_dir, "backfill_months": backfill_months, **(extra_vars or {})}
    return [
        (
            "load",
            [
                sys.executable,
                "-m",
                "segmentation.ingest",
                "--raw-dir",
                raw_dir,
                "--database",
                str(database),
                *refresh,
            ],
        ),
        ("source freshness", [str(bin_dir / "dbt"), "source", "freshness", "--vars", json.dumps(variables)]),
        (
            "dbt build",
            [
                str(bin_dir / "dbt"),
                "build",
                "--vars",
                json.dumps(variables),
                *SCHEDULED_BUILD_FLAGS,
                *refresh,
            ],
        ),
        (
            "publish",
            [
                sys.executable,
                "-m",
                "segmentation.publish",
                "--database",
                str(database),
                "--published",
                str(published),
                *DefinitionFiles.from_vars(extra_vars).publish_arguments(),
            ],
        ),
        ("summary", [sys.executable, "-m", "segmentation.summary", "--database", str(published)]),
    ]


def cycle_env(as_of: dt.date, database: Path, environ: dict[str, str]) -> dict[str, str]:
    """The environment of every step: the warehouse file and the as-of date (macros/as_of.sql)."""
    env = dbt_output_env({**environ, "DUCKDB_PATH": str(database), "SEGMENTATION_AS_OF_DATE": as_of.isoformat()})
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    return env


def segments_are_valid(segments_file: str | None, published: Path, log: TextIO) -> bool:
    """Validate the user-defined segments of the file the var segments_file names (none when it names none) before
    dbt starts, with the build's own code: a bad definition stops the cycle before any model runs. The built-in ids
    that in_segment may name are checked by the build itself (it reads them from the catalog). The log says which
    file the build reads."""
    try:
        segments = read_segments(PROJECT_DIR, segments_file, None)
    except DefinitionErrors as errors:
        say(str(errors), log)
        say(f"month-end cycle not started: fix the segment definitions; readers still see {published}", log)
        return False
    path = resolve(segments_file)
    say(f"--- segments: {describe(SEGMENTS_VAR, path, len(segments))}" + (", valid" if path else ""), log)
    return True


def campaigns_are_valid(campaigns_file: str | None, segments_file: str | None, published: Path, log: TextIO) -> bool:
    """Validate the campaigns of the file the var campaigns_file names (none when it names none) before dbt starts,
    with the build's own code, as the segments are; the catalog's segment ids a campaign names are checked by the
    build itself."""
    try:
        campaigns = read_campaigns(PROJECT_DIR, campaigns_file, None, segments_file)
    except DefinitionErrors as errors:
        say(str(errors), log)
        say(f"month-end cycle not started: fix the campaign definitions; readers still see {published}", log)
        return False
    path = resolve(campaigns_file)
    say(f"--- campaigns: {describe(CAMPAIGNS_VAR, path, len(campaigns))}" + (", valid" if path else ""), log)
    return True


def run_cycle(
    as_of: dt.date,
    backfill_months: int,
    raw_dir: str,
    database: Path,
    published: Path,
    log: TextIO,
    full_refresh: bool = False,
    extra_vars: dict[str, Any] | None = None,
) -> int:
    env = cycle_env(as_of, database, dict(os.environ))
    if not segments_are_valid((extra_vars or {}).get("segments_file"), published, log):
        return EXIT_FAILED
    if not campaigns_are_valid(
        (extra_vars or {}).get("campaigns_file"), (extra_vars or {}).get("segments_file"), published, log
    ):
        return EXIT_FAILED
    database.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for name, command in cycle_commands(as_of, backfill_months, raw_dir, database, published, full_refresh, extra_vars):
        step_started = time.time()
        if not run_step(name, command, log, env):
            if name == "dbt build" and RECONCILE_TEST in failed_nodes(dbt_target_path(env), step_started - 1):
                say(reconcile_hint(full_refresh), log)
            if name == "source freshness":
                say(freshness_hint(), log)
            say(
                f"month-end cycle for {as_of} FAILED at step '{name}' after {time.perf_counter() - started:.1f} s; "
                f"readers still see the last published warehouse ({published}), and the history keeps what "
                "the last successful run recorded for each date",
                log,
            )
            return EXIT_FAILED
    scope = f"{as_of} and the {backfill_months} month-ends before it" if backfill_months else str(as_of)
    say(f"month-end cycle done for {scope} in {time.perf_counter() - started:.1f} s", log)
    return 0


def dbt_vars(text: str) -> dict[str, Any]:
    """A YAML mapping of dbt vars, as dbt's own --vars takes it."""
    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"--vars must be a YAML mapping such as '{{max_reject_share: 0.1}}', got {text!r}"
        )
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the as-of date (default: the last day of the previous month)",
    )
    parser.add_argument(
        "--backfill-months",
        type=int,
        default=0,
        help="also record the N latest month-ends on or before the as-of date (default 0)",
    )
    parser.add_argument(
        "--raw-dir",
        default="data/raw",
        help="raw files folder, relative to the project (the current directory when installed) or absolute",
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=default_database(),
        help="the DuckDB warehouse (default: $DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--published",
        type=Path,
        default=None,
        help="where readers open the published marts (default: published/<name> beside --database)",
    )
    parser.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="appended to on every run (default: logs/run_month.log)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="load every raw file whole and stage the whole raw transactions file again, not only its new "
        "rows (after a delivery that changed or added rows dated before the last run)",
    )
    parser.add_argument(
        "--vars",
        type=dbt_vars,
        default={},
        help="more dbt vars for the build, as YAML, e.g. '{max_reject_share: 0.1}' to build a delivery the "
        "quality gates stop (docs/data-quality.md)",
    )
    for kind, variable in (("segments", SEGMENTS_VAR), ("campaigns", CAMPAIGNS_VAR)):
        parser.add_argument(
            f"--{kind}-file",
            default=None,
            help=f"the {kind} definitions file the build reads (the dbt var {variable}; relative to the project root "
            "or absolute); default: none",
        )
    parser.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for another run to finish before giving up (default 0)"
    )
    args = parser.parse_args(argv)
    if args.backfill_months < 0:
        parser.error("--backfill-months must be 0 or more")
    for option, variable in ((args.segments_file, SEGMENTS_VAR), (args.campaigns_file, CAMPAIGNS_VAR)):
        if option is not None:
            if args.vars.get(variable, option) != option:
                parser.error(f"--{variable.replace('_', '-')} and --vars name two different files")
            args.vars[variable] = option
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    as_of = args.as_of or last_month_end(dt.date.today())
    database = from_work_dir(args.database)
    published = from_work_dir(args.published or default_published_path(database))
    log_file = args.log_file or work_dir() / "logs" / "run_month.log"
    # dbt runs in the installed project's folder, so a relative raw folder is named to it from where the command runs.
    raw_dir = args.raw_dir if IS_CHECKOUT else str(from_work_dir(args.raw_dir))
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a") as log:
        say(f"month-end cycle for {as_of} (pid {os.getpid()}, warehouse {database})", log)
        holder = f"pid {os.getpid()}, as of {as_of}, started {dt.datetime.now().isoformat(timespec='seconds')}"
        try:
            with warehouse_lock(database, args.wait, holder, on_wait=lambda message: say(message, log)):
                return run_cycle(
                    as_of, args.backfill_months, raw_dir, database, published, log, args.full_refresh, args.vars
                )
        except WarehouseBusy as busy:
            say(f"not started: {busy}", log)
            return EXIT_BUSY


if __name__ == "__main__":
    sys.exit(main())
