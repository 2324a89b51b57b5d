"""The BG/NBD model of repeat purchases (Fader, Hardie and Lee 2005, "Counting your customers the easy way").

A customer buys at a Poisson rate λ ~ Gamma(r, α) while alive and may drop out after each repeat purchase with a
probability p ~ Beta(a, b). Per customer: x = repeat purchases (frequency), t_x = time of the last purchase
since the first (recency), T = time from the first purchase to the end of observation, all in one time unit
(days in the warehouse, weeks in the published CDNOW example). Time is rescaled inside the fit so that the
largest T is 10 (the optimiser works on parameters of order one); α is reported in the caller's unit.

The prediction functions take the parameters either as floats or as arrays of draws shaped to broadcast against
the customers' arrays (segmentation/clv/intervals.py draws them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import hyp2f1

from segmentation.clv import identification, optimise
from segmentation.clv.identification import Identification, Status

Array = NDArray[np.float64]
Value = Array | float  # one parameter: a float, or an array of draws
SCALED_MAX_T = 10.0
NAMES = ("r", "alpha", "a", "b")


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
    identification: Identification  # status, reason, and the covariance of (ln r, ln α, ln a, ln b)

    @property
    def status(self) -> Status:
        return self.identification.status

    def standard_errors(self) -> tuple[float, ...] | None:
        """SE of r, α (caller's unit), a and b; None unless the fit is ok."""
        params = self.params
        return self.identification.standard_errors((params.r, params.alpha, params.a, params.b))


def _arrays(*values: ArrayLike) -> tuple[Array, ...]:
    return tuple(np.asarray(value, dtype=np.float64) for value in values)


@dataclass(frozen=True)
class _SumsInX:
    """The terms of the likelihood and its gradient that depend on the customer only through x, for x = 0, 1, …,
    as sums over k < x (x is a whole number of repeat purchases): ln Γ(s + x) − ln Γ(s) = Σ ln(s + k) and
    ψ(s + x) − ψ(s) = Σ 1 / (s + k). The differences of ln Γ and ψ at large arguments lose most of their digits (a
    and b reach 1e5 along a flat ridge); the sums keep them, so the Hessian at such points is the likelihood's,
    not rounding's."""

    log_rising_r: Array  # ln Γ(r + x) − ln Γ(r)
    digamma_r: Array  # ψ(r + x) − ψ(r)
    log_beta_ratio: Array  # ln B(a, b + x) − ln B(a, b) = −Σ ln(1 + a / (b + k))
    digamma_ab: Array  # ψ(a + b + x) − ψ(a + b)
    digamma_b_less_ab: Array  # ψ(b + x) − ψ(b) − (ψ(a + b + x) − ψ(a + b)) = Σ a / ((b + k)(a + b + k))


def _sums_in_x(r: float, a: float, b: float, largest: int) -> _SumsInX:
    k = np.arange(largest, dtype=np.float64)

    def running(terms: Array) -> Array:
        return np.concatenate(([0.0], np.cumsum(terms)))

    return _SumsInX(
        running(np.log(r + k)),
        running(1 / (r + k)),
        running(-np.log1p(a / (b + k))),
        running(1 / (a + b + k)),
        running(a / ((b + k) * (a + b + k))),
    )


def _whole_counts(x: Array) -> NDArray[np.intp]:
    if x.size and (np.any(x < 0) or np.any(x != np.round(x))):
        raise ValueError("frequency must be a whole number of repeat purchases, 0 or more")
    return x.astype(np.intp)


def log_likelihood(params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike) -> Array:
    """Each customer's log-likelihood (equation 6 of the paper, in logs; the two terms summed stably)."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    counts = _whole_counts(x)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    sums = _sums_in_x(r, a, b, int(counts.max(initial=0)))
    common = sums.log_rising_r[counts] + r * np.log(alpha) + sums.log_beta_ratio[counts]
    still_alive = -(r + x) * np.log(alpha + big_t)
    # the customer dropped out right after the last purchase (only possible with a repeat purchase)
    dropped = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x)
    dropped = np.where(x > 0, dropped, -np.inf)
    return np.asarray(common + np.logaddexp(still_alive, dropped), dtype=np.float64)


@dataclass(frozen=True)
class _Rows:
    """The fit's distinct (x, t_x, T) rows, in the scaled time unit, with their weights."""

    x: Array
    counts: NDArray[np.intp]  # x as whole numbers, to index the sums in x
    t_x: Array
    big_t: Array
    weights: Array
    repeat: NDArray[np.bool_]


def _rows(x: Array, t_x: Array, big_t: Array, weights: Array) -> _Rows:
    return _Rows(x, _whole_counts(x), t_x, big_t, weights, x > 0)


def _value_and_gradient(log_params: Array, rows: _Rows) -> tuple[float, Array]:
    """The weighted mean negative log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). With w
    the weight of the dropped-out term in the sum (0 without a repeat purchase), each derivative is the common
    part's plus the two terms' weighted by 1 − w and w."""
    r, alpha, a, b = np.exp(log_params)
    x, at, t_x, big_t = rows.x, rows.counts, rows.t_x, rows.big_t
    sums = _sums_in_x(r, a, b, int(at.max(initial=0)))
    common = sums.log_rising_r[at] + r * np.log(alpha) + sums.log_beta_ratio[at]
    log_alive_base, log_dropped_base = np.log(alpha + big_t), np.log(alpha + t_x)
    still_alive = -(r + x) * log_alive_base
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(rows.repeat, np.log(a) - np.log(b + x - 1) - (r + x) * log_dropped_base, -np.inf)
    tail = np.logaddexp(still_alive, dropped)
    value = common + tail
    w = np.where(rows.repeat, np.exp(dropped - tail), 0.0)
    d_r = r * (sums.digamma_r[at] + np.log(alpha) - (1 - w) * log_alive_base - w * log_dropped_base)
    d_alpha = r - alpha * (r + x) * ((1 - w) / (alpha + big_t) + w / (alpha + t_x))
    d_a = w - a * sums.digamma_ab[at]
    with np.errstate(divide="ignore", invalid="ignore"):
        b_term = np.where(rows.repeat, w * b / (b + x - 1), 0.0)
    d_b = b * sums.digamma_b_less_ab[at] - b_term
    total = rows.weights.sum()
    mean = float(-np.sum(rows.weights * value) / total)
    gradient = -np.array([np.sum(rows.weights * d) for d in (d_r, d_alpha, d_a, d_b)], dtype=np.float64) / total
    if not np.isfinite(mean) or not np.all(np.isfinite(gradient)):
        return 1e300, np.zeros(4)
    return mean, gradient


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    t: ArrayLike,
    initial: BgNbdParams | None = None,
    max_iterations: int | None = None,
) -> BgNbdFit:
    """Maximum-likelihood estimates of (r, α, a, b), searched on the logs of the parameters over the distinct
    customers' inputs, then the identification check (segmentation/clv/identification.py)."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    if x.size == 0:
        nothing = BgNbdParams(np.nan, np.nan, np.nan, np.nan)
        return BgNbdFit(nothing, np.nan, 0, False, "no customers to fit", identification.failed("no customers to fit"))
    (ux, ut_x, ubig_t), weights = optimise.distinct_rows(x, t_x, big_t)
    scale = SCALED_MAX_T / float(ubig_t.max()) if ubig_t.max() > 0 else 1.0
    rows = _rows(ux, ut_x * scale, ubig_t * scale, weights)

    def objective(log_params: Array) -> tuple[float, Array]:
        return _value_and_gradient(log_params, rows)

    start = np.log([initial.r, initial.alpha * scale, initial.a, initial.b]) if initial is not None else np.zeros(4)
    optimum = optimise.minimise(objective, start, max_iterations)
    r, alpha_scaled, a, b = (float(value) for value in np.exp(optimum.x))
    params = BgNbdParams(r, alpha_scaled / scale, a, b)
    total = float(np.sum(weights * log_likelihood(params, ux, ut_x, ubig_t)))
    finite = all(np.isfinite([r, alpha_scaled, a, b, total]))
    converged = optimum.converged and finite
    message = (
        optimise.describe(optimum, NAMES) if finite else "did not converge: non-finite parameters or log-likelihood"
    )
    curvature = weights.sum() * optimise.hessian(lambda point: objective(point)[1], optimum.x) if converged else None
    judged = identification.judge(converged, message, NAMES, (r, alpha_scaled, a, b), curvature)
    if judged.status == "failed":
        params = BgNbdParams(np.nan, np.nan, np.nan, np.nan)
    return BgNbdFit(params, total, int(x.size), converged, message, judged)


def probability_alive_of(r: Value, alpha: Value, a: Value, b: Value, x: Array, t_x: Array, big_t: Array) -> Array:
    """P(alive | x, t_x, T) for parameters given as floats or broadcasting arrays of draws: 1 / (1 + the odds of
    having left), whose log is ln a − ln(b + x − 1) + (r + x)·ln((α + T) / (α + t_x)); 1 without a repeat
    purchase."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_odds = np.log(a) - np.log(b + x - 1) + (r + x) * np.log1p((big_t - t_x) / (alpha + t_x))
        return np.asarray(np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0), dtype=np.float64)


def expected_purchases_if_alive(
    r: Value, alpha: Value, a: Value, b: Value, horizon: float, x: Array, big_t: Array
) -> Array:
    """E[purchases in the next `horizon` | x, T, still alive]: the numerator of equation 10 of the paper; it does
    not depend on t_x. Where the hypergeometric series overflows, its Euler transform gives the same value."""
    first, second, third = r + x, b + x, a + b + x - 1
    z = horizon / (alpha + big_t + horizon)
    log_shrink = (r + x) * np.log((alpha + big_t) / (alpha + big_t + horizon))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # a product, not a sum of logs: the series is negative where a + b + x − 1 < 0 (one-purchase customers
        # under parameter draws with a + b < 1), and the product is what the formula needs
        product = hyp2f1(first, second, third, z) * np.exp(log_shrink)
        overflowed = ~np.isfinite(product)
        if np.any(overflowed):
            log_euler = np.log(hyp2f1(third - first, third - second, third, z)) + (third - first - second) * np.log(
                1 - z
            )
            product = np.where(overflowed, np.exp(log_euler + log_shrink), product)
        value = third / (a - 1) * (1 - product)
    return np.asarray(value, dtype=np.float64)


def probability_alive(params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike) -> Array:
    """P(alive | x, t_x, T): 1 for a customer with no repeat purchase (the model cannot see a dropout then)."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    return probability_alive_of(params.r, params.alpha, params.a, params.b, x, t_x, big_t)


def expected_purchases(
    params: BgNbdParams, horizon: float, frequency: ArrayLike, recency: ArrayLike, t: ArrayLike
) -> Array:
    """E[purchases in the next `horizon` | x, t_x, T] (equation 10 of the paper): P(alive) × the expected
    purchases of a customer still alive."""
    x, t_x, big_t = _arrays(frequency, recency, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return probability_alive_of(r, alpha, a, b, x, t_x, big_t) * expected_purchases_if_alive(
        r, alpha, a, b, horizon, x, big_t
    )
