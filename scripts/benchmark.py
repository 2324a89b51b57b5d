"""Benchmark the pipeline: generate data once, then time K fresh builds and monthly runs.

Everything lives under its own folder (default data/bench): the raw files, a warehouse that is
deleted before every repeat, dbt's target/ and logs, each command's output, and the figures as
JSON. The demo's data/raw, data/warehouse.duckdb, target/ and logs/ are never touched.

Before the repeats it also writes the files as they would arrive a month later (the transactions
file grown by a month of rows) for the monthly runs. Each repeat times, as whole commands
(process start to exit):
  1. `dbt parse` with no saved manifest (dbt's cold start), so that
  2. `dbt build` (models, data tests, snapshots) as of --as-of, on an empty warehouse, reuses the
     parse as any later dbt command in the project does; it leaves out the dbt unit tests, as the
     scheduled build does (scripts/run_month.py), and
  3. times them on their own, `dbt test --select test_type:unit`, as `make test` runs them;
  4. `scripts/run_month.py` for the next month-end after it, on the warehouse step 2 left and
     the grown files: the scheduled monthly cycle (build, publish, summary) exactly as cron
     would start it. It stages only the new month's transactions.
It prints the median and min-max of every figure over the repeats and writes them as JSON.

Exit codes: 0 done, 1 a step failed (its command, exit code and last output lines are printed),
75 another benchmark is running in the same folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import errno
import fcntl
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from generate_data import iso_date, whole_number_at_least
from run_month import SCHEDULED_BUILD_FLAGS

PROJECT_DIR = Path(__file__).resolve().parents[1]
# A fixed month-end rather than today: the data is generated relative to the as-of date, so a
# fixed date gives the same files (same seed) on every day, and the monthly run is always one
# whole month later. Runs on different days stay comparable.
DEFAULT_AS_OF = dt.date(2026, 10, 31)
SAMPLE_SECONDS = 0.1
SLOWEST_NODES = 5
TAIL_LINES = 30
EXIT_FAILED = 1
EXIT_BUSY = 75
MB = 1_000_000


class StepFailed(Exception):
    """A timed command exited non-zero (or could not start)."""

    def __init__(self, step: str, command: Sequence[str], returncode: int, tail: str, log_path: Path) -> None:
        super().__init__(step)
        self.step, self.command, self.returncode, self.tail, self.log_path = step, command, returncode, tail, log_path

    def report(self) -> str:
        return (
            f"FAILED: {self.step}\ncommand: {shlex.join(self.command)}\nexit code: {self.returncode}\n"
            f"last lines of its output (all of it: {self.log_path}):\n{self.tail}"
        )


# ---------------------------------------------------------------------------
# Pure helpers (unit tested)
# ---------------------------------------------------------------------------


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def next_month_end(day: dt.date) -> dt.date:
    """The first month-end strictly after `day`: the date the next scheduled run reports on."""
    end = month_end(day)
    return end if end > day else month_end(end + dt.timedelta(days=1))


@dataclasses.dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float


def spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("no values to summarise")
    return Spread(statistics.median(values), min(values), max(values))


@dataclasses.dataclass(frozen=True)
class RunResults:
    """What one dbt invocation's run_results.json says about where its time went."""

    elapsed_seconds: float  # before_run (relation cache), hooks and nodes; excludes start-up and parse
    node_seconds: dict[str, float]  # unique_id -> execution_time, hooks included

    @property
    def node_seconds_total(self) -> float:
        return sum(self.node_seconds.values())


def parse_run_results(data: Mapping[str, Any]) -> RunResults:
    return RunResults(
        elapsed_seconds=float(data["elapsed_time"]),
        node_seconds={result["unique_id"]: float(result["execution_time"]) for result in data["results"]},
    )


NODE_LABEL_MAX = 80  # dbt names a test after all its arguments; an accepted_values list would widen the table


def node_label(unique_id: str) -> str:
    """'model.segmentation.stg_customers' -> 'model stg_customers'; a test's hash suffix is dropped, and a
    name longer than NODE_LABEL_MAX is cut with an ellipsis."""
    kind, _package, *rest = unique_id.split(".")
    if kind == "test" and len(rest) > 1:
        rest = rest[:-1]
    label = f"{kind} {'.'.join(rest)}"
    return label if len(label) <= NODE_LABEL_MAX else label[: NODE_LABEL_MAX - 1] + "…"


def slowest_nodes(runs: Sequence[Mapping[str, float]], count: int) -> list[str]:
    """The `count` nodes with the largest median execution time over the repeats."""
    node_ids = {node_id for run in runs for node_id in run}
    medians = {node_id: statistics.median([run[node_id] for run in runs if node_id in run]) for node_id in node_ids}
    return sorted(medians, key=lambda node_id: (-medians[node_id], node_id))[:count]


def stat_parent_pid(stat_text: str) -> int:
    # Field 2 (the command name) is in parentheses and may itself hold spaces or ')', so the
    # fields are counted from the last ')': state, then the parent pid.
    return int(stat_text.rsplit(")", 1)[1].split()[1])


def status_rss_kb(status_text: str) -> int:
    """VmRSS in kB; 0 for a process that has none (a zombie, a kernel thread)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def descendants(parents: Mapping[int, int], root: int) -> set[int]:
    """`root` and every process below it, from a pid -> parent pid map."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, pending = {root}, [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in tree:
                tree.add(child)
                pending.append(child)
    return tree


def tree_rss_bytes(root: int, proc: Path = Path("/proc")) -> int:
    """The summed resident memory of `root` and its descendants now, from a /proc-like folder.

    Only processes are listed at the top of /proc (threads are under <pid>/task), so a
    multi-threaded dbt is counted once. A process that exits between listing and reading is
    skipped. Shared pages (libraries) count in each process, so this slightly over-counts.
    """
    parents: dict[int, int] = {}
    for entry in os.scandir(proc):
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = stat_parent_pid((proc / entry.name / "stat").read_text())
            except (OSError, ValueError, IndexError):
                continue
    total_kb = 0
    for pid in descendants(parents, root):
        try:
            total_kb += status_rss_kb((proc / str(pid) / "status").read_text())
        except OSError:
            continue
    return total_kb * 1024


def cpu_model(cpuinfo_text: str) -> str:
    for line in cpuinfo_text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def mem_total_bytes(meminfo_text: str) -> int:
    for line in meminfo_text.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def tail_lines(text: str, count: int) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-count:])


def monthly_skip_reason(target: str | None, default_target: str | None, run_month_help: str) -> str | None:
    """Why the monthly step cannot run on this target, or None when it can."""
    if target is None or target == default_target or "--target" in run_month_help:
        return None
    return f"scripts/run_month.py has no --target option, so it cannot run on target '{target}'"


@dataclasses.dataclass(frozen=True)
class Repeat:
    """The figures of one repeat; None where a step was skipped or does not apply."""

    build_seconds: float
    build_peak_rss_bytes: int
    run_results: RunResults
    warehouse_bytes: int | None
    monthly_seconds: float | None
    monthly_peak_rss_bytes: int | None
    cold_parse_seconds: float | None = None  # `dbt parse` with no saved manifest, run before the build
    unit_test_seconds: float | None = None  # the dbt unit tests, which the build leaves out, on their own

    @property
    def startup_parse_seconds(self) -> float:
        return self.build_seconds - self.run_results.elapsed_seconds

    @property
    def monthly_to_build(self) -> float | None:
        return self.monthly_seconds / self.build_seconds if self.monthly_seconds is not None else None


@dataclasses.dataclass(frozen=True)
class Figure:
    label: str
    unit: str  # "s", "MB" or "x" (a ratio); values are kept in seconds, bytes or as the ratio
    values: list[float]


def figures(
    generation_seconds: float,
    repeats: Sequence[Repeat],
    next_month_seconds: float | None = None,
) -> list[Figure]:
    """One figure per table row, each with its value in every repeat (empty when skipped)."""

    def present(values: list[float | int | None]) -> list[float]:
        return [float(value) for value in values if value is not None]

    rows = [
        Figure("data generation (once)", "s", [generation_seconds]),
        Figure("next month's rows appended (once)", "s", present([next_month_seconds])),
        Figure("dbt parse, cold (before the build)", "s", present([r.cold_parse_seconds for r in repeats])),
        Figure("dbt build, wall", "s", [r.build_seconds for r in repeats]),
        Figure("  start-up + parse (wall - elapsed)", "s", [r.startup_parse_seconds for r in repeats]),
        Figure("  run (run_results elapsed_time)", "s", [r.run_results.elapsed_seconds for r in repeats]),
        Figure("  node time, summed over nodes", "s", [r.run_results.node_seconds_total for r in repeats]),
    ]
    runs = [r.run_results.node_seconds for r in repeats]
    for node_id in slowest_nodes(runs, SLOWEST_NODES):
        rows.append(Figure(f"    {node_label(node_id)}", "s", [run[node_id] for run in runs if node_id in run]))
    rows += [
        Figure("dbt unit tests, wall (not in the build)", "s", present([r.unit_test_seconds for r in repeats])),
        Figure("monthly run (run_month.py), wall", "s", present([r.monthly_seconds for r in repeats])),
        Figure("  monthly run / dbt build", "x", present([r.monthly_to_build for r in repeats])),
        Figure("peak RSS, dbt build", "MB", [r.build_peak_rss_bytes for r in repeats]),
        Figure("peak RSS, monthly run", "MB", present([r.monthly_peak_rss_bytes for r in repeats])),
        Figure("warehouse file after build", "MB", present([r.warehouse_bytes for r in repeats])),
    ]
    return rows


def format_value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f} x"
    return f"{value:.1f} s" if unit == "s" else f"{value / MB:,.0f} MB"


def format_table(rows: Sequence[Figure]) -> str:
    cells = [("figure", "median", "min - max")]
    for row in rows:
        if not row.values:
            cells.append((row.label, "skipped", ""))
            continue
        summary = spread(row.values)
        low, high = format_value(summary.low, row.unit), format_value(summary.high, row.unit)
        cells.append((row.label, format_value(summary.median, row.unit), f"{low.split()[0]} - {high}"))
    widths = [max(len(cell[column]) for cell in cells) for column in range(3)]
    return "\n".join(
        f"{label:<{widths[0]}}   {median:>{widths[1]}}   {span:>{widths[2]}}".rstrip() for label, median, span in cells
    )


def figures_json(rows: Sequence[Figure]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        unit = {"s": "seconds", "x": "ratio"}.get(row.unit, "bytes")
        digits = {"s": 3, "x": 3}.get(row.unit, 0)
        entry: dict[str, Any] = {
            "figure": row.label.strip(),
            "unit": unit,
            "values": [round(value, digits) for value in row.values],
        }
        if row.values:
            summary = spread(row.values)
            entry.update(
                median=round(summary.median, digits), min=round(summary.low, digits), max=round(summary.high, digits)
            )
        out.append(entry)
    return out


# ---------------------------------------------------------------------------
# Running and measuring
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_bytes: int


def run_measured(step: str, command: Sequence[str], env: Mapping[str, str], log_path: Path) -> Measured:
    """Run a command to completion with its output in `log_path`; wall time and peak tree RSS.

    Peak memory is the largest *sum* of VmRSS over the process and its descendants, sampled
    every SAMPLE_SECONDS, not getrusage's ru_maxrss: that is the peak of the single largest
    process, and for RUSAGE_CHILDREN a maximum over every child this script ever waited for, so
    it neither adds up processes alive at once (run_month.py plus the dbt it starts) nor
    separates one step from the one before. Sampling can miss a spike shorter than the interval;
    one sample reads /proc in about 3 ms, so it costs the measured run about 3 % of one core.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    with open(log_path, "w") as log:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        except OSError as error:
            raise StepFailed(step, command, 127, str(error), log_path) from error
        while True:
            peak = max(peak, tree_rss_bytes(process.pid))
            try:
                # Waiting (rather than sleeping) between samples ends the timing at the exit itself.
                process.wait(timeout=SAMPLE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                continue
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise StepFailed(
            step, command, process.returncode, tail_lines(log_path.read_text(errors="replace"), TAIL_LINES), log_path
        )
    return Measured(seconds, peak)


@contextmanager
def progress(line: str) -> Iterator[dict[str, str]]:
    """Print `line …` now and finish it with the seconds (and any detail the block adds)."""
    print(f"{line} … ", end="", flush=True)
    started = time.perf_counter()
    detail: dict[str, str] = {}
    try:
        yield detail
    except BaseException:
        print("failed", flush=True)
        raise
    extra = f" ({detail['text']})" if detail.get("text") else ""
    print(f"{time.perf_counter() - started:.1f} s{extra}", flush=True)


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


RAW_FILES = ("customers.csv", "transactions.csv")


def link_raw_files(source: Path, current: Path) -> None:
    """Make `current` hold `source`'s raw files, as hard links: no copy of gigabytes."""
    current.mkdir(parents=True, exist_ok=True)
    for name in RAW_FILES:
        (current / name).unlink(missing_ok=True)
        os.link(source / name, current / name)


def run_repeat(number: int, args: argparse.Namespace, paths: Paths, skip_monthly: str | None) -> Repeat:
    prefix = f"repeat {number}/{args.repeat}"
    fresh_warehouse(paths)
    link_raw_files(paths.raw, paths.current)
    # The as-of date in the environment, as scripts/run_month.py passes it (macros/as_of.sql): the
    # vars then match the monthly run's, which reuses the build's parse.
    env = {**dbt_env(paths), "SEGMENTATION_AS_OF_DATE": args.as_of.isoformat()}
    dbt = str(Path(sys.executable).parent / "dbt")
    variables = {"raw_data_dir": str(paths.current), "backfill_months": 0}
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
    with progress(f"{prefix}: dbt build as of {args.as_of}") as detail:
        build = run_measured(f"{prefix}: dbt build", build_command, env, paths.logs / f"repeat{number}-dbt-build.log")
        results = parse_run_results(json.loads((paths.target / "run_results.json").read_text()))
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
    monthly: Measured | None = None
    if skip_monthly is None:
        monthly_as_of = next_month_end(args.as_of)
        link_raw_files(paths.raw_next_month, paths.current)
        command = [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "run_month.py"),
            "--as-of",
            monthly_as_of.isoformat(),
            "--raw-dir",
            str(paths.current),
            "--database",
            str(paths.database),
            "--log-file",
            str(paths.logs / "run_month.log"),
            *target_args(args.target),
        ]
        with progress(f"{prefix}: monthly run as of {monthly_as_of}") as detail:
            monthly = run_measured(f"{prefix}: monthly run", command, env, paths.logs / f"repeat{number}-monthly.log")
            detail["text"] = f"peak RSS {monthly.peak_rss_bytes / MB:,.0f} MB"
    return Repeat(
        build.seconds,
        build.peak_rss_bytes,
        results,
        size,
        monthly.seconds if monthly else None,
        monthly.peak_rss_bytes if monthly else None,
        cold_parse.seconds,
        unit_tests.seconds,
    )


def append_next_month(raw: Path, out: Path, as_of: dt.date, next_as_of: dt.date) -> int:
    """Write to `out` the raw files as they would arrive at `next_as_of`: the transactions file
    grown by one month, the customers file as it is. The new month repeats the last
    (next_as_of - as_of) days' rows, dated that many days later, under new ids after the largest;
    the rows already there are copied unchanged, bad ones included. Returns the rows added."""
    import duckdb  # the venv's, as dbt-duckdb's dependency

    days = (next_as_of - as_of).days
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw / "customers.csv", out / "customers.csv")
    columns = "transaction_id, customer_id, transaction_date, amount, merchant_category"
    # Read as the project reads it (register_raw_files): every column text, the same quoting.
    source = (
        f"read_csv('{raw / 'transactions.csv'}', header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true)"
    )
    new_rows = f"""
        select
            cast(last_id.value + row_number() over (order by try_cast(transaction_id as bigint), transaction_date)
                 as varchar) as transaction_id,
            customer_id,
            strftime(try_cast(transaction_date as date) + {days}, '%Y-%m-%d') as transaction_date,
            amount,
            merchant_category
        from {source}, (select max(try_cast(transaction_id as bigint)) as value from {source}) as last_id
        where regexp_full_match(transaction_date, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')
            and try_cast(transaction_date as date) > date '{as_of.isoformat()}' - {days}
            and try_cast(transaction_date as date) <= date '{as_of.isoformat()}'
    """
    with duckdb.connect() as con:
        [(added,)] = con.sql(f"select count(*) from ({new_rows})").fetchall()
        con.execute(
            f"copy (select {columns} from {source} union all {new_rows}) "
            f"to '{out / 'transactions.csv'}' (header, delimiter ',')"
        )
    return int(added)


def prepare_next_month(args: argparse.Namespace, paths: Paths) -> float:
    next_as_of = next_month_end(args.as_of)
    with progress(f"appending the month to {next_as_of} to a copy of the files, for the monthly run") as detail:
        started = time.perf_counter()
        added = append_next_month(paths.raw, paths.raw_next_month, args.as_of, next_as_of)
        detail["text"] = f"{added:,} new transactions in {paths.raw_next_month}"
        return time.perf_counter() - started


def generate_data(args: argparse.Namespace, paths: Paths) -> float:
    command = [
        sys.executable,
        str(PROJECT_DIR / "scripts" / "generate_data.py"),
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


def target_type(target: str | None) -> str | None:
    """The adapter type of a named target in profiles.yml ('postgres', ...); None for the default."""
    if target is None:
        return None
    return project_profile().get("outputs", {}).get(target, {}).get("type")


def load_raw_into_postgres(paths: Paths) -> float:
    """A Postgres server cannot read the generated files: load them once, as a user would (README)."""
    command = [sys.executable, str(PROJECT_DIR / "scripts" / "load_raw.py"), "--raw-dir", str(paths.raw)]
    with progress(f"loading {paths.raw} into Postgres (scripts/load_raw.py)"):
        return run_measured("raw load", command, os.environ, paths.logs / "load_raw.log").seconds


def monthly_skip(target: str | None) -> str | None:
    if target is None:
        return None
    default_target = project_profile().get("target")
    help_text = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "run_month.py"), "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    ).stdout
    return monthly_skip_reason(target, default_target, help_text)


# ---------------------------------------------------------------------------
# Machine and versions
# ---------------------------------------------------------------------------


def read_text(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(read_text("/proc/cpuinfo")),
        "memory_bytes": mem_total_bytes(read_text("/proc/meminfo")),
        # The machine may be shared: a high load at the start explains slow or spread-out figures.
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for package in ("duckdb", "dbt-core", "dbt-duckdb"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


positive_int = whole_number_at_least(1)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
        "saying why, when run_month.py cannot take a target; only a DuckDB file warehouse is "
        "deleted between repeats",
    )
    parser.add_argument("--seed", type=int, default=42, help="data generator seed (default 42)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("data/bench"),
        help="folder for everything the benchmark writes (default data/bench)",
    )
    return parser.parse_args(argv)


@contextmanager
def bench_lock(root: Path) -> Iterator[bool]:
    """True while this process is the only benchmark using `root`: two at once would delete each
    other's warehouse, and share the CPUs, which would spoil both sets of figures anyway."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def header_lines(args: argparse.Namespace, host: Mapping[str, Any], found: Mapping[str, str]) -> list[str]:
    return [
        f"benchmark: {args.customers:,} customers x {args.transactions:,} transactions, {args.repeat} repeat(s), "
        f"as of {args.as_of} (monthly run {next_month_end(args.as_of)}), target {args.target or '(profile default)'}",
        f"machine: {host['cpus']} CPUs, {host['cpu_model']}, {host['memory_bytes'] / 1024**3:.1f} GiB RAM, "
        f"load average {' '.join(str(load) for load in host['load_average_at_start'])}",
        "versions: " + ", ".join(f"{package} {version}" for package, version in found.items()),
    ]


def notes(repeats: Sequence[Repeat]) -> list[str]:
    node_count = len(repeats[0].run_results.node_seconds)
    return [
        "start-up + parse = build wall - run_results elapsed_time: Python and dbt start-up, parsing the project,",
        "  building the graph and writing the artefacts. elapsed_time covers the relation cache, hooks and nodes.",
        f"node time = sum of execution_time over {node_count} nodes (hooks included); with threads > 1 nodes overlap,",
        "  so it can exceed elapsed_time. The slowest nodes are ranked by their median.",
        "The build leaves out the dbt unit tests, as the scheduled build does; they run on fixtures, and are timed",
        "  on their own as one `dbt test --select test_type:unit` (start-up included).",
        f"peak RSS = largest sum of VmRSS over the command's process tree, sampled every {SAMPLE_SECONDS:g} s. MB = 10^6 bytes.",
    ]


def run(args: argparse.Namespace, paths: Paths) -> int:
    host, found = machine(), versions()
    print("\n".join(header_lines(args, host, found)), flush=True)
    skip_monthly = monthly_skip(args.target)
    if skip_monthly:
        print(f"monthly run skipped: {skip_monthly}", flush=True)
    try:
        generation_seconds = generate_data(args, paths)
        if target_type(args.target) == "postgres":
            load_raw_into_postgres(paths)
        next_month_seconds = prepare_next_month(args, paths) if skip_monthly is None else None
        repeats = [run_repeat(number, args, paths, skip_monthly) for number in range(1, args.repeat + 1)]
    except StepFailed as failed:
        print(failed.report(), file=sys.stderr)
        return EXIT_FAILED
    rows = figures(generation_seconds, repeats, next_month_seconds)
    print()
    print(format_table(rows))
    print()
    print("\n".join(notes(repeats)))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = paths.root / f"{stamp}-{args.customers}x{args.transactions}.json"
    out.write_text(
        json.dumps(
            {
                "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                "customers": args.customers,
                "transactions": args.transactions,
                "repeat": args.repeat,
                "seed": args.seed,
                "as_of": args.as_of.isoformat(),
                "monthly_as_of": next_month_end(args.as_of).isoformat(),
                "target": args.target,
                "monthly_skipped": skip_monthly,
                "machine": host,
                "versions": found,
                "figures": figures_json(rows),
                "nodes_per_repeat": [repeat.run_results.node_seconds for repeat in repeats],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"figures written to {out.relative_to(PROJECT_DIR) if out.is_relative_to(PROJECT_DIR) else out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    paths = Paths(args.dir if args.dir.is_absolute() else PROJECT_DIR / args.dir)
    with bench_lock(paths.root) as alone:
        if not alone:
            print(f"not started: another benchmark is running in {paths.root}", file=sys.stderr)
            return EXIT_BUSY
        return run(args, paths)


if __name__ == "__main__":
    sys.exit(main())
