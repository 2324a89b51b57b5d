"""An independent reading of docs/rules/cohorts.md (cohort retention), 13 (the lifetime-value inputs) and 16 (the
holdout
split and its scoring) in plain Python, from the raw files as reference.py cleans them (docs/rules/cleaning.md), with
exact
Decimal and Fraction arithmetic where money is concerned. Shares no code with the dbt project or segmentation/clv."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from integration.reference import CleanInput, round_half_away


@dataclass(frozen=True)
class PurchaseInputs:
    frequency: int
    recency: int
    t: int
    monetary_value: Decimal | None


@dataclass(frozen=True)
class RetentionRow:
    cohort_month: date
    months_since_signup: int
    period_month: date
    cohort_size: int
    active_customers: int | None
    retention_rate: Decimal | None
    revenue: Decimal | None
    cumulative_revenue_per_customer: Decimal | None
    is_complete: bool
    is_observed: bool


def purchase_inputs(data: CleanInput, as_of: date) -> dict[int, PurchaseInputs]:
    """Section 13: per customer with a positive transaction on or before `as_of`, on purchase days (dates with a
    positive amount, valued at the day's positive amounts)."""
    days: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for transaction in data.transactions:
        if (
            transaction.customer_id in data.customers
            and transaction.amount > 0
            and transaction.transaction_date <= as_of
        ):
            days[transaction.customer_id][transaction.transaction_date] += transaction.amount
    result = {}
    for customer_id, values in days.items():
        ordered = sorted(values)
        repeat = ordered[1:]
        monetary = (
            round_half_away(Fraction(sum((values[day] for day in repeat), Decimal(0))) / len(repeat))
            if repeat
            else None
        )
        result[customer_id] = PurchaseInputs(
            frequency=len(repeat),
            recency=(ordered[-1] - ordered[0]).days,
            t=(as_of - ordered[0]).days,
            monetary_value=monetary,
        )
    return result


@dataclass(frozen=True)
class CalibrationInputs:
    calibration_end_date: date
    inputs: PurchaseInputs
    holdout_purchase_days: int


def calibration_inputs(data: CleanInput, as_of: date, holdout_days: int) -> dict[int, CalibrationInputs]:
    """Section 16: the inputs as of A − holdout_days for every customer with a purchase day by then, and its purchase
    days after that, up to A. Empty when no purchase day falls in the calibration period."""
    end = as_of - timedelta(days=holdout_days)
    days: dict[int, set[date]] = defaultdict(set)
    for transaction in data.transactions:
        if transaction.customer_id in data.customers and transaction.amount > 0:
            days[transaction.customer_id].add(transaction.transaction_date)
    calibrated = purchase_inputs(data, end)
    return {
        customer_id: CalibrationInputs(end, inputs, sum(1 for day in days[customer_id] if end < day <= as_of))
        for customer_id, inputs in calibrated.items()
    }


@dataclass(frozen=True)
class HoldoutRow:
    decile: int | None
    customers: int
    predicted_purchases: float
    actual_purchases: float
    mean_absolute_error: float | None = None
    bias_ratio: float | None = None
    alive_auc: float | None = None


def holdout_rows(
    predicted: dict[int, float], actual: dict[int, int], probability_alive: dict[int, float]
) -> list[HoldoutRow]:
    """Section 16's table: customers in order of (prediction, id), ten groups by position (the i-th of n, from 0,
    in group 10·i // n + 1), their mean predicted and actual purchase days; then the overall row, the area under
    the ROC curve counted over every pair of a buyer and a non-buyer (a tie counts one half)."""
    ordered = sorted(predicted, key=lambda customer_id: (predicted[customer_id], customer_id))
    groups: dict[int, list[int]] = defaultdict(list)
    for position, customer_id in enumerate(ordered):
        groups[10 * position // len(ordered) + 1].append(customer_id)
    rows = [
        HoldoutRow(
            decile,
            len(members),
            sum(predicted[c] for c in members) / len(members),
            sum(actual[c] for c in members) / len(members),
        )
        for decile, members in sorted(groups.items())
    ]
    buyers = [probability_alive[c] for c in ordered if actual[c] > 0]
    others = [probability_alive[c] for c in ordered if actual[c] == 0]
    won = sum(1.0 if b > o else 0.5 if b == o else 0.0 for b in buyers for o in others)
    total_actual = sum(actual.values())
    rows.append(
        HoldoutRow(
            None,
            len(ordered),
            sum(predicted.values()) / len(ordered),
            total_actual / len(ordered),
            sum(abs(predicted[c] - actual[c]) for c in ordered) / len(ordered),
            sum(predicted.values()) / total_actual if total_actual else None,
            won / (len(buyers) * len(others)) if buyers and others else None,
        )
    )
    return rows


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def round_rate(value: Fraction) -> Decimal:
    """A ratio of counts to 4 places, ties away from zero (both are non-negative)."""
    return Decimal(math.floor(value * 10_000 + Fraction(1, 2))) / 10_000


def cohort_retention(data: CleanInput, as_of: date) -> dict[tuple[date, int], RetentionRow]:
    """Section 12: every monthly signup cohort (signup on or before `as_of`) and month offset up to the month of
    `as_of`, from the transactions on or before `as_of`. Section 16: a month before the first month with any
    transaction is unobserved, its counts, rate and revenue unknown (None), and the cumulative revenue starts with
    the first observed month."""
    members: dict[int, int] = {
        customer.customer_id: _month_number(customer.signup_date)
        for customer in data.customers.values()
        if customer.signup_date <= as_of
    }
    sizes: dict[int, int] = defaultdict(int)
    for month in members.values():
        sizes[month] += 1
    active: dict[tuple[int, int], set[int]] = defaultdict(set)
    revenue: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for transaction in data.transactions:
        cohort = members.get(transaction.customer_id)
        if cohort is None or transaction.transaction_date > as_of:
            continue
        offset = _month_number(transaction.transaction_date) - cohort
        if offset < 0:
            continue
        revenue[(cohort, offset)] += transaction.amount
        if transaction.amount > 0:
            active[(cohort, offset)].add(transaction.customer_id)
    as_of_month = _month_number(as_of)
    month_of_as_of_complete = (as_of + timedelta(days=1)).month != as_of.month
    dated = [t.transaction_date for t in data.transactions if t.transaction_date <= as_of]
    history_starts = _month_number(min(dated)) if dated else as_of_month + 1
    rows = {}
    for cohort, size in sizes.items():
        cumulative = Decimal(0)
        for offset in range(as_of_month - cohort + 1):
            period = cohort + offset
            observed = period >= history_starts
            cumulative += revenue[(cohort, offset)]
            rows[(_month_start(cohort), offset)] = RetentionRow(
                cohort_month=_month_start(cohort),
                months_since_signup=offset,
                period_month=_month_start(period),
                cohort_size=size,
                active_customers=len(active[(cohort, offset)]) if observed else None,
                retention_rate=round_rate(Fraction(len(active[(cohort, offset)]), size)) if observed else None,
                revenue=revenue[(cohort, offset)] if observed else None,
                cumulative_revenue_per_customer=round_half_away(Fraction(cumulative) / size) if observed else None,
                is_complete=period < as_of_month or (period == as_of_month and month_of_as_of_complete),
                is_observed=observed,
            )
    return rows
