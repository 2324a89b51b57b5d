"""The churn check against planted truth (docs/lifetime-value.md, "Churn against truth"): how well
churn_probability as of A ranks the customers who had stopped by A above those who had not.

Only customers the model can judge and who were recently active count: frequency ≥ 1 (with no repeat purchase
P(alive) is 1 by construction) and a purchase day in the 365 days up to A (A − 365 to A, as every window of the
project includes its first day). Customers who stopped long ago are left out: anybody ranks them easily.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from segmentation.clv.roc import area_under_curve

RECENT_DAYS = 365


@dataclass(frozen=True)
class ChurnCheck:
    auc: float | None  # None when the customers judged are all stopped or all not
    customers: int  # customers judged
    stopped: int  # of them, in the stopped set


def churn_auc(
    customer_id: ArrayLike,
    churn_probability: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    t: ArrayLike,
    stopped: Collection[int],
) -> ChurnCheck:
    """The area under the ROC curve of `churn_probability` against membership of `stopped` (the ids of the
    customers who stopped on or before A), over the customers with frequency ≥ 1 whose last purchase day lies
    within RECENT_DAYS of A (t − recency ≤ 365: days from the last purchase day to A). Columns as in
    customer_lifetime_value on one as-of date; a customer of the judged set without a churn probability (its
    date's BG/NBD fit is not ok) is an error, not a guess."""
    ids = np.asarray(customer_id, dtype=np.int64)
    churn = np.asarray(churn_probability, dtype=np.float64)
    x, t_x, big_t = (np.asarray(column, dtype=np.float64) for column in (frequency, recency, t))
    if not ids.shape == churn.shape == x.shape == t_x.shape == big_t.shape:
        raise ValueError("the columns differ in length")
    judged = (x >= 1) & (big_t - t_x <= RECENT_DAYS)
    if np.isnan(churn[judged]).any():
        raise ValueError(
            "churn_probability is null for customers the check judges: the BG/NBD fit of this date is not ok"
            " (see model_status)"
        )
    is_stopped = np.isin(ids[judged], np.fromiter(stopped, dtype=np.int64, count=len(stopped)))
    return ChurnCheck(area_under_curve(churn[judged], is_stopped), int(judged.sum()), int(is_stopped.sum()))
