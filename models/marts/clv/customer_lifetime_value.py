"""Every customer's lifetime value and churn figures for every as-of date of the run (docs/lifetime-value.md).

A dbt Python model (DuckDB only; disabled on the other engines, see _clv__models.yml). The predictions use each
date's parameters in clv_model_fits, of the fits that are ok only: a BG/NBD fit that is not ok leaves every
prediction that needs it null, and so does a Gamma-Gamma fit; model_status says which and why. The 90 %
intervals come from seeded draws of the parameters (segmentation/clv/intervals.py). The rounding, the thirds of
growth_potential and the customers with no purchase are SQL, below. Incremental like the segment history: a run
replaces the dates it computed and keeps every other date.
"""

# The figures computed in Python, per customer with a purchase on a date with at least one fit that is ok.
PREDICTED = (
    "probability_alive",
    "expected_purchases_365d",
    "expected_purchases_365d_low",
    "expected_purchases_365d_high",
    "expected_avg_order_value",
    "predicted_ltv_1year",
    "predicted_ltv_1year_low",
    "predicted_ltv_1year_high",
    "predicted_ltv_3year",
    "predicted_ltv_5year",
    "confidence_score",
)


def _clv_package():
    """The package segmentation, installed where dbt runs (`make install`, `pip install .`); imported when the
    model runs, as dbt parses the model without running it."""
    from segmentation.clv import lifetime_value

    return lifetime_value


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="as_of_date",
        full_refresh=False,
        on_schema_change="append_new_columns",
    )
    lifetime_value = _clv_package()
    import numpy as np

    from segmentation.clv import intervals
    from segmentation.clv.bg_nbd import BgNbdParams
    from segmentation.clv.gamma_gamma import GammaGammaParams

    discount_rate = float(dbt.config.get("clv_annual_discount_rate") or 0)
    inputs_relation = dbt.ref("int_customers_summarized")
    fits_relation = dbt.ref("clv_model_fits")
    customers_relation = dbt.ref("int_customers_windowed")
    dates = [row[0] for row in dbt.ref("int_as_of_dates_windowed").project("as_of_date").fetchall()]
    fits = {
        row[0]: row[1:]
        for row in fits_relation.project(
            "as_of_date, bg_nbd_status, r, alpha, a, b, bg_nbd_log_covariance,"
            " gamma_gamma_status, p, q, v, gamma_gamma_log_covariance"
        ).fetchall()
        if row[0] in dates
    }
    columns = inputs_relation.project(
        "customer_id, as_of_date, cast(frequency as double) as frequency, cast(recency as double) as recency,"
        " cast(t as double) as t, cast(monetary_value as double) as monetary_value"
    ).fetchnumpy()

    parts = {name: [] for name in ("customer_id", "as_of_date", *PREDICTED)}
    bg_normals, gg_normals = intervals.standard_normals()
    for as_of in dates:
        if as_of not in fits:
            continue  # no fit recorded: model_status says so, and there are no predictions
        bg_status, r, alpha, a, b, bg_covariance, gg_status, p, q, v, gg_covariance = fits[as_of]
        bg = BgNbdParams(r, alpha, a, b) if bg_status == "ok" else None
        gg = GammaGammaParams(p, q, v) if gg_status == "ok" else None
        if bg is None and gg is None:
            continue  # nothing to predict: every prediction of the date is null
        rows = columns["as_of_date"] == np.datetime64(as_of)
        data = lifetime_value.Inputs(
            frequency=np.asarray(columns["frequency"][rows], dtype=float),
            recency=np.asarray(columns["recency"][rows], dtype=float),
            t=np.asarray(columns["t"][rows], dtype=float),
            monetary_value=np.asarray(np.ma.filled(columns["monetary_value"][rows], np.nan), dtype=float),
        )
        predicted = lifetime_value.predict(bg, gg, data, discount_rate)
        missing = np.full(data.frequency.shape, np.nan)
        ranges = intervals.Intervals(missing, missing, missing, missing)
        if bg is not None:
            bg_draws = intervals.bg_nbd_draws(bg, np.reshape(bg_covariance, (4, 4)), bg_normals)
            gg_draws = intervals.gamma_gamma_draws(gg, np.reshape(gg_covariance, (3, 3)), gg_normals) if gg else None
            ranges = intervals.intervals(
                bg_draws, gg_draws, data.frequency, data.recency, data.t, data.monetary_value, discount_rate
            )
        parts["customer_id"].append(np.asarray(columns["customer_id"][rows]))
        parts["as_of_date"].append(np.full(int(rows.sum()), as_of.isoformat()))
        parts["probability_alive"].append(predicted.probability_alive)
        parts["expected_purchases_365d"].append(predicted.expected_purchases_365d)
        parts["expected_purchases_365d_low"].append(ranges.expected_purchases_low)
        parts["expected_purchases_365d_high"].append(ranges.expected_purchases_high)
        parts["expected_avg_order_value"].append(predicted.expected_avg_order_value)
        for years in lifetime_value.HORIZON_YEARS:
            parts[f"predicted_ltv_{years}year"].append(predicted.predicted_ltv[years])
        parts["predicted_ltv_1year_low"].append(ranges.predicted_ltv_low)
        parts["predicted_ltv_1year_high"].append(ranges.predicted_ltv_high)
        parts["confidence_score"].append(predicted.confidence_score)
    empty = {"customer_id": np.array([], dtype=np.int64), "as_of_date": np.array([], dtype="U10")}
    predictions = {
        name: np.concatenate(chunks) if chunks else empty.get(name, np.array([], dtype=float))
        for name, chunks in parts.items()
    }

    # registered views rather than Python variables found by name, which a linter takes for unused
    predictions_name = "__clv_predictions"
    inputs_name = "__clv_inputs"
    customers_name = "__clv_customers"
    fits_name = "__clv_fits"
    session.register(predictions_name, predictions)
    session.register(inputs_name, inputs_relation)
    session.register(customers_name, customers_relation)
    session.register(fits_name, fits_relation)
    # NaN (a model that is not ok) becomes null here, before any cast
    known = ",\n".join(f"case when not isnan({name}) then {name} end as {name}" for name in PREDICTED)
    return session.sql(
        f"""
        with

        predicted as (
            select
                customer_id,
                cast(as_of_date as date) as as_of_date,
                {known}
            from {predictions_name}
        ),

        statuses as (
            select
                as_of_date,
                case
                    when bg_nbd_status = 'ok' and gamma_gamma_status = 'ok' then 'ok'
                    else coalesce(status_reason, 'BG/NBD ' || bg_nbd_status || ' | Gamma-Gamma ' || gamma_gamma_status)
                end as model_status
            from {fits_name}
        ),

        joined as (
            select
                customers.customer_id,
                customers.as_of_date,
                customers.lifetime_value,
                inputs.frequency,
                inputs.recency,
                inputs.t,
                inputs.monetary_value,
                predicted.* exclude (customer_id, as_of_date),
                coalesce(statuses.model_status, 'no fit recorded for this date') as model_status
            from {customers_name} as customers
            left join {inputs_name} as inputs
                on customers.customer_id = inputs.customer_id
                and customers.as_of_date = inputs.as_of_date
            left join predicted
                on customers.customer_id = predicted.customer_id
                and customers.as_of_date = predicted.as_of_date
            left join statuses
                on customers.as_of_date = statuses.as_of_date
        ),

        scored as (
            select
                *,
                -- thirds of the exact value among the date's customers with a prediction, tie-safe (spec
                -- section 4); customers without one are a partition of their own and get none
                case when predicted_ltv_1year is not null then ceil(3 * cume_dist() over (
                    partition by as_of_date, predicted_ltv_1year is null order by predicted_ltv_1year
                )) end as ltv_third
            from joined
        )

        select
            customer_id,
            as_of_date,
            lifetime_value as current_ltv,
            frequency,
            recency,
            t,
            monetary_value,
            cast(round(probability_alive, 4) as decimal(5, 4)) as probability_alive,
            cast(round(1 - probability_alive, 4) as decimal(5, 4)) as churn_probability,
            cast(round(expected_purchases_365d, 4) as decimal(18, 4)) as expected_purchases_365d,
            cast(round(expected_purchases_365d_low, 4) as decimal(18, 4)) as expected_purchases_365d_low,
            cast(round(expected_purchases_365d_high, 4) as decimal(18, 4)) as expected_purchases_365d_high,
            cast(round(expected_avg_order_value, 2) as decimal(18, 2)) as expected_avg_order_value,
            cast(round(predicted_ltv_1year, 2) as decimal(18, 2)) as predicted_ltv_1year,
            cast(round(predicted_ltv_1year_low, 2) as decimal(18, 2)) as predicted_ltv_1year_low,
            cast(round(predicted_ltv_1year_high, 2) as decimal(18, 2)) as predicted_ltv_1year_high,
            cast(round(predicted_ltv_3year, 2) as decimal(18, 2)) as predicted_ltv_3year,
            cast(round(predicted_ltv_5year, 2) as decimal(18, 2)) as predicted_ltv_5year,
            cast(round(100 * (1 - probability_alive), 2) as decimal(5, 2)) as risk_score,
            case ltv_third when 3 then 'high' when 2 then 'medium' when 1 then 'low' end as growth_potential,
            cast(round(confidence_score, 4) as decimal(5, 4)) as confidence_score,
            cast(model_status as varchar) as model_status

        from scored
        """
    )
