"""Overview: KPI cards, the five-segment distribution with value, and the last build's data-quality line."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data

KPI_SQL = """
select
    count(distinct customer_id) filter (where segment_type = 'behavioral') as customers,
    count(distinct segment_id) as active_segments,
    count(*) as members
from segment_membership_snapshots
where as_of_date = ?
"""

DISTRIBUTION_SQL = """
select
    customer_segment as segment,
    min(segment_priority) as priority,
    count(*) as customers,
    round(count(*) * 100.0 / sum(count(*)) over (), 2) as share_pct,
    round(avg(lifetime_value), 2) as avg_lifetime_value,
    sum(lifetime_value) as total_lifetime_value,
    round(avg(avg_monthly_spend), 2) as avg_monthly_spend
from customer_segment_snapshots
where as_of_date = ?
group by customer_segment
order by priority
"""

QUALITY_SQL = """
select entity, measure, sum(row_count) as row_count, max(as_of_date) as as_of_date
from data_quality_report
group by entity, measure
"""


def quality_lines() -> list[str]:
    """The build summary's reconciliation lines (segmentation/summary.py), from data_quality_report."""
    frame = data.query(QUALITY_SQL)
    counts = {(row.entity, row.measure): int(row.row_count or 0) for row in frame.itertuples()}
    lines = []
    for entity in ("customers", "transactions"):
        lines.append(
            f"{entity}: {counts.get((entity, 'raw_rows'), 0):,} raw rows = "
            f"{counts.get((entity, 'clean_rows'), 0):,} clean + {counts.get((entity, 'rejected_rows'), 0):,} rejected"
            f" + {counts.get((entity, 'duplicate_rows'), 0):,} duplicates removed"
        )
    lines.append(f"profile fields nulled or flagged: {counts.get(('customers', 'flagged_field'), 0):,}")
    return lines


as_of = data.selected_as_of()
st.title("Overview")
st.caption(f"As of {as_of.isoformat()}")
kpi = data.query(KPI_SQL, [as_of]).iloc[0]
customers, segments, members = int(kpi.customers), int(kpi.active_segments), int(kpi.members)
columns = st.columns(5)
columns[0].metric("Customers", f"{customers:,}")
columns[1].metric("Active segments", f"{segments:,}")
columns[2].metric("Members", f"{members:,}")
columns[3].metric("Average segment size", f"{members / segments:,.1f}" if segments else "-")
columns[4].metric("As-of date", as_of.isoformat())

st.subheader("The five behavioural segments")
distribution = data.query(DISTRIBUTION_SQL, [as_of])
order = list(distribution["segment"])
left, right = st.columns(2)
left.altair_chart(
    alt.Chart(distribution)
    .mark_bar()
    .encode(
        x=alt.X("customers:Q", title="customers"),
        y=alt.Y("segment:N", sort=order, title=None),
        tooltip=["segment", "customers", "share_pct"],
    )
    .properties(title="Customers", height=220),
    width="stretch",
)
right.altair_chart(
    alt.Chart(distribution)
    .mark_bar(color="#2a9d8f")
    .encode(
        x=alt.X("avg_lifetime_value:Q", title="average lifetime value"),
        y=alt.Y("segment:N", sort=order, title=None),
        tooltip=["segment", "avg_lifetime_value", "total_lifetime_value"],
    )
    .properties(title="Average lifetime value", height=220),
    width="stretch",
)
st.dataframe(
    distribution.drop(columns=["priority"]),
    hide_index=True,
    width="stretch",
    column_config={
        "share_pct": st.column_config.NumberColumn("share %", format="%.2f"),
        "avg_lifetime_value": st.column_config.NumberColumn("avg lifetime value", format="%.2f"),
        "total_lifetime_value": st.column_config.NumberColumn("total lifetime value", format="%.2f"),
        "avg_monthly_spend": st.column_config.NumberColumn("avg monthly spend", format="%.2f"),
    },
)

st.subheader("Data quality of the last build")
if not data.missing("data_quality_report"):
    for line in quality_lines():
        st.text(line)
