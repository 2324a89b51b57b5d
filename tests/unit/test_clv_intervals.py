"""The fits against the truth: data simulated from known BG/NBD and Gamma-Gamma parameters
(segmentation/clv/simulate.py), where the estimand is known. The fits recover the parameters within their standard
errors' reach; the 90 % intervals (segmentation/clv/intervals.py) contain a customer's expected value under the true
parameters in 85-95 % of data sets; and they narrow as the customers grow from 500 to 50,000.

The intervals describe the uncertainty of the estimate, so they are judged against the expected value, never
against purchases that happen (docs/lifetime-value.md, "Intervals")."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from segmentation.clv import bg_nbd, gamma_gamma, intervals, lifetime_value, simulate
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Array = NDArray[np.float64]
# The published CDNOW estimates, with α in days (4.414 weeks), and the published spend model.
TRUE_BG = BgNbdParams(0.243, 4.414 * 7, 0.793, 2.426)
TRUE_GG = GammaGammaParams(6.25, 3.74, 15.44)
# Customers whose expected values the intervals are judged on: a repeat buyer, a one-purchase customer, and one
# whose only repeat purchase was long ago (days).
FREQUENCY = np.array([3.0, 0.0, 1.0])
RECENCY = np.array([210.0, 0.0, 50.0])
T = np.array([280.0, 200.0, 300.0])
MONETARY = np.array([20.0, np.nan, 10.0])
DATA_SETS = 300
CUSTOMERS = 3000


def simulated(customers: int, generator: np.random.Generator) -> lifetime_value.Inputs:
    """Customers first seen over half a year before the end of observation, observed for 182 to 365 days."""
    t = generator.uniform(182, 365, customers)
    x, t_x = simulate.bg_nbd_customers(TRUE_BG, t, generator)
    return lifetime_value.Inputs(x, t_x, t, simulate.gamma_gamma_spend(TRUE_GG, x, generator))


def customer_intervals(fits: lifetime_value.Fits) -> intervals.Intervals:
    bg_normals, gg_normals = intervals.standard_normals()
    bg_covariance, gg_covariance = (
        fits.bg_nbd.identification.log_covariance,
        fits.gamma_gamma.identification.log_covariance,
    )
    assert bg_covariance is not None and gg_covariance is not None
    return intervals.intervals(
        intervals.bg_nbd_draws(fits.bg_nbd.params, bg_covariance, bg_normals),
        intervals.gamma_gamma_draws(fits.gamma_gamma.params, gg_covariance, gg_normals),
        FREQUENCY,
        RECENCY,
        T,
        MONETARY,
        0.0,
    )


def fit_ok(data: lifetime_value.Inputs) -> lifetime_value.Fits:
    """Both fits; the search starts from the truth, which changes only how many steps it takes to the optimum."""
    repeat = data.frequency > 0
    bg_fit = bg_nbd.fit(data.frequency, data.recency, data.t, initial=TRUE_BG)
    gg_fit = gamma_gamma.fit(data.frequency[repeat], data.monetary_value[repeat], initial=TRUE_GG)
    assert bg_fit.status == gg_fit.status == "ok", (bg_fit.identification.reason, gg_fit.identification.reason)
    return lifetime_value.Fits(bg_fit, gg_fit, 0.0)


def true_expected_values() -> tuple[Array, Array]:
    purchases = bg_nbd.expected_purchases(TRUE_BG, 365, FREQUENCY, RECENCY, T)
    return purchases, purchases * gamma_gamma.conditional_expected_value(TRUE_GG, FREQUENCY, MONETARY)


def test_the_fits_recover_known_parameters_within_their_standard_errors() -> None:
    """20,000 customers: each estimate's log lies within three standard errors of the truth's."""
    data = simulated(20_000, np.random.default_rng(11))
    repeat = data.frequency > 0
    bg_fit = bg_nbd.fit(data.frequency, data.recency, data.t)
    gg_fit = gamma_gamma.fit(data.frequency[repeat], data.monetary_value[repeat])
    assert bg_fit.status == gg_fit.status == "ok"
    for fit, truth in (
        (bg_fit, (TRUE_BG.r, TRUE_BG.alpha, TRUE_BG.a, TRUE_BG.b)),
        (gg_fit, (TRUE_GG.p, TRUE_GG.q, TRUE_GG.v)),
    ):
        covariance = fit.identification.log_covariance
        assert covariance is not None
        estimate = np.array(list(vars(fit.params).values()))
        z = (np.log(estimate) - np.log(truth)) / np.sqrt(np.diag(covariance))
        assert np.all(np.abs(z) < 3), (fit.params, z)
        # and the standard errors are those of a sample of this size, not inflated: relative errors of a few %
        assert np.all(np.sqrt(np.diag(covariance)) < 0.25), np.sqrt(np.diag(covariance))


def test_intervals_contain_the_true_expected_value_in_85_to_95_percent_of_data_sets() -> None:
    generator = np.random.default_rng(2024)
    true_purchases, true_value = true_expected_values()
    purchases_inside = np.zeros(FREQUENCY.size)
    value_inside = np.zeros(FREQUENCY.size)
    for _ in range(DATA_SETS):
        interval = customer_intervals(fit_ok(simulated(CUSTOMERS, generator)))
        purchases_inside += (interval.expected_purchases_low <= true_purchases) & (
            true_purchases <= interval.expected_purchases_high
        )
        value_inside += (interval.predicted_ltv_low <= true_value) & (true_value <= interval.predicted_ltv_high)
    for share in (*purchases_inside / DATA_SETS, *value_inside / DATA_SETS):
        assert 0.85 <= share <= 0.95, (purchases_inside / DATA_SETS, value_inside / DATA_SETS)


def test_intervals_narrow_as_customers_grow() -> None:
    widths = []
    for customers in (500, 5_000, 50_000):
        interval = customer_intervals(fit_ok(simulated(customers, np.random.default_rng(customers))))
        widths.append(
            (
                interval.expected_purchases_high - interval.expected_purchases_low,
                interval.predicted_ltv_high - interval.predicted_ltv_low,
            )
        )
    small, medium, large = (np.concatenate(pair) for pair in widths)
    assert np.all(small > medium) and np.all(medium > large), widths
    # a hundred times the customers: about a tenth of the width (1 / √100), well within a factor of two
    assert np.all((small / large > 5) & (small / large < 20)), small / large


def test_an_interval_brackets_its_estimate_and_is_reproducible() -> None:
    data = simulated(5_000, np.random.default_rng(5))
    fits = fit_ok(data)
    predicted = lifetime_value.predict(fits.bg_nbd.params, fits.gamma_gamma.params, data, 0.0)
    bg_normals, gg_normals = intervals.standard_normals()
    assert bg_normals.shape == (intervals.DRAWS, 4) and gg_normals.shape == (intervals.DRAWS, 3)
    bg_covariance, gg_covariance = (
        fits.bg_nbd.identification.log_covariance,
        fits.gamma_gamma.identification.log_covariance,
    )
    assert bg_covariance is not None and gg_covariance is not None
    bg_draws = intervals.bg_nbd_draws(fits.bg_nbd.params, bg_covariance, bg_normals)
    gg_draws = intervals.gamma_gamma_draws(fits.gamma_gamma.params, gg_covariance, gg_normals)
    columns = (data.frequency, data.recency, data.t, data.monetary_value)
    first = intervals.intervals(bg_draws, gg_draws, *columns, 0.0)
    again = intervals.intervals(bg_draws, gg_draws, *columns, 0.0)
    np.testing.assert_array_equal(first.predicted_ltv_low, again.predicted_ltv_low)
    inside = (first.expected_purchases_low <= predicted.expected_purchases_365d) & (
        predicted.expected_purchases_365d <= first.expected_purchases_high
    )
    assert inside.mean() > 0.99
    assert np.all(first.expected_purchases_low <= first.expected_purchases_high)
    # discounting one year scales the value interval as it scales the value
    discounted = intervals.intervals(bg_draws, gg_draws, *columns, 0.25)
    np.testing.assert_allclose(discounted.predicted_ltv_high, first.predicted_ltv_high / 1.25)
    # without Gamma-Gamma draws there is no value interval, and the purchases interval is unchanged
    purchases_only = intervals.intervals(bg_draws, None, *columns, 0.0)
    assert np.isnan(purchases_only.predicted_ltv_low).all()
    np.testing.assert_array_equal(purchases_only.expected_purchases_low, first.expected_purchases_low)


def test_the_draws_are_the_fit_s_normal_distribution_in_log_parameters() -> None:
    covariance = np.array([[0.04, 0.01], [0.01, 0.09]])
    normals = np.random.default_rng(0).standard_normal((200_000, 2))
    draws = intervals.draw((2.0, 5.0), covariance, normals)
    logs = np.log(draws)
    np.testing.assert_allclose(logs.mean(axis=0), np.log([2.0, 5.0]), atol=3e-3)
    np.testing.assert_allclose(np.cov(logs.T), covariance, atol=2e-3)


@pytest.mark.parametrize("discount_rate", [0.0, 0.1])
def test_a_customer_s_value_draws_are_purchases_times_spend(discount_rate: float) -> None:
    """The interval's ends are the 5th and 95th percentiles of expected purchases × expected spend, draw by draw,
    as the point prediction multiplies them (checked against the module's own scalar functions per draw)."""
    generator = np.random.default_rng(9)
    bg_draws = np.exp(
        np.log([[TRUE_BG.r, TRUE_BG.alpha, TRUE_BG.a, TRUE_BG.b]]) + 0.1 * generator.standard_normal((50, 4))
    )
    gg_draws = np.exp(np.log([[TRUE_GG.p, TRUE_GG.q, TRUE_GG.v]]) + 0.1 * generator.standard_normal((50, 3)))
    result = intervals.intervals(bg_draws, gg_draws, FREQUENCY, RECENCY, T, MONETARY, discount_rate)
    values = np.array(
        [
            bg_nbd.expected_purchases(BgNbdParams(*bg), 365, FREQUENCY, RECENCY, T)
            * gamma_gamma.conditional_expected_value(GammaGammaParams(*gg), FREQUENCY, MONETARY)
            / (1 + discount_rate)
            for bg, gg in zip(bg_draws, gg_draws, strict=True)
        ]
    )
    np.testing.assert_allclose(result.predicted_ltv_low, np.quantile(values, 0.05, axis=0), rtol=1e-10)
    np.testing.assert_allclose(result.predicted_ltv_high, np.quantile(values, 0.95, axis=0), rtol=1e-10)


@pytest.mark.parametrize(("rows", "block", "workers"), [(0, 4, 2), (1, 4, 2), (10, 3, 2), (10, 3, 1), (9, 3, 4)])
def test_blocks_in_threads_give_the_array_of_one_pass(
    rows: int, block: int, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intervals, "WORKERS", workers)
    values = np.arange(rows * 3, dtype=np.float64).reshape(rows, 3)
    seen: list[tuple[int, int]] = []

    def compute(part: slice) -> NDArray[np.float64]:
        seen.append((part.start, part.stop))
        return values[part] * 2.0

    out = intervals.by_row_blocks(compute, rows, block)
    assert np.array_equal(out, values * 2.0) and out.shape == (rows, 3)
    # every row in exactly one block of at most `block` rows
    covered = sorted(index for start, stop in seen for index in range(start, min(stop, rows)))
    assert covered == list(range(rows))
    assert all(min(stop, rows) - start <= block for start, stop in seen)


def test_the_threaded_intervals_equal_one_thread_s(monkeypatch: pytest.MonkeyPatch) -> None:
    data = simulated(3_000, np.random.default_rng(11))
    bg_normals, gg_normals = intervals.standard_normals(50)
    bg_draws = intervals.bg_nbd_draws(TRUE_BG, np.eye(4) * 0.01, bg_normals)
    gg_draws = intervals.gamma_gamma_draws(TRUE_GG, np.eye(3) * 0.01, gg_normals)
    arguments = (bg_draws, gg_draws, data.frequency, data.recency, data.t, data.monetary_value, 0.1)
    monkeypatch.setattr(intervals, "CHUNK_CUSTOMERS", 10**9)
    monkeypatch.setattr(intervals, "WORKERS", 1)
    one = intervals.intervals(*arguments)
    monkeypatch.setattr(intervals, "CHUNK_CUSTOMERS", 256)
    monkeypatch.setattr(intervals, "WORKERS", 3)
    threaded = intervals.intervals(*arguments)
    for name in ("expected_purchases_low", "expected_purchases_high", "predicted_ltv_low", "predicted_ltv_high"):
        assert np.array_equal(getattr(one, name), getattr(threaded, name), equal_nan=True), name
