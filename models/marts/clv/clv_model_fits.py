"""The BG/NBD and Gamma-Gamma fits of every as-of date of the run (spec section 13), one row per date.

A dbt Python model (DuckDB only; disabled on the other engines, see _clv__models.yml): the fitting code is
segmentation/clv. Incremental like the segment history: a run replaces the dates it computed and keeps every
other date, and a date whose fit does not converge keeps the latest earlier converged fit's parameters, recorded
or from this run, with *_converged false and *_params_as_of_date naming that earlier date.
"""

import os
import sys


def _clv_package():
    """The project's package segmentation/, importable when dbt runs from the project root, as the Makefile,
    the monthly cycle and the README run it."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
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

    from segmentation.clv.bg_nbd import BgNbdParams
    from segmentation.clv.gamma_gamma import GammaGammaParams

    inputs_relation = dbt.ref("int_customers_summarized")
    dates_relation = dbt.ref("int_as_of_dates_windowed")
    dates = [row[0] for row in dates_relation.project("as_of_date").order("as_of_date").fetchall()]
    columns = (
        inputs_relation.project(
            "as_of_date, customer_id, cast(frequency as double) as frequency, cast(recency as double) as recency,"
            " cast(t as double) as t, cast(monetary_value as double) as monetary_value"
        )
        .order(
            # one order for the same input, whatever the engine's threads did: sums taken in another order
            # differ in their last bits, enough to move the optimiser along the flat ridge of a and b, where
            # they are not identified
            "as_of_date, customer_id"
        )
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

    earlier = (None, None)
    if dbt.is_incremental and dates:
        recorded = session.sql(
            f"select r, alpha, a, b, bg_nbd_params_as_of_date, p, q, v, gamma_gamma_params_as_of_date"
            f" from {dbt.this} where as_of_date < '{dates[0].isoformat()}' order by as_of_date desc limit 1"
        ).fetchall()
        if recorded:
            r, alpha, a, b, bg_date, p, q, v, gg_date = recorded[0]
            earlier = (
                (bg_date, BgNbdParams(r, alpha, a, b)) if bg_date is not None else None,
                (gg_date, GammaGammaParams(p, q, v)) if gg_date is not None else None,
            )

    fits = lifetime_value.fit_dates(dates, inputs, earlier)
    for fit in fits:
        for name, attempt in (("BG/NBD", fit.bg_nbd), ("Gamma-Gamma", fit.gamma_gamma)):
            if not attempt.converged:
                print(
                    f"clv_model_fits: the {name} fit as of {fit.as_of_date} did not converge ({attempt.message});"
                    " its predictions use the latest earlier converged fit, if any",
                    file=sys.stderr,
                )

    def iso(date):
        return "" if date is None else date.isoformat()

    def values(getter, kind=float):
        return np.array([getter(fit) for fit in fits], dtype=kind)

    def param(getter):
        return values(lambda fit: np.nan if getter(fit) is None else getter(fit))

    fit_table = {
        # dates as ISO text (DuckDB reads no numpy datetime64[D]), typed below
        "as_of_date": np.array([as_of.isoformat() for as_of in dates]),
        "customers": values(lambda fit: fit.bg_nbd.customers, np.int64),
        "repeat_customers": values(lambda fit: fit.gamma_gamma.customers, np.int64),
        "r": param(lambda fit: fit.bg_nbd_params and fit.bg_nbd_params.r),
        "alpha": param(lambda fit: fit.bg_nbd_params and fit.bg_nbd_params.alpha),
        "a": param(lambda fit: fit.bg_nbd_params and fit.bg_nbd_params.a),
        "b": param(lambda fit: fit.bg_nbd_params and fit.bg_nbd_params.b),
        "bg_nbd_log_likelihood": values(lambda fit: fit.bg_nbd.log_likelihood),
        "bg_nbd_converged": values(lambda fit: fit.bg_nbd.converged, bool),
        "bg_nbd_params_as_of_date": np.array([iso(fit.bg_nbd_params_as_of_date) for fit in fits]),
        "p": param(lambda fit: fit.gamma_gamma_params and fit.gamma_gamma_params.p),
        "q": param(lambda fit: fit.gamma_gamma_params and fit.gamma_gamma_params.q),
        "v": param(lambda fit: fit.gamma_gamma_params and fit.gamma_gamma_params.v),
        "gamma_gamma_log_likelihood": values(lambda fit: fit.gamma_gamma.log_likelihood),
        "gamma_gamma_converged": values(lambda fit: fit.gamma_gamma.converged, bool),
        "gamma_gamma_params_as_of_date": np.array([iso(fit.gamma_gamma_params_as_of_date) for fit in fits]),
        "fit_seconds": values(lambda fit: fit.fit_seconds),
        "fit_notes": np.array(
            [f"BG/NBD: {fit.bg_nbd.message}. Gamma-Gamma: {fit.gamma_gamma.message}." for fit in fits]
        ),
    }
    session.register("__clv_fit_table", fit_table)
    return session.sql(
        """
        select
            cast(as_of_date as date) as as_of_date,
            cast(customers as bigint) as customers,
            cast(repeat_customers as bigint) as repeat_customers,
            case when not isnan(r) then r end as r,
            case when not isnan(alpha) then alpha end as alpha,
            case when not isnan(a) then a end as a,
            case when not isnan(b) then b end as b,
            case when not isnan(bg_nbd_log_likelihood) then bg_nbd_log_likelihood end as bg_nbd_log_likelihood,
            bg_nbd_converged,
            cast(nullif(bg_nbd_params_as_of_date, '') as date) as bg_nbd_params_as_of_date,
            case when not isnan(p) then p end as p,
            case when not isnan(q) then q end as q,
            case when not isnan(v) then v end as v,
            case when not isnan(gamma_gamma_log_likelihood) then gamma_gamma_log_likelihood end
                as gamma_gamma_log_likelihood,
            gamma_gamma_converged,
            cast(nullif(gamma_gamma_params_as_of_date, '') as date) as gamma_gamma_params_as_of_date,
            round(fit_seconds, 3) as fit_seconds,
            cast(fit_notes as varchar) as fit_notes
        from __clv_fit_table
        """
    )
