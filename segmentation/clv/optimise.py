"""The one optimiser both models use, and what counts as converged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import approx_fprime, minimize

# The search runs on the logs of the parameters, each kept within e^±LOG_BOUND (1e-11 to 7e10). A likelihood whose
# supremum lies at zero or infinity (the BG/NBD's a → 0 when nobody seems to drop out; the Gamma-Gamma's p → ∞
# when a customer's purchase days hardly vary around the customer's mean) then ends on a bound, where the
# predictions are their limits, and the fit says which parameter is there.
LOG_BOUND = 25.0
# Where neither method reports success, an end point at which the mean log-likelihood changes by less than this per
# unit of any log-parameter is an optimum all the same (a likelihood flat along a ridge to a bound).
FLAT_GRADIENT = 1e-6
SIMPLEX_OPTIONS = {"xatol": 1e-6, "fatol": 1e-11, "maxiter": 8000, "maxfev": 16000}


@dataclass(frozen=True)
class Optimum:
    x: NDArray[np.float64]
    converged: bool
    message: str
    at_bound: tuple[int, ...]  # the indexes of the parameters that ended on a bound


def minimise(
    objective: Callable[[NDArray[np.float64]], float],
    start: NDArray[np.float64],
    gradient: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None,
) -> Optimum:
    """Minimise `objective` (a mean negative log-likelihood over log-parameters): L-BFGS-B, then, when it does not
    report success and its end point is not flat (gradient below FLAT_GRADIENT), Nelder-Mead from there. Converged
    when either method does or the better end point is flat. `gradient`, when given, is the objective's exact gradient
    (L-BFGS-B then needs one evaluation a step instead of one per parameter more)."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    start = np.clip(start, -LOG_BOUND, LOG_BOUND)
    result = minimize(
        objective,
        start,
        jac=gradient,
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": 5000},
    )
    best, converged, message = result, bool(result.success), "converged"

    def flat(end: NDArray[np.float64]) -> bool:
        slope = gradient(end) if gradient is not None else approx_fprime(end, objective, 1e-7)
        return bool(np.all(np.isfinite(slope))) and float(np.max(np.abs(slope))) < FLAT_GRADIENT

    if not converged and flat(np.asarray(result.x, dtype=np.float64)):
        converged, message = True, "converged (flat gradient)"
    if not converged:
        simplex = minimize(objective, result.x, method="Nelder-Mead", bounds=bounds, options=SIMPLEX_OPTIONS)
        converged = bool(simplex.success)
        message = "converged (simplex)" if converged else f"did not converge: {simplex.message}"
        if simplex.fun <= result.fun:
            best = simplex
        if not converged and flat(np.asarray(best.x, dtype=np.float64)):
            converged, message = True, "converged (flat gradient)"
    x = np.asarray(best.x, dtype=np.float64)
    converged = converged and bool(np.all(np.isfinite(x)))
    at_bound = tuple(int(i) for i in np.flatnonzero(np.abs(np.abs(x) - LOG_BOUND) < 1e-3))
    return Optimum(x, converged, message, at_bound)


def describe(optimum: Optimum, names: tuple[str, ...]) -> str:
    """The optimum's message, naming any parameter that ended on a bound."""
    bounds = [f"{names[i]} at its {'lower' if optimum.x[i] < 0 else 'upper'} bound" for i in optimum.at_bound]
    return "; ".join([optimum.message, *bounds])
