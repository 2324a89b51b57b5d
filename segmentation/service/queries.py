"""The service's reads of the published warehouse: one short read-only connection per request, values bound.

Each request opens a fresh in-memory DuckDB and attaches the published file read-only: the file is open only while
the request runs, so a build can always publish (by a rename) beside the service, and everything one answer says
comes from one publication. (A plain `duckdb.connect(path, read_only=True)` would not do: DuckDB keeps one instance
per path in a process while any connection to it is open, so under steady traffic the service would keep answering
from the file it opened first, long after a publish replaced it.)

Every value from a request reaches SQL as a bound parameter; the only text put into a query is fixed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from segmentation.service.definitions import USER_TYPES

ALIAS = "published"
# What a member listing shows besides the membership (docs/rules/service.md): non-personal columns of customer_segments.
# Never a name, email, phone, birth date or address, whatever the caller's role.
MEMBER_ATTRIBUTES = (
    "customer_segment",
    "tenure_months",
    "lifetime_value",
    "avg_monthly_spend",
    "recency_days",
    "frequency_365d",
    "rfm_score",
)


class WarehouseUnavailable(Exception):
    """The published file is missing or cannot answer (503)."""


@dataclass(frozen=True)
class Publication:
    publication_id: str | None
    as_of_date: dt.date | None
    working_file: str | None


@dataclass(frozen=True)
class CatalogRow:
    segment_id: str
    segment_name: str
    segment_type: str
    description: str | None
    criteria: str | None
    status: str
    customer_count: int
    share_of_customers: Decimal | None
    last_updated: dt.date | None


@dataclass(frozen=True)
class MembersPage:
    publication: Publication
    as_of_date: dt.date | None
    total: int
    rows: list[dict[str, Any]]


@contextmanager
def connect(published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not published.exists():
        raise WarehouseUnavailable(f"no published warehouse at {published} (build one with `make build`)")
    con = duckdb.connect()
    try:
        escaped = str(published).replace("'", "''")
        con.execute(f"attach '{escaped}' as {ALIAS} (read_only)")
        con.execute(f"use {ALIAS}")
        yield con
    except duckdb.Error as error:
        raise WarehouseUnavailable(f"the published warehouse {published} cannot answer: {error}") from error
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'"
        " union all select view_name from duckdb_views() where database_name = ? and schema_name = 'main'",
        [ALIAS, ALIAS],
    ).fetchall()
    return {row[0] for row in rows}


def require(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    missing = [name for name in tables if name not in _tables(con)]
    if missing:
        raise WarehouseUnavailable(
            f"the published warehouse has no {', '.join(missing)}: it was built before them; rebuild and publish it"
        )


def publication(con: duckdb.DuckDBPyConnection) -> Publication:
    if "publication" not in _tables(con):
        return Publication(None, None, None)
    row = con.execute("select publication_id, as_of_date, working_file from publication").fetchone()
    return Publication(*row) if row else Publication(None, None, None)


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, CatalogRow]:
    require(con, "segments")
    rows = con.execute(
        "select segment_id, segment_name, segment_type, description, criteria, status, customer_count,"
        " share_of_customers, last_updated from segments order by segment_id"
    ).fetchall()
    return {row[0]: CatalogRow(*row) for row in rows}


def builtin_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [segment_id for segment_id, row in catalog(con).items() if row.segment_type not in USER_TYPES]


_MEMBERS = f"""
    create temp table current_members as
    with recorded as (
        select as_of_date, row_number() over (order by as_of_date) as as_of_index
        from (select distinct as_of_date from {ALIAS}.main.segment_membership_snapshots) as dates
    ),
    segment_rows as (
        select snapshots.customer_id, snapshots.source, recorded.as_of_date, recorded.as_of_index
        from {ALIAS}.main.segment_membership_snapshots as snapshots
        inner join recorded on snapshots.as_of_date = recorded.as_of_date
        where snapshots.segment_id = $segment_id
    ),
    islands as (
        select *, as_of_index - row_number() over (partition by customer_id order by as_of_index) as island
        from segment_rows
    ),
    stays as (
        select customer_id, min(as_of_date) as joined_at, max(as_of_index) as last_index, max(source) as source
        from islands
        group by customer_id, island
    )
    select
        stays.customer_id, stays.joined_at, stays.source,
        {", ".join(f"attributes.{name}" for name in MEMBER_ATTRIBUTES)}
    from stays
    left join {ALIAS}.main.customer_segments as attributes on stays.customer_id = attributes.customer_id
    where stays.last_index = (select max(as_of_index) from recorded)
"""


def members_page(con: duckdb.DuckDBPyConnection, segment_id: str, limit: int, offset: int) -> MembersPage:
    """The segment's current members by customer_id: those of the membership store's latest date, each with the
    date its current stay began (as segment_members derives it) and the fixed attributes."""
    require(con, "segment_membership_snapshots", "customer_segments")
    con.execute(_MEMBERS, {"segment_id": segment_id})
    (total,) = con.execute("select count(*) from current_members").fetchone() or (0,)
    relation = con.execute("select * from current_members order by customer_id limit ? offset ?", [limit, offset])
    columns = [column[0] for column in relation.description or []]
    rows = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    (as_of,) = con.execute(f"select max(as_of_date) from {ALIAS}.main.segment_membership_snapshots").fetchone() or (
        None,
    )
    return MembersPage(publication(con), as_of, int(total), rows)


def known_customers(con: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are customers of the published run (customer_segments, as of A)."""
    if not ids:
        return set()
    require(con, "customer_segments")
    rows = con.execute(
        "select customer_id from customer_segments where customer_id in (select unnest(?))", [list(ids)]
    ).fetchall()
    return {row[0] for row in rows}


def analytics(con: duckdb.DuckDBPyConnection, segment_id: str) -> list[dict[str, Any]]:
    """Every recorded date's segment_analytics row of the segment, oldest first."""
    require(con, "segment_analytics")
    relation = con.execute("select * from segment_analytics where segment_id = ? order by as_of_date", [segment_id])
    columns = [column[0] for column in relation.description or []]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def bounded_ids(ids: Iterable[int]) -> list[int]:
    return sorted(set(ids))
