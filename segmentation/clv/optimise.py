"""The one optimiser both models use, what counts as converged, and the curvature at the optimum."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

Array = NDArray[np.float64]
# A mean negative log-likelihood over log-parameters and its exact gradient, computed together (they share
# nearly every term, so one call costs little more than the value alone).
ValueAndGradient = Callable[[Array], tuple[float, Array]]

# The search runs on the logs of the parameters, each kept within e^±LOG_BOUND (1e-11 to 7e10). A likelihood whose
# supremum lies at zero or infinity (the BG/NBD's a → 0 when nobody seems to drop out; the Gamma-Gamma's p → ∞
# when a customer's purchase days hardly vary around the customer's mean) then ends on a bound, and the fit's
# identification check (segmentation/clv/identification.py) calls it degenerate.
LOG_BOUND = 25.0
# Where neither method reports success, an end point at which the mean log-likelihood changes by less than this per
# unit of any log-parameter is an optimum all the same (a likelihood flat along a ridge to a bound).
FLAT_GRADIENT = 1e-6
LBFGS_ITERATIONS = 5000
SIMPLEX_OPTIONS = {"xatol": 1e-6, "fatol": 1e-11, "maxiter": 8000, "maxfev": 16000}
# The step, in log-parameters, of the central differences of the exact gradient that give the Hessian: small
# enough that the error (of order step²) is far below the flat-ridge threshold, large enough that rounding in
# the gradient (of order 1e-16 / step) is too.
HESSIAN_STEP = 1e-4


@dataclass(frozen=True)
class Optimum:
    x: Array
    converged: bool
    message: str
    at_bound: tuple[int, ...]  # the indexes of the parameters that ended on a bound


def distinct_rows(*columns: Array) -> tuple[tuple[Array, ...], Array]:
    """The distinct rows of the columns and how many times each occurs: a likelihood summed over customers is
    the same summed over distinct inputs with these weights, and customers share inputs (the warehouse counts in
    whole days), so every evaluation gets cheaper. Sorted, so the fit no longer depends on the rows' order."""
    if columns[0].size == 0:
        return tuple(np.array([], dtype=np.float64) for _ in columns), np.array([], dtype=np.float64)
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return tuple(np.ascontiguousarray(unique[:, i]) for i in range(len(columns))), counts.astype(np.float64)


def minimise(value_and_gradient: ValueAndGradient, start: Array, max_iterations: int | None = None) -> Optimum:
    """Minimise a mean negative log-likelihood over log-parameters: L-BFGS-B, then, when it does not report
    success and its end point is not flat (gradient below FLAT_GRADIENT), Nelder-Mead from there. Converged when
    either method does or the better end point is flat. `max_iterations` caps both methods' iterations (the
    defaults are generous; a cap is how a test makes a fit that does not converge).

    BLAS runs on one thread meanwhile: L-BFGS-B's steps are BLAS calls on matrices of a few numbers, and with
    OpenBLAS's threads each call cost about 2 ms instead of a few microseconds on a busy 2-core machine, most of
    a fit's time."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _minimise(value_and_gradient, start, max_iterations)


def _minimise(value_and_gradient: ValueAndGradient, start: Array, max_iterations: int | None) -> Optimum:
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    start = np.clip(start, -LOG_BOUND, LOG_BOUND)

    def value(x: Array) -> float:
        return value_and_gradient(x)[0]

    def flat(end: Array) -> bool:
        slope = value_and_gradient(end)[1]
        return bool(np.all(np.isfinite(slope))) and float(np.max(np.abs(slope))) < FLAT_GRADIENT

    result = minimize(
        value_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": max_iterations or LBFGS_ITERATIONS},
    )
    best, converged, message = result, bool(result.success), "converged"
    if not converged and flat(np.asarray(result.x, dtype=np.float64)):
        converged, message = True, "converged (flat gradient)"
    if not converged:
        options = dict(SIMPLEX_OPTIONS)
        if max_iterations is not None:
            options.update(maxiter=max_iterations, maxfev=2 * max_iterations)
        simplex = minimize(value, result.x, method="Nelder-Mead", bounds=bounds, options=options)
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


def hessian(gradient: Callable[[Array], Array], x: Array) -> Array:
    """The Hessian at `x` of the function whose exact gradient is given, by central differences of that gradient,
    made symmetric."""
    size = x.size
    columns = np.empty((size, size), dtype=np.float64)
    for j in range(size):
        step = np.zeros(size)
        step[j] = HESSIAN_STEP
        columns[:, j] = (gradient(x + step) - gradient(x - step)) / (2 * HESSIAN_STEP)
    return np.asarray((columns + columns.T) / 2, dtype=np.float64)


def describe(optimum: Optimum, names: tuple[str, ...]) -> str:
    """The optimum's message, naming any parameter that ended on a bound."""
    bounds = [f"{names[i]} at its {'lower' if optimum.x[i] < 0 else 'upper'} bound" for i in optimum.at_bound]
    return "; ".join([optimum.message, *bounds])
