"""The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"; Colombo and Jiang 1999).

A customer's purchase values are Gamma(p, ν) with ν ~ Gamma(q, v) across customers; fitted on the customers with
at least one repeat purchase, from x (repeat purchases) and m (their mean value). Assumes spend per purchase is
independent of purchase frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln, poch

from segmentation.clv.optimise import describe, minimise

Array = NDArray[np.float64]


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


def log_gamma_ratio(z: Array, q: float) -> Array:
    """ln Γ(z + q) − ln Γ(z), through the Pochhammer symbol: the difference of the two logs loses every digit
    once z is large (p·x reaches 1e10 when purchase days hardly vary around a customer's mean)."""
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.log(poch(z, q))
    return np.asarray(np.where(np.isfinite(ratio), ratio, gammaln(z + q) - gammaln(z)), dtype=np.float64)


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


def log_likelihood_gradient(p: float, q: float, pv: float, frequency: ArrayLike, monetary_value: ArrayLike) -> Array:
    """The mean log-likelihood's gradient with respect to (ln p, ln q, ln p·v), the coordinates of the search."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    z, spend = p * x, x * m
    own = spend * p / (pv + spend * p)  # k·p / (u + k·p), with k = x·m and u = p·v
    y = pv / (p * spend)
    d_p = z * digamma_difference(z, q) - q * own - z * np.log1p(y) + z * y / (1 + y)
    d_q = q * (digamma(z + q) - digamma(q)) - q * np.log1p(spend * p / pv)
    d_pv = q * own - z * y / (1 + y)
    return np.array([np.mean(d_p), np.mean(d_q), np.mean(d_pv)], dtype=np.float64)


def log_likelihood(params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike) -> Array:
    """Each customer's log-likelihood of the mean m of x purchase values:
    ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln v + (px − 1) ln m + px ln x − (px + q) ln(xm + v), with the terms
    in px gathered into −px·ln(1 + v / xm), which keeps its digits when px is large."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    p, q, v = params.p, params.q, params.v
    value = log_gamma_ratio(p * x, q) - gammaln(q) - q * np.log1p(x * m / v) - np.log(m) - p * x * np.log1p(v / (x * m))
    return np.asarray(value, dtype=np.float64)


def fit(frequency: ArrayLike, monetary_value: ArrayLike, initial: GammaGammaParams | None = None) -> GammaGammaFit:
    """Maximum-likelihood estimates of (p, q, v) on customers with frequency > 0 (others are left out here)."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if x.size == 0:
        return GammaGammaFit(GammaGammaParams(np.nan, np.nan, np.nan), np.nan, 0, False, "no repeat customers to fit")
    # v carries the unit of money; dividing the amounts by their mean keeps the search near one. The search runs
    # on (p, q, p·v): when customers' purchase days hardly vary around their own means, the likelihood rises
    # towards p → ∞ along p·v constant, a straight ridge in these coordinates (a curved one in (p, q, v), where
    # the optimisers stall).
    scale = 1.0 / float(m.mean())

    def negative_mean_log_likelihood(log_params: Array) -> float:
        p, q, pv = np.exp(log_params)
        value = -np.mean(log_likelihood(GammaGammaParams(p, q, pv / p), x, m * scale))
        return float(value) if np.isfinite(value) else 1e300

    def gradient(log_params: Array) -> Array:
        p, q, pv = np.exp(log_params)
        return -log_likelihood_gradient(p, q, pv, x, m * scale)

    start = np.log([initial.p, initial.q, initial.p * initial.v * scale]) if initial is not None else np.zeros(3)
    optimum = minimise(negative_mean_log_likelihood, start, gradient)
    p, q, pv_scaled = (float(value) for value in np.exp(optimum.x))
    v_scaled = pv_scaled / p
    params = GammaGammaParams(p, q, v_scaled / scale)
    total = float(np.sum(log_likelihood(params, x, m)))
    finite = all(np.isfinite([p, q, v_scaled, total]))
    # q ≤ 1 leaves the population mean spend infinite: no usable fit
    converged = optimum.converged and finite and q > 1
    described = describe(optimum, ("p", "q", "p·v"))
    message = described if converged or not optimum.converged else "did not converge: q ≤ 1 or non-finite"
    return GammaGammaFit(params, total, int(x.size), converged, message)


def population_mean(params: GammaGammaParams) -> float:
    """The mean spend per purchase across customers, p·v / (q − 1)."""
    return params.p * params.v / (params.q - 1)


def weight_on_own_spend(params: GammaGammaParams, frequency: ArrayLike) -> Array:
    """p·x / (p·x + q − 1): how much a customer's own mean counts against the population mean."""
    x = np.asarray(frequency, dtype=np.float64)
    return np.asarray(params.p * x / (params.p * x + params.q - 1), dtype=np.float64)


def conditional_expected_value(params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike) -> Array:
    """E[spend per purchase | x, m]: the weighted mean of the customer's own mean and the population mean; the
    population mean for a customer with no repeat purchase."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.nan_to_num(np.asarray(monetary_value, dtype=np.float64), nan=0.0)
    weight = weight_on_own_spend(params, x)
    value = weight * m + (1 - weight) * population_mean(params)
    return np.asarray(np.where(x > 0, value, population_mean(params)), dtype=np.float64)
