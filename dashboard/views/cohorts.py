"""Cohorts: monthly acquisition cohorts' retention as a heatmap, and cumulative revenue per customer by cohort."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import common, data

RETENTION_SQL = """
select
    strftime(cohort_month, '%Y-%m') as cohort,
    months_since_signup,
    cohort_size,
    active_customers,
    cast(retention_rate as double) as retention_rate,
    cast(cumulative_revenue_per_customer as double) as cumulative_revenue_per_customer,
    is_complete,
    is_observed
from cohort_retention
where cohort_month in (select distinct cohort_month from cohort_retention order by cohort_month desc limit ?)
    and months_since_signup <= ?
order by cohort_month, months_since_signup
"""

REVENUE_SQL = """
select
    strftime(cohort_month, '%Y-%m') as cohort,
    max(cohort_size) as cohort_size,
    max(months_since_signup) filter (where is_complete) as complete_months,
    cast(arg_max(cumulative_revenue_per_customer, months_since_signup) filter (where is_complete) as double)
        as revenue_per_customer
from cohort_retention
where cohort_month in (select distinct cohort_month from cohort_retention order by cohort_month desc limit ?)
group by cohort_month
order by cohort_month
"""

st.title("Cohorts")
if not data.missing("cohort_retention"):
    as_of = data.scalar("select max(period_month) from cohort_retention")
    st.caption(
        f"Monthly acquisition cohorts as of the last build (months up to {as_of:%Y-%m}); month 0 is the signup month."
    )
    left, right = st.columns(2)
    cohorts = left.slider("Latest cohorts shown", 3, 36, 12, key="cohort_count")
    months = right.slider("Months since signup shown", 1, 36, 12, key="cohort_months")
    retention = data.query(RETENTION_SQL, [cohorts, months])
    # a month before the transaction history is unknown (null), not 0: left out of the weighted rate
    complete = retention[retention["is_complete"] & retention["is_observed"]]
    columns = st.columns(3)
    columns[0].metric("Cohorts shown", f"{retention['cohort'].nunique():,}")
    columns[1].metric("Customers in them", f"{int(retention.groupby('cohort')['cohort_size'].max().sum()):,}")
    month_one = complete[complete["months_since_signup"] == 1]
    columns[2].metric(
        "Month-1 retention (customer-weighted)",
        f"{month_one['active_customers'].sum() / month_one['cohort_size'].sum():.1%}" if len(month_one) else "-",
    )
    st.altair_chart(
        common.heatmap(retention, "months_since_signup", "cohort", "retention_rate", "Retention rate", ".0%"),
        width="stretch",
    )
    st.subheader("Revenue per customer by cohort")
    revenue = data.query(REVENUE_SQL, [cohorts])
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(retention)
        .mark_line()
        .encode(
            x=alt.X("months_since_signup:Q", title="months since signup"),
            y=alt.Y("cumulative_revenue_per_customer:Q", title="cumulative revenue per customer"),
            color=alt.Color("cohort:N"),
            tooltip=["cohort", "months_since_signup", "cumulative_revenue_per_customer"],
        )
        .properties(title="Cumulative revenue per customer", height=320),
        width="stretch",
    )
    right.dataframe(
        revenue,
        hide_index=True,
        width="stretch",
        column_config={"revenue_per_customer": st.column_config.NumberColumn("revenue per customer", format="%.2f")},
    )
