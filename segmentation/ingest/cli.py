"""The command line of `python -m segmentation.ingest`: load a folder of raw files into a target, then (after `--`)
optionally run dbt in the same process, which a target whose catalog lives in memory (the local Spark session)
needs, since its tables end with the process that loaded them.

Exit codes: 0 loaded (and dbt, when asked, succeeded), 1 a file stopped the load or dbt failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from segmentation.ingest import load_raw_files
from segmentation.ingest.errors import RawInputError
from segmentation.ingest.loader import Loaded
from segmentation.ingest.manifest import LoadMode
from segmentation.project import PROJECT_DIR

EXIT_FAILED = 1


def default_raw_dir(project_dir: Path = PROJECT_DIR) -> str:
    """The dbt var `raw_data_dir`'s default in dbt_project.yml: the folder a build reads unless told another."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return str((project.get("vars") or {}).get("raw_data_dir", "data/raw"))


def describe(loaded: Loaded) -> str:
    """One line of the report for one entity."""
    table = f"raw.{loaded.entity}"
    if loaded.mode == LoadMode.ABSENT:
        return f"{table}: not delivered (an optional file): no rows"
    if loaded.mode == LoadMode.UNCHANGED:
        where = f" ({loaded.shown})" if loaded.shown else " (not delivered)"
        return f"{table}: unchanged since it was loaded{where}"
    rows = f"{loaded.rows_read - loaded.rejected_lines:,} rows from {loaded.shown}"
    malformed = f", and {loaded.rejected_lines:,} malformed line(s) kept as rejects" if loaded.rejected_lines else ""
    how = "appended lines only" if loaded.mode == LoadMode.APPENDED else "read whole"
    return f"{table}: {rows}{malformed} ({how}, {loaded.seconds:.1f} s)"


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    ours, dbt_args = (list(argv), [])
    if "--" in ours:
        split = ours.index("--")
        ours, dbt_args = ours[:split], ours[split + 1 :]
    parser = argparse.ArgumentParser(
        description="Load the raw files into the target's raw tables (docs/rules/raw-input.md).",
        epilog="Arguments after -- run dbt in this process once the files are loaded, e.g. -- build --target spark.",
    )
    parser.add_argument(
        "--raw-dir",
        default=None,
        help="the folder of the raw files, relative to the project root or absolute "
        f"(default: var raw_data_dir's, {default_raw_dir()})",
    )
    parser.add_argument("--target", default=None, help="the target of profiles.yml (default: $DBT_TARGET, else duckdb)")
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="a DuckDB target's warehouse file (default: the target's, $DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="read every file whole, even one loaded unchanged before"
    )
    return parser.parse_args(ours), dbt_args


def run_dbt(arguments: list[str], target: str | None) -> bool:
    """dbt in this process, on the target just loaded."""
    from dbt.cli.main import dbtRunner

    if target and "--target" not in arguments and "-t" not in arguments:
        arguments = [*arguments, "--target", target]
    return bool(dbtRunner().invoke(arguments).success)


def main(argv: Sequence[str] | None = None) -> int:
    args, dbt_args = parse_args(sys.argv[1:] if argv is None else argv)
    raw_dir = args.raw_dir or default_raw_dir()
    started = time.perf_counter()
    try:
        report = load_raw_files(raw_dir, args.target, args.database, args.full_refresh)
    except RawInputError as error:
        print(f"ingest: {error}", file=sys.stderr, flush=True)
        print("ingest: nothing was loaded; the raw tables are as they were", file=sys.stderr, flush=True)
        return EXIT_FAILED
    for loaded in report:
        print(describe(loaded), flush=True)
    print(f"Loaded the raw files of {raw_dir} in {time.perf_counter() - started:.1f} s", flush=True)
    if dbt_args and not run_dbt(dbt_args, args.target):
        return EXIT_FAILED
    return 0
