"""Print the segment summary that ends `make build`: per segment, count, share and average
lifetime value, what the run did with the raw rows, the latest segment migrations, the lifetime-value
fits' statuses (on how many dates both are ok, and why the latest date's are not) and the holdout
check, the definitions files the build read (the user-defined segments and campaigns: which files, or none), and
last, which file and publication (id, as-of date, time) it read.

Reads the warehouse read-only, so it can run beside a BI tool holding the file open.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.build_definitions import CAMPAIGNS_VAR, SEGMENTS_VAR, DefinitionFiles, describe, recorded

SEGMENT_ORDER_SQL = """
select
    customer_segment,
    min(segment_priority) as segment_priority,
    count(*) as customers,
    round(count(*) * 100.0 / sum(count(*)) over (), 2) as share_pct,
    round(avg(lifetime_value), 2) as avg_lifetime_value,
    round(avg(avg_monthly_spend), 2) as avg_monthly_spend,
    min(as_of_date) as as_of_date
from customer_segments
group by customer_segment
order by segment_priority
"""

QUALITY_SQL = """
select entity, measure, sum(row_count) as row_count
from data_quality_report
group by entity, measure
"""

REJECT_REASONS_SQL = """
select entity, detail, row_count
from data_quality_report
where measure = 'rejected_rows' and row_count > 0
order by entity, row_count desc, detail
"""

HISTORY_SQL = """
select
    (select count(distinct as_of_date) from customer_segment_snapshots) as recorded_dates,
    (select min(as_of_date) from customer_segment_snapshots) as first_date,
    from_as_of_date,
    to_as_of_date,
    migration_type,
    sum(customer_count) as customers
from segment_migrations
where segment_type = 'behavioral'
    and to_as_of_date = (select max(to_as_of_date) from segment_migrations)
group by from_as_of_date, to_as_of_date, migration_type
"""

MIGRATION_TYPES = ("stayed", "moved", "entered", "left")

# The optional inputs of docs/rules/raw-input.md that the build found empty (file or column not delivered).
MISSING_OPTIONAL_SQL = """
select entity, detail
from data_quality_report
where measure = 'optional_input' and row_count = 0
order by entity, detail
"""

CATALOG_SQL = """
select segment_type, count(*) as segments, min(customer_count) as smallest, max(customer_count) as largest
from segments
group by segment_type
order by segment_type
"""

# The lifetime-value fits of every recorded date (docs/lifetime-value.md), and the holdout check's overall row of
# the latest date that has one.
CLV_FITS_SQL = """
select as_of_date, bg_nbd_status, gamma_gamma_status, status_reason
from clv_model_fits
order by as_of_date
"""

CLV_VALIDATION_SQL = """
select as_of_date, calibration_end_date, customers, bias_ratio, alive_auc, mean_absolute_error, status_reason
from clv_validation
where decile is null
order by as_of_date desc
limit 1
"""

PUBLICATION_SQL = """
select publication_id, as_of_date, published_at from publication
"""


@dataclass(frozen=True)
class HistorySummary:
    recorded_dates: int
    first_date: str
    from_date: str
    to_date: str
    customers_by_type: dict[str, int]


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    customers: int
    share_pct: float
    avg_lifetime_value: float  # display figures: DuckDB averages decimals in double precision
    avg_monthly_spend: float


def read_summary(database: Path) -> tuple[str, list[SegmentRow], dict[tuple[str, str], int]]:
    """The as-of date, one row per segment in priority order, and the data-quality counts."""
    if not database.exists():
        raise FileNotFoundError(f"warehouse file {database} does not exist: run `make build` first")
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql(SEGMENT_ORDER_SQL).fetchall()
        quality = {(entity, measure): int(count) for entity, measure, count in con.sql(QUALITY_SQL).fetchall()}
    as_of = str(rows[0][6]) if rows else "n/a"
    segments = [SegmentRow(r[0], int(r[2]), float(r[3]), float(r[4]), float(r[5])) for r in rows]
    return as_of, segments, quality


def read_reject_reasons(database: Path) -> list[tuple[str, str, int]]:
    """(entity, reason, rows) for every reason that rejected at least one row, most rows first."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [(entity, reason, int(count)) for entity, reason, count in con.sql(REJECT_REASONS_SQL).fetchall()]


def format_reject_reasons(reasons: list[tuple[str, str, int]]) -> str:
    """One line per entity with rejected rows: its reasons and their counts."""
    by_entity: dict[str, list[str]] = {}
    for entity, reason, count in reasons:
        by_entity.setdefault(entity, []).append(f"{reason} {count:,}")
    return "\n".join(f"{entity} rejected: {'; '.join(parts)}" for entity, parts in by_entity.items())


def read_history(database: Path) -> HistorySummary | None:
    """The latest pair of recorded as-of dates and its migrations; None before a second date exists."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}
        if "segment_migrations" not in tables:
            return None
        rows = con.sql(HISTORY_SQL).fetchall()
    if not rows:
        return None
    by_type = {row[4]: int(row[5]) for row in rows}
    return HistorySummary(int(rows[0][0]), str(rows[0][1]), str(rows[0][2]), str(rows[0][3]), by_type)


def format_history(history: HistorySummary | None) -> str:
    if history is None:
        return "segment history: one as-of date recorded so far, no migrations yet"
    moves = ", ".join(f"{history.customers_by_type.get(kind, 0):,} {kind}" for kind in MIGRATION_TYPES)
    return (
        f"segment history: {history.recorded_dates} as-of dates from {history.first_date};"
        f" {history.from_date} -> {history.to_date}: {moves} (select * from segment_migrations)"
    )


def read_publication(database: Path) -> tuple[str, str, str] | None:
    """(publication_id, as_of_date, published_at) of a published file; None for a working file."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}
        if "publication" not in tables:
            return None
        columns = {
            name
            for (name,) in con.sql(
                "select column_name from duckdb_columns() where table_name = 'publication'"
            ).fetchall()
        }
        if "publication_id" not in columns:  # published before publications had an id
            row = con.execute("select 'none', as_of_date, published_at from publication").fetchone()
        else:
            row = con.execute(PUBLICATION_SQL).fetchone()
    if row is None:
        return None
    published_at = row[2].isoformat(sep=" ", timespec="seconds") if hasattr(row[2], "isoformat") else str(row[2])
    return str(row[0]), str(row[1]), published_at


@dataclass(frozen=True)
class DefinitionsRead:
    """The definitions files a published warehouse's build read, and what it built from each."""

    files: DefinitionFiles
    user_segments: int
    campaigns: int


def read_definitions(database: Path) -> DefinitionsRead | None:
    """The files the publication records, with the user-defined segments and campaigns in its marts; None where
    nothing is recorded (a working file, or one published without them)."""
    files = recorded(database)
    if files is None:
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}
        user_segments = (
            con.sql("select count(*) from segments where segment_type in ('static', 'dynamic')").fetchall()[0][0]
            if "segments" in tables
            else 0
        )
        campaigns = con.sql("select count(*) from campaigns").fetchall()[0][0] if "campaigns" in tables else 0
    return DefinitionsRead(files, int(user_segments), int(campaigns))


def format_definitions(definitions: DefinitionsRead | None) -> str:
    """Which definitions the build read: the user's own, the demo's, or none."""
    if definitions is None:
        return ""
    return (
        f"definitions: {describe(SEGMENTS_VAR, definitions.files.segments, definitions.user_segments)}; "
        f"{describe(CAMPAIGNS_VAR, definitions.files.campaigns, definitions.campaigns)}"
    )


def format_publication(database: Path, publication: tuple[str, str, str] | None) -> str:
    """Which file and which publication the summary was read from."""
    if publication is None:
        return f"read from {database}: a working file, not a published one (no publication table)"
    publication_id, as_of, published_at = publication
    return f"read from {database}: publication {publication_id}, as of {as_of}, published {published_at} UTC"


def format_summary(as_of: str, segments: list[SegmentRow], quality: dict[tuple[str, str], int]) -> str:
    """A fixed-width table a person can read at the end of a build."""
    total = sum(s.customers for s in segments)
    lines = [
        f"Customer segments as of {as_of} ({total:,} customers)",
        f"{'segment':<22}{'customers':>11}{'share':>9}{'avg lifetime value':>21}{'avg monthly spend':>20}",
    ]
    for s in segments:
        lines.append(
            f"{s.segment:<22}{s.customers:>11,}{s.share_pct:>8.2f}%{s.avg_lifetime_value:>21,.2f}{s.avg_monthly_spend:>20,.2f}"
        )
    for entity in ("customers", "transactions"):
        raw = quality.get((entity, "raw_rows"), 0)
        lines.append(
            f"{entity}: {raw:,} raw rows = {quality.get((entity, 'clean_rows'), 0):,} clean"
            f" + {quality.get((entity, 'rejected_rows'), 0):,} rejected"
            f" + {quality.get((entity, 'duplicate_rows'), 0):,} duplicates removed"
        )
    flagged = quality.get(("customers", "flagged_field"), 0)
    lines.append(f"profile fields nulled or flagged: {flagged:,} (details: select * from data_quality_report)")
    return "\n".join(lines)


def read_missing_optional_inputs(database: Path) -> list[str]:
    """The optional inputs with no values this run, as `entity: detail`; empty before the catalog existed."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [f"{entity} {detail.split(':')[0]}" for entity, detail in con.sql(MISSING_OPTIONAL_SQL).fetchall()]


def format_missing_optional_inputs(missing: list[str]) -> str:
    """One line naming the optional inputs not delivered, whose features are empty; nothing when all came."""
    if not missing:
        return ""
    return (
        f"optional inputs not delivered (their features are empty): {', '.join(missing)}"
        " (docs/rules/raw-input.md; select * from data_quality_report where measure = 'optional_input')"
    )


def read_catalog(database: Path) -> list[tuple[str, int, int, int]]:
    """(segment_type, segments, smallest, largest member count) per type; empty without a catalog."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}
        if "segments" not in tables:
            return []
        return [(str(t), int(n), int(lo), int(hi)) for t, n, lo, hi in con.sql(CATALOG_SQL).fetchall()]


def format_catalog(catalog: list[tuple[str, int, int, int]]) -> str:
    if not catalog:
        return ""
    parts = ", ".join(f"{kind} {segments}" for kind, segments, _, _ in catalog)
    return f"segment catalog: {sum(row[1] for row in catalog)} segments ({parts}) (select * from segments)"


@dataclass(frozen=True)
class FitStatus:
    as_of_date: str
    bg_nbd_status: str
    gamma_gamma_status: str
    status_reason: str | None


@dataclass(frozen=True)
class HoldoutCheck:
    as_of_date: str
    calibration_end_date: str
    customers: int
    bias_ratio: float | None
    alive_auc: float | None
    mean_absolute_error: float | None
    status_reason: str | None


def read_lifetime_value(database: Path) -> tuple[list[FitStatus], HoldoutCheck | None]:
    """Every recorded date's fit statuses and the latest holdout check; empty where the marts are not built (on an
    engine without Python models, or a warehouse from before them)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}
        columns = {
            name
            for (name,) in con.sql(
                "select column_name from duckdb_columns() where table_name = 'clv_model_fits'"
            ).fetchall()
        }
        if "bg_nbd_status" not in columns:
            return [], None
        fits = [FitStatus(str(row[0]), row[1], row[2], row[3]) for row in con.sql(CLV_FITS_SQL).fetchall()]
        check = con.execute(CLV_VALIDATION_SQL).fetchone() if "clv_validation" in tables else None
    holdout = (
        HoldoutCheck(str(check[0]), str(check[1]), int(check[2]), check[3], check[4], check[5], check[6])
        if check is not None
        else None
    )
    return fits, holdout


def format_lifetime_value(fits: list[FitStatus], holdout: HoldoutCheck | None) -> str:
    """How many dates have both fits ok; for the latest date, which fit is not and why; for the earlier ones, how
    many dates each model is not ok on (their reasons are in clv_model_fits); then the latest holdout check."""
    if not fits:
        return ""
    ok = sum(1 for fit in fits if fit.bg_nbd_status == fit.gamma_gamma_status == "ok")
    lines = [f"lifetime value: both fits ok on {ok} of {len(fits)} as-of dates"]
    if ok < len(fits):
        lines[0] += "; the figures that need a fit that is not ok are null (select * from clv_model_fits)"
    *earlier, latest = fits
    if latest.status_reason:
        lines.append(f"  as of {latest.as_of_date}: {latest.status_reason}")
    counts = [
        f"{name} {status} on {count}"
        for name, attribute in (("BG/NBD", "bg_nbd_status"), ("Gamma-Gamma", "gamma_gamma_status"))
        for status in ("degenerate", "failed")
        if (count := sum(1 for fit in earlier if getattr(fit, attribute) == status))
    ]
    if counts:
        lines.append(f"  earlier dates ({len(earlier)}): {', '.join(counts)}")
    if holdout is not None:
        period = (
            f"as of {holdout.as_of_date} (fitted to {holdout.calibration_end_date}, {holdout.customers:,} customers)"
        )
        if holdout.bias_ratio is None and holdout.alive_auc is None and holdout.mean_absolute_error is None:
            lines.append(f"holdout check {period}: no predictions ({holdout.status_reason})")
        else:
            figures = [
                f"bias ratio {holdout.bias_ratio:.3f}" if holdout.bias_ratio is not None else "no bias ratio",
                f"alive AUC {holdout.alive_auc:.3f}" if holdout.alive_auc is not None else "no alive AUC",
                f"mean absolute error {holdout.mean_absolute_error:.2f} purchase days",
            ]
            lines.append(f"holdout check {period}: {', '.join(figures)} (select * from clv_validation)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        type=Path,
        default=Path(os.environ.get("DUCKDB_PATH", "data/warehouse.duckdb")),
        help="the DuckDB warehouse file (default: $DUCKDB_PATH or data/warehouse.duckdb)",
    )
    args = parser.parse_args(argv)
    try:
        print(format_summary(*read_summary(args.database)))
        reasons = format_reject_reasons(read_reject_reasons(args.database))
        if reasons:
            print(reasons)
            print("each rejected row, with its reason and ids: select * from rejected_rows")
        print(format_history(read_history(args.database)))
        for line in (
            format_catalog(read_catalog(args.database)),
            format_missing_optional_inputs(read_missing_optional_inputs(args.database)),
            format_lifetime_value(*read_lifetime_value(args.database)),
            format_definitions(read_definitions(args.database)),
        ):
            if line:
                print(line)
        print(format_publication(args.database, read_publication(args.database)))
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"segment_summary: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
