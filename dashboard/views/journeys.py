"""Journeys and daily performance: journey stages, the behaviour summary and each segment's daily figures, where the
build has them."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import common, data

STAGE_ORDER = ["Awareness", "Consideration", "Decision", "Retention", "Advocacy"]

STAGES_SQL = """
select current_stage as stage, count(*) as customers, round(avg(days_in_stage), 1) as avg_days_in_stage
from customer_journey_stages
group by current_stage
"""

DAILY_SQL = """
select
    activity_date as day,
    segment_name as segment,
    member_count,
    active_customers,
    purchases,
    cast(revenue as double) as revenue,
    cast(avg_order_value as double) as avg_order_value,
    cast(repeat_purchase_rate as double) as repeat_purchase_rate,
    cast(email_open_rate as double) as email_open_rate,
    cast(email_click_rate as double) as email_click_rate
from segment_daily_performance
order by 1, 2
"""


BEHAVIOUR_SQL = """
select
    coalesce(preferred_device, '(none)') as preferred_device,
    coalesce(preferred_source, '(none)') as preferred_source,
    count(*) as customers,
    round(avg(total_events), 1) as avg_events,
    round(avg(total_purchases), 1) as avg_purchases
from customer_behavior_summary
group by all
order by customers desc
"""

st.title("Journeys and daily performance")

st.subheader("Journey stages")
if not data.missing("customer_journey_stages"):
    stages = data.query(STAGES_SQL)
    order = [stage for stage in STAGE_ORDER if stage in set(stages["stage"])] + sorted(
        set(stages["stage"]) - set(STAGE_ORDER)
    )
    st.metric("Customers with a journey stage", f"{int(stages['customers'].sum()):,}")
    st.altair_chart(
        alt.Chart(stages)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q"),
            y=alt.Y("stage:N", sort=order, title=None),
            tooltip=["stage", "customers", "avg_days_in_stage"],
        )
        .properties(height=220),
        width="stretch",
    )
    st.dataframe(stages.set_index("stage").reindex(order).reset_index(), hide_index=True)

st.subheader("Daily performance by behavioural segment (last 90 days)")
if not data.missing("segment_daily_performance"):
    daily = data.query(DAILY_SQL)
    measure = st.selectbox(
        "Measure",
        [
            "revenue",
            "active_customers",
            "purchases",
            "avg_order_value",
            "repeat_purchase_rate",
            "email_open_rate",
            "email_click_rate",
            "member_count",
        ],
        key="daily_measure",
    )
    st.altair_chart(common.line(daily, "day", measure, "segment", measure.replace("_", " ")), width="stretch")

st.subheader("Behaviour summary")
if not data.missing("customer_behavior_summary"):
    st.dataframe(data.query(BEHAVIOUR_SQL), hide_index=True, width="stretch")
