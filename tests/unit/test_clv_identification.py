"""When a lifetime-value fit is ok, degenerate or failed (segmentation/clv/identification.py,
docs/lifetime-value.md): the rule at its thresholds on hand-written numbers, and one data set per status on which the
models are really fitted, each made so that the status is known in advance."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from segmentation.clv import bg_nbd, gamma_gamma, identification, simulate
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Array = NDArray[np.float64]
NAMES = ("r", "alpha", "a", "b")
IDENTITY = np.eye(4)


def judged(values: tuple[float, ...], hessian: Array | None = IDENTITY) -> identification.Identification:
    return identification.judge(True, "converged", NAMES, values, hessian)


# --- the rule, at its thresholds -----------------------------------------------------------------------------


def test_bounds_are_inclusive_and_one_step_outside_is_degenerate() -> None:
    assert judged((1e-6, 1.0, 1.0, 1e6)).status == "ok"
    below = judged((np.nextafter(1e-6, 0), 1.0, 1.0, 1.0))
    assert below.status == "degenerate" and below.reason == "r = 1e-06 below 1e-06"
    above = judged((1.0, 1.0, 1.0, np.nextafter(1e6, np.inf)))
    assert above.status == "degenerate" and above.reason == "b = 1e+06 above 1e+06"
    assert judged((np.nan, 1.0, 1.0, 1.0)).status == "degenerate"


def test_a_hessian_must_be_positive_definite_and_not_a_flat_ridge() -> None:
    singular = judged((1.0, 1.0, 1.0, 1.0), np.diag([4.0, 3.0, 2.0, 0.0]))
    assert singular.status == "degenerate" and "not positive definite" in (singular.reason or "")
    negative = judged((1.0, 1.0, 1.0, 1.0), np.diag([4.0, 3.0, 2.0, -1e-3]))
    assert negative.status == "degenerate" and "smallest eigenvalue -0.001" in (negative.reason or "")
    # smallest / largest exactly at the threshold passes, just under it is a flat ridge
    at_threshold = judged((1.0, 1.0, 1.0, 1.0), np.diag([1.0, 1.0, 1.0, 1e-8]))
    assert at_threshold.status == "ok"
    ridge = judged((1.0, 1.0, 1.0, 1.0), np.diag([1.0, 1.0, 1.0, 0.99e-8]))
    assert ridge.status == "degenerate" and "flat ridge" in (ridge.reason or "")
    # a ridge need not lie along an axis: the eigenvalues decide
    rotation = np.linalg.qr(np.arange(16.0).reshape(4, 4) + np.eye(4))[0]
    tilted = rotation @ np.diag([5.0, 2.0, 1.0, 1e-12]) @ rotation.T
    assert judged((1.0, 1.0, 1.0, 1.0), tilted).status == "degenerate"


def test_an_ok_fit_has_the_inverse_hessian_as_covariance_and_delta_method_errors() -> None:
    hessian = np.array([[4.0, 1.0, 0, 0], [1.0, 3.0, 0, 0], [0, 0, 2.0, 0], [0, 0, 0, 8.0]])
    ok = judged((2.0, 10.0, 0.5, 3.0), hessian)
    assert ok.status == "ok" and ok.reason is None and ok.log_covariance is not None
    np.testing.assert_allclose(ok.log_covariance, np.linalg.inv(hessian))
    inverse_diagonal = np.diag(np.linalg.inv(hessian))
    assert ok.standard_errors((2.0, 10.0, 0.5, 3.0)) == pytest.approx(
        tuple(value * np.sqrt(d) for value, d in zip((2.0, 10.0, 0.5, 3.0), inverse_diagonal, strict=True))
    )
    assert judged((1.0, 1.0, 1.0, 1.0), np.diag([1.0, 1.0, 1.0, 0.0])).standard_errors((1, 1, 1, 1)) is None


def test_every_reason_is_given_and_a_failed_fit_says_only_that() -> None:
    both = identification.judge(True, "converged", NAMES, (1e-9, 1.0, 1.0, 1.0), np.diag([1.0, 1, 1, -1]))
    assert both.reason is not None
    assert both.reason.startswith("r = 1e-09 below 1e-06; the Hessian in log-parameters is not positive definite")
    failed = identification.judge(False, "did not converge: too many steps", NAMES, (1e-9, 1, 1, 1), None)
    assert (failed.status, failed.reason, failed.log_covariance) == ("failed", "did not converge: too many steps", None)


# --- one fitted data set per status ----------------------------------------------------------------------------


def observation_days(generator: np.random.Generator, customers: int) -> Array:
    return generator.uniform(182, 365, customers)


def test_data_with_no_dropouts_puts_a_at_its_bound() -> None:
    """Every customer keeps buying at its own rate: the likelihood rises as a → 0 (nobody leaves), the optimum lies
    at the edge and the demo's fits (a = 7.5e-9) are of this kind."""
    generator = np.random.default_rng(1)
    t = observation_days(generator, 3000)
    x, t_x = simulate.bg_nbd_customers(BgNbdParams(2.0, 40.0, 0.8, 2.5), t, generator, dropout=False)
    fit = bg_nbd.fit(x, t_x, t)
    assert fit.converged and fit.status == "degenerate", fit.identification.reason
    assert fit.identification.reason is not None and fit.identification.reason.startswith("a = ")
    assert "below 1e-06" in fit.identification.reason
    assert fit.params.a < 1e-6 and fit.standard_errors() is None


def test_at_most_one_repeat_purchase_is_a_flat_ridge() -> None:
    """Nobody buys more than twice: the likelihood then depends on a and b only through a / (a + b), so it is flat
    along a line in (ln a, ln b) and the Hessian there is not positive definite, wherever the search stopped on it
    (here inside the bounds, a ≈ 1.3e4 and b ≈ 7.9e-5)."""
    generator = np.random.default_rng(3)
    customers = 3000
    t = observation_days(generator, customers)
    first_repeat = generator.exponential(1 / generator.gamma(2.0, 1 / 40.0, customers))
    x = (first_repeat <= t).astype(np.float64)
    fit = bg_nbd.fit(x, np.where(x > 0, first_repeat, 0.0), t)
    assert fit.converged and fit.status == "degenerate"
    assert fit.identification.reason is not None
    assert fit.identification.reason.startswith("the Hessian in log-parameters is not positive definite")
    assert fit.params.b >= 1e-6 and fit.params.a <= 1e6


def test_a_search_that_runs_out_of_steps_failed() -> None:
    generator = np.random.default_rng(2)
    t = observation_days(generator, 2000)
    x, t_x = simulate.bg_nbd_customers(BgNbdParams(0.25, 28.0, 0.8, 2.5), t, generator)
    fit = bg_nbd.fit(x, t_x, t, max_iterations=2)
    assert not fit.converged and fit.status == "failed"
    assert fit.identification.reason is not None and fit.identification.reason.startswith("did not converge")
    assert np.isnan(fit.params.r) and fit.standard_errors() is None
    spend = simulate.gamma_gamma_spend(GammaGammaParams(6.0, 4.0, 15.0), x, generator)
    repeat = x > 0
    gg_fit = gamma_gamma.fit(x[repeat], spend[repeat], max_iterations=2)
    assert (gg_fit.converged, gg_fit.status) == (False, "failed") and np.isnan(gg_fit.params.p)
    # the same data, searched to the end, are fitted well
    assert bg_nbd.fit(x, t_x, t).status == gamma_gamma.fit(x[repeat], spend[repeat]).status == "ok"


def test_nobody_to_fit_failed() -> None:
    empty = np.array([], dtype=np.float64)
    assert bg_nbd.fit(empty, empty, empty).identification.reason == "no customers to fit"
    assert gamma_gamma.fit([0.0, 0.0], [np.nan, np.nan]).status == "failed"


def test_spend_so_spread_that_its_mean_does_not_exist_is_degenerate() -> None:
    """Customers' mean spends drawn with q = 0.7: the population mean p·v / (q − 1) does not exist, and the fit
    finds q ≤ 1."""
    generator = np.random.default_rng(4)
    t = observation_days(generator, 3000)
    x, _ = simulate.bg_nbd_customers(BgNbdParams(0.25, 28.0, 0.8, 2.5), t, generator)
    spend = simulate.gamma_gamma_spend(GammaGammaParams(6.0, 0.7, 15.0), x, generator)
    repeat = x > 0
    fit = gamma_gamma.fit(x[repeat], spend[repeat])
    assert fit.converged and fit.status == "degenerate"
    assert fit.params.q <= 1
    assert fit.identification.reason == f"q = {fit.params.q:.3g} not above 1 (the population mean spend does not exist)"


def test_frequency_must_be_a_whole_number() -> None:
    with pytest.raises(ValueError, match="whole number"):
        bg_nbd.fit([1.5, 2.0], [1.0, 2.0], [3.0, 4.0])
