"""The BG/NBD model of repeat purchases (Fader, Hardie and Lee 2005, "Counting your customers the easy way").

A customer buys at a Poisson rate λ ~ Gamma(r, α) while alive and may drop out after each purchase with a
probability p ~ Beta(a, b). Per customer: x = repeat purchases (frequency), t_x = time of the last purchase
since the first (recency), T = time from the first purchase to the end of observation, all in one time unit
(days in the warehouse, weeks in the published CDNOW example). Time is rescaled inside the fit so that the
largest T is 10 (the optimiser works on parameters of order one); α is reported in the caller's unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

from segmentation.clv.optimise import describe, minimise

Array = NDArray[np.float64]
SCALED_MAX_T = 10.0


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class BgNbdFit:
    params: BgNbdParams
    log_likelihood: float  # summed over customers, in the caller's time unit
    customers: int
    converged: bool
    message: str


def _arrays(*values: ArrayLike) -> tuple[Array, ...]:
    return tuple(np.asarray(value, dtype=np.float64) for value in values)


def log_likelihood(params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike) -> Array:
    """Each customer's log-likelihood (equation 6 of the paper, in logs; the two terms summed stably)."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    still_alive = -(r + x) * np.log(alpha + big_t)
    # the customer dropped out right after the last purchase (only possible with a repeat purchase)
    dropped = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x)
    dropped = np.where(x > 0, dropped, -np.inf)
    return np.asarray(common + np.logaddexp(still_alive, dropped), dtype=np.float64)


def log_likelihood_gradient(params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike) -> Array:
    """The mean log-likelihood's gradient with respect to (ln r, ln α, ln a, ln b). With w the weight of the
    dropped-out term in the sum (0 without a repeat purchase), each derivative is the common part's plus the two
    terms' weighted by 1 − w and w."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    still_alive = -(r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x)
        w = np.where(x > 0, 1.0 / (1.0 + np.exp(still_alive - dropped)), 0.0)
        b_term = np.where(x > 0, w * b / (b + x - 1), 0.0)
    d_r = r * (digamma(r + x) - digamma(r) + np.log(alpha) - (1 - w) * np.log(alpha + big_t) - w * np.log(alpha + t_x))
    d_alpha = r - alpha * (r + x) * ((1 - w) / (alpha + big_t) + w / (alpha + t_x))
    d_a = a * (digamma(a + b) - digamma(a + b + x)) + w
    d_b = b * (digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)) - b_term
    return np.array([np.mean(d_r), np.mean(d_alpha), np.mean(d_a), np.mean(d_b)], dtype=np.float64)


def fit(frequency: ArrayLike, recency: ArrayLike, t: ArrayLike, initial: BgNbdParams | None = None) -> BgNbdFit:
    """Maximum-likelihood estimates of (r, α, a, b), searched on the logs of the parameters."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    if x.size == 0:
        return BgNbdFit(BgNbdParams(np.nan, np.nan, np.nan, np.nan), np.nan, 0, False, "no customers to fit")
    scale = SCALED_MAX_T / float(big_t.max()) if big_t.max() > 0 else 1.0
    t_x_scaled, big_t_scaled = t_x * scale, big_t * scale

    def negative_mean_log_likelihood(log_params: Array) -> float:
        r, alpha, a, b = np.exp(log_params)
        value = -np.mean(log_likelihood(BgNbdParams(r, alpha, a, b), x, t_x_scaled, big_t_scaled))
        return float(value) if np.isfinite(value) else 1e300

    def gradient(log_params: Array) -> Array:
        r, alpha, a, b = np.exp(log_params)
        return -log_likelihood_gradient(BgNbdParams(r, alpha, a, b), x, t_x_scaled, big_t_scaled)

    start = np.log([initial.r, initial.alpha * scale, initial.a, initial.b]) if initial is not None else np.zeros(4)
    optimum = minimise(negative_mean_log_likelihood, start, gradient)
    r, alpha_scaled, a, b = (float(value) for value in np.exp(optimum.x))
    params = BgNbdParams(r, alpha_scaled / scale, a, b)
    total = float(np.sum(log_likelihood(params, x, t_x, big_t)))
    finite = all(np.isfinite([r, alpha_scaled, a, b, total]))
    converged = optimum.converged and finite
    message = (
        describe(optimum, ("r", "alpha", "a", "b"))
        if finite
        else "did not converge: non-finite parameters or log-likelihood"
    )
    return BgNbdFit(params, total, int(x.size), converged, message)


def probability_alive(params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike) -> Array:
    """P(alive | x, t_x, T): 1 for a customer with no repeat purchase (the model cannot see a dropout then)."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_dead = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    return np.asarray(np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds_dead)), 1.0), dtype=np.float64)


def expected_purchases(
    params: BgNbdParams, horizon: float, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike
) -> Array:
    """E[purchases in the next `horizon` | x, t_x, T] (equation 10 of the paper). Where the hypergeometric
    series overflows, its Euler transform gives the same value."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    first, second, third = r + x, b + x, a + b + x - 1
    z = horizon / (alpha + big_t + horizon)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_hyp = np.log(hyp2f1(first, second, third, z))
        log_hyp_euler = np.log(hyp2f1(third - first, third - second, third, z)) + (third - first - second) * np.log(
            1 - z
        )
        log_hyp = np.where(np.isinf(log_hyp), log_hyp_euler, log_hyp)
        numerator = (
            (a + b + x - 1)
            / (a - 1)
            * (1 - np.exp(log_hyp + (r + x) * np.log((alpha + big_t) / (alpha + big_t + horizon))))
        )
        denominator = 1 + np.where(x > 0, a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
    return np.asarray(numerator / denominator, dtype=np.float64)
