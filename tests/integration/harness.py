"""Build the warehouse with dbt, as a user would, on small generated data.

The loader (`python -m segmentation.ingest`) and then dbt run through their command lines in subprocesses, dbt with
its own target and log folders in a temporary directory, so the tests never touch the user's `target/`, `logs/` or
warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from segmentation_tools.datagen.demo_campaigns import CAMPAIGNS_FILE
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE
from segmentation_tools.datagen.generator import generate
from segmentation_tools.datagen.loop import run_loop
from segmentation_tools.sample import TEST_SAMPLE

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")

SAMPLE_CUSTOMERS = TEST_SAMPLE.customers
SAMPLE_TRANSACTIONS = TEST_SAMPLE.transactions
SAMPLE_SEED = TEST_SAMPLE.seed
SAMPLE_AS_OF = TEST_SAMPLE.as_of
SAMPLE_BACKFILL_MONTHS = TEST_SAMPLE.backfill_months
# DuckDB's memory cap for the session's build of the sample (DUCKDB_MEMORY_LIMIT, profiles.yml): far below what the
# build would take uncapped (about 0.5 GB of RSS), a little above the least it passes at with the profile's two
# threads (80 MB passed, 64 MB did not). So the build spills, as ten times the guide's scale does under the 5 GB cap,
# and a model that needs more than that in memory at once (the sample's own size), or a build whose spilling
# breaks, fails the suite (docs/testing.md).
SAMPLE_MEMORY_LIMIT = "96MB"

_timings: list[tuple[str, float]] = []


@dataclass
class DbtRun:
    """The loader's run and dbt's after it; when the loader stops, dbt is not run (no results)."""

    returncode: int
    output: str
    seconds: float
    results: list[dict[str, Any]] = field(default_factory=list)
    load_seconds: float = 0.0

    def statuses(self) -> dict[str, str]:
        """Node unique_id -> status (success, pass, warn, fail, error, skipped)."""
        return {r["unique_id"]: r["status"] for r in self.results}


@dataclass(frozen=True)
class Loaded:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class Warehouse:
    """One raw folder and one DuckDB file, with a private dbt target folder."""

    raw_dir: Path
    database: Path
    work_dir: Path

    def dbt(
        self,
        *args: str,
        as_of: dt.date | str,
        label: str | None = None,
        variables: dict[str, Any] | None = None,
        memory_limit: str | None = None,
    ) -> DbtRun:
        """Load the raw folder, then run a dbt command on this warehouse, as a user runs them; `as_of` may be text to
        test how bad dates are refused, `variables` adds or overrides dbt vars (a backfill, a threshold), and
        `memory_limit` caps DuckDB's memory in the dbt command (DUCKDB_MEMORY_LIMIT) instead of the profile's 5 GB."""
        target = self.work_dir / "target"
        env = {
            **os.environ,
            "DUCKDB_PATH": str(self.database),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        as_of_text = as_of if isinstance(as_of, str) else as_of.isoformat()
        # As the README runs it: from the project root, no --project-dir, the raw folder relative to the root.
        raw_dir = os.path.relpath(self.raw_dir, PROJECT_DIR)
        loaded = self.load(raw_dir, env, full_refresh="--full-refresh" in args)
        if loaded.returncode != 0:
            return DbtRun(loaded.returncode, loaded.stdout + loaded.stderr, 0.0, load_seconds=loaded.seconds)
        # a generated world's segments and campaigns are defined beside its files, as `make build` passes them
        definitions = {
            variable: str(self.raw_dir / name)
            for variable, name in (("campaigns_file", CAMPAIGNS_FILE), ("segments_file", SEGMENTS_FILE))
            if (self.raw_dir / name).exists()
        }
        all_variables = json.dumps(
            {"raw_data_dir": raw_dir, "as_of_date": as_of_text, **definitions, **(variables or {})}
        )
        command = [
            str(DBT),
            *args,
            "--target-path",
            str(target),
            "--log-path",
            str(self.work_dir / "logs"),
            "--vars",
            all_variables,
        ]
        (target / "run_results.json").unlink(missing_ok=True)
        dbt_env = {**env, "DUCKDB_MEMORY_LIMIT": memory_limit} if memory_limit else env
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=PROJECT_DIR, env=dbt_env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if label:
            _timings.append((label, seconds))
            _timings.append((f"{label}: the loader before it", loaded.seconds))
        results_file = target / "run_results.json"
        results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
        output = loaded.stdout + loaded.stderr + completed.stdout + completed.stderr
        return DbtRun(completed.returncode, output, seconds, results, loaded.seconds)

    def load(self, raw_dir: str, env: dict[str, str], full_refresh: bool = False) -> Loaded:
        """The loader on this warehouse's raw folder (given relative to the project root, as to dbt)."""
        command = [sys.executable, "-m", "segmentation.ingest", "--raw-dir", raw_dir, "--database", str(self.database)]
        started = time.perf_counter()
        completed = subprocess.run(
            [*command, *(["--full-refresh"] if full_refresh else [])],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        return Loaded(completed.returncode, completed.stdout, completed.stderr, time.perf_counter() - started)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.sql(sql).fetchall()

    def query_dicts(self, sql: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            relation = con.sql(sql)
            return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]

    def copy(self, work_dir: Path) -> Warehouse:
        """The same raw folder with a copy of the database, for tests that damage it."""
        work_dir.mkdir(parents=True, exist_ok=True)
        database = work_dir / "warehouse.duckdb"
        shutil.copy(self.database, database)
        return Warehouse(self.raw_dir, database, work_dir)


def commands_env(work: Path) -> dict[str, str]:
    """The environment for a command that starts dbt itself (the monthly cycle, make): dbt's target/ and
    logs/ in `work`, never the project's own."""
    return {
        **os.environ,
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


_generated: dict[str, Path] = {}


def generate_sample(out_dir: Path, fmt: str = "csv") -> Path:
    """The test sample in ``out_dir``, as `make build` makes the demo: the world, then its marketing loop (a
    month-end cycle of the sample as of the campaigns' selection date, the exports, the platform's log). Made once
    per process and format and copied, since the loop builds a warehouse."""
    if fmt not in _generated:
        cache = Path(tempfile.mkdtemp(prefix=f"segmentation-sample-{fmt}-"))
        generate(SAMPLE_CUSTOMERS, SAMPLE_TRANSACTIONS, SAMPLE_AS_OF, SAMPLE_SEED, cache / "raw", fmt=fmt)
        loop = cache / "loop"
        run_loop(
            cache / "raw",
            loop / "warehouse.duckdb",
            loop / "published" / "warehouse.duckdb",
            loop / "run_month.log",
            commands_env(loop),
        )
        _generated[fmt] = cache / "raw"
    shutil.copytree(_generated[fmt], out_dir, dirs_exist_ok=True)
    return out_dir


def sample_loop_published(fmt: str = "csv") -> Path:
    """The warehouse the sample's marketing loop selected and exported its campaigns from (published), with the
    export audit log in exports/ beside it; generate_sample must have run in this process."""
    return _generated[fmt].parent / "loop" / "published" / "warehouse.duckdb"


def assert_succeeded(run: DbtRun) -> None:
    """Every node ran; only the distribution check may warn (an exposure, which has nothing to run, is a no-op)."""
    assert run.returncode == 0, run.output[-4000:]
    bad = {
        node: status for node, status in run.statuses().items() if status not in ("success", "pass", "warn", "no-op")
    }
    assert not bad, bad


def dbt_timings() -> list[tuple[str, float]]:
    return list(_timings)


def record_timings(timings: list[tuple[str, float]]) -> None:
    _timings.extend((label, seconds) for label, seconds in timings)


def report_timings(terminalreporter: Any) -> None:
    """Build timings are reported, not asserted: shared machines are too noisy for a timed test."""
    if _timings:
        terminalreporter.section("dbt timings (whole process, seconds)")
        for label, seconds in _timings:
            terminalreporter.write_line(f"{seconds:7.1f}  {label}")
