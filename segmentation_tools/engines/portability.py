"""Build and test the warehouse on DuckDB, Postgres and Spark from the same small data, and compare.

`make test-portability` runs this. It generates the test sample, loads it with the loader
(segmentation/ingest/, the same reading of the files for every engine) and builds it with `dbt build`
(models, tests, snapshots and a backfilled segment history) on DuckDB as the reference, then on
a throwaway Postgres server (postgres_server.py) and on Spark in this process (the snapshot and the
marts built on it excluded: Spark's parquet tables cannot hold a dbt snapshot without Delta, Iceberg
or Hudi). Every mart each engine built is compared with DuckDB's row for row, and every customer's
segment on every recorded as-of date; so are the raw tables the loader wrote (the malformed lines
among them), its manifest, and staging's reject tables.
Exit 0 when every build passes and nothing differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from segmentation.arguments import whole_number_at_least
from segmentation.campaigns.build import read_campaigns
from segmentation.ingest import RawInputError, load_raw_files
from segmentation.ingest.entities import raw_entities
from segmentation.ingest.targets import postgres_connection, read_target
from segmentation.project import PROJECT_DIR
from segmentation.segments.build import read_segments
from segmentation.segments.definitions import DefinitionErrors
from segmentation_tools.datagen.demo_campaigns import CAMPAIGNS_FILE
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE
from segmentation_tools.datagen.generator import generate
from segmentation_tools.datagen.loop import run_loop
from segmentation_tools.engines import compare as compare_engines
from segmentation_tools.engines import postgres_server
from segmentation_tools.engines.compare import Table
from segmentation_tools.sample import TEST_SAMPLE

DBT = Path(sys.executable).with_name("dbt")

SAMPLE = TEST_SAMPLE

# dbt's snapshot and everything built on it; Spark cannot run them (see the module docstring).
SPARK_EXCLUDE = "customers_snapshot+"
# Marts every engine builds, and those that come from the snapshot.
HISTORY_MARTS = (
    "customer_segment_snapshots",
    "customer_segment_snapshot_dates",
    "customer_segment_history",
    "customer_segment_memberships",
    "segment_migrations",
    "data_quality_report",
    "rejected_rows",
    "cohorts",
    "cohort_members",
    "cohort_retention",
    "segment_membership_snapshots",
    "segments",
    "segment_members",
    "dim_product",
    "customer_behavior_summary",
    "customer_journey_stages",
    "segment_daily_performance",
    "customer_contactability",
)
# Models outside the marts' schema compared too: the lifetime-value inputs as of A and as of the calibration ends,
# whose fits (dbt Python models) only DuckDB builds, and the campaigns' channels, which DuckDB reads from
# campaigns.yml and the others from the var the check passes.
OTHER_COMPARED = (
    "intermediate.int_customers_summarized",
    "intermediate.int_customers_calibrated",
    "intermediate.int_campaigns_channeled",
)
# What the loader wrote, on every engine: each raw table (its malformed lines included) and the manifest; and the
# reject tables staging and the unknown-customer check make from them.
RAW_COMPARED = (*(f"raw.{entity.name}" for entity in raw_entities()), "raw.load_manifest")
REJECTS_COMPARED = (
    *(f"staging.stg_{entity.name}__rejected" for entity in raw_entities()),
    "intermediate.int_transactions_unmatched",
)
LOADED_COMPARED = (*RAW_COMPARED, *REJECTS_COMPARED)
# Columns that describe the run, not the data: left out of the comparison.
VOLATILE = {"raw.load_manifest": ("loaded_at",)}
SNAPSHOT_MARTS = ("customer_segments", "dim_customer")
# Marts only DuckDB builds (they serve user-defined segments, a dbt Python model's work): not compared.
# The campaign marts read campaigns.yml through a dbt Python model, as the user-defined segments do (docs/decisions.md).
# segment_analytics reads the lifetime-value and campaign marts.
DUCKDB_ONLY_MARTS = (
    "segment_criteria_fields",
    "campaigns",
    "campaign_audiences",
    "campaign_performance",
    "segment_analytics",
)
SEGMENT_RELATION = "customer_segment_snapshots"
# User-defined segments (the sample's segments file) are built on DuckDB only (a dbt Python model compiles them;
# docs/decisions.md): DuckDB's rows of them are left out of the comparison, every other row must match.
USER_DEFINED_ROWS = "segment_type in ('static', 'dynamic')"
PROGRESS_SECONDS = 15


@dataclass
class EngineRun:
    engine: str
    load_seconds: float = 0.0
    build_seconds: float = 0.0
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    error: str = ""
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def built(self) -> bool:
        return not self.error and not self.failed


def qualified(relation: str, marts_schema: str) -> str:
    """A mart's name in the engine's marts schema; a name with its schema as it is."""
    return relation if "." in relation else f"{marts_schema}.{relation}"


def say(message: str) -> None:
    print(message, flush=True)


def definitions_variables(target: str, raw_dir: Path, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The definitions the build reads: the sample's segments and campaigns files (beside its raw files, as `make
    build` passes the demo's). What an engine that runs no dbt Python model (Postgres, Spark) is told of them instead:
    each campaign's channel, for segment_daily_performance's email rates. The segments file is validated for the
    engine first, as DuckDB's build validates it: a definition naming a lifetime-value column stops with the engine
    named (those models run on DuckDB only). Raises DefinitionErrors."""
    campaigns_file, segments_file = str(raw_dir / CAMPAIGNS_FILE), str(raw_dir / SEGMENTS_FILE)
    if target == "duckdb":
        return {"campaigns_file": campaigns_file, "segments_file": segments_file}
    read_segments(project_dir, segments_file, None, target)
    campaigns = read_campaigns(project_dir, campaigns_file, None, segments_file)
    return {"campaign_channels": {c.campaign_id: c.channel for c in campaigns}}


def dbt_arguments(target: str, work: Path, raw_dir: Path, as_of: dt.date, backfill_months: int) -> list[str]:
    variables = {
        "raw_data_dir": str(raw_dir),
        "as_of_date": as_of.isoformat(),
        "backfill_months": backfill_months,
        **definitions_variables(target, raw_dir),
    }
    return [
        "build",
        "--target",
        target,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--vars",
        json.dumps(variables),
    ]


def read_results(work: Path) -> tuple[int, list[str]]:
    """(nodes that passed, nodes that did not) from run_results.json; a warning passes, and so does an exposure's
    no-op (nothing to run)."""
    results_file = work / "target" / "run_results.json"
    if not results_file.exists():
        return 0, ["(no run_results.json: dbt stopped before running any node)"]
    results = json.loads(results_file.read_text())["results"]
    failed = [
        f"{r['unique_id']}: {r['status']}" for r in results if r["status"] not in ("success", "pass", "warn", "no-op")
    ]
    return len(results) - len(failed), failed


class Progress:
    """A line every PROGRESS_SECONDS while dbt works: nodes done of the total."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last_said = self.started

    def update(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last_said >= PROGRESS_SECONDS:
            say(f"  ... dbt at node {done} of {total} ({now - self.started:.0f} s)")
            self.last_said = now


NODE_DONE = re.compile(r"\b(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


def run_dbt(run: EngineRun, arguments: list[str], work: Path, env: dict[str, str]) -> None:
    """dbt in a subprocess, its output to `<work>/dbt.out`; the build's time and node verdicts into `run`."""
    work.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    with open(work / "dbt.out", "w") as out:
        process = subprocess.Popen(
            [str(DBT), *arguments],
            cwd=PROJECT_DIR,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            if done := NODE_DONE.search(line):
                progress.update(int(done.group(1)), int(done.group(2)))
        completed = process.wait()
    run.build_seconds = time.perf_counter() - progress.started
    run.passed, run.failed = read_results(work)
    if completed != 0 and not run.failed:
        run.error = "dbt exited with " + str(completed) + ":\n" + (work / "dbt.out").read_text()[-3000:]


def base_environment() -> dict[str, str]:
    return {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def build_duckdb(work: Path, raw_dir: Path, as_of: dt.date, backfill_months: int) -> EngineRun:
    run = EngineRun("duckdb")
    database = work / "warehouse.duckdb"
    env = {**base_environment(), "DUCKDB_PATH": str(database)}
    try:
        load(run, raw_dir, "duckdb", database)
    except RawInputError as error:
        run.error = str(error)
        return run
    run_dbt(run, dbt_arguments("duckdb", work, raw_dir, as_of, backfill_months), work, env)
    if run.built:
        with duckdb.connect(str(database), read_only=True) as con:
            for relation in (*HISTORY_MARTS, *SNAPSHOT_MARTS, *OTHER_COMPARED, *LOADED_COMPARED):
                result = con.sql(f"select * from {qualified(relation, 'main')}")
                if "segment_type" in result.columns:
                    result = result.filter(f"not ({USER_DEFINED_ROWS})")
                run.tables[relation] = comparable(relation, result.columns, result.fetchall())
    return run


def load(run: EngineRun, raw_dir: Path, target: str, database: Path | None = None) -> None:
    """The raw files into the engine's raw tables, by the loader every build path uses; its time into `run`."""
    started = time.perf_counter()
    loaded = load_raw_files(str(raw_dir), target, database)
    run.load_seconds = time.perf_counter() - started
    say(
        f"  raw files loaded in {run.load_seconds:.1f} s ("
        + ", ".join(f"{item.entity} {item.rows_read:,}" for item in loaded)
        + ")"
    )


def comparable(relation: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """The relation's rows without the columns that describe the run."""
    volatile = VOLATILE.get(relation, ())
    kept = [index for index, column in enumerate(columns) if column.lower() not in volatile]
    return compare_engines.table_from(
        [columns[index] for index in kept], [tuple(row[index] for index in kept) for row in rows]
    )


def build_postgres(work: Path, raw_dir: Path, as_of: dt.date, backfill_months: int) -> EngineRun:
    run = EngineRun("postgres")
    started = time.perf_counter()
    try:
        with postgres_server.running_server() as server:
            say(f"  server {server.host}:{server.port} up in {time.perf_counter() - started:.1f} s")
            env = {**base_environment(), **server.environment()}
            os.environ.update(server.environment())
            load(run, raw_dir, "postgres")
            run_dbt(run, dbt_arguments("postgres", work, raw_dir, as_of, backfill_months), work, env)
            if run.built:
                connection = postgres_connection(read_target("postgres"))
                try:
                    for relation in (*HISTORY_MARTS, *SNAPSHOT_MARTS, *OTHER_COMPARED, *LOADED_COMPARED):
                        run.tables[relation] = _postgres_table(connection, relation)
                finally:
                    connection.close()
    except (postgres_server.PostgresUnavailable, RawInputError, DefinitionErrors) as error:
        run.error = str(error)
    return run


def _postgres_table(connection: Any, relation: str) -> Table:
    with connection.cursor() as cursor:
        cursor.execute(f"select * from {qualified(relation, 'public')}")
        return comparable(relation, [column.name for column in cursor.description], cursor.fetchall())


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Send this process's standard error, the JVM's included, to a file: Spark logs a warning per
    query, and the JVM it starts keeps writing to the file it inherited after this returns."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def find_java(environ: dict[str, str] | None = None) -> Path | None:
    """The Java runtime pyspark starts, found as its launcher finds it: $JAVA_HOME/bin/java, else java on PATH."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get("JAVA_HOME"):
        java = Path(environ["JAVA_HOME"]) / "bin" / "java"
        return java if java.exists() else None
    found = shutil.which("java", path=environ.get("PATH", ""))
    return Path(found) if found else None


def build_spark(work: Path, raw_dir: Path, as_of: dt.date, backfill_months: int) -> EngineRun:
    """dbt runs in this process, so its Spark session, and the views in its in-memory catalog,
    can still be read when the build is over."""
    from dbt.cli.main import dbtRunner
    from pyspark.sql import SparkSession

    run = EngineRun("spark")
    if find_java() is None:
        run.error = "no Java runtime ($JAVA_HOME/bin/java or java on PATH): install one with `make system-deps`"
        return run
    warehouse_dir = work / "spark-warehouse"
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    os.environ.update({**base_environment(), "SPARK_WAREHOUSE_DIR": str(warehouse_dir)})
    try:
        arguments = [
            *dbt_arguments("spark", work, raw_dir, as_of, backfill_months),
            "--exclude",
            SPARK_EXCLUDE,
            "--quiet",
        ]
    except DefinitionErrors as errors:
        run.error = str(errors)
        return run
    say(f"  excluded on Spark: {SPARK_EXCLUDE} (the snapshot, {', '.join(SNAPSHOT_MARTS)})")
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    previous_dir = Path.cwd()
    os.chdir(PROJECT_DIR)
    progress = Progress()

    def count_nodes(event: Any) -> None:  # dbt's event callback; node results carry their index and total
        data = event.data
        if event.info.name.endswith("Result") and hasattr(data, "index") and hasattr(data, "total"):
            progress.update(data.index, data.total)

    try:
        with stderr_to(work / "spark.err"):
            # into the session dbt-spark then finds running: its catalog lives in this process only
            load(run, raw_dir, "spark")
            result = dbtRunner(callbacks=[count_nodes]).invoke(arguments)
    except RawInputError as error:
        run.error = str(error)
        return run
    finally:
        os.chdir(previous_dir)
    run.build_seconds = time.perf_counter() - started
    run.passed, run.failed = read_results(work)
    if not result.success and not run.failed:
        run.error = f"dbt build on Spark failed: {result.exception}"
    if run.built:
        # dbt-spark leaves its session open; this is the same one, catalog and all
        session = SparkSession.builder.getOrCreate()
        for relation in (*HISTORY_MARTS, *OTHER_COMPARED, *LOADED_COMPARED):
            frame = session.sql(f"select * from {qualified(relation, 'main')}")
            run.tables[relation] = comparable(relation, frame.columns, [tuple(row) for row in frame.collect()])
    return run


def compare(reference: EngineRun, other: EngineRun) -> bool:
    """Print each relation's comparison; True when everything the other engine built matches."""
    identical = True
    segments = compare_engines.compare_segments(reference.tables[SEGMENT_RELATION], other.tables[SEGMENT_RELATION])
    say(f"  {compare_engines.describe_segments(segments)}")
    identical &= segments.identical
    for relation, table in other.tables.items():
        diff = compare_engines.compare_tables(relation, reference.tables[relation], table)
        say(f"  {compare_engines.describe(diff)}")
        identical &= diff.identical
    return identical


def report_failure(run: EngineRun) -> None:
    """The error, then the nodes that failed; those skipped because of them only as a count."""
    if run.error:
        say(f"  {run.engine}: {run.error}")
    skipped = [failure for failure in run.failed if failure.endswith(": skipped")]
    for failure in [failure for failure in run.failed if failure not in skipped][:20]:
        say(f"  {run.engine}: {failure}")
    if skipped:
        say(f"  {run.engine}: {len(skipped)} nodes skipped after those (dbt's log: {run.engine}/logs/dbt.log)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=("postgres", "spark"),
        default=["postgres", "spark"],
        help="engines to compare with DuckDB (default: both)",
    )
    parser.add_argument(
        "--backfill-months",
        type=whole_number_at_least(0),
        default=SAMPLE.backfill_months,
        help=f"month-ends recorded in the history besides the as-of date (default {SAMPLE.backfill_months})",
    )
    parser.add_argument(
        "--work-dir", type=Path, help="keep the data, logs and warehouses here (default: a temporary folder, removed)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="segmentation-portability-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    all_identical = False
    builders: dict[str, Callable[[Path, Path, dt.date, int], EngineRun]] = {
        "duckdb": build_duckdb,
        "postgres": build_postgres,
        "spark": build_spark,
    }
    try:
        raw_dir = work / "raw"
        say(
            f"Generating the test sample ({SAMPLE.customers:,} customers, {SAMPLE.transactions:,} transactions, "
            f"as of {SAMPLE.as_of}) ..."
        )
        generate(SAMPLE.customers, SAMPLE.transactions, SAMPLE.as_of, SAMPLE.seed, raw_dir)
        say("The sample's marketing loop (a DuckDB build as of the campaigns' selection date, exports, sends) ...")
        loop = work / "loop"
        run_loop(raw_dir, loop / "warehouse.duckdb", loop / "published" / "warehouse.duckdb", loop / "run_month.log")
        runs = []
        for engine in ("duckdb", *args.engines):
            say(f"{engine}: dbt build with a {args.backfill_months}-month backfill ...")
            run = builders[engine](work / engine, raw_dir, SAMPLE.as_of, args.backfill_months)
            say(
                f"  {run.passed} nodes passed, {len(run.failed)} did not, in {run.build_seconds:.1f} s"
                + ("" if run.built else " -- FAILED")
            )
            report_failure(run)
            runs.append(run)
        reference, others = runs[0], runs[1:]
        all_identical = reference.built and all(run.built for run in others)
        for run in others:
            if reference.built and run.built:
                say(f"{run.engine} against duckdb:")
                all_identical &= compare(reference, run)
        say("")
        say("engine        load   dbt build   nodes  result")
        for run in runs:
            say(
                f"{run.engine:<10} {run.load_seconds:5.1f} s  {run.build_seconds:7.1f} s  {run.passed:5d}  "
                + ("built" if run.built else "FAILED")
            )
        verdict = "every engine built and matches DuckDB" if all_identical else "engines DIFFER or failed (see above)"
        kept = args.work_dir is not None or not all_identical
        say(
            f"Portability check: {verdict}; {time.perf_counter() - started:.0f} s in all"
            + (f"; data, logs and warehouses kept in {work}" if kept else "")
        )
        return 0 if all_identical else 1
    finally:
        # a failed run keeps its files for a look at dbt's logs
        if args.work_dir is None and all_identical:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
