"""The hidden state every file follows from: each customer's profile, signup, purchase rhythm, spending,
decline and stop (docs/data-quality.md#the-demo-world). Nothing here is written except through the files
it drives and the planted truth (truth.py)."""

from __future__ import annotations

import dataclasses

import numpy as np

from segmentation_tools.datagen.acquisition import NEVER, draw_first_days, draw_signup_days
from segmentation_tools.datagen.attrition import draw_attrition
from segmentation_tools.datagen.timeline import DAYS_PER_YEAR, DayClock

# Purchase days a year are kept inside these bounds: a few purchases a year to near-daily card use.
MIN_PURCHASE_DAYS = 3.0
MAX_PURCHASE_DAYS = 300.0
# A new customer's amounts start at ONBOARDING_FLOOR of their level and reach it after ONBOARDING_DAYS.
ONBOARDING_FLOOR = (0.30, 0.60)
ONBOARDING_DAYS = (120, 240)
# How purchase frequency and spending move together across customers (correlation of their log-normal draws).
SPEND_RATE_CORRELATION = 0.5
# Spending also swings from month to month (a holiday, a repair, a quiet month): a mean-one log-normal factor
# per customer and calendar month with this sigma, correlated from one month to the next by MONTH_EFFECT_RHO.
MONTH_EFFECT_SIGMA = 0.30
MONTH_EFFECT_RHO = 0.4


@dataclasses.dataclass(frozen=True)
class ProfileSpec:
    """One kind of customer: how much and how often they spend, on what, and how likely they are to leave."""

    name: str
    share: float
    monthly_spend_median: float
    monthly_spend_sigma: float
    travel_share: tuple[float, float]  # uniform range, share of amount
    necessities_share: tuple[float, float]  # uniform range, share of amount
    purchase_days_median: float  # distinct purchase days a year, at full level, averaged over the season
    purchase_days_sigma: float
    extra_rows: float  # mean further transactions on a purchase day
    stop_hazard: float  # per month, for an established customer
    decline_hazard: float  # per month
    terminal_share: float  # of declines, the share that end in a stop


PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec("traveller", 0.13, 8500.0, 0.30, (0.30, 0.50), (0.10, 0.25), 150.0, 0.45, 0.6, 0.0015, 0.008, 0.35),
    ProfileSpec("steady", 0.28, 1700.0, 0.45, (0.02, 0.18), (0.20, 0.45), 80.0, 0.65, 0.3, 0.0022, 0.012, 0.35),
    ProfileSpec("budget", 0.30, 620.0, 0.35, (0.00, 0.05), (0.65, 0.85), 110.0, 0.60, 0.2, 0.0025, 0.010, 0.35),
    ProfileSpec("occasional", 0.12, 150.0, 0.60, (0.02, 0.20), (0.30, 0.80), 12.0, 0.60, 0.05, 0.0040, 0.006, 0.4),
    ProfileSpec("fickle", 0.17, 1500.0, 0.50, (0.02, 0.20), (0.20, 0.50), 60.0, 0.70, 0.25, 0.0060, 0.030, 0.5),
)
PROFILE_NAMES: tuple[str, ...] = tuple(spec.name for spec in PROFILES)


@dataclasses.dataclass
class Behaviour:
    """Per-customer hidden parameters (one array element per customer, index = id - 1); days relative to A."""

    profile: np.ndarray  # int8 index into PROFILES
    signup_day: np.ndarray  # int32
    first_day: np.ndarray  # int32: the first day they can transact (NEVER: never)
    stop_day: np.ndarray  # int32: the first day without transactions for good (NEVER: not stopped by A)
    decline_day: np.ndarray  # int32 (NEVER: no decline by A)
    decline_depth: np.ndarray  # float64
    decline_ramp_days: np.ndarray  # int32
    monthly_spend: np.ndarray  # float64, dollars per month at full level
    purchase_days: np.ndarray  # float64, distinct purchase days a year at full level (before the row scale)
    extra_rows: np.ndarray  # float64, mean further transactions on a purchase day
    travel_share: np.ndarray  # float64, share of amount
    necessities_share: np.ndarray  # float64, share of amount
    onboarding_floor: np.ndarray  # float64, amount level at signup
    onboarding_days: np.ndarray  # int32, days to reach full level
    month_effect: np.ndarray  # float32 (customers, calendar months of the history): the month's spending swing

    def subset(self, start: int, stop: int) -> Behaviour:
        """The customers [start, stop) (views, not copies)."""
        return Behaviour(**{field.name: getattr(self, field.name)[start:stop] for field in dataclasses.fields(self)})

    def active_end(self) -> np.ndarray:
        """The day after the last day each customer can transact: their stop day, else the day after A."""
        return np.minimum(self.stop_day, 1).astype(np.int32)

    def stopped(self) -> np.ndarray:
        """Whether the customer has stopped for good by A (hidden state, whether or not they ever paid)."""
        return self.stop_day <= 0

    def not_yet_customers(self, rows: np.ndarray, signup_day: np.ndarray) -> None:
        """Move these customers' signups after A (the dirty rows that are not customers yet): nothing of theirs
        happens on or before A."""
        self.signup_day[rows] = signup_day
        for never in (self.first_day, self.stop_day, self.decline_day):
            never[rows] = NEVER
        self.decline_depth[rows] = 0.0


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, size: int) -> np.ndarray:
    """Lognormal draw parameterised by median, because medians are what we tune by eye."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(size))


def draw_behaviour(n_customers: int, clock: DayClock, rng: np.random.Generator) -> Behaviour:
    """Give each customer a hidden profile, a signup, a rhythm, a spending level, and a decline and stop drawn
    from the profile's hazards."""
    shares = np.array([p.share for p in PROFILES])
    profile = rng.choice(len(PROFILES), size=n_customers, p=shares / shares.sum()).astype(np.int8)

    def per_profile(attribute: str) -> np.ndarray:
        return np.array([getattr(p, attribute) for p in PROFILES], dtype=np.float64)[profile]

    def uniform_range(attribute: str) -> np.ndarray:
        bounds = np.array([getattr(p, attribute) for p in PROFILES])[profile]
        return rng.uniform(bounds[:, 0], bounds[:, 1])

    signup_day = draw_signup_days(n_customers, clock, rng)
    first_day = draw_first_days(signup_day, rng)
    # frequency and spending share part of their randomness: frequent payers tend to spend more
    rate_z = rng.standard_normal(n_customers)
    spend_z = SPEND_RATE_CORRELATION * rate_z
    spend_z += np.sqrt(1 - SPEND_RATE_CORRELATION**2) * rng.standard_normal(n_customers)
    purchase_days = per_profile("purchase_days_median") * np.exp(per_profile("purchase_days_sigma") * rate_z)
    monthly_spend = per_profile("monthly_spend_median") * np.exp(per_profile("monthly_spend_sigma") * spend_z)
    extra_rows = per_profile("extra_rows") * rng.uniform(0.5, 1.5, n_customers)
    attrition = draw_attrition(
        first_day,
        signup_day,
        per_profile("stop_hazard"),
        per_profile("decline_hazard"),
        per_profile("terminal_share"),
        rng,
    )
    return Behaviour(
        profile=profile,
        signup_day=signup_day,
        first_day=first_day,
        stop_day=attrition.stop_day,
        decline_day=attrition.decline_day,
        decline_depth=attrition.decline_depth,
        decline_ramp_days=attrition.decline_ramp_days,
        monthly_spend=monthly_spend,
        purchase_days=np.clip(purchase_days, MIN_PURCHASE_DAYS, MAX_PURCHASE_DAYS),
        extra_rows=extra_rows,
        travel_share=uniform_range("travel_share"),
        necessities_share=uniform_range("necessities_share"),
        onboarding_floor=rng.uniform(*ONBOARDING_FLOOR, n_customers),
        onboarding_days=rng.integers(*ONBOARDING_DAYS, n_customers).astype(np.int32),
        month_effect=draw_month_effects(n_customers, clock.months, rng),
    )


def draw_month_effects(n_customers: int, months: int, rng: np.random.Generator) -> np.ndarray:
    """Mean-one log-normal month-to-month swings, an AR(1) in the log per customer."""
    log_effect = np.empty((n_customers, months), dtype=np.float32)
    current = rng.standard_normal(n_customers, dtype=np.float32)
    innovation = np.float32(np.sqrt(1 - MONTH_EFFECT_RHO**2))
    for month in range(months):
        if month:
            current = np.float32(MONTH_EFFECT_RHO) * current + innovation * rng.standard_normal(
                n_customers, dtype=np.float32
            )
        log_effect[:, month] = current
    sigma = np.float32(MONTH_EFFECT_SIGMA)
    return np.exp(sigma * log_effect - sigma * sigma / 2)


def purchase_days_per_year(behaviour: Behaviour, scale: float) -> np.ndarray:
    """The customer's true rate of distinct purchase days a year while active (averaged over the season), once
    the rates are scaled to the requested row count."""
    return np.minimum(behaviour.purchase_days * scale, DAYS_PER_YEAR)
