"""Segment analytics: one segment's figures at the chosen as-of date and its members and revenue over the recorded
dates, from the mart segment_analytics (the segment service's analytics route reads the same rows)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common, data

SEGMENTS_SQL = "select distinct segment_id, segment_type from segment_analytics order by segment_type, segment_id"

ROWS_SQL = """
select
    as_of_date,
    segment_name,
    total_customers,
    active_customers,
    cast(growth_rate as double) as growth_rate,
    cast(total_revenue as double) as total_revenue,
    cast(average_revenue_per_customer as double) as average_revenue_per_customer,
    cast(revenue_contribution as double) as revenue_contribution,
    cast(average_order_frequency as double) as average_order_frequency,
    cast(average_predicted_ltv_1year as double) as average_predicted_ltv_1year,
    cast(average_churn_probability as double) as average_churn_probability,
    cast(retention_rate as double) as retention_rate,
    campaigns_sent,
    cast(open_rate as double) as open_rate,
    cast(click_rate as double) as click_rate,
    cast(conversion_rate as double) as conversion_rate
from segment_analytics
where segment_id = ?
order by as_of_date
"""

NONE = "–"


def money(value: Any) -> str:
    return NONE if pd.isna(value) else f"{value:,.2f}"


def share(value: Any) -> str:
    return NONE if pd.isna(value) else f"{value * 100:.2f} %"


def number(value: Any, places: int = 2) -> str:
    return NONE if pd.isna(value) else f"{value:,.{places}f}"


st.title("Segment analytics")
if not data.missing("segment_analytics"):
    segments = data.query(SEGMENTS_SQL)
    segment_id = st.selectbox("Segment", list(segments["segment_id"]), key="analytics_segment")
    rows = data.query(ROWS_SQL, [segment_id])
    as_of = data.selected_as_of()
    chosen = rows[pd.to_datetime(rows["as_of_date"]).dt.date == as_of]
    if chosen.empty:
        st.info(f"{segment_id} has no row for {as_of}.")
    else:
        row = chosen.iloc[0]
        st.caption(
            f"{row.segment_name} (`{segment_id}`) as of {as_of}: the window is the 90 days to that date; growth and "
            "retention compare with the previous recorded date."
        )
        first = st.columns(4)
        first[0].metric("Members", f"{int(row.total_customers):,}")
        first[1].metric("Active members", f"{int(row.active_customers):,}")
        first[2].metric("Growth", share(row.growth_rate))
        first[3].metric("Retention", share(row.retention_rate))
        second = st.columns(4)
        second[0].metric("Revenue (90 days)", money(row.total_revenue))
        second[1].metric("Revenue per member", money(row.average_revenue_per_customer))
        second[2].metric("Share of all revenue", share(row.revenue_contribution))
        second[3].metric("Purchase days per member", number(row.average_order_frequency))
        third = st.columns(4)
        third[0].metric("Avg predicted value (1 year)", money(row.average_predicted_ltv_1year))
        third[1].metric("Avg churn probability", number(row.average_churn_probability, 4))
        third[2].metric("Campaigns sent", f"{int(row.campaigns_sent):,}")
        third[3].metric("Their conversion rate", share(row.conversion_rate))
    trend = rows.assign(segment=segment_id)
    columns = st.columns(2)
    columns[0].altair_chart(
        common.line(trend, "as_of_date", "total_customers", "segment", "Members over the recorded dates"),
        width="stretch",
    )
    columns[1].altair_chart(
        common.line(trend, "as_of_date", "total_revenue", "segment", "Revenue in the 90 days to each date"),
        width="stretch",
    )
    st.dataframe(rows, hide_index=True, width="stretch")
