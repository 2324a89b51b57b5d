"""Segments: the catalog with member counts and trends, filtered by type; one segment's definition, size over time
and a sample of its customer ids (ids only)."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import common, data

SAMPLE_SIZE = 20

CATALOG_SQL = """
with counts as (
    select segment_id, as_of_date, count(*) as members
    from segment_membership_snapshots
    group by all
),
customers as (
    select count(distinct customer_id) as customers
    from segment_membership_snapshots
    where as_of_date = $as_of and segment_type = 'behavioral'
)
select
    segments.segment_id,
    segments.segment_name,
    segments.segment_type,
    segments.status,
    coalesce(max(counts.members) filter (where counts.as_of_date = $as_of), 0) as members,
    round(coalesce(max(counts.members) filter (where counts.as_of_date = $as_of), 0) * 100.0
        / nullif(max(customers.customers), 0), 2) as share_pct,
    coalesce(max(counts.members) filter (where counts.as_of_date = $as_of), 0)
        - coalesce(max(counts.members) filter (where counts.as_of_date = $previous), 0) as change,
    list(coalesce(counts.members, 0) order by counts.as_of_date) filter (where counts.as_of_date <= $as_of) as trend
from segments
cross join customers
left join counts on segments.segment_id = counts.segment_id
group by all
order by segments.segment_type, segments.segment_id
"""

SIZE_SQL = """
select as_of_date, segment_id as segment, count(*) as members
from segment_membership_snapshots
where segment_id = ?
group by all
order by as_of_date
"""

SAMPLE_SQL = f"""
select customer_id
from segment_membership_snapshots
where segment_id = ? and as_of_date = ?
order by hash(customer_id), customer_id
limit {SAMPLE_SIZE}
"""

st.title("Segments")
if not data.missing("segments", "segment_membership_snapshots"):
    dates = data.recorded_dates()
    as_of = data.selected_as_of()
    earlier = [value for value in dates if value < as_of]
    previous = earlier[0] if earlier else as_of
    catalog = data.query(CATALOG_SQL.replace("$as_of", "$1").replace("$previous", "$2"), [as_of, previous])
    types = sorted(catalog["segment_type"].unique())
    chosen_types = st.multiselect("Segment types", types, default=types, key="segment_types")
    shown = catalog[catalog["segment_type"].isin(chosen_types)]
    columns = st.columns(3)
    columns[0].metric("Segments shown", f"{len(shown):,}")
    columns[1].metric("Memberships as of " + as_of.isoformat(), f"{int(shown['members'].sum()):,}")
    columns[2].metric("Segment types shown", f"{len(chosen_types):,}")
    st.caption(f"Members as of {as_of}; change since {previous}; trend over the recorded dates up to {as_of}.")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "share_pct": st.column_config.NumberColumn("share %", format="%.2f"),
            "trend": st.column_config.LineChartColumn("trend"),
        },
    )

    st.subheader("One segment")
    segment_id = st.selectbox("Segment", list(shown["segment_id"]), key="segment_id")
    if segment_id:
        segment = data.query(
            "select segment_name, segment_type, status, description, criteria from segments where segment_id = ?",
            [segment_id],
        ).iloc[0]
        st.markdown(f"**{segment.segment_name}** (`{segment_id}`, {segment.segment_type}, {segment.status})")
        st.write(segment.description)
        try:
            st.json(json.loads(segment.criteria) if segment.criteria else {}, expanded=True)
        except json.JSONDecodeError:
            st.code(segment.criteria)
        size = data.query(SIZE_SQL, [segment_id])
        if size.empty:
            st.info("No members on any recorded date.")
        else:
            st.altair_chart(common.line(size, "as_of_date", "members", "segment", "Size over time"), width="stretch")
        sample = data.query(SAMPLE_SQL, [segment_id, as_of])
        st.caption(f"A sample of {len(sample)} member customer ids as of {as_of} (ids only)")
        st.dataframe(sample, hide_index=True)
