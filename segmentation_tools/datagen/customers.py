"""The customers file's clean columns, drawn from the behaviour and a pool of Faker names."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from faker import Faker

from segmentation_tools.datagen.acquisition import NEVER
from segmentation_tools.datagen.profiles import Behaviour

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
    # optional (docs/rules/raw-input.md), from segmentation_tools/datagen/extras.py
    "loyalty_points",
    "last_login",
    "customer_type",
)
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
ACCOUNT_STATUSES: tuple[str, ...] = ("Active", "Inactive", "Suspended", "Closed")
# The account status follows the hidden state: most customers who stopped closed their account or let it go
# inactive, some left it open; a customer who never paid often has an inactive account.
ACCOUNT_STATUS_SHARES: dict[str, tuple[float, float, float, float]] = {
    "transacting": (0.955, 0.015, 0.03, 0.0),
    "stopped": (0.22, 0.30, 0.03, 0.45),
    "never_paid": (0.50, 0.45, 0.05, 0.0),
}


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


def account_status_codes(behaviour: Behaviour, rng: np.random.Generator) -> np.ndarray:
    """Index into ACCOUNT_STATUSES per customer, drawn by hidden state: transacting, stopped, never paid."""
    state = np.where(behaviour.stopped(), 1, np.where(behaviour.first_day >= NEVER, 2, 0))
    cumulative = np.cumsum(np.array(list(ACCOUNT_STATUS_SHARES.values())), axis=1)[state]
    return (rng.random(len(state))[:, None] >= cumulative[:, :-1]).sum(axis=1)


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
            f"{email_local_part(first)}.{email_local_part(last)}{number}@{host}"
            for first, last, number, host in zip(first_name, last_name, customer_id, domain, strict=True)
        ],
        dtype=object,
    )
    area, exchange, line = rng.integers(201, 990, n), rng.integers(200, 1000, n), rng.integers(0, 10000, n)
    phone = np.array([f"{a:03d}-{e:03d}-{x:04d}" for a, e, x in zip(area, exchange, line, strict=True)], dtype=object)
    # Age at signup 18.3–75 keeps every clean customer inside 18–120 at as_of as well, even
    # the ones whose signup was moved up to 60 days past as_of.
    dob_day = behaviour.signup_day - (rng.uniform(18.3, 75.0, n) * 365.25).astype(np.int32)
    location = rng.integers(0, len(pools.city), n)
    status = account_status_codes(behaviour, rng)
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
