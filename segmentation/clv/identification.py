"""Whether a maximum-likelihood fit identifies its parameters, and their asymptotic covariance when it does
(docs/lifetime-value.md, "When a fit is not ok").

A fit is `failed` when the optimiser did not converge, `degenerate` when it converged to a point that does not
pin the parameters down: a parameter below LOWER or above UPPER in the units the fit searches in (the optimum
lies towards zero or infinity), a model-specific condition (the Gamma-Gamma's q ≤ 1), or a Hessian of the
negative log-likelihood, in log-parameters, that is not positive definite or whose smallest eigenvalue is below
FLAT_RIDGE times its largest (a flat ridge: some combination of the parameters is not determined by the data).
Otherwise `ok`, and the inverse of that Hessian is the asymptotic covariance of the log-parameters.

The Hessian in log-parameters does not depend on the units: ln(α·s) = ln α + ln s moves every point by a constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Status = Literal["ok", "degenerate", "failed"]
STATUSES: tuple[Status, ...] = ("ok", "degenerate", "failed")

LOWER = 1e-6
UPPER = 1e6
FLAT_RIDGE = 1e-8


@dataclass(frozen=True)
class Identification:
    status: Status
    reason: str | None  # why the fit is not ok; None when it is
    log_covariance: Array | None  # asymptotic covariance of the log-parameters; only when ok

    def standard_errors(self, values: Sequence[float]) -> tuple[float, ...] | None:
        """The parameters' standard errors on their own scale: the delta method, SE(θ) = θ · SE(ln θ), exact to
        first order at the optimum (where the gradient is zero). None unless the fit is ok."""
        if self.log_covariance is None:
            return None
        log_errors = np.sqrt(np.diag(self.log_covariance))
        return tuple(float(value * error) for value, error in zip(values, log_errors, strict=True))


def failed(message: str) -> Identification:
    return Identification("failed", message, None)


def _number(value: float) -> str:
    return f"{value:.3g}"


def out_of_bounds(names: Sequence[str], values: Sequence[float]) -> list[str]:
    """One reason per parameter outside [LOWER, UPPER] (values in the units the fit searches in)."""
    reasons = []
    for name, value in zip(names, values, strict=True):
        if not value >= LOWER:  # also catches NaN
            reasons.append(f"{name} = {_number(value)} below {LOWER:g}")
        elif value > UPPER:
            reasons.append(f"{name} = {_number(value)} above {UPPER:g}")
    return reasons


def curvature(hessian: Array) -> tuple[str | None, Array | None]:
    """The reason the Hessian (of the total negative log-likelihood, in log-parameters) does not identify the
    parameters, or None and its inverse."""
    if not np.all(np.isfinite(hessian)):
        return "the Hessian in log-parameters is not finite", None
    eigenvalues = np.linalg.eigvalsh(hessian)
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    if smallest <= 0:
        return (
            f"the Hessian in log-parameters is not positive definite (smallest eigenvalue {_number(smallest)})",
            None,
        )
    if smallest < FLAT_RIDGE * largest:
        return (
            f"a flat ridge: the Hessian's smallest eigenvalue in log-parameters is {_number(smallest / largest)}"
            f" of its largest (below {FLAT_RIDGE:g})",
            None,
        )
    return None, np.asarray(np.linalg.inv(hessian), dtype=np.float64)


def judge(
    converged: bool,
    message: str,
    names: Sequence[str],
    values_in_fit_units: Sequence[float],
    hessian: Array | None,
    other_reasons: Sequence[str] = (),
) -> Identification:
    """The fit's status and, when ok, the covariance of its log-parameters."""
    if not converged:
        return failed(message)
    reasons = [*out_of_bounds(names, values_in_fit_units), *other_reasons]
    covariance = None
    if hessian is None:
        reasons.append("no Hessian")
    else:
        flat, covariance = curvature(hessian)
        if flat is not None:
            reasons.append(flat)
    if reasons:
        return Identification("degenerate", "; ".join(reasons), None)
    return Identification("ok", None, covariance)
