"""The hidden behaviour profiles: who travels, declines, grows, budgets or stays steady, and the
per-customer parameters their transactions are drawn from."""

from __future__ import annotations

import dataclasses

import numpy as np

HISTORY_DAYS = 760  # ~25 months, so month-end recalculations a year back still see 180 days.
NEVER = 1_000_000  # change day for customers whose spend never changes
SPEND_DRIFT_SIGMA = 0.15  # lognormal sigma of established customers' recent spend change


@dataclasses.dataclass(frozen=True)
class ProfileSpec:
    """The hidden behaviour of one kind of customer; the segments must emerge from it."""

    name: str
    share: float
    monthly_spend_median: float
    monthly_spend_sigma: float
    travel_share: tuple[float, float]  # uniform range, share of amount
    necessities_share: tuple[float, float]  # uniform range, share of amount
    rate_median: float  # relative transactions per month, rescaled to the requested total


PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec("traveller", 0.14, 8500.0, 0.30, (0.30, 0.50), (0.10, 0.25), 9.0),
    ProfileSpec("declining", 0.065, 2800.0, 0.40, (0.02, 0.20), (0.20, 0.45), 10.0),
    ProfileSpec("new_growing", 0.13, 1900.0, 0.60, (0.00, 0.25), (0.15, 0.45), 11.0),
    ProfileSpec("budget", 0.23, 620.0, 0.35, (0.00, 0.05), (0.65, 0.85), 13.0),
    ProfileSpec("steady", 0.435, 1700.0, 0.45, (0.02, 0.18), (0.20, 0.45), 10.0),
)
TRAVELLER, DECLINING, NEW_GROWING, BUDGET, STEADY = range(len(PROFILES))


@dataclasses.dataclass
class Behaviour:
    """Per-customer hidden parameters (one array element per customer, index = id - 1)."""

    profile: np.ndarray  # int8 index into PROFILES
    signup_day: np.ndarray  # int32, days relative to as_of (0 = as_of, negative = past)
    monthly_spend: np.ndarray  # float64, dollars per month at full level
    rate: np.ndarray  # float64, relative transactions per month
    travel_share: np.ndarray  # float64, share of amount
    necessities_share: np.ndarray  # float64, share of amount
    change_day: np.ndarray  # int32, from this day on amounts are multiplied by change_factor
    change_factor: np.ndarray  # float64
    ramp_floor: np.ndarray  # float64, amount multiplier at signup, ramping linearly to 1 at as_of


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, size: int) -> np.ndarray:
    """Lognormal draw parameterised by median, because medians are what we tune by eye."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(size))


def draw_behaviour(n_customers: int, rng: np.random.Generator) -> Behaviour:
    """Give each customer a hidden profile and the parameters that drive their spending.

    New & growing customers sign up within the last ~6 months (tenure ≤ 6 is what the
    rule checks); everyone else has 1–10 years of tenure so only the first group is new.
    Declining customers' amounts drop to 15–55 % about 3–4 months before as_of, so the
    current 90-day window is fully after the drop and the prior one mostly before it.
    """
    shares = np.array([p.share for p in PROFILES])
    profile = rng.choice(len(PROFILES), size=n_customers, p=shares / shares.sum()).astype(np.int8)

    def per_profile(attribute: str) -> np.ndarray:
        return np.array([getattr(p, attribute) for p in PROFILES])[profile]

    def uniform_range(attribute: str) -> np.ndarray:
        bounds = np.array([getattr(p, attribute) for p in PROFILES])[profile]
        return rng.uniform(bounds[:, 0], bounds[:, 1])

    is_new = profile == NEW_GROWING
    established_signup = -rng.integers(365, 3651, n_customers)
    new_signup = -rng.integers(3, 186, n_customers)
    signup_day = np.where(is_new, new_signup, established_signup).astype(np.int32)

    monthly_spend = lognormal(rng, per_profile("monthly_spend_median"), per_profile("monthly_spend_sigma"), n_customers)
    rate = lognormal(rng, per_profile("rate_median"), 0.4, n_customers)
    travel_share = uniform_range("travel_share")
    necessities_share = uniform_range("necessities_share")

    # Established customers also change a little 3–4 months before as_of (a new job, a
    # move): that real drift, not sampling luck, is what moves some of them across a
    # segment boundary, so the mix barely depends on how many transactions are drawn.
    is_declining = profile == DECLINING
    change_day = np.where(is_new, NEVER, -rng.integers(90, 126, n_customers)).astype(np.int32)
    drift = np.exp(SPEND_DRIFT_SIGMA * rng.standard_normal(n_customers))
    change_factor = np.where(is_declining, rng.uniform(0.15, 0.55, n_customers), np.where(is_new, 1.0, drift))
    ramp_floor = np.where(is_new, rng.uniform(0.15, 0.45, n_customers), 1.0)

    return Behaviour(
        profile, signup_day, monthly_spend, rate, travel_share, necessities_share, change_day, change_factor, ramp_floor
    )


def first_active_day(behaviour: Behaviour) -> np.ndarray:
    """First day a customer can transact: signup, but never before the history starts."""
    return np.maximum(behaviour.signup_day, -HISTORY_DAYS)


def active_days_of(behaviour: Behaviour) -> np.ndarray:
    """Days from first active day to as_of inclusive; zero for signups after as_of."""
    return np.where(behaviour.signup_day <= 0, 1 - first_active_day(behaviour), 0)
