"""The command line of `python -m segmentation_tools.datagen`: parse, generate, print the summary."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from segmentation.arguments import iso_date, non_negative_int
from segmentation_tools.datagen.generator import SUMMARY_FILE, GenerationSummary, generate
from segmentation_tools.datagen.writing import FORMATS


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the project's full-size data set."""
    parser = argparse.ArgumentParser(
        description="Generate synthetic customers and transactions for the dbt segmentation project."
    )
    parser.add_argument("--customers", type=non_negative_int, default=50_000, help="distinct customers (default 50000)")
    parser.add_argument(
        "--transactions",
        type=non_negative_int,
        default=13_500_000,
        help="transaction rows, dirty rows included (default 13500000)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=dt.datetime.now(dt.timezone.utc).date(),
        help="as-of date YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/demo/raw"),
        help="output directory: new, empty, or filled by an earlier run (default data/demo/raw)",
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", help="output format (default csv)")
    parser.add_argument("--clean", action="store_true", help="do not inject dirty rows")
    return parser.parse_args(argv)


def format_summary(summary: GenerationSummary, out_dir: Path) -> str:
    """Human-readable end-of-run summary for stdout."""
    lines = [
        f"wrote {out_dir / summary.files['customers']} ({summary.customers_rows:,} rows)",
        f"wrote {out_dir / summary.files['transactions']} ({summary.transactions_rows:,} rows)",
        f"wrote {out_dir / summary.files['behavior_events']} ({summary.behavior_events_rows:,} rows)",
        f"wrote {out_dir / summary.files['customers_truth']} (the planted truth; never read by the build)",
        f"wrote {out_dir / SUMMARY_FILE}",
    ]
    if summary.world:
        world = summary.world
        lines.append(
            f"world: {world['history_days']:,} days from {world['history_start']}, "
            f"{world['signed_up_in_history']:,} signups in them; by {summary.as_of} "
            f"{world['stopped']:,} customers stopped and {world['declined']:,} declined (truth)"
        )
    for table, kinds in summary.dirty.items():
        injected = ", ".join(f"{kind}={count:,}" for kind, count in kinds.items() if count)
        lines.append(f"dirty {table}: {injected or 'none'}")
    lines.append(f"as of {summary.as_of}, seed {summary.seed}, {summary.elapsed_seconds:.1f}s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: parse, generate, print the summary; returns the exit code."""
    args = parse_args(argv)
    try:
        summary = generate(
            args.customers,
            args.transactions,
            args.as_of,
            args.seed,
            args.out,
            fmt=args.format,
            dirty=not args.clean,
            progress=True,
        )
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(format_summary(summary, args.out))
    return 0
