"""The area under the ROC curve, the one measure of ranking both lifetime-value checks use (the holdout's
alive_auc and the churn check against planted truth)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata


def area_under_curve(scores: ArrayLike, positive: ArrayLike) -> float | None:
    """The probability that a random positive scores above a random negative, ties counting one half (the
    Mann-Whitney statistic over both groups' sizes); None when either group is empty."""
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(positive, dtype=bool)
    if values.shape != labels.shape:
        raise ValueError(f"scores and labels differ in shape: {values.shape} and {labels.shape}")
    if np.isnan(values).any():
        raise ValueError("a score is missing (NaN): the area under the curve needs every customer's score")
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(values)  # average ranks: ties share them
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))
