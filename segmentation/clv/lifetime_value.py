"""The figures of clv_model_fits and customer_lifetime_value (spec section 13), one as-of date at a time.

Inputs per customer and date come from int_customers_summarized (days): frequency, recency, t, monetary_value.
A fit that does not converge is never used: the date keeps the parameters of the latest earlier date whose fit
did (flagged in clv_model_fits), or has no parameters, and no predictions, when there is none.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from segmentation.clv import bg_nbd, gamma_gamma
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Array = NDArray[np.float64]
DAYS_PER_YEAR = 365
HORIZON_YEARS = (1, 3, 5)


@dataclass(frozen=True)
class DateFit:
    """One as-of date's fits, and the parameters its predictions use (its own, or an earlier date's)."""

    as_of_date: dt.date
    bg_nbd: bg_nbd.BgNbdFit
    gamma_gamma: gamma_gamma.GammaGammaFit
    bg_nbd_params: BgNbdParams | None
    bg_nbd_params_as_of_date: dt.date | None
    gamma_gamma_params: GammaGammaParams | None
    gamma_gamma_params_as_of_date: dt.date | None
    fit_seconds: float


@dataclass(frozen=True)
class Inputs:
    """One as-of date's customers with a purchase."""

    frequency: Array
    recency: Array
    t: Array
    monetary_value: Array  # NaN where frequency = 0


@dataclass(frozen=True)
class Predictions:
    probability_alive: Array
    expected_purchases_365d: Array
    expected_avg_order_value: Array
    predicted_ltv: dict[int, Array]  # years → value
    confidence_score: Array


def fit_dates(
    dates: Sequence[dt.date],
    inputs: dict[dt.date, Inputs],
    earlier: tuple[tuple[dt.date, BgNbdParams], tuple[dt.date, GammaGammaParams]] | tuple[None, None] = (None, None),
) -> list[DateFit]:
    """Fit every date, oldest first. `earlier` holds the latest usable parameters recorded before the first
    date (from a previous run), with the date they were fitted on. Every fit starts from the same point, never
    from an earlier month's optimum: a date's fit then depends on its data only, whichever dates were run before
    it (on a flat Gamma-Gamma likelihood a warm start stopped on a ridge below the optimum)."""
    last_bg, last_gg = earlier
    fits = []
    for as_of in sorted(dates):
        data = inputs[as_of]
        started = time.perf_counter()
        bg_fit = bg_nbd.fit(data.frequency, data.recency, data.t)
        repeat = data.frequency > 0
        gg_fit = gamma_gamma.fit(data.frequency[repeat], data.monetary_value[repeat])
        seconds = time.perf_counter() - started
        if bg_fit.converged:
            last_bg = (as_of, bg_fit.params)
        if gg_fit.converged:
            last_gg = (as_of, gg_fit.params)
        fits.append(
            DateFit(
                as_of_date=as_of,
                bg_nbd=bg_fit,
                gamma_gamma=gg_fit,
                bg_nbd_params=last_bg[1] if last_bg else None,
                bg_nbd_params_as_of_date=last_bg[0] if last_bg else None,
                gamma_gamma_params=last_gg[1] if last_gg else None,
                gamma_gamma_params_as_of_date=last_gg[0] if last_gg else None,
                fit_seconds=seconds,
            )
        )
    return fits


def discounted_value(
    params: BgNbdParams, expected_value: Array, years: int, discount_rate: float, data: Inputs
) -> Array:
    """Expected purchases in the next `years` × expected value per purchase, each year's purchases discounted
    by (1 + rate)^year (end of year; a rate of 0 discounts nothing)."""
    total = np.zeros_like(expected_value)
    purchases_before = np.zeros_like(expected_value)
    for year in range(1, years + 1):
        purchases = bg_nbd.expected_purchases(params, DAYS_PER_YEAR * year, data.frequency, data.recency, data.t)
        total += (purchases - purchases_before) * expected_value / (1 + discount_rate) ** year
        purchases_before = purchases
    return total


def predict(bg: BgNbdParams, gg: GammaGammaParams, data: Inputs, discount_rate: float) -> Predictions:
    """Every customer's predictions from one date's parameters."""
    expected_value = gamma_gamma.conditional_expected_value(gg, data.frequency, data.monetary_value)
    return Predictions(
        probability_alive=bg_nbd.probability_alive(bg, data.frequency, data.recency, data.t),
        expected_purchases_365d=bg_nbd.expected_purchases(bg, DAYS_PER_YEAR, data.frequency, data.recency, data.t),
        expected_avg_order_value=expected_value,
        predicted_ltv={
            years: discounted_value(bg, expected_value, years, discount_rate, data) for years in HORIZON_YEARS
        },
        confidence_score=gamma_gamma.weight_on_own_spend(gg, data.frequency),
    )
