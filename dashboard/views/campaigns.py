"""Campaigns: each campaign's lift over the holdout group with the mart's 95 % interval and what it means (significant
or not, and whether the groups could detect a lift of that size), its funnel, and audience sizes."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.lift import verdict

PERFORMANCE_SQL = """
select
    campaigns.campaign_id,
    campaigns.campaign_name,
    campaigns.campaign_type,
    campaigns.channel,
    campaigns.segment_id,
    campaigns.status,
    campaigns.scheduled_at,
    performance.treatment_size,
    performance.holdout_size,
    performance.treatment_conversions,
    performance.off_audience_deliveries,
    performance.sent,
    performance.delivered,
    performance.opened,
    performance.clicked,
    cast(performance.conversion_rate as double) as conversion_rate,
    cast(performance.holdout_conversion_rate as double) as holdout_conversion_rate,
    cast(performance.lift as double) as lift,
    cast(performance.lift_ci_low as double) as lift_low,
    cast(performance.lift_ci_high as double) as lift_high,
    performance.p_value,
    performance.is_significant,
    cast(performance.minimum_detectable_lift as double) as minimum_detectable_lift,
    cast(performance.relative_lift as double) as relative_lift,
    cast(performance.incremental_revenue as double) as incremental_revenue,
    cast(performance.incremental_revenue_ci_low as double) as incremental_revenue_low,
    cast(performance.incremental_revenue_ci_high as double) as incremental_revenue_high,
    cast(performance.cost as double) as cost,
    cast(performance.roi as double) as roi,
    performance.consent_breaches
from campaigns
left join campaign_performance as performance on campaigns.campaign_id = performance.campaign_id
order by campaigns.scheduled_at, campaigns.campaign_id
"""

AUDIENCE_SQL = """
select campaign_id, test_group, count(*) as customers, min(selected_at) as selected_at
from campaign_audiences
group by all
order by campaign_id, test_group
"""


st.title("Campaigns")
if not data.missing("campaigns", "campaign_performance", "campaign_audiences"):
    performance = data.query(PERFORMANCE_SQL)
    if performance.empty:
        st.info("No campaigns defined yet (campaigns.yml).")
        st.stop()
    performance["reading"] = [
        verdict(row.lift, row.lift_low, row.lift_high, row.p_value, row.is_significant, row.minimum_detectable_lift)
        if row.status == "sent" or not pd.isna(row.lift)
        else f"No result: the campaign is {row.status}."
        for row in performance.itertuples()
    ]
    columns = st.columns(3)
    columns[0].metric("Campaigns", f"{len(performance):,}")
    columns[1].metric("Treatment customers", f"{int(performance['treatment_size'].fillna(0).sum()):,}")
    columns[2].metric("Holdout customers", f"{int(performance['holdout_size'].fillna(0).sum()):,}")
    st.dataframe(performance, hide_index=True, width="stretch")

    st.subheader("Lift over the holdout group (95 % interval)")
    lifts = performance.assign(
        lift_points=performance["lift"] * 100,
        low_points=performance["lift_low"] * 100,
        high_points=performance["lift_high"] * 100,
    ).dropna(subset=["lift_points", "low_points", "high_points"])
    if lifts.empty:
        st.info("No campaign has both a treatment and a holdout group with results yet.")
    else:
        base = alt.Chart(lifts).encode(y=alt.Y("campaign_id:N", title=None, sort=None))
        st.altair_chart(
            (
                base.mark_rule(strokeWidth=2).encode(
                    x=alt.X("low_points:Q", title="conversion lift, percentage points"), x2="high_points:Q"
                )
                + base.mark_point(filled=True, size=80).encode(
                    x="lift_points:Q", tooltip=["campaign_id", "lift_points", "low_points", "high_points"]
                )
                + alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
            ).properties(height=max(120, 40 * len(lifts))),
            width="stretch",
        )
        st.markdown(
            "\n".join(f"- **{row.campaign_id}**: {row.reading}" for row in lifts.itertuples())
            + "\n\nThe interval is Newcombe's; the test is the pooled two-proportion z-test; a lift smaller than the"
            " minimum detectable lift (80 % power) cannot be told from chance with groups of this size."
        )

    st.subheader("Funnel")
    campaign_id = st.selectbox("Campaign", list(performance["campaign_id"]), key="campaign_id")
    row = performance[performance["campaign_id"] == campaign_id].iloc[0]
    converted = 0 if pd.isna(row.treatment_conversions) else row.treatment_conversions
    funnel = pd.DataFrame(
        {
            "step": ["treatment group", "sent", "delivered", "opened", "clicked", "converted"],
            "customers": [row.treatment_size, row.sent, row.delivered, row.opened, row.clicked, converted],
        }
    ).fillna(0)
    st.altair_chart(
        alt.Chart(funnel)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q"),
            y=alt.Y("step:N", sort=None, title=None),
            tooltip=["step", "customers"],
        )
        .properties(title=f"{campaign_id}: {row.campaign_name}", height=240),
        width="stretch",
    )

    st.subheader("Audience sizes")
    audiences = data.query(AUDIENCE_SQL)
    st.altair_chart(
        alt.Chart(audiences)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q", stack=True),
            y=alt.Y("campaign_id:N", title=None),
            color=alt.Color("test_group:N"),
            tooltip=["campaign_id", "test_group", "customers", "selected_at"],
        )
        .properties(height=max(120, 40 * audiences["campaign_id"].nunique())),
        width="stretch",
    )
    st.dataframe(audiences, hide_index=True)
