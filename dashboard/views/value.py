"""Value and churn: predicted lifetime value and churn probability per behavioural segment, and the model's holdout
check."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data, holdout
from segmentation.clv import bg_nbd

VALUES_SQL = """
select
    snapshots.customer_segment as segment,
    snapshots.segment_priority as priority,
    cast(clv.predicted_ltv_1year as double) as predicted_ltv_1year,
    cast(clv.churn_probability as double) as churn_probability
from customer_lifetime_value as clv
inner join customer_segment_snapshots as snapshots
    on clv.customer_id = snapshots.customer_id and clv.as_of_date = snapshots.as_of_date
where clv.as_of_date = ? and clv.predicted_ltv_1year is not null
"""

SUMMARY_SQL = f"""
select
    segment,
    count(*) as customers,
    round(avg(predicted_ltv_1year), 2) as avg_predicted_ltv_1year,
    round(median(predicted_ltv_1year), 2) as median_predicted_ltv_1year,
    round(avg(churn_probability), 4) as avg_churn_probability,
    round(avg(case when churn_probability > 0.5 then 1.0 else 0.0 end) * 100, 2) as churn_over_half_pct
from ({VALUES_SQL})
group by segment
order by min(priority)
"""

st.title("Value and churn")
if not data.missing("customer_lifetime_value", "clv_model_fits", "customer_segment_snapshots"):
    as_of = data.selected_as_of()
    st.caption(f"Customers with a prediction (at least one purchase) as of {as_of}, by behavioural segment.")
    summary = data.query(SUMMARY_SQL, [as_of])
    order = list(summary["segment"])
    values = data.query(VALUES_SQL, [as_of])
    columns = st.columns(3)
    customers = int(summary["customers"].sum())
    columns[0].metric("Customers with a prediction", f"{customers:,}")
    columns[1].metric(
        "Average predicted value, 12 months",
        f"{values['predicted_ltv_1year'].mean():,.2f}" if customers else "-",
    )
    columns[2].metric(
        "Average churn probability",
        f"{values['churn_probability'].mean():.4f}" if customers else "-",
    )
    left, right = st.columns(2)
    for column, field, title in (
        (left, "predicted_ltv_1year", "Predicted value, next 12 months"),
        (right, "churn_probability", "Churn probability"),
    ):
        column.altair_chart(
            alt.Chart(values)
            .mark_boxplot(extent="min-max")
            .encode(
                x=alt.X(f"{field}:Q", title=field.replace("_", " ")),
                y=alt.Y("segment:N", sort=order, title=None),
                color=alt.Color("segment:N", sort=order, legend=None),
            )
            .properties(title=title, height=260),
            width="stretch",
        )
    st.dataframe(summary, hide_index=True, width="stretch")

    st.subheader("Holdout check")
    fits = data.query(
        "select as_of_date from clv_model_fits where bg_nbd_converged and as_of_date < ? order by 1", [as_of]
    )
    calibration_dates = [value.date() for value in fits["as_of_date"]]
    if not calibration_dates:
        st.info(f"No converged fit before {as_of} to check it against.")
    else:
        default = max(0, len(calibration_dates) - 6)
        calibration = st.selectbox("Fitted as of", calibration_dates, index=default, key="holdout_calibration")
        fit = data.query(holdout.FIT_SQL, [calibration]).iloc[0]
        params = bg_nbd.BgNbdParams(float(fit.r), float(fit.alpha), float(fit.a), float(fit.b))
        table = holdout.holdout_table(
            params, data.query(holdout.INPUTS_SQL, [calibration, as_of]), (as_of - calibration).days
        )
        st.caption(
            f"The BG/NBD fit recorded in clv_model_fits as of {calibration} (r {params.r:.4g}, "
            f"alpha {params.alpha:.4g}, a {params.a:.4g}, b {params.b:.4g}) predicts each customer's purchase days "
            f"from {calibration} to {as_of}; "
            "mean per customer, by repeat purchase days at calibration."
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "predicted": st.column_config.NumberColumn(format="%.2f"),
                "actual": st.column_config.NumberColumn(format="%.2f"),
                "predicted_over_actual": st.column_config.NumberColumn("predicted / actual", format="%.3f"),
            },
        )
