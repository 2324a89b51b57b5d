"""Migrations: a from -> to heatmap between two recorded dates, and each segment's size over the recorded months."""

from __future__ import annotations

import streamlit as st

from dashboard import common, data

MATRIX_SQL = """
with
names as (select segment_id, segment_name from segments),
before as (
    select customer_id, segment_id from segment_membership_snapshots where as_of_date = ? and segment_type = ?
),
after as (
    select customer_id, segment_id from segment_membership_snapshots where as_of_date = ? and segment_type = ?
)
select
    coalesce(from_names.segment_name, before.segment_id, '(not a customer)') as from_segment,
    coalesce(to_names.segment_name, after.segment_id, '(not a customer)') as to_segment,
    count(*) as customers
from before
full outer join after on before.customer_id = after.customer_id
left join names as from_names on before.segment_id = from_names.segment_id
left join names as to_names on after.segment_id = to_names.segment_id
group by all
order by from_segment, to_segment
"""

TREND_SQL = """
select snapshots.as_of_date, coalesce(segments.segment_name, snapshots.segment_id) as segment, count(*) as members
from segment_membership_snapshots as snapshots
left join segments on snapshots.segment_id = segments.segment_id
where snapshots.segment_type = ?
group by all
order by snapshots.as_of_date, segment
"""

st.title("Migrations")
if not data.missing("segment_membership_snapshots", "segments"):
    dates = data.recorded_dates()
    types = [
        segment_type
        for segment_type in common.EXCLUSIVE_TYPES
        if segment_type
        in set(data.query("select distinct segment_type from segment_membership_snapshots")["segment_type"])
    ]
    left, middle, right = st.columns(3)
    from_date = left.selectbox("From", dates, index=min(1, len(dates) - 1), key="migration_from")
    to_date = middle.selectbox("To", dates, index=0, key="migration_to")
    segment_type = right.selectbox("Segment type", types, key="migration_type")
    matrix = data.query(MATRIX_SQL, [from_date, segment_type, to_date, segment_type])
    stayed = int(matrix.loc[matrix["from_segment"] == matrix["to_segment"], "customers"].sum())
    total = int(matrix["customers"].sum())
    st.metric("Customers who stayed in their segment", f"{stayed:,} of {total:,}")
    st.altair_chart(
        common.heatmap(matrix, "to_segment", "from_segment", "customers", f"{segment_type}: {from_date} -> {to_date}"),
        width="stretch",
    )
    st.subheader("Size of each segment over the recorded months")
    trend = data.query(TREND_SQL, [segment_type])
    st.altair_chart(common.line(trend, "as_of_date", "members", "segment", f"{segment_type} segments"), width="stretch")
