"""Customers drawn from known BG/NBD and Gamma-Gamma parameters: the data the checks of the fits, their standard
errors and the intervals are run on (tests/unit/test_clv_models.py), since only there is the truth known.

Vectorised over customers: given its purchase rate λ, a customer alive throughout makes N ~ Poisson(λT) repeat
purchases in (0, T]; it leaves after its J-th repeat purchase, J ~ Geometric(p), so x = min(N, J); and given N = n
the purchase times are n uniform order statistics on (0, T], so the x-th is T · Beta(x, n − x + 1).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

Array = NDArray[np.float64]


def bg_nbd_customers(
    params: BgNbdParams, t: Array, generator: np.random.Generator, dropout: bool = True
) -> tuple[Array, Array]:
    """(frequency, recency) of customers observed for `t` each (in the unit of α); `dropout` False keeps every
    customer alive whatever a and b say (data in which nobody leaves)."""
    size = t.size
    rate = generator.gamma(params.r, 1 / params.alpha, size)
    purchases = generator.poisson(rate * t)
    if dropout:
        leave_probability = np.clip(generator.beta(params.a, params.b, size), 1e-12, 1.0)
        before_leaving = generator.geometric(leave_probability)
        frequency = np.minimum(purchases, before_leaving)
    else:
        frequency = purchases
    order_statistic = generator.beta(np.maximum(frequency, 1), purchases - frequency + 1)
    recency = np.where(frequency > 0, t * order_statistic, 0.0)
    return frequency.astype(np.float64), np.asarray(recency, dtype=np.float64)


def gamma_gamma_spend(params: GammaGammaParams, frequency: Array, generator: np.random.Generator) -> Array:
    """Each customer's mean value over its `frequency` repeat purchases (NaN without one): the customer's scale
    ν ~ Gamma(q, rate v), each value ~ Gamma(p, rate ν), so their sum is Gamma(p·x, rate ν)."""
    scale = 1 / generator.gamma(params.q, 1 / params.v, frequency.size)
    repeat = frequency > 0
    total = generator.gamma(params.p * np.maximum(frequency, 1), scale)
    return np.where(repeat, total / np.maximum(frequency, 1), np.nan)
