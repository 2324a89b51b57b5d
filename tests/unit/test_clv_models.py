"""The BG/NBD and Gamma-Gamma module (segmentation/clv) against the published CDNOW results and against
lifetimes 0.11.3, an independent implementation (test-only dependency, requirements-dev.lock).

Published figures: Fader, Hardie and Lee (2005), "Counting your customers the easy way" (BG/NBD on the CDNOW
summary, 2,357 customers, weeks: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4; the conditional expectation
1.226 for a customer with x = 2, t_x = 30.43, T = 38.86 over the next 39 weeks), and "RFM and CLV" (Gamma-Gamma on
the 946 repeat customers: p 6.25, q 3.74, v 15.44). The CDNOW files ship inside the lifetimes wheel.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources

import numpy as np
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from numpy.typing import NDArray

from segmentation.clv import bg_nbd, gamma_gamma, lifetime_value
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Columns = dict[str, NDArray[np.float64]]


def cdnow(name: str) -> Columns:
    """A CSV file of lifetimes' datasets, by importlib.resources (lifetimes' own loader needs pkg_resources)."""
    with importlib.resources.as_file(importlib.resources.files("lifetimes") / "datasets" / name) as path:
        table = np.genfromtxt(path, delimiter=",", names=True)
    return {column: np.asarray(table[column], dtype=np.float64) for column in table.dtype.names or ()}


@pytest.fixture(scope="module")
def summary() -> Columns:
    return cdnow("cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def with_spend() -> Columns:
    return cdnow("cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def bg_fit(summary: Columns) -> bg_nbd.BgNbdFit:
    return bg_nbd.fit(summary["frequency"], summary["recency"], summary["T"])


@pytest.fixture(scope="module")
def gg_fit(with_spend: Columns) -> gamma_gamma.GammaGammaFit:
    repeat = with_spend["x"] > 0
    return gamma_gamma.fit(with_spend["x"][repeat], with_spend["zbar"][repeat])


def test_bg_nbd_reproduces_the_published_cdnow_fit(summary: Columns, bg_fit: bg_nbd.BgNbdFit) -> None:
    assert len(summary["frequency"]) == bg_fit.customers == 2357
    assert bg_fit.converged
    params = bg_fit.params
    assert (round(params.r, 3), round(params.alpha, 3), round(params.a, 3), round(params.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(bg_fit.log_likelihood, 1) == -9582.4


def test_bg_nbd_reproduces_the_published_conditional_expectation(bg_fit: bg_nbd.BgNbdFit) -> None:
    expected = bg_nbd.expected_purchases(bg_fit.params, 39, [2], [30.43], [38.86])
    assert round(float(expected[0]), 3) == 1.226


def test_gamma_gamma_reproduces_the_published_cdnow_fit(gg_fit: gamma_gamma.GammaGammaFit) -> None:
    assert gg_fit.customers == 946
    assert gg_fit.converged
    params = gg_fit.params
    assert (round(params.p, 2), round(params.q, 2)) == (6.25, 3.74)
    # the optimum is v = 15.4478 (lifetimes: 15.4477); the paper prints 15.44, cut rather than rounded: within
    # one unit of its last place
    assert params.v == pytest.approx(15.44, abs=0.01)


def test_the_fit_agrees_with_lifetimes(summary: Columns, bg_fit: bg_nbd.BgNbdFit) -> None:
    """Two optimisers on one likelihood: the same optimum, to the optimisers' precision."""
    theirs = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ours = bg_fit.params
    for name, value in (("r", ours.r), ("alpha", ours.alpha), ("a", ours.a), ("b", ours.b)):
        assert value == pytest.approx(float(theirs.params_[name]), rel=1e-4), name


def lifetimes_bg(params: BgNbdParams) -> BetaGeoFitter:
    fitter = BetaGeoFitter()
    fitter.params_ = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b}
    return fitter


def lifetimes_gg(params: GammaGammaParams) -> GammaGammaFitter:
    fitter = GammaGammaFitter()
    fitter.params_ = {"p": params.p, "q": params.q, "v": params.v}
    return fitter


def test_predictions_agree_with_lifetimes_for_every_cdnow_customer(
    summary: Columns, with_spend: Columns, bg_fit: bg_nbd.BgNbdFit, gg_fit: gamma_gamma.GammaGammaFit
) -> None:
    x, t_x, big_t = summary["frequency"], summary["recency"], summary["T"]
    theirs = lifetimes_bg(bg_fit.params)
    np.testing.assert_allclose(
        bg_nbd.probability_alive(bg_fit.params, x, t_x, big_t),
        theirs.conditional_probability_alive(x, t_x, big_t),
        rtol=0,
        atol=1e-6,
    )
    for horizon in (39.0, 52.0, 260.0):
        np.testing.assert_allclose(
            bg_nbd.expected_purchases(bg_fit.params, horizon, x, t_x, big_t),
            theirs.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, big_t),
            rtol=1e-9,
            atol=1e-6,
        )
    repeat = with_spend["x"] > 0
    np.testing.assert_allclose(
        gamma_gamma.conditional_expected_value(gg_fit.params, with_spend["x"][repeat], with_spend["zbar"][repeat]),
        lifetimes_gg(gg_fit.params).conditional_expected_average_profit(
            with_spend["x"][repeat], with_spend["zbar"][repeat]
        ),
        rtol=1e-9,
        atol=1e-6,
    )


def test_probability_alive_is_one_without_a_repeat_purchase(bg_fit: bg_nbd.BgNbdFit) -> None:
    alive = bg_nbd.probability_alive(bg_fit.params, [0, 0, 1], [0, 0, 0.5], [1.0, 80.0, 80.0])
    assert alive[0] == alive[1] == 1.0
    assert 0 < alive[2] < 1  # one repeat purchase long ago: possibly gone


def test_no_repeat_purchase_gets_the_population_mean_and_no_confidence(gg_fit: gamma_gamma.GammaGammaFit) -> None:
    params = gg_fit.params
    value = gamma_gamma.conditional_expected_value(params, [0, 3], [np.nan, 20.0])
    assert value[0] == pytest.approx(params.p * params.v / (params.q - 1))
    weight = params.p * 3 / (params.p * 3 + params.q - 1)
    assert value[1] == pytest.approx(weight * 20.0 + (1 - weight) * params.p * params.v / (params.q - 1))
    assert list(gamma_gamma.weight_on_own_spend(params, [0])) == [0.0]


def inputs_of(columns: Columns) -> lifetime_value.Inputs:
    x = columns["x"]
    return lifetime_value.Inputs(
        frequency=x, recency=columns["t_x"], t=columns["T"], monetary_value=np.where(x > 0, columns["zbar"], np.nan)
    )


def test_the_cdnow_fits_are_ok_and_their_standard_errors_agree_with_lifetimes(
    summary: Columns, with_spend: Columns, bg_fit: bg_nbd.BgNbdFit, gg_fit: gamma_gamma.GammaGammaFit
) -> None:
    """lifetimes inverts the Hessian of its own likelihood (automatic differentiation, in log-parameters) and
    scales it to the parameters; ours comes from finite differences of the exact gradient."""
    assert bg_fit.status == gg_fit.status == "ok"
    assert bg_fit.identification.reason is None and gg_fit.identification.reason is None
    theirs_bg = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(bg_fit.standard_errors() or (), theirs_bg.standard_errors_.to_numpy(), rtol=1e-4)
    repeat = with_spend["x"] > 0
    theirs_gg = GammaGammaFitter().fit(with_spend["x"][repeat], with_spend["zbar"][repeat])
    np.testing.assert_allclose(gg_fit.standard_errors() or (), theirs_gg.standard_errors_.to_numpy(), rtol=1e-4)


def test_every_date_stands_alone(with_spend: Columns) -> None:
    """A date whose fits fail gets no parameters, and no other date's stand in for them."""
    good = inputs_of(with_spend)
    empty = lifetime_value.Inputs(*(np.array([], dtype=np.float64) for _ in range(4)))
    first, second, third = dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)
    fits = lifetime_value.fit_dates([third, first, second], {first: good, second: empty, third: good})
    assert [fit.as_of_date for fit in fits] == [first, second, third]
    assert fits[0].fits.bg_nbd.status == fits[2].fits.bg_nbd.status == "ok"
    failed = fits[1].fits
    assert (failed.bg_nbd.status, failed.gamma_gamma.status) == ("failed", "failed")
    assert np.isnan(failed.bg_nbd.params.r) and np.isnan(failed.gamma_gamma.params.p)
    assert failed.status_reason() == (
        "BG/NBD failed: no customers to fit | Gamma-Gamma failed: no repeat customers to fit"
    )
    assert fits[0].fits.status_reason() is None
    assert fits[0].fits.bg_nbd.params == fits[2].fits.bg_nbd.params


def test_a_model_that_is_not_ok_predicts_nothing(
    with_spend: Columns, bg_fit: bg_nbd.BgNbdFit, gg_fit: gamma_gamma.GammaGammaFit
) -> None:
    data = inputs_of(with_spend)
    both = lifetime_value.predict(bg_fit.params, gg_fit.params, data, 0.0)
    no_purchases = lifetime_value.predict(None, gg_fit.params, data, 0.0)
    assert np.isnan(no_purchases.probability_alive).all() and np.isnan(no_purchases.expected_purchases_365d).all()
    assert all(np.isnan(value).all() for value in no_purchases.predicted_ltv.values())
    np.testing.assert_array_equal(no_purchases.expected_avg_order_value, both.expected_avg_order_value)
    np.testing.assert_array_equal(no_purchases.confidence_score, both.confidence_score)
    no_spend = lifetime_value.predict(bg_fit.params, None, data, 0.0)
    assert np.isnan(no_spend.expected_avg_order_value).all() and np.isnan(no_spend.confidence_score).all()
    assert all(np.isnan(value).all() for value in no_spend.predicted_ltv.values())
    np.testing.assert_array_equal(no_spend.probability_alive, both.probability_alive)
    np.testing.assert_array_equal(no_spend.expected_purchases_365d, both.expected_purchases_365d)


def test_predicted_value_is_purchases_times_value_and_discounted_by_year(
    with_spend: Columns, bg_fit: bg_nbd.BgNbdFit, gg_fit: gamma_gamma.GammaGammaFit
) -> None:
    data = inputs_of(with_spend)
    plain = lifetime_value.predict(bg_fit.params, gg_fit.params, data, 0.0)
    np.testing.assert_allclose(plain.predicted_ltv[1], plain.expected_purchases_365d * plain.expected_avg_order_value)
    three_years = bg_nbd.expected_purchases(bg_fit.params, 3 * 365, data.frequency, data.recency, data.t)
    np.testing.assert_allclose(plain.predicted_ltv[3], three_years * plain.expected_avg_order_value)
    discounted = lifetime_value.predict(bg_fit.params, gg_fit.params, data, 0.1)
    np.testing.assert_allclose(discounted.predicted_ltv[1], plain.predicted_ltv[1] / 1.1)
    by_year = [
        bg_nbd.expected_purchases(bg_fit.params, 365 * year, data.frequency, data.recency, data.t) for year in (1, 2, 3)
    ]
    in_year = [by_year[0], by_year[1] - by_year[0], by_year[2] - by_year[1]]
    np.testing.assert_allclose(
        discounted.predicted_ltv[3],
        sum(purchases / 1.1 ** (year + 1) for year, purchases in enumerate(in_year)) * plain.expected_avg_order_value,
    )
