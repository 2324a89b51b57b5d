"""90 % intervals for a customer's expected purchases in the next 365 days and expected 1-year value, from the
uncertainty of the fitted parameters (docs/lifetime-value.md, "Intervals").

The parameters' logs are drawn from the fit's asymptotic normal distribution (the estimate, and the inverse
Hessian as covariance; segmentation/clv/identification.py), the customer's expected value is computed under every
draw, and the 5th and 95th percentiles of those values are the interval. The draws are seeded (SEED) and the same
standard normals serve every date, so a rebuild gives the same intervals. The BG/NBD and Gamma-Gamma draws are
independent (the two likelihoods are separate).

They describe how well the data pin down the customer's expected value, not the purchases the customer will make:
those vary around the expected value far more.

Cost: the expected purchases of a customer still alive depend on (x, T) only and are computed once per distinct
pair and draw (the hypergeometric function is the expensive part); P(alive) once per distinct (x, t_x, T) and
draw; the 1-year value per customer and draw, in chunks of customers. The rows are split between threads
(WORKERS): numpy and scipy's ufuncs release the GIL, each row is computed alone, and the values are the same
whichever thread computes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from segmentation.clv import bg_nbd, gamma_gamma
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Array = NDArray[np.float64]
DRAWS = 200
SEED = 20_240_613
LEVEL = 0.90
QUANTILES = ((1 - LEVEL) / 2, (1 + LEVEL) / 2)
HORIZON_DAYS = 365.0
CHUNK_CUSTOMERS = 10_000
WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Draws:
    """Parameter draws on their own scale, one row per draw."""

    bg_nbd: Array  # (draws, 4): r, α (caller's unit), a, b
    gamma_gamma: Array  # (draws, 3): p, q, v


@dataclass(frozen=True)
class Intervals:
    expected_purchases_low: Array
    expected_purchases_high: Array
    predicted_ltv_low: Array  # NaN where no Gamma-Gamma draws were given
    predicted_ltv_high: Array


def standard_normals(draws: int = DRAWS, seed: int = SEED) -> tuple[Array, Array]:
    """The seeded standard normals every date's draws are made from: (draws, 4) for the BG/NBD, then (draws, 3)
    for the Gamma-Gamma, from one generator."""
    generator = np.random.default_rng(seed)
    return generator.standard_normal((draws, 4)), generator.standard_normal((draws, 3))


def draw(estimate: tuple[float, ...], log_covariance: Array, normals: Array) -> Array:
    """exp(ln θ̂ + L z) per row z of `normals`, with L L' the covariance of the log-parameters."""
    factor = np.linalg.cholesky(log_covariance)
    return np.asarray(np.exp(np.log(np.asarray(estimate)) + normals @ factor.T), dtype=np.float64)


def bg_nbd_draws(params: BgNbdParams, log_covariance: Array, normals: Array) -> Array:
    return draw((params.r, params.alpha, params.a, params.b), log_covariance, normals)


def gamma_gamma_draws(params: GammaGammaParams, log_covariance: Array, normals: Array) -> Array:
    return draw((params.p, params.q, params.v), log_covariance, normals)


def by_row_blocks(compute: Callable[[slice], Array], rows: int, block: int | None = None) -> Array:
    """`compute` of every block of at most `block` rows (CHUNK_CUSTOMERS by default), in WORKERS threads,
    stacked in order: the same array as `compute(slice(0, rows))` when each row's values depend on that row
    alone, in a block's memory per thread."""
    size = block or CHUNK_CUSTOMERS
    blocks = [slice(start, start + size) for start in range(0, rows, size)] or [slice(0, 0)]
    if len(blocks) == 1 or WORKERS == 1:
        return np.concatenate([compute(rows) for rows in blocks], axis=0)
    with ThreadPoolExecutor(WORKERS) as pool:
        return np.concatenate(list(pool.map(compute, blocks)), axis=0)


def expected_purchases_by_draw(
    draws: Array, frequency: Array, recency: Array, t: Array, horizon: float = HORIZON_DAYS
) -> tuple[Array, NDArray[np.intp]]:
    """E[purchases in `horizon` | x, t_x, T] under every draw, per distinct (x, t_x, T): a (distinct, draws)
    array (draws along the contiguous axis, where the quantiles are taken), and each customer's row in it."""
    triples, customer_triple = np.unique(np.column_stack((frequency, recency, t)), axis=0, return_inverse=True)
    pairs, triple_pair = np.unique(triples[:, [0, 2]], axis=0, return_inverse=True)
    r, alpha, a, b = (draws[None, :, i] for i in range(4))
    if_alive = by_row_blocks(
        lambda rows: bg_nbd.expected_purchases_if_alive(r, alpha, a, b, horizon, pairs[rows, [0]], pairs[rows, [1]]),
        pairs.shape[0],
    )
    alive = by_row_blocks(
        lambda rows: bg_nbd.probability_alive_of(
            r, alpha, a, b, triples[rows, [0]], triples[rows, [1]], triples[rows, [2]]
        ),
        triples.shape[0],
    )
    return alive * if_alive[triple_pair.reshape(-1)], customer_triple.reshape(-1)


def bounds(values: Array) -> tuple[Array, Array]:
    """The interval's ends over the draws (the last axis)."""
    low, high = np.quantile(values, QUANTILES, axis=-1)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def intervals(
    bg_draws: Array,
    gg_draws: Array | None,
    frequency: Array,
    recency: Array,
    t: Array,
    monetary_value: Array,
    discount_rate: float,
) -> Intervals:
    """Each customer's 90 % intervals for expected purchases in the next 365 days and, given Gamma-Gamma draws,
    for the expected 1-year value (discounted by one year at `discount_rate`, as predicted_ltv_1year is)."""
    purchases, customer_row = expected_purchases_by_draw(bg_draws, frequency, recency, t)
    low_by_triple, high_by_triple = bounds(purchases)
    value_low = np.full(frequency.shape, np.nan)
    value_high = np.full(frequency.shape, np.nan)
    if gg_draws is not None:
        p, q, v = (gg_draws[None, :, i] for i in range(3))
        mean = gamma_gamma.population_mean_of(p, q, v)

        def value_bounds(customers: slice) -> Array:
            x = frequency[customers, None]
            own = np.nan_to_num(monetary_value[customers, None], nan=0.0)
            # the Gamma-Gamma conditional mean, μ + w·(m − μ), written out for speed (gamma_gamma.py has it too)
            weight = p * x / (p * x + q - 1)
            value = np.where(x > 0, mean + weight * (own - mean), mean)
            return np.column_stack(bounds(purchases[customer_row[customers]] * value / (1 + discount_rate)))

        value_low, value_high = by_row_blocks(value_bounds, frequency.size).T
    return Intervals(low_by_triple[customer_row], high_by_triple[customer_row], value_low, value_high)
