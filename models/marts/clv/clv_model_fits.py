"""The BG/NBD and Gamma-Gamma fits of every as-of date of the run (docs/lifetime-value.md), one row per date,
with each fit's status (ok, degenerate, failed), why, and the parameters' standard errors and covariance.

A dbt Python model (DuckDB only; disabled on the other engines, see _clv__models.yml): the fitting code is
segmentation/clv. Incremental like the segment history: a run replaces the dates it computed and keeps every
other date. Each date stands alone: a fit that is not ok has no stand-in from another date.
"""

import sys


def _clv_package():
    """The package segmentation, installed where dbt runs (`make install`, `pip install .`); imported when the
    model runs, as dbt parses the model without running it."""
    from segmentation.clv import lifetime_value

    return lifetime_value


def _covariance_text(identification):
    """The covariance of the log-parameters as a list literal DuckDB casts to double[] (row-major, every digit);
    empty when the fit is not ok."""
    covariance = identification.log_covariance
    if covariance is None:
        return ""
    return "[" + ", ".join(f"{value:.17g}" for value in covariance.reshape(-1)) + "]"


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

    inputs_relation = dbt.ref("int_customers_summarized")
    dates_relation = dbt.ref("int_as_of_dates_windowed")
    dates = [row[0] for row in dates_relation.project("as_of_date").order("as_of_date").fetchall()]
    columns = (
        inputs_relation.project(
            "as_of_date, customer_id, cast(frequency as double) as frequency, cast(recency as double) as recency,"
            " cast(t as double) as t, cast(monetary_value as double) as monetary_value"
        )
        .order("as_of_date, customer_id")
        .fetchnumpy()
    )
    inputs = {}
    for as_of in dates:
        rows = columns["as_of_date"] == np.datetime64(as_of)
        inputs[as_of] = lifetime_value.Inputs(
            frequency=np.asarray(columns["frequency"][rows], dtype=float),
            recency=np.asarray(columns["recency"][rows], dtype=float),
            t=np.asarray(columns["t"][rows], dtype=float),
            monetary_value=np.asarray(np.ma.filled(columns["monetary_value"][rows], np.nan), dtype=float),
        )

    fits = lifetime_value.fit_dates(dates, inputs)
    for dated in fits:
        for name, attempt in zip(lifetime_value.MODEL_NAMES, (dated.fits.bg_nbd, dated.fits.gamma_gamma), strict=True):
            if attempt.status != "ok":
                print(
                    f"clv_model_fits: the {name} fit as of {dated.as_of_date} is {attempt.status}"
                    f" ({attempt.identification.reason}); the date has no predictions that need it",
                    file=sys.stderr,
                )

    def values(getter, kind=float):
        return np.array([getter(dated.fits) for dated in fits], dtype=kind)

    def standard_error(fit, index):
        errors = fit.standard_errors()
        return np.nan if errors is None else errors[index]

    fit_table = {
        # dates as ISO text (DuckDB reads no numpy datetime64[D]), typed below
        "as_of_date": np.array([dated.as_of_date.isoformat() for dated in fits], dtype=str),
        "customers": values(lambda f: f.bg_nbd.customers, np.int64),
        "repeat_customers": values(lambda f: f.gamma_gamma.customers, np.int64),
        "bg_nbd_status": np.array([dated.fits.bg_nbd.status for dated in fits], dtype=str),
        "gamma_gamma_status": np.array([dated.fits.gamma_gamma.status for dated in fits], dtype=str),
        "status_reason": np.array([dated.fits.status_reason() or "" for dated in fits], dtype=str),
        "r": values(lambda f: f.bg_nbd.params.r),
        "alpha": values(lambda f: f.bg_nbd.params.alpha),
        "a": values(lambda f: f.bg_nbd.params.a),
        "b": values(lambda f: f.bg_nbd.params.b),
        "bg_nbd_log_likelihood": values(lambda f: f.bg_nbd.log_likelihood),
        "bg_nbd_converged": values(lambda f: f.bg_nbd.converged, bool),
        "p": values(lambda f: f.gamma_gamma.params.p),
        "q": values(lambda f: f.gamma_gamma.params.q),
        "v": values(lambda f: f.gamma_gamma.params.v),
        "gamma_gamma_log_likelihood": values(lambda f: f.gamma_gamma.log_likelihood),
        "gamma_gamma_converged": values(lambda f: f.gamma_gamma.converged, bool),
        "bg_nbd_log_covariance": np.array(
            [_covariance_text(dated.fits.bg_nbd.identification) for dated in fits], dtype=str
        ),
        "gamma_gamma_log_covariance": np.array(
            [_covariance_text(dated.fits.gamma_gamma.identification) for dated in fits], dtype=str
        ),
        "fit_seconds": values(lambda f: f.fit_seconds),
        "fit_notes": np.array(
            [f"BG/NBD: {dated.fits.bg_nbd.message}. Gamma-Gamma: {dated.fits.gamma_gamma.message}." for dated in fits],
            dtype=str,
        ),
    }
    for index, name in enumerate(("r", "alpha", "a", "b")):
        fit_table[f"{name}_se"] = values(lambda f, i=index: standard_error(f.bg_nbd, i))
    for index, name in enumerate(("p", "q", "v")):
        fit_table[f"{name}_se"] = values(lambda f, i=index: standard_error(f.gamma_gamma, i))

    def number(name):
        return f"case when not isnan({name}) then {name} end as {name}"

    table_name = "__clv_fit_table"
    session.register(table_name, fit_table)
    return session.sql(
        f"""
        select
            cast(as_of_date as date) as as_of_date,
            cast(customers as bigint) as customers,
            cast(repeat_customers as bigint) as repeat_customers,
            cast(bg_nbd_status as varchar) as bg_nbd_status,
            cast(gamma_gamma_status as varchar) as gamma_gamma_status,
            cast(nullif(status_reason, '') as varchar) as status_reason,
            {number("r")},
            {number("alpha")},
            {number("a")},
            {number("b")},
            {number("r_se")},
            {number("alpha_se")},
            {number("a_se")},
            {number("b_se")},
            {number("bg_nbd_log_likelihood")},
            bg_nbd_converged,
            cast(nullif(bg_nbd_log_covariance, '') as double[]) as bg_nbd_log_covariance,
            {number("p")},
            {number("q")},
            {number("v")},
            {number("p_se")},
            {number("q_se")},
            {number("v_se")},
            {number("gamma_gamma_log_likelihood")},
            gamma_gamma_converged,
            cast(nullif(gamma_gamma_log_covariance, '') as double[]) as gamma_gamma_log_covariance,
            round(fit_seconds, 3) as fit_seconds,
            cast(fit_notes as varchar) as fit_notes
        from {table_name}
        """
    )
