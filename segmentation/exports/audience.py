"""Read a campaign's treatment group from the published warehouse, re-checking contactability.

One short-lived read-only connection: everything the export needs is fetched, then the file is closed before the
slow part (writing the file) starts, so the export never holds the published file while a publish renames it.
A member is written only when their `customer_contactability` row for the campaign's channel says
`is_contactable`; that model is the only place consent is decided. A member with no such row (no longer a current
customer) is left out too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.fields import ALLOWED_FIELDS, parse_fields

REQUIRED_TABLES = ("campaigns", "campaign_audiences", "customer_contactability", "dim_customer")
NO_CONTACTABILITY_ROW = "not a current customer"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    campaign_name: str
    channel: str
    status: str


@dataclass(frozen=True)
class Audience:
    campaign: Campaign
    fields: tuple[str, ...]
    rows: list[tuple[object, ...]]  # the contactable treatment members in audience_rank order: the fields' values
    treatment_size: int
    left_out: dict[str, int]  # not_contactable_reasons (as the model joins them) -> members left out
    publication_id: str | None

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values())


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main'"
        " union all select view_name from duckdb_views() where schema_name = 'main' and not internal"
    ).fetchall()
    return {row[0] for row in rows}


def _campaign(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    rows = con.execute(
        "select campaign_id, campaign_name, channel, status from campaigns order by campaign_id"
    ).fetchall()
    campaigns = {row[0]: Campaign(*row) for row in rows}
    if campaign_id not in campaigns:
        known = ", ".join(f"{c.campaign_id} ({c.status})" for c in campaigns.values()) or "none"
        raise ExportRefused(f"no campaign {campaign_id!r} in the published warehouse; its campaigns: {known}")
    campaign = campaigns[campaign_id]
    if campaign.status == "cancelled":
        raise ExportRefused(f"campaign {campaign_id!r} is cancelled: its audience is not exported")
    return campaign


def _publication_id(con: duckdb.DuckDBPyConnection, tables: set[str]) -> str | None:
    if "publication" not in tables:
        return None
    row = con.execute("select publication_id from publication").fetchone()
    return None if row is None else str(row[0])


def _members_sql(fields: Sequence[str]) -> str:
    selected = ", ".join(f"{ALLOWED_FIELDS[name]} as {name}" for name in fields)
    return f"""
        select
            coalesce(c.is_contactable, false) as is_contactable,
            coalesce(c.not_contactable_reasons, '{NO_CONTACTABILITY_ROW}') as not_contactable_reasons,
            {selected}
        from campaign_audiences as a
        left join customer_contactability as c
            on a.customer_id = c.customer_id and c.channel = ?
        left join dim_customer as d
            on a.customer_id = d.customer_id and d.is_current
        where a.campaign_id = ? and a.test_group = 'treatment'
        order by a.audience_rank, a.customer_id
    """


def read_audience(database: Path, campaign_id: str, fields: Sequence[str]) -> Audience:
    """The campaign's treatment members that may be contacted on its channel now, with the chosen fields; refused
    for an unknown or cancelled campaign and for one whose treatment group is empty."""
    if not database.exists():
        raise ExportFailed(f"no published warehouse at {database} (build one with `make build`, or pass --database)")
    fields = parse_fields(fields)
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            tables = _tables(con)
            missing = [name for name in REQUIRED_TABLES if name not in tables]
            if missing:
                raise ExportFailed(
                    f"{database} has no {', '.join(missing)}: it was published before campaigns were built"
                )
            campaign = _campaign(con, campaign_id)
            members = con.execute(_members_sql(fields), [campaign.channel, campaign_id]).fetchall()
            publication_id = _publication_id(con, tables)
    except duckdb.Error as error:
        raise ExportFailed(f"could not read the audience from {database}: {error}") from error
    if not members:
        raise ExportRefused(
            f"campaign {campaign_id!r} has no audience: its treatment group in campaign_audiences is empty"
        )
    left_out = Counter(str(member[1]) for member in members if not member[0])
    return Audience(
        campaign=campaign,
        fields=tuple(fields),
        rows=[tuple(member[2:]) for member in members if member[0]],
        treatment_size=len(members),
        left_out=dict(left_out.most_common()),
        publication_id=publication_id,
    )
