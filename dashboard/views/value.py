"""Value and churn: the date's fit statuses (which fit is not ok and why), predicted lifetime value and churn
probability per behavioural segment, the customers with the highest predicted value with their 90 % intervals, and
the holdout check's calibration chart from clv_validation (docs/lifetime-value.md)."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data

FITS_SQL = """
select bg_nbd_status, gamma_gamma_status, status_reason, r, alpha, a, b, p, q, v
from clv_model_fits
where as_of_date = ?
"""

VALUES_SQL = """
select
    snapshots.customer_segment as segment,
    snapshots.segment_priority as priority,
    cast(clv.predicted_ltv_1year as double) as predicted_ltv_1year,
    cast(clv.churn_probability as double) as churn_probability
from customer_lifetime_value as clv
inner join customer_segment_snapshots as snapshots
    on clv.customer_id = snapshots.customer_id and clv.as_of_date = snapshots.as_of_date
where clv.as_of_date = ? and clv.frequency is not null
"""

SUMMARY_SQL = f"""
select
    segment,
    count(*) as customers,
    count(predicted_ltv_1year) as customers_with_a_value,
    round(avg(predicted_ltv_1year), 2) as avg_predicted_ltv_1year,
    round(median(predicted_ltv_1year), 2) as median_predicted_ltv_1year,
    round(avg(churn_probability), 4) as avg_churn_probability,
    round(avg(case when churn_probability > 0.5 then 1.0 when churn_probability <= 0.5 then 0.0 end) * 100, 2)
        as churn_over_half_pct
from ({VALUES_SQL})
group by segment
order by min(priority)
"""

TOP_SQL = """
select
    cast(customer_id as varchar) as customer,
    cast(predicted_ltv_1year as double) as predicted_ltv_1year,
    cast(predicted_ltv_1year_low as double) as predicted_ltv_1year_low,
    cast(predicted_ltv_1year_high as double) as predicted_ltv_1year_high,
    cast(expected_purchases_365d as double) as expected_purchases_365d,
    cast(expected_purchases_365d_low as double) as expected_purchases_365d_low,
    cast(expected_purchases_365d_high as double) as expected_purchases_365d_high
from customer_lifetime_value
where as_of_date = ? and predicted_ltv_1year is not null
order by predicted_ltv_1year desc, customer_id
limit ?
"""

VALIDATION_SQL = """
select
    as_of_date, calibration_end_date, decile, customers, predicted_purchases, actual_purchases, mean_absolute_error,
    bias_ratio, alive_auc, bg_nbd_status, status_reason
from clv_validation
where as_of_date = (select max(as_of_date) from clv_validation where as_of_date <= ?)
order by decile nulls last
"""

TOP_CUSTOMERS = 25
MODELS = (
    ("BG/NBD", "bg_nbd_status", "purchases, churn and the predicted values"),
    ("Gamma-Gamma", "gamma_gamma_status", "spend and the predicted values"),
)


def fit_notice(as_of: object) -> bool:
    """Say whether the date's fits are ok, and which is not and why; True when both are."""
    fits = data.query(FITS_SQL, [as_of])
    if fits.empty:
        st.warning(f"No lifetime-value fit is recorded for {as_of}.")
        return False
    fit = fits.iloc[0]
    if fit.bg_nbd_status == "ok" and fit.gamma_gamma_status == "ok":
        st.caption(
            f"Both fits are ok as of {as_of}: BG/NBD r {fit.r:.4g}, alpha {fit.alpha:.4g} days, a {fit.a:.4g},"
            f" b {fit.b:.4g}; Gamma-Gamma p {fit.p:.4g}, q {fit.q:.4g}, v {fit.v:.4g}."
        )
        return True
    not_ok = [
        f"the {name} fit is {fit[column]} (so {what} are not published)"
        for name, column, what in MODELS
        if fit[column] != "ok"
    ]
    st.warning(f"As of {as_of}, {' and '.join(not_ok)}: {fit.status_reason}")
    return False


def number(value: float, pattern: str) -> str:
    return "-" if value != value else format(value, pattern)  # NaN (no value) shows as a dash


st.title("Value and churn")
if not data.missing("customer_lifetime_value", "clv_model_fits", "customer_segment_snapshots"):
    as_of = data.selected_as_of()
    st.caption(f"Customers with at least one purchase as of {as_of}, by behavioural segment.")
    fit_notice(as_of)
    summary = data.query(SUMMARY_SQL, [as_of])
    order = list(summary["segment"])
    values = data.query(VALUES_SQL, [as_of])
    columns = st.columns(3)
    columns[0].metric("Customers with a predicted value", f"{int(summary['customers_with_a_value'].sum()):,}")
    columns[1].metric("Average predicted value, 12 months", number(values["predicted_ltv_1year"].mean(), ",.2f"))
    columns[2].metric("Average churn probability", number(values["churn_probability"].mean(), ".4f"))
    left, right = st.columns(2)
    for column, field, title in (
        (left, "predicted_ltv_1year", "Predicted value, next 12 months"),
        (right, "churn_probability", "Churn probability"),
    ):
        shown = values.dropna(subset=[field])
        if shown.empty:
            column.info(f"No {field.replace('_', ' ')} as of {as_of}: the fit it needs is not ok (above).")
            continue
        column.altair_chart(
            alt.Chart(shown)
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

    top = data.query(TOP_SQL, [as_of, TOP_CUSTOMERS])
    if not top.empty:
        st.subheader("Highest predicted values, with their 90 % intervals")
        st.caption(
            "Each bar is the range of the customer's expected 12-month value that the fitted parameters allow (90 %,"
            " from their uncertainty): how well the data pin the expectation down, not the range of what the"
            " customer will actually spend, which varies far more."
        )
        customers = list(top["customer"])
        base = alt.Chart(top).encode(y=alt.Y("customer:N", sort=customers, title="customer"))
        st.altair_chart(
            base.mark_rule().encode(
                x=alt.X("predicted_ltv_1year_low:Q", title="predicted value, next 12 months"),
                x2="predicted_ltv_1year_high:Q",
            )
            + base.mark_point(filled=True).encode(x="predicted_ltv_1year:Q"),
            width="stretch",
        )
        st.dataframe(top, hide_index=True, width="stretch")

    st.subheader("Holdout check")
    validation = data.query(VALIDATION_SQL, [as_of]) if data.has("clv_validation") else None
    if validation is None or validation.empty:
        st.info(f"No holdout check on or before {as_of}: it needs `clv_validation` and enough history before the date.")
    else:
        overall = validation[validation["decile"].isna()].iloc[0]
        deciles = validation[validation["decile"].notna()]
        period = (
            f"fitted on the purchase days up to {overall.calibration_end_date:%Y-%m-%d}, predicting those up to"
            f" {overall.as_of_date:%Y-%m-%d} ({int(overall.customers):,} customers)"
        )
        if deciles.empty:
            st.info(f"The holdout check {period} has no predictions: {overall.status_reason}")
        else:
            st.caption(f"The models {period}: mean purchase days per customer by decile of the prediction.")
            columns = st.columns(3)
            columns[0].metric("Bias ratio (predicted / actual)", number(overall.bias_ratio, ".3f"))
            columns[1].metric("Alive AUC", number(overall.alive_auc, ".3f"))
            columns[2].metric("Mean absolute error, purchase days", number(overall.mean_absolute_error, ".2f"))
            chart = deciles.melt(
                id_vars=["decile"],
                value_vars=["predicted_purchases", "actual_purchases"],
                var_name="figure",
                value_name="purchase_days",
            )
            st.altair_chart(
                alt.Chart(chart)
                .mark_line(point=True)
                .encode(
                    x=alt.X("decile:O", title="decile of predicted purchases"),
                    y=alt.Y("purchase_days:Q", title="purchase days per customer"),
                    color=alt.Color("figure:N", title=None),
                )
                .properties(title="Calibration: predicted and actual purchase days by decile", height=280),
                width="stretch",
            )
            st.dataframe(deciles, hide_index=True, width="stretch")
