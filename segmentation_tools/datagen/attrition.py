"""Who stops, who declines first, and when: a hidden monthly hazard per profile, higher in a customer's first
months, so stops are spread over the whole history (docs/data-quality.md#the-demo-world).

A customer can decline at most once: from the decline day their spending falls linearly by ``decline_depth``
(30–70 %) over ``decline_ramp_days`` (one to three months) and stays there. Some declines end in a stop after
a plateau; other customers stop abruptly. Stops after A are not stops (the customer is still active at A).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from segmentation_tools.datagen.acquisition import NEVER
from segmentation_tools.datagen.timeline import DAYS_PER_MONTH

# The abrupt-stop hazard is multiplied by 1 + EARLY_CHURN_BOOST * exp(-tenure_months / EARLY_CHURN_MONTHS):
# new customers leave more often in their first months (what makes cohort retention fall with age).
EARLY_CHURN_BOOST = 8.0
EARLY_CHURN_MONTHS = 3.0
# A decline can start once a customer has been a customer this long.
DECLINE_MIN_TENURE_DAYS = 180
DECLINE_DEPTH = (0.30, 0.70)
DECLINE_RAMP_DAYS = (30, 92)  # one to three months, upper bound exclusive
# A decline that ends in a stop stops after a plateau of this mean length (exponential), in days.
PLATEAU_MEAN_DAYS = 60.0
BISECTION_STEPS = 40


@dataclasses.dataclass
class Attrition:
    """Per customer: day relative to A, NEVER when it does not happen on or before A."""

    stop_day: np.ndarray  # int32: the first day without transactions for good
    decline_day: np.ndarray  # int32: the day spending starts to fall
    decline_depth: np.ndarray  # float64: the share of spending lost once the decline is complete
    decline_ramp_days: np.ndarray  # int32: days over which it falls


def cumulative_hazard(days: np.ndarray, tenure_months: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """Expected stops (the integrated hazard) over the ``days`` after a point ``tenure_months`` into tenure."""
    months = days / DAYS_PER_MONTH
    fading = np.exp(-tenure_months / EARLY_CHURN_MONTHS) - np.exp(-(tenure_months + months) / EARLY_CHURN_MONTHS)
    return hazard * (months + EARLY_CHURN_BOOST * EARLY_CHURN_MONTHS * fading)


def draw_abrupt_stop(
    first_day: np.ndarray, signup_day: np.ndarray, hazard: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The day each customer would stop abruptly (inverse transform of the hazard, by bisection), NEVER when
    that is after A or the customer never transacts."""
    start = first_day.astype(np.float64)
    horizon = np.maximum(1.0 - start, 0.0)
    tenure = np.maximum(start - signup_day, 0.0) / DAYS_PER_MONTH
    target = rng.exponential(1.0, len(start))
    stops = cumulative_hazard(horizon, tenure, hazard) >= target
    low, high = np.zeros(len(start)), horizon.copy()
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        above = cumulative_hazard(middle, tenure, hazard) >= target
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    # at least one active day: the stop day is after the first day
    day = start + np.maximum(np.ceil(high), 1.0)
    return np.where(stops & (first_day < NEVER) & (day <= 0), day, NEVER).astype(np.int32)


def draw_attrition(
    first_day: np.ndarray,
    signup_day: np.ndarray,
    stop_hazard: np.ndarray,
    decline_hazard: np.ndarray,
    terminal_share: np.ndarray,
    rng: np.random.Generator,
) -> Attrition:
    """Draw each customer's decline and stop from their profile's monthly hazards."""
    n = len(first_day)
    stop_day = draw_abrupt_stop(first_day, signup_day, stop_hazard, rng)
    decline_from = np.maximum(first_day.astype(np.int64), signup_day.astype(np.int64) + DECLINE_MIN_TENURE_DAYS)
    wait = rng.exponential(1.0, n) / np.maximum(decline_hazard, 1e-12) * DAYS_PER_MONTH
    decline_day = decline_from + wait.astype(np.int64)
    depth = rng.uniform(*DECLINE_DEPTH, n)
    ramp = rng.integers(*DECLINE_RAMP_DAYS, n).astype(np.int64)
    terminal = rng.random(n) < terminal_share
    plateau = rng.exponential(PLATEAU_MEAN_DAYS, n).astype(np.int64)
    declines = (first_day < NEVER) & (decline_day <= 0) & (decline_day < stop_day)
    terminal_stop = decline_day + ramp + plateau + 1
    stop_day = np.where(declines & terminal & (terminal_stop <= 0), np.minimum(stop_day, terminal_stop), stop_day)
    return Attrition(
        stop_day=stop_day.astype(np.int32),
        decline_day=np.where(declines, decline_day, NEVER).astype(np.int32),
        decline_depth=np.where(declines, depth, 0.0),
        decline_ramp_days=np.where(declines, ramp, 1).astype(np.int32),
    )


def level_at(day: np.ndarray, decline_day: np.ndarray, depth: np.ndarray, ramp_days: np.ndarray) -> np.ndarray:
    """The share of full spending left on ``day``: 1 before the decline, falling linearly to 1 - depth."""
    progress = np.clip((day - decline_day.astype(np.float64)) / ramp_days, 0.0, 1.0)
    return 1.0 - depth * progress
