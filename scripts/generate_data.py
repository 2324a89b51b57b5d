#!/usr/bin/env python3
"""Generate the raw customers/transactions files that the dbt segmentation project reads.

Why synthetic data: the segmentation rules need customers whose spending really
travels, declines, grows or stays necessity-heavy, so every customer gets a hidden
behaviour profile and the transactions are drawn from that behaviour. The segment
labels are never written; they must be rediscovered by the dbt models.

Why dirty rows: the staging models have to prove they reject or repair bad input,
so a small, counted share of broken rows is injected on purpose (``--clean`` turns
that off). Every kind is counted in ``generation_summary.json`` so tests can check
that the models dropped exactly what was injected.

Output contract (read by dbt, keep it stable):
    customers.csv     customer_id,first_name,last_name,email,phone,date_of_birth,gender,
                      city,state,country,postal_code,signup_date,account_status
    transactions.csv  transaction_id,customer_id,transaction_date,amount,merchant_category
Comma-separated with a header, ISO dates, amounts with exactly two decimals, empty
field = null. Parquet output has the same columns, all VARCHAR, so dirty values survive.

Row counts: the customers file holds exactly ``customers`` distinct customer_ids plus
the injected exact-duplicate rows; the transactions file holds exactly
``transactions`` rows, dirty rows included.

Usage:
    python scripts/generate_data.py --customers 50000 --transactions 13500000 \
        --as-of 2026-11-22 --seed 42 --out data/raw --format csv
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from faker import Faker

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "gender",
    "city",
    "state",
    "country",
    "postal_code",
    "signup_date",
    "account_status",
)
TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "amount",
    "merchant_category",
)
FORMATS: tuple[str, ...] = ("csv", "parquet")
SUMMARY_FILE = "generation_summary.json"

TRAVEL_CATEGORIES: tuple[str, ...] = ("Travel", "Airlines", "Hotels")
NECESSITY_CATEGORIES: tuple[str, ...] = ("Grocery", "Gas", "Utilities")
OTHER_CATEGORIES: tuple[str, ...] = (
    "Restaurants",
    "Entertainment",
    "Shopping",
    "Healthcare",
    "Electronics",
    "Home Improvement",
    "Education",
)
CATEGORIES: tuple[str, ...] = TRAVEL_CATEGORIES + NECESSITY_CATEGORIES + OTHER_CATEGORIES
CATEGORY_GROUPS: tuple[tuple[str, ...], ...] = (TRAVEL_CATEGORIES, NECESSITY_CATEGORIES, OTHER_CATEGORIES)

# How often each category is picked inside its group, in percent. Uneven on purpose
# so the category mix looks like real card data (groceries far more often than utilities).
CATEGORY_PERCENT: dict[str, int] = {
    "Travel": 30,
    "Airlines": 40,
    "Hotels": 30,
    "Grocery": 55,
    "Gas": 30,
    "Utilities": 15,
    "Restaurants": 28,
    "Entertainment": 12,
    "Shopping": 25,
    "Healthcare": 10,
    "Electronics": 8,
    "Home Improvement": 9,
    "Education": 8,
}

# Typical ticket size of one transaction per group relative to "other": flights and
# hotels are big, groceries and fuel are small. The per-customer count mix is derived
# from these so the *amount* share per group still hits the profile's target.
GROUP_TICKET_FACTOR = np.array([2.0, 0.8, 1.0])

HISTORY_DAYS = 760  # ~25 months, so month-end recalculations a year back still see 180 days.
DAYS_PER_MONTH = 365.25 / 12
REFUND_SHARE = 0.025
AMOUNT_NOISE_SIGMA = 0.35  # lognormal sigma of one amount at the full-size density below
REFERENCE_MONTHLY_TRANSACTIONS = 11.0  # per customer-month at 50,000 customers / 13.5M rows
GOLDEN_RATIO_FRACTION = (5**0.5 - 1) / 2
NEVER = 1_000_000  # change day for customers whose spend never changes
SPEND_DRIFT_SIGMA = 0.15  # lognormal sigma of established customers' recent spend change

COUNTRY = "United States"
EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "aol.com",
    "proton.me",
)
GENDERS: tuple[str, ...] = ("Male", "Female", "Other")
GENDER_SHARES = (0.485, 0.495, 0.02)
ACCOUNT_STATUSES: tuple[str, ...] = ("Active", "Inactive", "Suspended")
ACCOUNT_STATUS_SHARES = (0.86, 0.10, 0.04)

# Dirty-row rates as a share of rows. Together they are ~0.3 % of transactions and
# ~0.4 % of customers: enough to exercise every cleaning rule, too few to move segments.
TRANSACTION_DIRT_RATES: dict[str, float] = {
    "exact_duplicate_row": 0.0006,
    "duplicate_transaction_id": 0.0002,
    "orphan_customer_id": 0.0003,
    "unparseable_amount": 0.0002,
    "unparseable_date": 0.0002,
    "empty_transaction_id": 0.0001,
    "empty_customer_id": 0.0001,
    "empty_transaction_date": 0.0001,
    "empty_amount": 0.0001,
    "messy_category": 0.0008,
    "empty_category": 0.0003,
    "date_after_as_of": 0.0002,
}
CUSTOMER_DIRT_RATES: dict[str, float] = {
    "exact_duplicate_row": 0.0010,
    "unparseable_signup_date": 0.0002,
    "empty_signup_date": 0.0002,
    "signup_after_as_of": 0.0004,
    "email_without_at": 0.0006,
    "duplicate_email": 0.0006,
    "invalid_gender": 0.0008,
    "age_out_of_range": 0.0004,
}
# Below this many rows no dirt is injected; at or above it every kind appears at least
# once, so small test runs still exercise every cleaning rule.
MIN_ROWS_FOR_DIRT = 100

INVALID_GENDERS: tuple[str, ...] = ("M", "F", "unknown", "U", "X", "N/A")
# Every value below is rejected by both DuckDB try_cast and a strict '%Y-%m-%d' parse;
# 'YYYY/MM/DD' is deliberately absent because DuckDB's cast would accept it.
BAD_AMOUNT_FIXED: tuple[str, ...] = ("N/A", "n/a", "#VALUE!", "-")
FIXED_BAD_DATES: tuple[str, ...] = ("2024/13/45", "0000-00-00", "not a date")


@dataclasses.dataclass(frozen=True)
class Sample:
    """A generated data set small enough to build in seconds on any engine, large enough that every
    segment and every kind of dirty row occurs."""

    customers: int
    transactions: int
    seed: int
    as_of: dt.date
    backfill_months: int  # month-ends recorded in the segment history besides the as-of date


# What the integration tests and the engine comparison (scripts/portability.py) build: a year of
# month-ends recorded, as `make build` does.
TEST_SAMPLE = Sample(customers=1_500, transactions=150_000, seed=11, as_of=dt.date(2025, 6, 30), backfill_months=12)


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


@dataclasses.dataclass
class NamePools:
    """Faker output drawn once; sampling from pools keeps Faker out of the per-row path."""

    male_first: np.ndarray
    female_first: np.ndarray
    other_first: np.ndarray
    last: np.ndarray
    city: np.ndarray
    state: np.ndarray
    postal_code: np.ndarray


@dataclasses.dataclass
class Transactions:
    """Numeric transaction columns plus override codes; turned into text only by DuckDB.

    Keeping numbers (not strings) for 13.5M rows is what makes generation fast; the few
    dirty values live in small lists indexed by the ``*_code`` arrays.
    """

    transaction_id: np.ndarray  # int64, 0 = empty
    customer_id: np.ndarray  # int32, 0 = empty
    day: np.ndarray  # int32, days relative to as_of
    date_code: np.ndarray  # int32, 0 = real date, -1 = empty, k > 0 = bad_dates[k - 1]
    cents: np.ndarray  # int64
    amount_code: np.ndarray  # int32, 0 = real amount, -1 = empty, k > 0 = bad_amounts[k - 1]
    category: np.ndarray  # int16 index into category_labels()
    bad_dates: list[str]
    bad_amounts: list[str]


@dataclasses.dataclass
class GenerationSummary:
    """What was written; the JSON copy omits timing so reruns stay byte-identical."""

    as_of: str
    seed: int
    format: str
    dirty_enabled: bool
    customers_requested: int
    transactions_requested: int
    customers_rows: int
    transactions_rows: int
    files: dict[str, str]
    dirty: dict[str, dict[str, int]]
    profiles: dict[str, int]
    elapsed_seconds: float = 0.0

    def to_json_dict(self) -> dict[str, Any]:
        """Summary for generation_summary.json, without the run-dependent timing."""
        data = dataclasses.asdict(self)
        del data["elapsed_seconds"]
        return data


# ---------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------


def dirt_counts(rates: dict[str, float], n_rows: int, dirty: bool) -> dict[str, int]:
    """How many rows of each dirty kind to inject: rate-based, but at least one each."""
    if not dirty or n_rows < MIN_ROWS_FOR_DIRT:
        return {kind: 0 for kind in rates}
    return {kind: max(1, round(rate * n_rows)) for kind, rate in rates.items()}


def pick_disjoint_rows(n_rows: int, counts: dict[str, int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Pick non-overlapping rows per kind so each dirty row is broken in exactly one way.

    One kind per row keeps the injected counts equal to what a reader can count back.
    """
    picked = rng.choice(n_rows, size=sum(counts.values()), replace=False)
    rows: dict[str, np.ndarray] = {}
    start = 0
    for kind, count in counts.items():
        rows[kind] = np.sort(picked[start : start + count])
        start += count
    return rows


def build_name_pools(seed: int, size: int = 2000) -> NamePools:
    """Draw names and places from a seeded Faker once (Faker costs ~20 µs per call)."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    states = [fake.state_abbr(include_territories=False) for _ in range(size // 2)]
    return NamePools(
        male_first=np.array([fake.first_name_male() for _ in range(size)], dtype=object),
        female_first=np.array([fake.first_name_female() for _ in range(size)], dtype=object),
        other_first=np.array([fake.first_name_nonbinary() for _ in range(size // 4)], dtype=object),
        last=np.array([fake.last_name() for _ in range(size)], dtype=object),
        city=np.array([fake.city() for _ in states], dtype=object),
        state=np.array(states, dtype=object),
        postal_code=np.array([fake.postcode_in_state(state) for state in states], dtype=object),
    )


def iso_dates(as_of: dt.date, days: np.ndarray) -> np.ndarray:
    """Turn day offsets into 'YYYY-MM-DD' strings in one vectorised numpy step."""
    return (np.datetime64(as_of, "D") + days.astype("timedelta64[D]")).astype(str).astype(object)


def email_local_part(name: str) -> str:
    """Lower-case letters only, because names like O'Neil must not break an address."""
    return "".join(ch for ch in name.lower() if ch.isalpha())


def build_customers(
    behaviour: Behaviour, pools: NamePools, as_of: dt.date, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Build clean customer columns (all text) from the behaviour and the Faker pools."""
    n = len(behaviour.profile)
    customer_id = np.arange(1, n + 1)
    gender_code = rng.choice(len(GENDERS), size=n, p=GENDER_SHARES)
    first_pools = (pools.male_first, pools.female_first, pools.other_first)
    first_name = np.empty(n, dtype=object)
    for code, pool in enumerate(first_pools):
        is_gender = gender_code == code
        first_name[is_gender] = pool[rng.integers(0, len(pool), int(is_gender.sum()))]
    last_name = pools.last[rng.integers(0, len(pools.last), n)]
    domain = np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    # The customer_id suffix makes every clean email unique; duplicates are only injected ones.
    email = np.array(
        [
            f"{email_local_part(f)}.{email_local_part(l)}{i}@{d}"
            for f, l, i, d in zip(first_name, last_name, customer_id, domain)
        ],
        dtype=object,
    )
    area, exchange, line = rng.integers(201, 990, n), rng.integers(200, 1000, n), rng.integers(0, 10000, n)
    phone = np.array([f"{a:03d}-{e:03d}-{x:04d}" for a, e, x in zip(area, exchange, line)], dtype=object)
    # Age at signup 18.3–75 keeps every clean customer inside 18–120 at as_of as well, even
    # the ones whose signup was moved up to 60 days past as_of.
    dob_day = behaviour.signup_day - (rng.uniform(18.3, 75.0, n) * 365.25).astype(np.int32)
    location = rng.integers(0, len(pools.city), n)
    status = rng.choice(len(ACCOUNT_STATUSES), size=n, p=ACCOUNT_STATUS_SHARES)
    return {
        "customer_id": customer_id.astype(str).astype(object),
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "date_of_birth": iso_dates(as_of, dob_day),
        "gender": np.array(GENDERS, dtype=object)[gender_code],
        "city": pools.city[location],
        "state": pools.state[location],
        "country": np.full(n, COUNTRY, dtype=object),
        "postal_code": pools.postal_code[location],
        "signup_date": iso_dates(as_of, behaviour.signup_day),
        "account_status": np.array(ACCOUNT_STATUSES, dtype=object)[status],
    }


def move_signups_after_as_of(behaviour: Behaviour, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Give these customers a signup date after as_of; done before transactions are
    drawn so they get no transactions dated before their own signup."""
    behaviour.signup_day[rows] = rng.integers(1, 61, len(rows))


def inject_customer_dirt(
    columns: dict[str, np.ndarray], rows: dict[str, np.ndarray], as_of: dt.date, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Break the picked customer rows, one kind per row, and return the counts.

    signup_after_as_of rows were already moved in the behaviour, so they only count here.
    """
    counts = {kind: len(picked) for kind, picked in rows.items()}

    for row in rows["unparseable_signup_date"]:
        signup = dt.date.fromisoformat(columns["signup_date"][row])
        choices = [signup.strftime("%d/%m/%Y"), f"{signup.year}-02-30", "unknown"]
        columns["signup_date"][row] = str(rng.choice(choices))
    columns["signup_date"][rows["empty_signup_date"]] = None

    no_at = rows["email_without_at"]
    columns["email"][no_at] = [
        email.replace("@", str(rng.choice(["", " at ", "."]))) for email in columns["email"][no_at]
    ]

    # Borrow the email of a clean customer: a shared family address or a data-entry slip.
    dup_email = rows["duplicate_email"]
    n = len(columns["email"])
    dirty_rows = np.concatenate(list(rows.values()))
    clean = np.setdiff1d(np.arange(n), dirty_rows)
    sources = clean[rng.integers(0, len(clean), len(dup_email))] if len(dup_email) else np.array([], int)
    columns["email"][dup_email] = columns["email"][sources]

    columns["gender"][rows["invalid_gender"]] = [
        str(value) for value in rng.choice(INVALID_GENDERS, len(rows["invalid_gender"]))
    ]

    # Half too young (under 18, some not even born), half impossibly old (over 120).
    bad_age = rows["age_out_of_range"]
    too_young = rng.random(len(bad_age)) < 0.5
    age_years = np.where(too_young, rng.uniform(-1.0, 17.5, len(bad_age)), rng.uniform(121.0, 140.0, len(bad_age)))
    columns["date_of_birth"][bad_age] = iso_dates(as_of, -(age_years * 365.25).astype(np.int32))

    # Exact duplicates go right after their original, like a double import.
    repeats = np.ones(n, dtype=np.int64)
    repeats[rows["exact_duplicate_row"]] += 1
    order = np.repeat(np.arange(n), repeats)
    return {name: values[order] for name, values in columns.items()}, counts


# ---------------------------------------------------------------------------
# Transactions
# ---------------------------------------------------------------------------


def category_lookup() -> np.ndarray:
    """A (group, percent) -> category-index table, so picking a category is one gather."""
    table = np.empty((len(CATEGORY_GROUPS), 100), dtype=np.int16)
    for group, names in enumerate(CATEGORY_GROUPS):
        column = 0
        for name in names:
            width = CATEGORY_PERCENT[name]
            table[group, column : column + width] = CATEGORIES.index(name)
            column += width
        if column != 100:
            raise AssertionError(f"category percentages of group {group} sum to {column}, not 100")
    return table


def messy_variants(name: str) -> tuple[str, ...]:
    """Odd case and stray whitespace that a cleaning step must map back to ``name``."""
    return (name.upper(), name.lower(), f" {name.lower()} ", f"{name}  ", f"  {name.upper()}")


def category_labels() -> list[str | None]:
    """All category texts by code: canonical names, then messy variants, then null."""
    labels: list[str | None] = list(CATEGORIES)
    for name in CATEGORIES:
        labels.extend(messy_variants(name))
    labels.append(None)
    return labels


N_MESSY_VARIANTS = len(messy_variants("x"))
EMPTY_CATEGORY_CODE = len(CATEGORIES) * (1 + N_MESSY_VARIANTS)


def amount_noise_sigma(n_rows: int, customer_months: float) -> float:
    """Per-transaction amount noise, shrunk when customers have few transactions.

    Segments look at 90-day sums, whose relative noise is about sigma / sqrt(count). Scaling
    sigma with sqrt(density) keeps that noise (and so the segment mix) roughly the same for
    a 300k-row test sample as for the full 13.5M rows.
    """
    density = n_rows / customer_months if customer_months > 0 else 0.0
    return AMOUNT_NOISE_SIGMA * min(1.0, (density / REFERENCE_MONTHLY_TRANSACTIONS) ** 0.5)


def transactions_per_customer(behaviour: Behaviour, n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """Split exactly ``n_rows`` over customers in proportion to rate × active days.

    A multinomial makes the total exact, so the requested count needs no tolerance.
    """
    active_days = active_days_of(behaviour)
    weights = behaviour.rate * active_days
    if n_rows == 0:
        return np.zeros(len(weights), dtype=np.int64)
    if weights.sum() <= 0:
        raise ValueError("no customer signed up on or before the as-of date, so no transactions can be drawn")
    return rng.multinomial(n_rows, weights / weights.sum())


def first_active_day(behaviour: Behaviour) -> np.ndarray:
    """First day a customer can transact: signup, but never before the history starts."""
    return np.maximum(behaviour.signup_day, -HISTORY_DAYS)


def active_days_of(behaviour: Behaviour) -> np.ndarray:
    """Days from first active day to as_of inclusive; zero for signups after as_of."""
    return np.where(behaviour.signup_day <= 0, 1 - first_active_day(behaviour), 0)


def spread_dates(behaviour: Behaviour, counts: np.ndarray, rank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Place each customer's transactions evenly over their active days, with jitter.

    Rank k of n lands in slot k, jittered by up to a slot either way. Independent uniform
    dates would make 90-day window counts so Poisson-noisy that ~13 % of steady customers
    look Declining by chance alone; real spending is more regular than that.
    """
    slot = np.clip(rank + rng.uniform(-0.5, 1.5, len(rank)).astype(np.float32), 0.0, None)
    slot /= np.repeat(np.maximum(counts, 1).astype(np.float32), counts)
    np.minimum(slot, np.float32(0.999999), out=slot)
    slot *= np.repeat(active_days_of(behaviour).astype(np.float32), counts)
    return np.repeat(first_active_day(behaviour).astype(np.int32), counts) + slot.astype(np.int32)


def group_count_shares(behaviour: Behaviour) -> np.ndarray:
    """Per-customer share of *transactions* per group (travel, necessities, other).

    Profiles are defined by share of *amount*; dividing by ticket size converts that into
    how often each group must be picked.
    """
    amount_share = np.column_stack(
        [
            behaviour.travel_share,
            behaviour.necessities_share,
            1.0 - behaviour.travel_share - behaviour.necessities_share,
        ]
    )
    count_share = amount_share / GROUP_TICKET_FACTOR
    return count_share / count_share.sum(axis=1, keepdims=True)


def pick_groups(count_share: np.ndarray, counts: np.ndarray, rank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pick each transaction's category group (0 travel, 1 necessities, 2 other).

    A golden-ratio (Weyl) sequence over each customer's ranks instead of independent
    draws: every stretch of a customer's history holds close to their group mix, so a
    30 %-travel customer does not dip below the 25 % rule in one window by luck.
    """
    offset = np.repeat(rng.random(len(counts), dtype=np.float32), counts)
    pick = (rank * np.float32(GOLDEN_RATIO_FRACTION) + offset) % np.float32(1.0)
    travel_limit = np.repeat(count_share[:, 0].astype(np.float32), counts)
    necessities_limit = np.repeat((count_share[:, 0] + count_share[:, 1]).astype(np.float32), counts)
    return (pick >= travel_limit).astype(np.int8) + (pick >= necessities_limit)


def draw_amounts(
    behaviour: Behaviour,
    counts: np.ndarray,
    day: np.ndarray,
    group: np.ndarray,
    count_share: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Amounts in cents: spend level × ticket size × trend × noise, with some refunds.

    The per-customer unit is derived from monthly spend and the customer's *actual*
    count, so spend levels (and therefore segments) do not depend on how many
    transactions were requested.
    """
    months_active = active_days_of(behaviour) / DAYS_PER_MONTH
    mean_ticket = count_share @ GROUP_TICKET_FACTOR
    unit_cents = behaviour.monthly_spend * months_active / np.maximum(counts, 1) / mean_ticket * 100
    # New & growing customers ramp linearly from ramp_floor at their first day to 1 at as_of.
    ramp_slope = (1.0 - behaviour.ramp_floor) / np.maximum(-first_active_day(behaviour), 1)

    def per_row(values: np.ndarray) -> np.ndarray:
        return np.repeat(values.astype(np.float32), counts)

    amount = per_row(unit_cents) * GROUP_TICKET_FACTOR.astype(np.float32)[group]
    day_f32 = day.astype(np.float32)  # int32 * float32 would silently promote to float64
    amount *= np.float32(1.0) + per_row(ramp_slope) * day_f32
    changed = day >= np.repeat(behaviour.change_day, counts)
    amount[changed] *= per_row(behaviour.change_factor)[changed]
    sigma = np.float32(amount_noise_sigma(len(day), float(months_active.sum())))
    amount *= np.exp(sigma * rng.standard_normal(len(day), dtype=np.float32) - sigma * sigma / 2)
    cents = np.maximum(np.rint(amount), 1).astype(np.int64)

    # Refunds are mostly partial returns; full-size ones would swing small 90-day sums.
    is_refund = rng.random(len(day), dtype=np.float32) < REFUND_SHARE
    refund_share = rng.uniform(0.15, 1.0, int(is_refund.sum()))
    cents[is_refund] = -np.maximum(np.rint(cents[is_refund] * refund_share), 1).astype(np.int64)
    return cents


def draw_transactions(behaviour: Behaviour, n_rows: int, rng: np.random.Generator) -> Transactions:
    """Draw exactly ``n_rows`` clean transactions from the customers' behaviour, vectorised.

    Rows are then sorted by date and numbered in that order, like a real transaction log.
    Work is done per customer and expanded with ``np.repeat`` (cheaper than gathers), in
    float32 where cent precision allows, because this is the hot path at 13.5M rows.
    """
    counts = transactions_per_customer(behaviour, n_rows, rng)
    owner = np.repeat(np.arange(1, len(counts) + 1, dtype=np.int32), counts)
    rank = (
        np.arange(n_rows, dtype=np.int32) - np.repeat((np.cumsum(counts) - counts).astype(np.int32), counts)
    ).astype(np.float32)

    day = spread_dates(behaviour, counts, rank, rng)
    count_share = group_count_shares(behaviour)
    group = pick_groups(count_share, counts, rank, rng)
    category = category_lookup()[group, rng.integers(0, 100, n_rows, dtype=np.int8)]
    cents = draw_amounts(behaviour, counts, day, group, count_share, rng)

    # int16 + stable sort uses numpy's radix sort: linear time on 13.5M rows.
    order = np.argsort(day.astype(np.int16), kind="stable")
    return Transactions(
        transaction_id=np.arange(1, n_rows + 1, dtype=np.int64),
        customer_id=owner[order],
        day=day[order],
        date_code=np.zeros(n_rows, dtype=np.int32),
        cents=cents[order],
        amount_code=np.zeros(n_rows, dtype=np.int32),
        category=category[order],
        bad_dates=[],
        bad_amounts=[],
    )


def bad_date_text(date: dt.date, rng: np.random.Generator) -> str:
    """A non-ISO or impossible rendering of a real date, the way broken exports look."""
    choices = [
        date.strftime("%d-%m-%Y"),
        date.strftime("%m/%d/%Y"),
        date.strftime("%Y.%m.%d"),
        f"{date.year}-02-30",
        *FIXED_BAD_DATES,
    ]
    return str(rng.choice(choices))


def bad_amount_text(cents: int, rng: np.random.Generator) -> str:
    """An unparseable rendering of a real amount: decimal comma, currency sign, or junk."""
    whole, frac = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    choices = [
        f"{sign}{whole},{frac:02d}",
        f"{sign}${whole}.{frac:02d}",
        f"{sign}{whole}.{frac:02d} USD",
        *BAD_AMOUNT_FIXED,
    ]
    return str(rng.choice(choices))


def inject_transaction_dirt(
    tx: Transactions, counts: dict[str, int], n_customers: int, as_of: dt.date, rng: np.random.Generator
) -> tuple[Transactions, dict[str, int]]:
    """Break picked rows, one kind per row, then add exact duplicates; returns the counts.

    The caller draws ``counts['exact_duplicate_row']`` fewer clean rows so the file ends up
    with exactly the requested number of rows.
    """
    n = len(tx.transaction_id)
    # Duplicate-id targets borrow the id of a *clean* source row, so sources are picked too.
    pick_counts = dict(counts, duplicate_id_source=counts["duplicate_transaction_id"])
    rows = pick_disjoint_rows(n, pick_counts, rng)

    targets, sources = rows["duplicate_transaction_id"], rows["duplicate_id_source"]
    differs = (
        (tx.customer_id[targets] != tx.customer_id[sources])
        | (tx.day[targets] != tx.day[sources])
        | (tx.cents[targets] != tx.cents[sources])
        | (tx.category[targets] != tx.category[sources])
    )
    targets, sources = targets[differs], sources[differs]
    tx.transaction_id[targets] = tx.transaction_id[sources]

    orphans = rows["orphan_customer_id"]
    tx.customer_id[orphans] = n_customers + rng.integers(1, 1000, len(orphans))

    bad_amount_rows = rows["unparseable_amount"]
    tx.bad_amounts = [bad_amount_text(int(c), rng) for c in tx.cents[bad_amount_rows]]
    tx.amount_code[bad_amount_rows] = np.arange(1, len(bad_amount_rows) + 1)

    bad_date_rows = rows["unparseable_date"]
    tx.bad_dates = [bad_date_text(as_of + dt.timedelta(days=int(d)), rng) for d in tx.day[bad_date_rows]]
    tx.date_code[bad_date_rows] = np.arange(1, len(bad_date_rows) + 1)

    tx.transaction_id[rows["empty_transaction_id"]] = 0
    tx.customer_id[rows["empty_customer_id"]] = 0
    tx.date_code[rows["empty_transaction_date"]] = -1
    tx.amount_code[rows["empty_amount"]] = -1

    messy = rows["messy_category"]
    tx.category[messy] = (
        len(CATEGORIES) + tx.category[messy] * N_MESSY_VARIANTS + rng.integers(0, N_MESSY_VARIANTS, len(messy))
    )
    tx.category[rows["empty_category"]] = EMPTY_CATEGORY_CODE

    tx.day[rows["date_after_as_of"]] = rng.integers(1, 61, len(rows["date_after_as_of"]))

    # Exact duplicates sit right after their original, like a double-submitted event.
    repeats = np.ones(n, dtype=np.int64)
    repeats[rows["exact_duplicate_row"]] += 1
    order = np.repeat(np.arange(n), repeats)
    expanded = Transactions(
        transaction_id=tx.transaction_id[order],
        customer_id=tx.customer_id[order],
        day=tx.day[order],
        date_code=tx.date_code[order],
        cents=tx.cents[order],
        amount_code=tx.amount_code[order],
        category=tx.category[order],
        bad_dates=tx.bad_dates,
        bad_amounts=tx.bad_amounts,
    )
    injected = {kind: len(rows[kind]) for kind in counts}
    injected["duplicate_transaction_id"] = len(targets)
    return expanded, injected


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def copy_options(fmt: str) -> str:
    """DuckDB COPY options; CSV quoting is DuckDB's default: only where CSV needs it."""
    return "(FORMAT csv, HEADER true, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet)"


def sql_string(value: str) -> str:
    """Quote a value for a SQL string literal (COPY targets cannot be bound parameters)."""
    return "'" + value.replace("'", "''") + "'"


def write_customers(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray], path: Path, fmt: str) -> None:
    """Write customers in their array order (ORDER BY a row number, since threads may reorder)."""
    table = dict(columns)
    table["row_no"] = np.arange(len(columns["customer_id"]), dtype=np.int64)
    con.register("customer_rows", table)
    select_list = ", ".join(f"{name}::VARCHAR AS {name}" for name in CUSTOMER_COLUMNS)
    con.execute(
        f"COPY (SELECT {select_list} FROM customer_rows ORDER BY row_no) TO {sql_string(str(path))} {copy_options(fmt)}"
    )
    con.unregister("customer_rows")


def list_param(values: list[str | None]) -> list[str | None]:
    """DuckDB cannot type an empty list parameter; a never-referenced '' keeps it VARCHAR[]."""
    return values if values else [""]


def write_transactions(con: duckdb.DuckDBPyConnection, tx: Transactions, as_of: dt.date, path: Path, fmt: str) -> None:
    """Format and write transactions in one streaming DuckDB projection.

    A pure projection over the numpy scan keeps insertion order (no sort of 13.5M rows),
    and the decimal multiply gives exact two-decimal amounts such as -12.50 and 1234.00.
    """
    table = {
        "transaction_id": tx.transaction_id,
        "customer_id": tx.customer_id,
        "day": tx.day,
        "date_code": tx.date_code,
        "cents": tx.cents,
        "amount_code": tx.amount_code,
        "category": tx.category,
    }
    con.register("transaction_rows", table)
    con.execute("SET preserve_insertion_order = true")
    query = f"""
        COPY (
            SELECT
                nullif(transaction_id, 0)::VARCHAR AS transaction_id,
                nullif(customer_id, 0)::VARCHAR AS customer_id,
                CASE WHEN date_code = 0 THEN ($as_of::DATE + day)::VARCHAR
                     WHEN date_code > 0 THEN list_extract($bad_dates, date_code) END AS transaction_date,
                CASE WHEN amount_code = 0 THEN (cents::DECIMAL(18, 0) * 0.01)::VARCHAR
                     WHEN amount_code > 0 THEN list_extract($bad_amounts, amount_code) END AS amount,
                list_extract($categories, category + 1) AS merchant_category
            FROM transaction_rows
        ) TO {sql_string(str(path))} {copy_options(fmt)}
    """
    con.execute(
        query,
        {
            "as_of": as_of.isoformat(),
            "bad_dates": list_param(list(tx.bad_dates)),
            "bad_amounts": list_param(list(tx.bad_amounts)),
            "categories": category_labels(),
        },
    )
    con.unregister("transaction_rows")


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


class Progress:
    """One stderr line per phase, so a 15-second run does not look hung."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def start(self, phase: str) -> None:
        """Announce a phase before the slow part starts."""
        self.started = time.perf_counter()
        if self.enabled:
            print(f"{phase}… ", end="", file=sys.stderr, flush=True)

    def done(self, detail: str = "done") -> None:
        """Finish the current line with the phase's elapsed time."""
        if self.enabled:
            print(f"{detail} in {time.perf_counter() - self.started:.1f}s", file=sys.stderr, flush=True)


def validate_arguments(customers: int, transactions: int, as_of: dt.date, seed: int, fmt: str) -> None:
    """Reject arguments that would otherwise fail deep inside numpy with a cryptic message."""
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise ValueError(f"as_of must be a datetime.date, got {as_of!r}")
    if customers < 0:
        raise ValueError(f"customers must be >= 0, got {customers}")
    if transactions < 0:
        raise ValueError(f"transactions must be >= 0, got {transactions}")
    if transactions > 0 and customers == 0:
        raise ValueError("transactions need at least one customer")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def prepare_out_dir(out_dir: Path) -> None:
    """Create the output directory and fail early, before minutes of work, if it is unusable."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"output path {out_dir} exists but is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create output directory {out_dir}: {error.strerror or error}") from error
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK | os.X_OK):
        raise ValueError(f"output directory {out_dir} is not writable")


def generate(
    customers: int,
    transactions: int,
    as_of: dt.date,
    seed: int,
    out_dir: Path,
    fmt: str = "csv",
    dirty: bool = True,
    progress: bool = False,
) -> GenerationSummary:
    """Generate both files plus generation_summary.json in ``out_dir`` and return the summary.

    Everything random comes from numpy generators spawned from ``seed`` (one per stage),
    so the customers file does not change when only the transaction count changes and the
    same arguments always give byte-identical files.
    """
    validate_arguments(customers, transactions, as_of, seed, fmt)
    out_dir = Path(out_dir)
    prepare_out_dir(out_dir)
    run_started = time.perf_counter()
    report = Progress(progress)
    behaviour_rng, customer_rng, transaction_rng, dirt_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(4)
    )

    report.start("customers")
    behaviour = draw_behaviour(customers, behaviour_rng)
    customer_rows = pick_disjoint_rows(customers, dirt_counts(CUSTOMER_DIRT_RATES, customers, dirty), customer_rng)
    move_signups_after_as_of(behaviour, customer_rows["signup_after_as_of"], customer_rng)
    customer_columns = build_customers(behaviour, build_name_pools(seed), as_of, customer_rng)
    customer_columns, customer_dirt = inject_customer_dirt(customer_columns, customer_rows, as_of, customer_rng)
    report.done()

    report.start("transactions")
    transaction_dirt_plan = dirt_counts(TRANSACTION_DIRT_RATES, transactions, dirty)
    clean_rows = transactions - transaction_dirt_plan["exact_duplicate_row"]
    tx = draw_transactions(behaviour, clean_rows, transaction_rng)
    tx, transaction_dirt = inject_transaction_dirt(tx, transaction_dirt_plan, customers, as_of, dirt_rng)
    report.done(f"{len(tx.transaction_id):,} rows")

    report.start("writing")
    files = {"customers": f"customers.{fmt}", "transactions": f"transactions.{fmt}"}
    with duckdb.connect() as con:
        write_customers(con, customer_columns, out_dir / files["customers"], fmt)
        write_transactions(con, tx, as_of, out_dir / files["transactions"], fmt)
    report.done(f"{files['customers']}, {files['transactions']}")

    profile_counts = np.bincount(behaviour.profile, minlength=len(PROFILES))
    summary = GenerationSummary(
        as_of=as_of.isoformat(),
        seed=seed,
        format=fmt,
        dirty_enabled=dirty,
        customers_requested=customers,
        transactions_requested=transactions,
        customers_rows=len(customer_columns["customer_id"]),
        transactions_rows=len(tx.transaction_id),
        files=files,
        dirty={"customers": customer_dirt, "transactions": transaction_dirt},
        profiles={spec.name: int(count) for spec, count in zip(PROFILES, profile_counts)},
    )
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary.to_json_dict(), indent=2) + "\n")
    summary.elapsed_seconds = round(time.perf_counter() - run_started, 2)
    return summary


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def whole_number_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type for whole numbers >= `minimum` (underscores allowed), e.g. counts and seeds."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


non_negative_int = whole_number_at_least(0)


def iso_date(text: str) -> dt.date:
    """argparse type: strict YYYY-MM-DD, the only date format the project uses."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the project's full-size data set."""
    parser = argparse.ArgumentParser(
        description="Generate synthetic customers and transactions for the dbt segmentation project."
    )
    parser.add_argument("--customers", type=non_negative_int, default=50_000, help="distinct customers (default 50000)")
    parser.add_argument(
        "--transactions",
        type=non_negative_int,
        default=13_500_000,
        help="transaction rows, dirty rows included (default 13500000)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=dt.datetime.now(dt.timezone.utc).date(),
        help="as-of date YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="output directory (default data/raw)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="output format (default csv)")
    parser.add_argument("--clean", action="store_true", help="do not inject dirty rows")
    return parser.parse_args(argv)


def format_summary(summary: GenerationSummary, out_dir: Path) -> str:
    """Human-readable end-of-run summary for stdout."""
    lines = [
        f"wrote {out_dir / summary.files['customers']} ({summary.customers_rows:,} rows)",
        f"wrote {out_dir / summary.files['transactions']} ({summary.transactions_rows:,} rows)",
        f"wrote {out_dir / SUMMARY_FILE}",
    ]
    for table, kinds in summary.dirty.items():
        injected = ", ".join(f"{kind}={count:,}" for kind, count in kinds.items() if count)
        lines.append(f"dirty {table}: {injected or 'none'}")
    lines.append(f"as of {summary.as_of}, seed {summary.seed}, {summary.elapsed_seconds:.1f}s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: parse, generate, print the summary; returns the exit code."""
    args = parse_args(argv)
    try:
        summary = generate(
            args.customers,
            args.transactions,
            args.as_of,
            args.seed,
            args.out,
            fmt=args.format,
            dirty=not args.clean,
            progress=True,
        )
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(format_summary(summary, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
