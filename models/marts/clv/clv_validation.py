"""The holdout check of the lifetime-value models per as-of date (docs/lifetime-value.md, "Validation"): both
models fitted on the calibration period that ends clv_holdout_days before the date, and their predictions of
the holdout's purchase days compared with what happened, by decile and overall.

A dbt Python model (DuckDB only; disabled on the other engines, see _clv__models.yml): the fitting and scoring
code is segmentation/clv (lifetime_value.fit_inputs, holdout.score_fit). Only dates with a calibration period
(int_customers_calibrated has their rows) get rows: ten decile rows when the calibration BG/NBD fit is ok, and
always one overall row (decile null) carrying both calibration fits' statuses. Incremental like the other
lifetime-value marts: a run replaces the dates it computed and keeps every other date.
"""


def _clv_package():
    """The package segmentation, installed where dbt runs (`make install`, `pip install .`); imported when the
    model runs, as dbt parses the model without running it."""
    from segmentation.clv import holdout, lifetime_value

    return holdout, lifetime_value


TEXT = ("as_of_date", "calibration_end_date", "bg_nbd_status", "gamma_gamma_status", "status_reason")
NUMBERS = (
    "decile",
    "customers",
    "predicted_purchases",
    "actual_purchases",
    "mean_absolute_error",
    "bias_ratio",
    "alive_auc",
)


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="as_of_date",
        full_refresh=False,
        on_schema_change="append_new_columns",
    )
    holdout, lifetime_value = _clv_package()
    import numpy as np

    calibrated = (
        dbt.ref("int_customers_calibrated")
        .project(
            "as_of_date, calibration_end_date, customer_id, cast(frequency as double) as frequency,"
            " cast(recency as double) as recency, cast(t as double) as t,"
            " cast(monetary_value as double) as monetary_value,"
            " cast(holdout_purchase_days as double) as holdout_purchase_days"
        )
        .order("as_of_date, customer_id")
        .fetchnumpy()
    )
    rows = {name: [] for name in (*TEXT, *NUMBERS)}

    def add(**values):
        for name in TEXT:
            rows[name].append(values.get(name) or "")
        for name in NUMBERS:
            value = values.get(name)
            rows[name].append(np.nan if value is None else float(value))

    for as_of in np.unique(calibrated["as_of_date"]):
        chosen = calibrated["as_of_date"] == as_of
        as_of_day = np.datetime64(as_of, "D")
        calibration_end = np.datetime64(calibrated["calibration_end_date"][chosen][0], "D")
        data = lifetime_value.Inputs(
            frequency=np.asarray(calibrated["frequency"][chosen], dtype=float),
            recency=np.asarray(calibrated["recency"][chosen], dtype=float),
            t=np.asarray(calibrated["t"][chosen], dtype=float),
            monetary_value=np.asarray(np.ma.filled(calibrated["monetary_value"][chosen], np.nan), dtype=float),
        )
        fits = lifetime_value.fit_inputs(data)
        date = {
            "as_of_date": str(as_of_day),
            "calibration_end_date": str(calibration_end),
            "bg_nbd_status": fits.bg_nbd.status,
            "gamma_gamma_status": fits.gamma_gamma.status,
            "status_reason": fits.status_reason(),
        }
        if fits.bg_nbd.status != "ok":
            add(**date, customers=int(chosen.sum()))
            continue
        score = holdout.score_fit(
            fits.bg_nbd.params,
            data,
            np.asarray(calibrated["holdout_purchase_days"][chosen], dtype=float),
            np.asarray(calibrated["customer_id"][chosen], dtype=np.int64),
            float((as_of_day - calibration_end).astype(int)),
        )
        for decile in score.deciles:
            add(
                **date,
                decile=decile.decile,
                customers=decile.customers,
                predicted_purchases=decile.predicted_purchases,
                actual_purchases=decile.actual_purchases,
            )
        add(
            **date,
            customers=score.customers,
            predicted_purchases=score.predicted_purchases,
            actual_purchases=score.actual_purchases,
            mean_absolute_error=score.mean_absolute_error,
            bias_ratio=score.bias_ratio,
            alive_auc=score.alive_auc,
        )

    table = {name: np.array(rows[name], dtype=str) for name in TEXT}
    table.update({name: np.array(rows[name], dtype=float) for name in NUMBERS})

    def number(name):
        return f"case when not isnan({name}) then {name} end"

    table_name = "__clv_validation_table"
    session.register(table_name, table)
    return session.sql(
        f"""
        select
            cast(as_of_date as date) as as_of_date,
            cast(calibration_end_date as date) as calibration_end_date,
            cast({number("decile")} as integer) as decile,
            cast(customers as bigint) as customers,
            {number("predicted_purchases")} as predicted_purchases,
            {number("actual_purchases")} as actual_purchases,
            {number("mean_absolute_error")} as mean_absolute_error,
            {number("bias_ratio")} as bias_ratio,
            {number("alive_auc")} as alive_auc,
            cast(bg_nbd_status as varchar) as bg_nbd_status,
            cast(gamma_gamma_status as varchar) as gamma_gamma_status,
            cast(nullif(status_reason, '') as varchar) as status_reason
        from {table_name}
        """
    )
