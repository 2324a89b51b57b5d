"""The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"; Colombo and Jiang 1999).

A customer's purchase values are Gamma(p, ν) with ν ~ Gamma(q, v) across customers; fitted on the customers with
at least one repeat purchase, from x (repeat purchases) and m (their mean value). Assumes spend per purchase is
independent of purchase frequency.

The prediction functions take the parameters either as floats or as arrays of draws shaped to broadcast against
the customers' arrays (segmentation/clv/intervals.py draws them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln, poch

from segmentation.clv import identification, optimise
from segmentation.clv.identification import Identification, Status

Array = NDArray[np.float64]
Value = Array | float  # one parameter: a float, or an array of draws
NAMES = ("p", "q", "v")
# The search runs on (ln p, ln q, ln p·v); the Hessian in (ln p, ln q, ln v) is Jᵀ H J with J the derivative of
# the search's coordinates with respect to those (ln p·v = ln p + ln v).
SEARCH_TO_LOG_PARAMS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float


@dataclass(frozen=True)
class GammaGammaFit:
    params: GammaGammaParams
    log_likelihood: float
    customers: int
    converged: bool
    message: str
    identification: Identification  # status, reason, and the covariance of (ln p, ln q, ln v)

    @property
    def status(self) -> Status:
        return self.identification.status

    def standard_errors(self) -> tuple[float, ...] | None:
        """SE of p, q and v (money); None unless the fit is ok."""
        params = self.params
        return self.identification.standard_errors((params.p, params.q, params.v))


def log_gamma_ratio(z: Array, q: float) -> Array:
    """ln Γ(z + q) − ln Γ(z), through the Pochhammer symbol: the difference of the two logs loses every digit
    once z is large (p·x reaches 1e10 when purchase days hardly vary around a customer's mean)."""
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.log(poch(z, q))
    lost = ~np.isfinite(ratio)
    if np.any(lost):
        ratio[lost] = gammaln(z[lost] + q) - gammaln(z[lost])
    return np.asarray(ratio, dtype=np.float64)


def digamma_difference(z: Array, q: float) -> Array:
    """ψ(z + q) − ψ(z), from the asymptotic series where z is large and the difference would lose its digits."""
    large = z > 1e4
    safe = np.where(large, z, 1.0)
    series = (
        np.log1p(q / safe)
        + q / (2 * safe * (safe + q))
        + ((safe + q) ** 2 - safe**2) / (12 * safe**2 * (safe + q) ** 2)
    )
    return np.asarray(np.where(large, series, digamma(z + q) - digamma(np.where(large, 1.0, z))), dtype=np.float64)


def log_likelihood(params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike) -> Array:
    """Each customer's log-likelihood of the mean m of x purchase values:
    ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln v + (px − 1) ln m + px ln x − (px + q) ln(xm + v), with the terms
    in px gathered into −px·ln(1 + v / xm), which keeps its digits when px is large."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    p, q, v = params.p, params.q, params.v
    value = log_gamma_ratio(p * x, q) - gammaln(q) - q * np.log1p(x * m / v) - np.log(m) - p * x * np.log1p(v / (x * m))
    return np.asarray(value, dtype=np.float64)


@dataclass(frozen=True)
class _Rows:
    """The fit's distinct (x, m) rows, m in the scaled unit of money, with their weights, and the distinct values
    of x (the terms in p·x alone are computed once per value)."""

    x: Array
    m: Array
    weights: Array
    x_values: Array
    x_index: NDArray[np.intp]
    log_m: Array


def _value_and_gradient(log_search: Array, rows: _Rows) -> tuple[float, Array]:
    """The weighted mean negative log-likelihood and its gradient with respect to (ln p, ln q, ln p·v), the
    coordinates of the search."""
    p, q, pv = np.exp(log_search)
    v = pv / p
    at = rows.x_index
    z_values = p * rows.x_values
    ratio, digamma_diff = log_gamma_ratio(z_values, q)[at], digamma_difference(z_values, q)[at]
    digamma_z_q = digamma(z_values + q)[at]
    x, m = rows.x, rows.m
    z, spend = p * x, x * m
    y = v / spend
    value = ratio - gammaln(q) - q * np.log1p(spend / v) - rows.log_m - z * np.log1p(y)
    own = spend / (v + spend)
    d_p = z * digamma_diff - q * own - z * np.log1p(y) + z * y / (1 + y)
    d_q = q * (digamma_z_q - digamma(q)) - q * np.log1p(spend / v)
    d_pv = q * own - z * y / (1 + y)
    total = rows.weights.sum()
    mean = float(-np.sum(rows.weights * value) / total)
    gradient = -np.array([np.sum(rows.weights * d) for d in (d_p, d_q, d_pv)], dtype=np.float64) / total
    if not np.isfinite(mean) or not np.all(np.isfinite(gradient)):
        return 1e300, np.zeros(3)
    return mean, gradient


def fit(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    initial: GammaGammaParams | None = None,
    max_iterations: int | None = None,
) -> GammaGammaFit:
    """Maximum-likelihood estimates of (p, q, v) on customers with frequency > 0 (others are left out here), then
    the identification check (segmentation/clv/identification.py), with q ≤ 1 degenerate too: the population
    mean spend p·v / (q − 1) does not exist then."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if x.size == 0:
        nothing = GammaGammaParams(np.nan, np.nan, np.nan)
        reason = "no repeat customers to fit"
        return GammaGammaFit(nothing, np.nan, 0, False, reason, identification.failed(reason))
    # v carries the unit of money; dividing the amounts by their mean keeps the search near one. The search runs
    # on (p, q, p·v): when customers' purchase days hardly vary around their own means, the likelihood rises
    # towards p → ∞ along p·v constant, a straight ridge in these coordinates (a curved one in (p, q, v), where
    # the optimisers stall).
    scale = 1.0 / float(m.mean())
    (ux, um), weights = optimise.distinct_rows(x, m)
    x_values, x_index = np.unique(ux, return_inverse=True)
    rows = _Rows(ux, um * scale, weights, x_values, x_index.reshape(-1), np.log(um * scale))

    def objective(log_search: Array) -> tuple[float, Array]:
        return _value_and_gradient(log_search, rows)

    start = np.log([initial.p, initial.q, initial.p * initial.v * scale]) if initial is not None else np.zeros(3)
    optimum = optimise.minimise(objective, start, max_iterations)
    p, q, pv_scaled = (float(value) for value in np.exp(optimum.x))
    v_scaled = pv_scaled / p
    params = GammaGammaParams(p, q, v_scaled / scale)
    total = float(np.sum(weights * log_likelihood(params, ux, um)))
    finite = all(np.isfinite([p, q, v_scaled, total]))
    converged = optimum.converged and finite
    message = (
        optimise.describe(optimum, ("p", "q", "p·v"))
        if finite
        else "did not converge: non-finite parameters or log-likelihood"
    )
    curvature = None
    if converged:
        in_search = weights.sum() * optimise.hessian(lambda point: objective(point)[1], optimum.x)
        curvature = SEARCH_TO_LOG_PARAMS.T @ in_search @ SEARCH_TO_LOG_PARAMS
    mean_spend = [] if q > 1 else [f"q = {q:.3g} not above 1 (the population mean spend does not exist)"]
    judged = identification.judge(converged, message, NAMES, (p, q, v_scaled), curvature, mean_spend)
    if judged.status == "failed":
        params = GammaGammaParams(np.nan, np.nan, np.nan)
    return GammaGammaFit(params, total, int(x.size), converged, message, judged)


def population_mean_of(p: Value, q: Value, v: Value) -> Value:
    """The mean spend per purchase across customers, p·v / (q − 1)."""
    return p * v / (q - 1)


def weight_on_own_spend_of(p: Value, q: Value, x: Array) -> Array:
    """p·x / (p·x + q − 1): how much a customer's own mean counts against the population mean."""
    return np.asarray(p * x / (p * x + q - 1), dtype=np.float64)


def conditional_expected_value_of(p: Value, q: Value, v: Value, x: Array, m: Array) -> Array:
    """E[spend per purchase | x, m] for parameters given as floats or broadcasting arrays of draws: the weighted
    mean of the customer's own mean and the population mean; the population mean with no repeat purchase."""
    weight = weight_on_own_spend_of(p, q, x)
    mean = population_mean_of(p, q, v)
    value = weight * np.nan_to_num(m, nan=0.0) + (1 - weight) * mean
    return np.asarray(np.where(x > 0, value, mean), dtype=np.float64)


def population_mean(params: GammaGammaParams) -> float:
    """The mean spend per purchase across customers, p·v / (q − 1)."""
    return float(population_mean_of(params.p, params.q, params.v))


def weight_on_own_spend(params: GammaGammaParams, frequency: ArrayLike) -> Array:
    """p·x / (p·x + q − 1): 0 for a customer with no repeat purchase, by the formula."""
    return weight_on_own_spend_of(params.p, params.q, np.asarray(frequency, dtype=np.float64))


def conditional_expected_value(params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike) -> Array:
    """E[spend per purchase | x, m]: the weighted mean of the customer's own mean and the population mean; the
    population mean for a customer with no repeat purchase."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    return conditional_expected_value_of(params.p, params.q, params.v, x, m)
