"""The figures of clv_model_fits and customer_lifetime_value (docs/lifetime-value.md), one as-of date at a time.

Inputs per customer and date come from int_customers_summarized (days): frequency, recency, t, monetary_value.
Each date's fits stand alone: a fit that is not `ok` (segmentation/clv/identification.py) gives no predictions
on its date, and no other date's parameters stand in for it.
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
MODEL_NAMES = ("BG/NBD", "Gamma-Gamma")


@dataclass(frozen=True)
class Inputs:
    """One as-of date's customers with a purchase."""

    frequency: Array
    recency: Array
    t: Array
    monetary_value: Array  # NaN where frequency = 0


@dataclass(frozen=True)
class Fits:
    """Both models fitted on one set of inputs (an as-of date's, or a calibration period's)."""

    bg_nbd: bg_nbd.BgNbdFit
    gamma_gamma: gamma_gamma.GammaGammaFit
    fit_seconds: float

    def status_reason(self) -> str | None:
        """Which fit is not ok and why, `BG/NBD degenerate: a = 5.35e-08 below 1e-06 | Gamma-Gamma ...`; None
        when both are ok."""
        return status_reason(
            (self.bg_nbd.status, self.bg_nbd.identification.reason),
            (self.gamma_gamma.status, self.gamma_gamma.identification.reason),
        )


@dataclass(frozen=True)
class DateFit:
    as_of_date: dt.date
    fits: Fits


@dataclass(frozen=True)
class Predictions:
    """Every customer's point predictions; NaN where the fit they need is not ok."""

    probability_alive: Array
    expected_purchases_365d: Array
    expected_avg_order_value: Array
    predicted_ltv: dict[int, Array]  # years → value
    confidence_score: Array


def status_reason(*statuses: tuple[str, str | None]) -> str | None:
    """The reasons of the fits that are not ok, named by model (BG/NBD, then Gamma-Gamma)."""
    parts = [
        f"{name} {status}: {reason}"
        for name, (status, reason) in zip(MODEL_NAMES, statuses, strict=True)
        if status != "ok"
    ]
    return " | ".join(parts) if parts else None


def fit_inputs(data: Inputs) -> Fits:
    """The BG/NBD on every customer, the Gamma-Gamma on those with a repeat purchase. Every fit starts from the
    same point, never from an earlier date's optimum: a fit then depends on its data only, whichever dates were
    run before it (on a flat Gamma-Gamma likelihood a warm start stopped on a ridge below the optimum)."""
    started = time.perf_counter()
    bg_fit = bg_nbd.fit(data.frequency, data.recency, data.t)
    repeat = data.frequency > 0
    gg_fit = gamma_gamma.fit(data.frequency[repeat], data.monetary_value[repeat])
    return Fits(bg_fit, gg_fit, time.perf_counter() - started)


def fit_dates(dates: Sequence[dt.date], inputs: dict[dt.date, Inputs]) -> list[DateFit]:
    """Fit every date, oldest first, each on its own inputs."""
    return [DateFit(as_of, fit_inputs(inputs[as_of])) for as_of in sorted(dates)]


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


def predict(bg: BgNbdParams | None, gg: GammaGammaParams | None, data: Inputs, discount_rate: float) -> Predictions:
    """Every customer's predictions from one date's parameters: those of a model passed as None (its fit is not
    ok) are NaN, and so is the predicted value, which needs both."""
    missing = np.full(data.frequency.shape, np.nan)
    expected_value = (
        gamma_gamma.conditional_expected_value(gg, data.frequency, data.monetary_value) if gg is not None else missing
    )
    if bg is None:
        alive = purchases = missing
        values = {years: missing for years in HORIZON_YEARS}
    else:
        alive = bg_nbd.probability_alive(bg, data.frequency, data.recency, data.t)
        purchases = bg_nbd.expected_purchases(bg, DAYS_PER_YEAR, data.frequency, data.recency, data.t)
        values = {years: discounted_value(bg, expected_value, years, discount_rate, data) for years in HORIZON_YEARS}
    return Predictions(
        probability_alive=alive,
        expected_purchases_365d=purchases,
        expected_avg_order_value=expected_value,
        predicted_ltv=values,
        confidence_score=gamma_gamma.weight_on_own_spend(gg, data.frequency) if gg is not None else missing,
    )
