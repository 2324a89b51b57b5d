"""Read what an export writes from the published warehouse, re-checking contactability: a campaign's treatment group,
or a segment's current members on a channel.

One short-lived read-only connection: everything the export needs is fetched, then the file is closed before the
slow part (writing the file) starts, so the export never holds the published file while a publish renames it.
A member is written only when their `customer_contactability` row for the channel says `is_contactable`; that model
is the only place consent is decided. A member with no such row (no longer a current customer) is left out too.
Campaigns and segments go through the same query shape (`_members_sql`) and the same field allow-list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.fields import ALLOWED_FIELDS, CAMPAIGN_ONLY_FIELDS, CHANNELS, parse_fields

REQUIRED_TABLES = ("campaigns", "campaign_audiences", "customer_contactability", "dim_customer")
SEGMENT_REQUIRED_TABLES = ("segments", "segment_members", "customer_contactability", "dim_customer")
NO_CONTACTABILITY_ROW = "not a current customer"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    campaign_name: str
    channel: str
    status: str


@dataclass(frozen=True)
class SegmentChoice:
    """A segment exported on a channel (`POST /api/customer-segments/{id}/export`, `make export SEGMENT=`)."""

    segment_id: str
    segment_name: str
    channel: str


@dataclass(frozen=True)
class Audience:
    campaign: Campaign | None  # None for a segment's export
    fields: tuple[str, ...]
    rows: list[tuple[object, ...]]  # the contactable members, in the export's order: the fields' values
    treatment_size: int  # the members considered: a campaign's treatment group, a segment's current members
    left_out: dict[str, int]  # not_contactable_reasons (as the model joins them) -> members left out
    publication_id: str | None
    segment: SegmentChoice | None = None

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values())

    @property
    def channel(self) -> str:
        chosen = self.campaign or self.segment
        assert chosen is not None
        return chosen.channel


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


def _members_sql(fields: Sequence[str], members: str, where: str) -> str:
    """`members` (aliased `a`, with customer_id) joined to the channel's contactability and the current contact
    details; the two bound parameters are the channel and the campaign or segment id."""
    selected = ", ".join(f"{ALLOWED_FIELDS[name]} as {name}" for name in fields)
    return f"""
        select
            coalesce(c.is_contactable, false) as is_contactable,
            coalesce(c.not_contactable_reasons, '{NO_CONTACTABILITY_ROW}') as not_contactable_reasons,
            {selected}
        from {members} as a
        left join customer_contactability as c
            on a.customer_id = c.customer_id and c.channel = ?
        left join dim_customer as d
            on a.customer_id = d.customer_id and d.is_current
        where {where}
    """


CAMPAIGN_MEMBERS = "a.campaign_id = ? and a.test_group = 'treatment' order by a.audience_rank, a.customer_id"
SEGMENT_MEMBERS = "a.segment_id = ? order by a.customer_id"


def _read(database: Path, required: Sequence[str], what: str) -> duckdb.DuckDBPyConnection:
    if not database.exists():
        raise ExportFailed(f"no published warehouse at {database} (build one with `make build`, or pass --database)")
    con = duckdb.connect(str(database), read_only=True)
    missing = [name for name in required if name not in _tables(con)]
    if missing:
        con.close()
        raise ExportFailed(f"{database} has no {', '.join(missing)}: it was published before {what} were built")
    return con


def _audience(
    members: list[tuple[object, ...]],
    fields: tuple[str, ...],
    publication_id: str | None,
    campaign: Campaign | None = None,
    segment: SegmentChoice | None = None,
) -> Audience:
    left_out = Counter(str(member[1]) for member in members if not member[0])
    return Audience(
        campaign=campaign,
        fields=fields,
        rows=[tuple(member[2:]) for member in members if member[0]],
        treatment_size=len(members),
        left_out=dict(left_out.most_common()),
        publication_id=publication_id,
        segment=segment,
    )


def read_audience(database: Path, campaign_id: str, fields: Sequence[str]) -> Audience:
    """The campaign's treatment members that may be contacted on its channel now, with the chosen fields; refused
    for an unknown or cancelled campaign and for one whose treatment group is empty."""
    fields = parse_fields(fields)
    try:
        with _read(database, REQUIRED_TABLES, "campaigns") as con:
            campaign = _campaign(con, campaign_id)
            sql = _members_sql(fields, "campaign_audiences", CAMPAIGN_MEMBERS)
            members = con.execute(sql, [campaign.channel, campaign_id]).fetchall()
            publication_id = _publication_id(con, _tables(con))
    except duckdb.Error as error:
        raise ExportFailed(f"could not read the audience from {database}: {error}") from error
    if not members:
        raise ExportRefused(
            f"campaign {campaign_id!r} has no audience: its treatment group in campaign_audiences is empty"
        )
    return _audience(members, fields, publication_id, campaign=campaign)


def read_segment_audience(database: Path, segment_id: str, channel: str, fields: Sequence[str]) -> Audience:
    """The segment's current members (`segment_members`) that may be contacted on `channel` now, by customer_id,
    with the chosen fields; refused for an unknown segment or channel and for a segment without members."""
    fields = parse_fields(fields)
    excluded = [name for name in fields if name in CAMPAIGN_ONLY_FIELDS]
    if excluded:
        raise ExportRefused(f"{', '.join(excluded)}: a campaign's field, not a segment's")
    if channel not in CHANNELS:
        raise ExportRefused(f"unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}")
    try:
        with _read(database, SEGMENT_REQUIRED_TABLES, "the segment catalog and contactability") as con:
            row = con.execute("select segment_name from segments where segment_id = ?", [segment_id]).fetchone()
            if row is None:
                raise ExportRefused(
                    f"no segment {segment_id!r} in the published warehouse (its ids: select segment_id from segments)"
                )
            members = con.execute(
                _members_sql(fields, "segment_members", SEGMENT_MEMBERS), [channel, segment_id]
            ).fetchall()
            publication_id = _publication_id(con, _tables(con))
    except duckdb.Error as error:
        raise ExportFailed(f"could not read the segment's members from {database}: {error}") from error
    if not members:
        raise ExportRefused(f"segment {segment_id!r} has no current members in the published warehouse")
    return _audience(members, fields, publication_id, segment=SegmentChoice(segment_id, str(row[0]), channel))
