"""When customers sign up and start paying: existing customers from years before the history, and new ones
in every month of it with a growth trend and a seasonal pattern (docs/data-quality.md#the-demo-world)."""

from __future__ import annotations

import numpy as np

from segmentation_tools.datagen.timeline import DAYS_PER_YEAR, HISTORY_START, DayClock

# Share of customers who were already customers when the history starts.
EXISTING_SHARE = 0.40
# Existing customers signed up this long before the history: 30 days plus an exponential of this mean, wrapped
# into MAX_EXISTING_YEARS, so recent years hold more signups than early ones (the bank has grown).
EXISTING_MEAN_YEARS = 3.0
MAX_EXISTING_YEARS = 12.0
# New signups per month grow by this share from the first month of the history to the last...
SIGNUP_TREND = 0.5
# ... with this pattern by calendar month (January first): New Year and back-to-school peaks, a December lull.
SIGNUP_SEASON = np.array([1.15, 1.05, 1.05, 1.00, 0.95, 0.90, 0.85, 0.95, 1.15, 1.05, 0.95, 0.80])
# A new customer's first purchase comes this many days after signup on average (exponential); some never pay.
ACTIVATION_MEAN_DAYS = 12.0
NEVER_ACTIVE_SHARE = 0.015
NEVER = 1_000_000  # a day that never comes


def month_weights(clock: DayClock) -> np.ndarray:
    """Expected share of the history's new signups in each calendar month (partial months pro rata)."""
    months = clock.months
    starts = clock.month_start[:-1]
    lengths = np.diff(clock.month_start).astype(np.float64)
    month_of_year = (np.datetime64(clock.as_of, "D") + starts.astype("timedelta64[D]")).astype("datetime64[M]")
    calendar_month = month_of_year.astype(np.int64) % 12
    progress = np.arange(months) / max(months - 1, 1)
    weight = (1 + SIGNUP_TREND * progress) * SIGNUP_SEASON[calendar_month] * lengths
    return weight / weight.sum()


def draw_signup_days(n_customers: int, clock: DayClock, rng: np.random.Generator) -> np.ndarray:
    """Signup day per customer (relative to A), in customer_id order: ids are given in signup order, as a
    bank numbers its accounts. Every month of the history gets at least one signup when there are enough
    new customers to go round."""
    n_existing = round(EXISTING_SHARE * n_customers)
    n_new = n_customers - n_existing
    years_before = (rng.exponential(EXISTING_MEAN_YEARS, n_existing) % MAX_EXISTING_YEARS) * DAYS_PER_YEAR
    existing = HISTORY_START - 30 - years_before.astype(np.int64)
    weights = month_weights(clock)
    months = clock.months
    guaranteed = 1 if n_new >= months else 0
    per_month = guaranteed + rng.multinomial(n_new - guaranteed * months, weights)
    month = np.repeat(np.arange(months), per_month)
    start = clock.month_start[month].astype(np.int64)
    length = np.diff(clock.month_start)[month].astype(np.int64)
    new = start + (rng.random(n_new) * length).astype(np.int64)
    return np.sort(np.concatenate([existing, new])).astype(np.int32)


def draw_first_days(signup_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The first day a customer can transact: a while after signup (never before the history starts), or
    NEVER for the few who open an account and never use it."""
    n = len(signup_day)
    delay = rng.exponential(ACTIVATION_MEAN_DAYS, n).astype(np.int64)
    first = np.maximum(signup_day.astype(np.int64) + delay, HISTORY_START)
    never = rng.random(n) < NEVER_ACTIVE_SHARE
    return np.where(never, NEVER, first).astype(np.int32)
