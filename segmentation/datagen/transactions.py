"""The transactions: how many per customer, on which days, in which category, for what amount,
drawn vectorised from the customers' behaviour."""

from __future__ import annotations

import dataclasses

import numpy as np

from segmentation.datagen.categories import category_lookup
from segmentation.datagen.profiles import Behaviour, active_days_of, first_active_day

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "amount",
    "merchant_category",
    "product_id",  # optional (spec section 7), from segmentation/datagen/extras.py
)
# Typical ticket size of one transaction per group relative to "other": flights and
# hotels are big, groceries and fuel are small. The per-customer count mix is derived
# from these so the *amount* share per group still hits the profile's target.
GROUP_TICKET_FACTOR = np.array([2.0, 0.8, 1.0])
DAYS_PER_MONTH = 365.25 / 12
REFUND_SHARE = 0.025
AMOUNT_NOISE_SIGMA = 0.35  # lognormal sigma of one amount at the full-size density below
REFERENCE_MONTHLY_TRANSACTIONS = 11.0  # per customer-month at 50,000 customers / 13.5M rows
GOLDEN_RATIO_FRACTION = (5**0.5 - 1) / 2


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
    """Purchase amounts in cents: spend level × ticket size × trend × noise (refunds come after).

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
    return np.maximum(np.rint(amount), 1).astype(np.int64)


def add_refunds(
    rank: np.ndarray, day: np.ndarray, cents: np.ndarray, category: np.ndarray, rng: np.random.Generator
) -> None:
    """Turn about REFUND_SHARE of the rows into refunds of the same customer's purchase just before them.

    Rows are grouped by customer in rank order, so row i - 1 of a row with rank > 0 is the same
    customer's previous purchase. A refund is dated on or after that purchase, in its category, for
    15-100 % of its amount: mostly partial returns, since full-size ones would swing small 90-day sums.
    A customer's first row and a row right after a drawn refund are never refunds, so every refund
    follows a purchase of its own and no purchase is refunded twice.
    """
    drawn = rng.random(len(day), dtype=np.float32) < REFUND_SHARE
    after_drawn = np.zeros_like(drawn)
    after_drawn[1:] = drawn[:-1]
    refunds = np.flatnonzero(drawn & (rank > 0) & ~after_drawn)
    purchases = refunds - 1
    refund_share = rng.uniform(0.15, 1.0, len(refunds))
    cents[refunds] = -np.maximum(np.rint(cents[purchases] * refund_share), 1).astype(np.int64)
    day[refunds] = np.maximum(day[refunds], day[purchases])
    category[refunds] = category[purchases]


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
    add_refunds(rank, day, cents, category, rng)

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
