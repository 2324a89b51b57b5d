"""The transactions: how many per customer, on which days, in which category, for what amount, drawn
vectorised from the customers' hidden state (docs/data-quality.md#the-demo-world).

A customer's purchase days are spread over their active time measured on the history's rhythm (timeline.py)
scaled per customer-month cell by their decline, so the calendar is only ever held per customer and month.
Each day holds one transaction or a few (card users pay more than once a day); amounts follow the customer's
spending level, onboarding and decline.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from segmentation_tools.datagen.acquisition import NEVER
from segmentation_tools.datagen.attrition import level_at
from segmentation_tools.datagen.categories import category_lookup
from segmentation_tools.datagen.profiles import Behaviour
from segmentation_tools.datagen.timeline import DAYS_PER_MONTH, DAYS_PER_YEAR, HISTORY_START, DayClock

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "amount",
    "merchant_category",
    "product_id",  # optional (docs/rules/raw-input.md), from segmentation_tools/datagen/extras.py
)
# Typical ticket size of one transaction per group relative to "other": flights and
# hotels are big, groceries and fuel are small. The per-customer count mix is derived
# from these so the *amount* share per group still hits the profile's target.
GROUP_TICKET_FACTOR = np.array([2.0, 0.8, 1.0])
REFUND_SHARE = 0.025
AMOUNT_NOISE_SIGMA = 0.35  # lognormal sigma of one amount at the full-size density below
REFERENCE_MONTHLY_TRANSACTIONS = 11.0  # per customer-month at 50,000 customers / 13.5M rows
GOLDEN_RATIO_FRACTION = (5**0.5 - 1) / 2
# A decline cuts spending by its depth: this power of the remaining level through fewer purchase days, the
# rest through smaller amounts.
DECLINE_FREQUENCY_POWER = 0.6
# A month's spending swing (profiles.py) shows half in how often the customer pays, half in how much.
MONTH_EFFECT_FREQUENCY_POWER = 0.5
# Rows are drawn for blocks of whole customers of about this many rows at a time: the arrays of one block stay
# small (memory at ten times the default scale, and the processor's caches).
BLOCK_ROWS = 2_000_000


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
class Cells:
    """Each customer's active time per calendar month (customer-major, ``months`` cells per customer)."""

    months: int
    low: np.ndarray  # int32 (customers, months): first active day in the month (>= high when none)
    high: np.ndarray  # int32: the day after the last active day
    clock_start: np.ndarray  # float64: the day clock's running sum at ``low``
    frequency_level: np.ndarray  # float64: the decline's effect on purchase frequency in the month
    length: np.ndarray  # float64: weighted active days × frequency level, the cell's expected share of purchase days

    def per_customer(self) -> np.ndarray:
        """Weighted active days per customer (their whole active time on the clock, decline included)."""
        return np.asarray(self.length.sum(axis=1))

    def subset(self, start: int, stop: int) -> Cells:
        """The cells of customers [start, stop) (views, not copies)."""
        return Cells(
            self.months,
            self.low[start:stop],
            self.high[start:stop],
            self.clock_start[start:stop],
            self.frequency_level[start:stop],
            self.length[start:stop],
        )


def build_cells(behaviour: Behaviour, clock: DayClock) -> Cells:
    """Cut each customer's active time into calendar months and weigh it by the rhythm and their decline."""
    starts, ends = clock.month_start[:-1][None, :], clock.month_start[1:][None, :]
    low = np.maximum(behaviour.first_day[:, None], starts).astype(np.int32)
    high = np.minimum(behaviour.active_end()[:, None], ends).astype(np.int32)
    weight = clock.weight_between(low, high)
    middle = (low.astype(np.float64) + high) / 2
    level = level_at(
        middle,
        behaviour.decline_day[:, None],
        behaviour.decline_depth[:, None],
        behaviour.decline_ramp_days[:, None],
    )
    frequency_level = level**DECLINE_FREQUENCY_POWER * behaviour.month_effect**MONTH_EFFECT_FREQUENCY_POWER
    clock_start = clock.cumulative[np.clip(low, HISTORY_START, 1) - HISTORY_START]
    return Cells(clock.months, low, high, clock_start, frequency_level, weight * frequency_level)


def rows_per_customer(
    behaviour: Behaviour, cells: Cells, n_rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """Split exactly ``n_rows`` over customers in proportion to their expected transactions, and the scale
    that turned the profiles' purchase rates into the requested total.

    A multinomial makes the total exact, so the requested count needs no tolerance.
    """
    expected = behaviour.purchase_days / DAYS_PER_YEAR * (1 + behaviour.extra_rows) * cells.per_customer()
    if n_rows == 0:
        return np.zeros(len(expected), dtype=np.int64), 0.0
    if expected.sum() <= 0:
        raise ValueError("no customer can transact on or before the as-of date, so no transactions can be drawn")
    return rng.multinomial(n_rows, expected / expected.sum()), n_rows / float(expected.sum())


@dataclasses.dataclass
class PlacedRows:
    """Each row's day and the customer-month cell it falls in (an index into the flattened cells)."""

    day: np.ndarray  # int32
    cell: np.ndarray  # int64


def place_days(
    behaviour: Behaviour,
    cells: Cells,
    clock: DayClock,
    counts: np.ndarray,
    rank: np.ndarray,
    rng: np.random.Generator,
) -> PlacedRows:
    """The day of every row: rows start a new purchase day or share the one before; purchase days fall one in
    each of equal slices of the customer's weighted active time, anywhere in their slice.

    One day per slice keeps a customer's spending regular (their 90-day windows do not swing by chance alone,
    as independent dates would make them) while the marginal density stays exactly the rhythm's, so the
    first and last day of the history look like the days beside them.
    """
    n_rows = len(rank)
    same_day_chance = (behaviour.extra_rows / (1 + behaviour.extra_rows)).astype(np.float32)
    new_day = (rank == 0) | (rng.random(n_rows, dtype=np.float32) >= np.repeat(same_day_chance, counts))
    # the purchase days only; a row that shares its day takes the day of the row that started it
    starters = np.flatnonzero(new_day)
    started_by = np.cumsum(new_day, dtype=np.int32) - 1
    del new_day
    owner_index = np.repeat(np.arange(len(counts), dtype=np.int32), counts)[starters]
    days_of = np.bincount(owner_index, minlength=len(counts))
    first_of = np.cumsum(days_of) - days_of
    day_rank = np.arange(len(starters), dtype=np.int64) - first_of[owner_index]

    # one running sum over every cell, customer by customer: a customer's time is [its first cell's start, its
    # last cell's end), and a position is kept strictly inside it, so no row can fall in a neighbour's cells
    cell_end = np.cumsum(cells.length.ravel())
    cell_start = np.concatenate([[0.0], cell_end[:-1]])
    months = cells.months
    customer_start = cell_start[::months][owner_index] if len(cell_end) else np.zeros(0)
    customer_end = cell_end[months - 1 :: months][owner_index] if len(cell_end) else np.zeros(0)
    slice_at = (day_rank + rng.random(len(starters))) / np.maximum(days_of, 1)[owner_index]
    position = customer_start + slice_at * (customer_end - customer_start)
    np.minimum(position, np.nextafter(customer_end, -np.inf), out=position)
    del slice_at, day_rank, customer_start, customer_end
    # positions ascend (customer by customer, slice by slice), so each cell's rows are one run of them
    rows_before = np.searchsorted(position, cell_end, side="left")
    rows_before[-1:] = len(position)
    cell = np.repeat(np.arange(len(cell_end)), np.diff(rows_before, prepend=0))
    inside = (position - cell_start[cell]) / cells.frequency_level.ravel()[cell]
    del position, cell_start
    day = clock.day_at(cells.clock_start.ravel()[cell] + inside)
    day = np.clip(day, cells.low.ravel()[cell], cells.high.ravel()[cell] - 1).astype(np.int32)
    return PlacedRows(day[started_by], cell[started_by])


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


def pick_groups(
    count_share: np.ndarray,
    counts: np.ndarray,
    rank: np.ndarray,
    travel_pull: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pick each transaction's category group (0 travel, 1 necessities, 2 other).

    A golden-ratio (Weyl) sequence over each customer's ranks instead of independent
    draws: every stretch of a customer's history holds close to their group mix, so a
    30 %-travel customer does not dip below the 25 % rule in one window by luck. Travel's
    share rises and falls with the season (``travel_pull``, per row).
    """
    offset = np.repeat(rng.random(len(counts), dtype=np.float32), counts)
    pick = (rank * np.float32(GOLDEN_RATIO_FRACTION) + offset) % np.float32(1.0)
    travel = np.repeat(count_share[:, 0].astype(np.float32), counts) * travel_pull
    rest = np.repeat((1.0 - count_share[:, 0]).astype(np.float32), counts)
    travel_limit = travel / (travel + rest)
    necessities = np.repeat((count_share[:, 1] / np.maximum(1.0 - count_share[:, 0], 1e-9)).astype(np.float32), counts)
    necessities_limit = travel_limit + (np.float32(1.0) - travel_limit) * necessities
    return (pick >= travel_limit).astype(np.int8) + (pick >= necessities_limit)


def amount_noise_sigma(n_rows: int, customer_months: float) -> float:
    """Per-transaction amount noise, shrunk when customers have few transactions.

    Segments look at 90-day sums, whose relative noise is about sigma / sqrt(count). Scaling
    sigma with sqrt(density) keeps that noise (and so the segment mix) roughly the same for
    a 150k-row test sample as for the full 13.5M rows.
    """
    density = n_rows / customer_months if customer_months > 0 else 0.0
    return AMOUNT_NOISE_SIGMA * min(1.0, (density / REFERENCE_MONTHLY_TRANSACTIONS) ** 0.5)


def amount_levels(behaviour: Behaviour, cells: Cells) -> np.ndarray:
    """Per customer-month cell (flattened), the share of the customer's full ticket size: the onboarding ramp
    times the decline's amount part (at the middle of the cell's active days) times the month's swing."""
    middle = (cells.low.astype(np.float64) + cells.high) / 2
    signup = behaviour.signup_day[:, None].astype(np.float64)
    floor = behaviour.onboarding_floor[:, None]
    onboarding = floor + (1.0 - floor) * np.clip((middle - signup) / behaviour.onboarding_days[:, None], 0.0, 1.0)
    decline = level_at(
        middle,
        behaviour.decline_day[:, None],
        behaviour.decline_depth[:, None],
        behaviour.decline_ramp_days[:, None],
    )
    swing = behaviour.month_effect ** (1 - MONTH_EFFECT_FREQUENCY_POWER)
    return np.asarray(onboarding * decline ** (1 - DECLINE_FREQUENCY_POWER) * swing, dtype=np.float32).ravel()


def draw_amounts(
    behaviour: Behaviour,
    cells: Cells,
    counts: np.ndarray,
    placed: PlacedRows,
    group: np.ndarray,
    sigma: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Purchase amounts in cents: spend level × ticket size × onboarding and decline × noise (refunds come after).

    The per-customer unit is derived from the customer's *actual* row count, so spend levels (and therefore
    segments) do not depend on how many transactions were requested.
    """
    weighted_days = cells.per_customer()
    mean_ticket = group_count_shares(behaviour) @ GROUP_TICKET_FACTOR
    unit_cents = behaviour.monthly_spend / DAYS_PER_MONTH * weighted_days / np.maximum(counts, 1) / mean_ticket * 100
    amount = np.repeat(unit_cents.astype(np.float32), counts) * GROUP_TICKET_FACTOR.astype(np.float32)[group]
    amount *= amount_levels(behaviour, cells)[placed.cell]
    noise = np.float32(sigma)
    amount *= np.exp(noise * rng.standard_normal(len(group), dtype=np.float32) - noise * noise / 2)
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


@dataclasses.dataclass
class DrawnTransactions:
    """The clean transactions, the scale that fitted the purchase rates to the requested row count, and each
    customer's last transaction day (NEVER for a customer without one)."""

    tx: Transactions
    rate_scale: float
    last_day: np.ndarray  # int64 per customer


def customer_blocks(counts: np.ndarray, block_rows: int = BLOCK_ROWS) -> list[tuple[int, int]]:
    """Consecutive ranges [start, stop) of customers holding about ``block_rows`` rows each (whole customers)."""
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    cuts = np.searchsorted(ends, np.arange(block_rows, total, block_rows), side="right")
    bounds = np.unique(np.r_[0, cuts, len(counts)])
    return [(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds)]


def draw_transactions(
    behaviour: Behaviour, clock: DayClock, n_rows: int, rng: np.random.Generator
) -> DrawnTransactions:
    """Draw exactly ``n_rows`` clean transactions from the customers' hidden state, vectorised.

    Rows are then sorted by date and numbered in that order, like a real transaction log.
    Work is done per customer and expanded with ``np.repeat`` (cheaper than gathers), in
    float32 where cent precision allows, a block of customers at a time, because this is
    the hot path at 13.5M rows.
    """
    cells = build_cells(behaviour, clock)
    counts, scale = rows_per_customer(behaviour, cells, n_rows, rng)
    owner = np.repeat(np.arange(1, len(counts) + 1, dtype=np.int32), counts)
    first_row = np.cumsum(counts) - counts
    rank = np.arange(n_rows, dtype=np.int32) - np.repeat(first_row.astype(np.int32), counts)
    sigma = amount_noise_sigma(n_rows, float(cells.per_customer().sum()) / DAYS_PER_MONTH)

    day = np.empty(n_rows, dtype=np.int32)
    cents = np.empty(n_rows, dtype=np.int64)
    category = np.empty(n_rows, dtype=np.int16)
    lookup = category_lookup()
    for lo, hi in customer_blocks(counts):
        rows = slice(int(first_row[lo]), int(first_row[hi - 1] + counts[hi - 1]))
        people, their_cells, their_counts, their_rank = (
            behaviour.subset(lo, hi),
            cells.subset(lo, hi),
            counts[lo:hi],
            rank[rows],
        )
        placed = place_days(people, their_cells, clock, their_counts, their_rank, rng)
        travel_pull = clock.travel_factor[placed.day - HISTORY_START]
        group = pick_groups(group_count_shares(people), their_counts, their_rank.astype(np.float32), travel_pull, rng)
        category[rows] = lookup[group, rng.integers(0, 100, len(group), dtype=np.int8)]
        cents[rows] = draw_amounts(people, their_cells, their_counts, placed, group, sigma, rng)
        day[rows] = placed.day
        add_refunds(their_rank, day[rows], cents[rows], category[rows], rng)

    # a customer's rows are in day order, so their last row holds their last day
    last_day = np.full(len(counts), NEVER, dtype=np.int64)
    last_day[counts > 0] = day[(np.cumsum(counts) - 1)[counts > 0]]

    # int16 + stable sort uses numpy's radix sort: linear time on 13.5M rows.
    order = np.argsort(day.astype(np.int16), kind="stable")
    tx = Transactions(
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
    return DrawnTransactions(tx, scale, last_day)
