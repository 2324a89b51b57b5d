"""The command line of `python -m segmentation_tools.benchmark`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from segmentation.arguments import iso_date, whole_number_at_least
from segmentation.project import PROJECT_DIR, from_work_dir
from segmentation_tools.benchmark.host import machine, versions
from segmentation_tools.benchmark.lock import bench_lock
from segmentation_tools.benchmark.measure import StepFailed
from segmentation_tools.benchmark.report import format_capabilities, format_table, header_lines, notes, write_record
from segmentation_tools.benchmark.runner import (
    generate_data,
    monthly_skip,
    prepare_next_month,
    run_repeat,
)
from segmentation_tools.benchmark.stats import capability_costs, figures
from segmentation_tools.benchmark.workspace import Paths

DESCRIPTION = "Benchmark the pipeline: generate data once, then time K fresh builds and monthly runs."
# A fixed month-end rather than today: the data is generated relative to the as-of date, so a
# fixed date gives the same files (same seed) on every day, and the monthly run is always one
# whole month later. Runs on different days stay comparable.
DEFAULT_AS_OF = dt.date(2026, 10, 31)
EXIT_FAILED = 1
EXIT_BUSY = 75
positive_int = whole_number_at_least(1)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--customers", type=positive_int, default=50_000, help="customers to generate (default 50000)")
    parser.add_argument(
        "--transactions", type=positive_int, default=13_500_000, help="transactions to generate (default 13500000)"
    )
    parser.add_argument("--repeat", type=positive_int, default=3, help="fresh builds and monthly runs (default 3)")
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=DEFAULT_AS_OF,
        help=f"the build's as-of date; the monthly run reports on the next month-end after it "
        f"(default {DEFAULT_AS_OF}: a fixed month-end, not today, so the generated data is the "
        "same on every day and the monthly run is one whole month later: runs stay comparable)",
    )
    parser.add_argument(
        "--target",
        default=None,
        help="dbt target from profiles.yml (default: the profile's own). The monthly run is skipped, "
        "saying why, when segmentation.run_month cannot take a target; only a DuckDB file warehouse is "
        "deleted between repeats",
    )
    parser.add_argument(
        "--backfill-months",
        type=whole_number_at_least(0),
        default=12,
        help="also time, in every repeat, a fresh dbt build that records this many month-ends before the as-of "
        "date, as `make build` does (default 12; 0 leaves it out). DuckDB file warehouses only",
    )
    parser.add_argument("--seed", type=int, default=42, help="data generator seed (default 42)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("data/bench"),
        help="folder for everything the benchmark writes (default data/bench)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace, paths: Paths) -> int:
    host, found = machine(), versions()
    print("\n".join(header_lines(args, host, found)), flush=True)
    skip_monthly = monthly_skip(args.target)
    if skip_monthly:
        print(f"monthly run skipped: {skip_monthly}", flush=True)
    try:
        generation_seconds = generate_data(args, paths)
        next_month_seconds = prepare_next_month(args, paths) if skip_monthly is None else None
        repeats = [run_repeat(number, args, paths, skip_monthly) for number in range(1, args.repeat + 1)]
    except StepFailed as failed:
        print(failed.report(), file=sys.stderr)
        return EXIT_FAILED
    rows = figures(generation_seconds, repeats, next_month_seconds)
    costs = capability_costs(repeats)
    print()
    print(format_table(rows))
    print()
    print("cost by capability, dbt build (and the loader before it):")
    print(format_capabilities(costs))
    print()
    print("\n".join(notes(repeats)))
    out = write_record(paths.root, args, host, found, skip_monthly, rows, repeats, costs)
    print(f"figures written to {out.relative_to(PROJECT_DIR) if out.is_relative_to(PROJECT_DIR) else out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    paths = Paths(from_work_dir(args.dir))
    with bench_lock(paths.root) as alone:
        if not alone:
            print(f"not started: another benchmark is running in {paths.root}", file=sys.stderr)
            return EXIT_BUSY
        return run(args, paths)
