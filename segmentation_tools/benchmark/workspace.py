"""The benchmark's folder: raw files, the warehouse deleted before every repeat, dbt's target and
logs, and the environment every dbt command gets."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from segmentation.project import PROJECT_DIR


@dataclasses.dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def raw_next_month(self) -> Path:
        # The same files a month later, for the monthly run; the build's own files stay as generated.
        return self.root / "raw-next-month"

    @property
    def current(self) -> Path:
        # The raw folder every dbt command is given, as a schedule has one: links to the build's
        # files, then to next month's. The same folder keeps dbt's vars, and so its parse, the same.
        return self.root / "current"

    @property
    def warehouse_dir(self) -> Path:
        # Its own folder, deleted before every repeat: the file, its WAL, the monthly run's lock
        # and published copy all go with it.
        return self.root / "warehouse"

    @property
    def database(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def dbt_env(paths: Paths) -> dict[str, str]:
    return {
        **os.environ,
        "DUCKDB_PATH": str(paths.database),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_TARGET_PATH": str(paths.target),
        "DBT_LOG_PATH": str(paths.logs / "dbt"),
        # Output goes to log files, whose tail is printed on failure: no colour codes in it.
        "DBT_USE_COLORS": "false",
    }


def target_args(target: str | None) -> list[str]:
    return ["--target", target] if target else []


def fresh_warehouse(paths: Paths) -> None:
    # target/ goes too, so no repeat inherits a partial-parse file from the one before.
    for folder in (paths.warehouse_dir, paths.target):
        shutil.rmtree(folder, ignore_errors=True)
    paths.warehouse_dir.mkdir(parents=True)


GROWN_FILES = ("customers.csv", "transactions.csv")
RAW_SUFFIXES = (".csv", ".parquet")


def raw_files(folder: Path) -> list[Path]:
    """Every raw data file in `folder`: the two the monthly run grows and the optional inputs (behaviour events,
    preferences, products, suppressions, deliveries), which a build reads as `make build` does."""
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix in RAW_SUFFIXES)


def link_raw_files(source: Path, current: Path) -> None:
    """Make `current` hold `source`'s raw files, and no others, as hard links: no copy of gigabytes."""
    current.mkdir(parents=True, exist_ok=True)
    for old in raw_files(current):
        old.unlink()
    for path in raw_files(source):
        os.link(path, current / path.name)
