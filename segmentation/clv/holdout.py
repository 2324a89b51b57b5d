"""The calibration/holdout check of the CLV literature, as clv_validation publishes it (docs/lifetime-value.md,
"Validation"): the models fitted on the purchase days up to a calibration date predict each customer's purchase
days in the holdout that follows, and the predictions are compared with what happened, by decile of the
prediction and overall.

A customer is scored when it has a purchase day in the calibration period. Deciles: the customers ordered by
predicted purchases (ties by customer id), the one at 0-based position i of n in decile ⌊10·i / n⌋ + 1, so the ten
groups differ in size by one at most and 10 holds the highest predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from segmentation.clv import bg_nbd
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.lifetime_value import Inputs
from segmentation.clv.roc import area_under_curve

Array = NDArray[np.float64]
DECILES = 10


@dataclass(frozen=True)
class DecileRow:
    decile: int
    customers: int
    predicted_purchases: float  # mean per customer
    actual_purchases: float


@dataclass(frozen=True)
class HoldoutScore:
    deciles: list[DecileRow]
    customers: int
    predicted_purchases: float  # mean per customer
    actual_purchases: float
    mean_absolute_error: float
    bias_ratio: float | None  # None when nobody bought in the holdout
    alive_auc: float | None  # None when everybody or nobody bought in the holdout


def deciles(predicted: Array, customer_id: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each customer's decile of `predicted`, 1 (lowest) to 10."""
    order = np.lexsort((customer_id, predicted))
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    return position * DECILES // max(order.size, 1) + 1


def score(predicted: Array, actual: Array, probability_alive: Array, customer_id: NDArray[np.int64]) -> HoldoutScore:
    """The decile table and the overall figures: mean absolute error per customer, sum predicted / sum actual, and
    the area under the ROC curve of P(alive) at the end of calibration against a purchase in the holdout."""
    decile = deciles(predicted, customer_id)
    rows = [
        DecileRow(
            int(value),
            int((decile == value).sum()),
            float(predicted[decile == value].mean()),
            float(actual[decile == value].mean()),
        )
        for value in range(1, DECILES + 1)
        if (decile == value).any()
    ]
    total_actual = float(actual.sum())
    return HoldoutScore(
        deciles=rows,
        customers=int(predicted.size),
        predicted_purchases=float(predicted.mean()),
        actual_purchases=float(actual.mean()),
        mean_absolute_error=float(np.abs(predicted - actual).mean()),
        bias_ratio=float(predicted.sum()) / total_actual if total_actual > 0 else None,
        alive_auc=area_under_curve(probability_alive, actual > 0),
    )


def score_fit(
    params: BgNbdParams, calibration: Inputs, actual: Array, customer_id: NDArray[np.int64], horizon_days: float
) -> HoldoutScore:
    """Predict the holdout's purchase days from the calibration fit's parameters, then score them."""
    data = (calibration.frequency, calibration.recency, calibration.t)
    predicted = bg_nbd.expected_purchases(params, horizon_days, *data)
    return score(predicted, actual, bg_nbd.probability_alive(params, *data), customer_id)
