"""`python -m segmentation_tools.demo` (`segmentation-demo`, `make build`): the demo's whole build (docs/marketing.md).

In this order: generate the demo's world into its raw folder (the generator refuses a folder it did not fill, before
anything is deleted); delete the demo's warehouse, since a regenerated world would read as every customer's profile
changed; the demo's marketing loop (the month-end cycle as of the campaigns' selection dates, the exports, the
simulated platform's log); then the demo's build from a new warehouse file, with a year of segment history and the
segments and campaigns the generator wrote beside the raw files. Exits with the first failing step's code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from segmentation import run_month
from segmentation.arguments import iso_date, non_negative_int
from segmentation.project import IS_CHECKOUT, from_work_dir
from segmentation.publish import default_published_path
from segmentation_tools.datagen import cli as datagen
from segmentation_tools.datagen import loop
from segmentation_tools.datagen.demo_campaigns import CAMPAIGNS_FILE
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=non_negative_int, default=50_000, help="distinct customers (default 50000)")
    parser.add_argument(
        "--transactions", type=non_negative_int, default=13_500_000, help="transaction rows (default 13500000)"
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=dt.datetime.now(dt.timezone.utc).date(),
        help="as-of date YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--demo-dir", type=Path, default=Path("data/demo"), help="the demo's folder (default data/demo)"
    )
    parser.add_argument("--raw-dir", type=Path, default=None, help="the generated files (default: <demo-dir>/raw)")
    parser.add_argument(
        "--database", type=Path, default=None, help="the working warehouse (default: <demo-dir>/warehouse.duckdb)"
    )
    parser.add_argument("--published", type=Path, default=None, help="default: published/<name> beside --database")
    parser.add_argument(
        "--backfill-months", type=non_negative_int, default=12, help="month-ends of history recorded (default 12)"
    )
    parser.add_argument("--log-file", type=Path, default=Path("logs/run_month.log"), help="the cycle's log")
    return parser.parse_args(argv)


def remove_warehouse(database: Path) -> None:
    """The working file and its write-ahead log; printed as the Makefile's recipe printed it."""
    print(f"rm -f {database} {database}.wal", flush=True)
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)


def as_given(path: Path) -> str:
    """A path for the cycle as the Makefile gives it: as written in a checkout (so the dbt vars, and what the marts
    record of them, stay as they were), absolute from where the command runs when the package is installed."""
    return str(path if IS_CHECKOUT else from_work_dir(path))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    raw_dir = args.raw_dir or args.demo_dir / "raw"
    database = from_work_dir(args.database or args.demo_dir / "warehouse.duckdb")
    published = from_work_dir(args.published) if args.published else default_published_path(database)
    world = [
        *("--customers", str(args.customers), "--transactions", str(args.transactions)),
        *("--as-of", args.as_of.isoformat(), "--seed", str(args.seed), "--out", str(from_work_dir(raw_dir))),
    ]
    files = [*("--raw-dir", as_given(raw_dir), "--database", str(database)), "--published", str(published)]
    log = ["--log-file", str(from_work_dir(args.log_file))]
    if status := datagen.main(world):
        return status
    remove_warehouse(database)
    if status := loop.main([*files, *log]):
        return status
    remove_warehouse(database)
    return run_month.main(
        [
            *("--as-of", args.as_of.isoformat(), *files, *log),
            *("--backfill-months", str(args.backfill_months)),
            *("--segments-file", as_given(raw_dir / SEGMENTS_FILE)),
            *("--campaigns-file", as_given(raw_dir / CAMPAIGNS_FILE)),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
