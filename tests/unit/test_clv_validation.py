"""The lifetime-value checks' arithmetic on hand-made numbers: the holdout table of clv_validation
(segmentation/clv/holdout.py), the area under the ROC curve both checks use (roc.py) and the churn check against
planted truth (churn.py), each figure worked out by hand below."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.clv import churn, holdout, roc

# --- the area under the ROC curve ------------------------------------------------------------------------------


def test_area_under_curve_counts_pairs_and_ties_count_half() -> None:
    assert roc.area_under_curve([0.9, 0.8, 0.2, 0.1], [True, True, False, False]) == 1.0
    assert roc.area_under_curve([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == 0.0
    # positives 0.8 and 0.3, negatives 0.5, 0.3, 0.1: pairs won 0.8>0.5, 0.8>0.3, 0.8>0.1, 0.3>0.1 and the tie
    # 0.3=0.3 counts half: 4.5 of 6
    assert roc.area_under_curve([0.8, 0.3, 0.5, 0.3, 0.1], [True, True, False, False, False]) == 4.5 / 6
    assert roc.area_under_curve([0.5, 0.5, 0.5], [True, False, False]) == 0.5


def test_area_under_curve_needs_both_groups_and_every_score() -> None:
    assert roc.area_under_curve([0.3, 0.4], [True, True]) is None
    assert roc.area_under_curve([], []) is None
    with pytest.raises(ValueError, match="missing"):
        roc.area_under_curve([0.3, np.nan], [True, False])
    with pytest.raises(ValueError, match="shape"):
        roc.area_under_curve([0.3, 0.2], [True])


# --- the holdout table -------------------------------------------------------------------------------------------


def test_deciles_split_by_prediction_then_customer_id() -> None:
    # 12 customers: positions 0..11 in order of (prediction, id) -> decile ⌊10·i/12⌋ + 1
    predicted = np.array([5.0, 1.0, 1.0, 3.0, 2.0, 9.0, 7.0, 7.0, 4.0, 6.0, 8.0, 0.5])
    ids = np.array([12, 7, 3, 4, 5, 6, 2, 8, 9, 10, 11, 1])
    # order: 0.5(id 1), 1.0(id 3), 1.0(id 7), 2(5), 3(4), 4(9), 5(12), 6(10), 7(id 2), 7(id 8), 8(11), 9(6)
    expected_by_id = {1: 1, 3: 1, 7: 2, 5: 3, 4: 4, 9: 5, 12: 6, 10: 6, 2: 7, 8: 8, 11: 9, 6: 10}
    deciles = holdout.deciles(predicted, ids)
    assert dict(zip(ids.tolist(), deciles.tolist(), strict=True)) == expected_by_id
    # ten or fewer customers: one decile each, from 1 up by tens
    assert holdout.deciles(np.array([3.0, 1.0, 2.0]), np.array([1, 2, 3])).tolist() == [7, 1, 4]


def test_the_overall_figures() -> None:
    predicted = np.array([1.0, 2.0, 3.0, 4.0])
    actual = np.array([0.0, 3.0, 3.0, 6.0])
    alive = np.array([0.2, 0.9, 0.5, 0.9])
    score = holdout.score(predicted, actual, alive, np.array([1, 2, 3, 4]))
    assert score.customers == 4
    assert score.predicted_purchases == 2.5 and score.actual_purchases == 3.0
    assert score.mean_absolute_error == (1 + 1 + 0 + 2) / 4
    assert score.bias_ratio == 10 / 12
    # bought in the holdout: 2, 3, 4 (alive 0.9, 0.5, 0.9) against 1 (0.2): every pair won
    assert score.alive_auc == 1.0
    assert [(row.decile, row.customers, row.predicted_purchases, row.actual_purchases) for row in score.deciles] == [
        (1, 1, 1.0, 0.0),
        (3, 1, 2.0, 3.0),
        (6, 1, 3.0, 3.0),
        (8, 1, 4.0, 6.0),
    ]


def test_a_holdout_with_no_purchase_has_no_bias_ratio_or_auc() -> None:
    score = holdout.score(np.array([0.5, 1.5]), np.zeros(2), np.array([0.3, 0.7]), np.array([1, 2]))
    assert score.bias_ratio is None and score.alive_auc is None
    assert score.mean_absolute_error == 1.0


def test_decile_means_over_many_customers() -> None:
    # 25 customers predicted 1..25: deciles of sizes 3,2,3,2,3,2,3,2,3,2 (⌊10·i/25⌋ + 1)
    predicted = np.arange(1.0, 26.0)
    actual = 2 * predicted
    score = holdout.score(predicted, actual, np.full(25, 0.5), np.arange(25))
    assert [row.customers for row in score.deciles] == [3, 2, 3, 2, 3, 2, 3, 2, 3, 2]
    assert score.deciles[0].predicted_purchases == 2.0 and score.deciles[0].actual_purchases == 4.0
    assert score.deciles[-1].predicted_purchases == 24.5
    assert score.alive_auc is None  # everybody bought


# --- the churn check against planted truth -------------------------------------------------------------------


def test_churn_is_judged_on_recent_repeat_customers_only() -> None:
    """Customers 1-4 are judged (frequency ≥ 1, last purchase day at most 365 days before A: t − recency ≤ 365);
    5 has no repeat purchase, 6 last bought 366 days before A, 7 exactly 365 (judged). Stopped: 1, 3 and 6."""
    ids = [1, 2, 3, 4, 5, 6, 7]
    churn_probability = [0.9, 0.2, 0.6, 0.1, np.nan, 0.95, 0.4]
    frequency = [3, 5, 1, 2, 0, 4, 1]
    recency = [100, 300, 10, 200, 0, 34, 35]
    t = [400, 320, 300, 250, 50, 400, 400]
    check = churn.churn_auc(ids, churn_probability, frequency, recency, t, {1, 3, 6})
    # judged: 1 (0.9, stopped), 2 (0.2), 3 (0.6, stopped), 4 (0.1), 7 (0.4): stopped 0.9 and 0.6 above every one of
    # 0.2, 0.1 and 0.4
    assert (check.customers, check.stopped, check.auc) == (5, 2, 1.0)
    mixed = churn.churn_auc(ids, [0.3, 0.2, 0.6, 0.1, np.nan, 0.95, 0.4], frequency, recency, t, {1, 3, 6})
    # stopped 0.3 and 0.6 against 0.2, 0.1, 0.4: 0.3 wins 2 of 3, 0.6 wins 3 of 3
    assert mixed.auc == 5 / 6


def test_churn_check_needs_a_churn_probability_for_everybody_it_judges() -> None:
    with pytest.raises(ValueError, match="not ok"):
        churn.churn_auc([1, 2], [np.nan, 0.2], [1, 1], [10, 10], [20, 20], {1})
    nobody_stopped = churn.churn_auc([1, 2], [0.1, 0.2], [1, 1], [10, 10], [20, 20], set())
    assert nobody_stopped.auc is None and nobody_stopped.customers == 2
    with pytest.raises(ValueError, match="length"):
        churn.churn_auc([1, 2], [0.1], [1, 1], [10, 10], [20, 20], set())
