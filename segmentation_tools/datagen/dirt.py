"""Dirty rows: a small, counted share of broken customers and transactions, one kind per row,
so the staging models can prove they reject or repair each kind."""

from __future__ import annotations

import datetime as dt

import numpy as np

from segmentation_tools.datagen.categories import CATEGORIES, EMPTY_CATEGORY_CODE, N_MESSY_VARIANTS
from segmentation_tools.datagen.customers import iso_dates
from segmentation_tools.datagen.profiles import Behaviour
from segmentation_tools.datagen.transactions import Transactions

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


def move_signups_after_as_of(behaviour: Behaviour, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Give these customers a signup date after as_of; done before transactions are
    drawn so they get no transactions (nor anything else) dated before their own signup."""
    behaviour.not_yet_customers(rows, rng.integers(1, 61, len(rows)).astype(np.int32))


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
