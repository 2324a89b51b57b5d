"""The benchmark's steps: generating the data, the next month's files, and each timed repeat."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from segmentation.build_definitions import SEGMENTS_VAR
from segmentation.project import PROJECT_DIR
from segmentation.run_month import SCHEDULED_BUILD_FLAGS
from segmentation_tools.benchmark.capabilities import node_capabilities
from segmentation_tools.benchmark.measure import Measured, progress, run_measured
from segmentation_tools.benchmark.next_month import append_next_month, next_month_end
from segmentation_tools.benchmark.report import MB
from segmentation_tools.benchmark.stats import Repeat, RunResults, parse_run_results
from segmentation_tools.benchmark.workspace import Paths, dbt_env, fresh_warehouse, link_raw_files, target_args
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE


def segments_file(paths: Paths) -> Path:
    """The demo's segments file, which the generator writes beside the raw files: the builds it times read the
    demo's user-defined segments, as `make build` does (a build reads no definitions it is not given)."""
    return paths.raw / SEGMENTS_FILE


def dbt_variables(paths: Paths) -> dict[str, Any]:
    """The vars of every timed dbt command: the same as the monthly run's, so that it reuses the build's parse."""
    return {"raw_data_dir": str(paths.current), "backfill_months": 0, SEGMENTS_VAR: str(segments_file(paths))}


@dataclasses.dataclass(frozen=True)
class Backfilled:
    measured: Measured
    run_seconds: float


def run_backfill_build(
    prefix: str, number: int, args: argparse.Namespace, paths: Paths, env: dict[str, str], database: Path
) -> Backfilled:
    """The fresh build with `args.backfill_months` recorded month-ends, on `database` (a copy of the warehouse
    as loaded, before the one-date build), with its own target folder."""
    target = paths.target / "backfill"
    variables = {**dbt_variables(paths), "backfill_months": args.backfill_months}
    dbt = str(Path(sys.executable).parent / "dbt")
    command = [dbt, "build", "--vars", json.dumps(variables), *SCHEDULED_BUILD_FLAGS]
    backfill_env = {**env, "DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(target)}
    with progress(f"{prefix}: dbt build with {args.backfill_months} recorded month-ends, new warehouse") as detail:
        measured = run_measured(
            f"{prefix}: dbt build with the backfill", command, backfill_env, paths.logs / f"repeat{number}-backfill.log"
        )
        results = parse_run_results(json.loads((target / "run_results.json").read_text()))
        detail["text"] = f"{len(results.node_seconds)} nodes, peak RSS {measured.peak_rss_bytes / MB:,.0f} MB"
    return Backfilled(measured, results.elapsed_seconds)


@dataclasses.dataclass(frozen=True)
class Monthly:
    measured: Measured
    results: RunResults  # its dbt build's


def run_monthly(
    label: str, args: argparse.Namespace, paths: Paths, env: dict[str, str], database: Path, log_name: str
) -> Monthly:
    """The scheduled cycle (segmentation.run_month) for the month-end after the as-of date, on `database`, with the
    next month's raw files in paths.current, and the dbt target folder of `env`, whose saved parse it reuses."""
    target = Path(env["DBT_TARGET_PATH"])
    monthly_as_of = next_month_end(args.as_of)
    command = [
        sys.executable,
        "-m",
        "segmentation.run_month",
        "--as-of",
        monthly_as_of.isoformat(),
        "--raw-dir",
        str(paths.current),
        "--database",
        str(database),
        "--log-file",
        str(paths.logs / "run_month.log"),
        "--segments-file",
        str(segments_file(paths)),
        *target_args(args.target),
    ]
    with progress(f"{label} as of {monthly_as_of}") as detail:
        measured = run_measured(label, command, env, paths.logs / f"{log_name}.log")
        # the cycle's dbt build writes run_results.json last (freshness writes sources.json)
        results = parse_run_results(json.loads((target / "run_results.json").read_text()))
        detail["text"] = (
            f"node time {results.node_seconds_total:.1f} s, peak RSS {measured.peak_rss_bytes / MB:,.0f} MB"
        )
    return Monthly(measured, results)


def run_repeat(number: int, args: argparse.Namespace, paths: Paths, skip_monthly: str | None) -> Repeat:
    prefix = f"repeat {number}/{args.repeat}"
    fresh_warehouse(paths)
    link_raw_files(paths.raw, paths.current)
    # The as-of date in the environment, as the monthly run (segmentation/run_month.py) passes it
    # (macros/as_of.sql): the vars then match the monthly run's, which reuses the build's parse.
    env = {**dbt_env(paths), "SEGMENTATION_AS_OF_DATE": args.as_of.isoformat()}
    dbt = str(Path(sys.executable).parent / "dbt")
    variables = dbt_variables(paths)
    # Parsed first, as any earlier dbt command in the project would have: the build then reuses the
    # saved manifest (partial parsing), as an analyst's second build does. The cold parse is a figure.
    parse_command = [dbt, "parse", "--vars", json.dumps(variables), *target_args(args.target)]
    build_command = [dbt, "build", "--vars", json.dumps(variables), *SCHEDULED_BUILD_FLAGS, *target_args(args.target)]
    unit_test_command = [
        dbt,
        "test",
        "--select",
        "test_type:unit",
        "--vars",
        json.dumps(variables),
        *target_args(args.target),
    ]
    with progress(f"{prefix}: dbt parse (no saved manifest)"):
        cold_parse = run_measured(
            f"{prefix}: dbt parse", parse_command, env, paths.logs / f"repeat{number}-dbt-parse.log"
        )
    # Every file read whole, as into a new warehouse: a server target (Postgres) keeps its tables between repeats.
    load_command = [
        sys.executable,
        "-m",
        "segmentation.ingest",
        "--raw-dir",
        str(paths.current),
        "--full-refresh",
        *target_args(args.target),
    ]
    with progress(f"{prefix}: raw files loaded (python -m segmentation.ingest)"):
        loaded = run_measured(f"{prefix}: load", load_command, env, paths.logs / f"repeat{number}-load.log")
    backfill_database = paths.warehouse_dir / "backfill.duckdb"
    timing_backfill = args.backfill_months > 0 and args.target is None
    if timing_backfill:
        # the raw tables as loaded, for the backfill build's own new warehouse
        shutil.copyfile(paths.database, backfill_database)
    with progress(f"{prefix}: dbt build as of {args.as_of}") as detail:
        build = run_measured(f"{prefix}: dbt build", build_command, env, paths.logs / f"repeat{number}-dbt-build.log")
        results = parse_run_results(json.loads((paths.target / "run_results.json").read_text()))
        # The build's own manifest: the nodes it ran, with their paths, as this checkout has them.
        capabilities = node_capabilities(json.loads((paths.target / "manifest.json").read_text()))
        size = paths.database.stat().st_size if paths.database.exists() else None
        detail["text"] = (
            f"start-up + parse {build.seconds - results.elapsed_seconds:.1f} s, "
            f"peak RSS {build.peak_rss_bytes / MB:,.0f} MB"
            + (f", warehouse {size / MB:,.0f} MB" if size is not None else "")
        )
    with progress(f"{prefix}: dbt unit tests"):
        unit_tests = run_measured(
            f"{prefix}: dbt unit tests", unit_test_command, env, paths.logs / f"repeat{number}-dbt-unit-tests.log"
        )
    monthly: Monthly | None = None
    if skip_monthly is None:
        link_raw_files(paths.raw_next_month, paths.current)
        monthly = run_monthly(f"{prefix}: monthly run", args, paths, env, paths.database, f"repeat{number}-monthly")
    backfill = run_backfill_build(prefix, number, args, paths, env, backfill_database) if timing_backfill else None
    history_monthly: Monthly | None = None
    if backfill is not None and skip_monthly is None:
        # What a user's months cost after `make build`: the same month on the warehouse with the recorded history.
        # dbt parses again when the profile's warehouse path changes, as it does not from one month to the next: the
        # run gets a target folder of its own, parsed beforehand, untimed.
        history_env = {**env, "DUCKDB_PATH": str(backfill_database), "DBT_TARGET_PATH": str(paths.target / "history")}
        subprocess.run(parse_command, cwd=PROJECT_DIR, env=history_env, check=True, capture_output=True)
        history_monthly = run_monthly(
            f"{prefix}: monthly run after the backfill build",
            args,
            paths,
            history_env,
            backfill_database,
            f"repeat{number}-monthly-after-backfill",
        )
    return Repeat(
        build.seconds,
        build.peak_rss_bytes,
        results,
        size,
        monthly.measured.seconds if monthly else None,
        monthly.measured.peak_rss_bytes if monthly else None,
        cold_parse.seconds,
        unit_tests.seconds,
        loaded.seconds,
        capabilities,
        backfill.measured.seconds if backfill else None,
        backfill.run_seconds if backfill else None,
        backfill.measured.peak_rss_bytes if backfill else None,
        monthly.results if monthly else None,
        history_monthly.measured.seconds if history_monthly else None,
        history_monthly.measured.peak_rss_bytes if history_monthly else None,
        history_monthly.results if history_monthly else None,
    )


def prepare_next_month(args: argparse.Namespace, paths: Paths) -> float:
    next_as_of = next_month_end(args.as_of)
    with progress(f"appending the month to {next_as_of} to a copy of the files, for the monthly run") as detail:
        started = time.perf_counter()
        added = append_next_month(paths.raw, paths.raw_next_month, args.as_of, next_as_of)
        counts = ", ".join(f"{rows:,} new rows in {name}" for name, rows in added.items())
        detail["text"] = f"{counts} ({paths.raw_next_month})"
        return time.perf_counter() - started


def generate_data(args: argparse.Namespace, paths: Paths) -> float:
    command = [
        sys.executable,
        "-m",
        "segmentation_tools.datagen",
        "--customers",
        str(args.customers),
        "--transactions",
        str(args.transactions),
        "--as-of",
        args.as_of.isoformat(),
        "--seed",
        str(args.seed),
        "--out",
        str(paths.raw),
    ]
    with progress(f"generating {args.customers:,} customers and {args.transactions:,} transactions into {paths.raw}"):
        return run_measured("data generation", command, os.environ, paths.logs / "generate.log").seconds


def project_profile() -> dict[str, Any]:
    """The project's dbt profile from profiles.yml (its `target` and `outputs`)."""
    import yaml  # dbt's own dependency, so in the venv; only needed for a named target

    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text()) or {}
    return next(iter(profiles.values()), {})


def monthly_skip_reason(target: str | None, default_target: str | None, run_month_help: str) -> str | None:
    """Why the monthly step cannot run on this target, or None when it can."""
    if target is None or target == default_target or "--target" in run_month_help:
        return None
    return f"segmentation.run_month has no --target option, so it cannot run on target '{target}'"


def monthly_skip(target: str | None) -> str | None:
    if target is None:
        return None
    default_target = project_profile().get("target")
    help_text = subprocess.run(
        [sys.executable, "-m", "segmentation.run_month", "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    ).stdout
    return monthly_skip_reason(target, default_target, help_text)
