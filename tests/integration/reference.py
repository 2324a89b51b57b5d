"""An independent reading of the segmentation spec in plain Python, to check the warehouse against.

It shares no code with the dbt project: it reads the raw CSV files with the csv module, cleans
them per docs/rules/cleaning.md, and computes every metric of sections 3-5 with exact Decimal and
Fraction arithmetic, writing each rule in the rules' own multiplication form. Slow (a Python
loop per row), so only for the small test data.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

TRAVEL = {"travel", "airlines", "hotels"}
NECESSITIES = {"grocery", "gas", "utilities"}
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 16  # decimal(18,2)

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)")


def _text(value: str | None) -> str | None:
    """Trimmed text, or None for an empty field (the rules' null)."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def parse_integer(value: str | None) -> int | None:
    text = _text(value)
    return int(text) if text is not None and _INTEGER.fullmatch(text) else None


def parse_date(value: str | None) -> date | None:
    text = _text(value)
    if text is None or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_money(value: str | None) -> Decimal | None:
    text = _text(value)
    if text is None or not _DECIMAL.fullmatch(text):
        return None
    try:
        amount = Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return amount if abs(amount) < MONEY_LIMIT else None


def round_half_away(value: Fraction) -> Decimal:
    """Round an exact ratio to 2 decimals, ties away from zero."""
    hundredths = abs(value) * 100
    rounded = math.floor(hundredths + Fraction(1, 2))
    sign = -1 if value < 0 else 1
    return (Decimal(sign * rounded) / 100).quantize(CENT)


def complete_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


@dataclass
class Customer:
    customer_id: int
    signup_date: date


@dataclass
class Transaction:
    transaction_id: int
    customer_id: int
    transaction_date: date
    amount: Decimal
    category: str | None


@dataclass
class CustomerResult:
    customer_id: int
    segment: str
    spend_last_90_days: Decimal
    spend_prior_90_days: Decimal
    spend_change_pct: Decimal | None
    avg_monthly_spend: Decimal
    travel_spend_pct: Decimal | None
    necessities_spend_pct: Decimal | None
    tenure_months: int
    lifetime_value: Decimal
    recency_days: int | None
    frequency_365d: int
    monetary_365d: Decimal
    r_score: int = 0
    f_score: int = 0
    m_score: int = 0


@dataclass
class CleanInput:
    customers: dict[int, Customer]
    transactions: list[Transaction]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # entity -> data_quality_report measure -> rows


def _read_rows(path: Path) -> list[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]


def _none_last(value: object) -> tuple[bool, object]:
    """Sort key placing None after every value (SQL's default ascending order)."""
    return (value is None, value if value is not None else 0)


def clean(raw_dir: Path) -> CleanInput:
    """docs/rules/cleaning.md: typed rows, rejects, and one kept row per id (chosen by content)."""
    counts: dict[str, dict[str, int]] = {}

    customer_rows = _read_rows(raw_dir / "customers.csv")
    usable: dict[int, list[tuple[date, tuple[object, ...]]]] = defaultdict(list)
    rejected = 0
    profile_fields = (
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
        "account_status",
    )
    for row in customer_rows:
        customer_id, signup = parse_integer(row["customer_id"]), parse_date(row["signup_date"])
        if customer_id is None or signup is None:
            rejected += 1
            continue
        usable[customer_id].append((signup, tuple(_none_last(row[f]) for f in profile_fields)))
    customers = {cid: Customer(cid, min(versions)[0]) for cid, versions in usable.items()}
    counts["customers"] = {
        "raw_rows": len(customer_rows),
        "clean_rows": len(customers),
        "rejected_rows": rejected,
        "duplicate_rows": sum(len(v) - 1 for v in usable.values()),
    }

    transaction_rows = _read_rows(raw_dir / "transactions.csv")
    candidates: dict[int, list[Transaction]] = defaultdict(list)
    rejected = 0
    for row in transaction_rows:
        transaction_id = parse_integer(row["transaction_id"])
        customer_id = parse_integer(row["customer_id"])
        when = parse_date(row["transaction_date"])
        amount = parse_money(row["amount"])
        if (
            transaction_id is None
            or customer_id is None
            or when is None
            or amount is None
            or customer_id not in customers
        ):
            rejected += 1
            continue
        candidates[transaction_id].append(
            Transaction(transaction_id, customer_id, when, amount, _text(row["merchant_category"]))
        )
    transactions = [
        min(
            copies,
            key=lambda t: (t.transaction_date, t.amount, t.customer_id, t.category is not None, t.category or ""),
        )
        for copies in candidates.values()
    ]
    counts["transactions"] = {
        "raw_rows": len(transaction_rows),
        "clean_rows": len(transactions),
        "rejected_rows": rejected,
        "duplicate_rows": sum(len(v) - 1 for v in candidates.values()),
    }
    return CleanInput(customers, transactions, counts)


def segment_of(last: Decimal, prior: Decimal, travel: Decimal, necessities: Decimal, tenure: int) -> str:
    """docs/rules/segments.md, in its own words and order."""
    if last >= 15000 and travel * 4 >= last:
        return "High-Value Travelers"
    if prior >= 2000 and last * 10 <= prior * 7:
        return "Declining"
    if tenure <= 6 and last > 0 and last * 2 >= prior * 3:
        return "New & Growing"
    if 0 < last < 4500 and necessities * 5 >= last * 3:
        return "Budget-Conscious"
    return "Stable Mid-Spenders"


V = TypeVar("V")
Key = TypeVar("Key", int, Decimal)  # what a score ranks by: days, a count or an amount


def _tie_safe_scores(values: dict[int, V], worst_first_key: Callable[[V], Key]) -> dict[int, int]:
    """ceil(5 * cume_dist) with cume_dist = share of customers ranked at or below, counting ties."""
    ordered = sorted(worst_first_key(v) for v in values.values())
    n = len(ordered)
    scores = {}
    for customer_id, value in values.items():
        key = worst_first_key(value)
        at_or_below = bisect.bisect_right(ordered, key)
        scores[customer_id] = math.ceil(Fraction(5 * at_or_below, n))
    return scores


def compute(raw_dir: Path, as_of: date, data: CleanInput | None = None) -> dict[int, CustomerResult]:
    """Every customer of the run, as of `as_of`, keyed by customer_id (`data`: the files already cleaned)."""
    data = data or clean(raw_dir)
    base = {cid: c for cid, c in data.customers.items() if c.signup_date <= as_of}
    by_customer: dict[int, list[Transaction]] = defaultdict(list)
    for t in data.transactions:
        if t.customer_id in base and t.transaction_date <= as_of:
            by_customer[t.customer_id].append(t)

    def in_days(t: Transaction, newest: int, oldest: int) -> bool:
        return as_of - timedelta(days=oldest) <= t.transaction_date <= as_of - timedelta(days=newest)

    results: dict[int, CustomerResult] = {}
    for cid, customer in base.items():
        txns = by_customer.get(cid, [])
        current = [t for t in txns if in_days(t, 0, 90)]
        prior_txns = [t for t in txns if in_days(t, 91, 180)]
        year = [t for t in txns if in_days(t, 0, 365)]
        last = sum((t.amount for t in current), Decimal("0.00"))
        prior = sum((t.amount for t in prior_txns), Decimal("0.00"))

        def group(t: Transaction) -> str:
            return (t.category or "").lower()

        travel = sum((t.amount for t in current if group(t) in TRAVEL), Decimal("0.00"))
        necessities = sum((t.amount for t in current if group(t) in NECESSITIES), Decimal("0.00"))
        tenure = complete_months(customer.signup_date, as_of)
        purchases = [t.transaction_date for t in txns if t.amount > 0]
        results[cid] = CustomerResult(
            customer_id=cid,
            segment=segment_of(last, prior, travel, necessities, tenure),
            spend_last_90_days=last,
            spend_prior_90_days=prior,
            spend_change_pct=round_half_away(Fraction(last - prior) / Fraction(prior) * 100) if prior != 0 else None,
            avg_monthly_spend=round_half_away(Fraction(last) / 3),
            travel_spend_pct=round_half_away(Fraction(travel) / Fraction(last) * 100) if last > 0 else None,
            necessities_spend_pct=round_half_away(Fraction(necessities) / Fraction(last) * 100) if last > 0 else None,
            tenure_months=tenure,
            lifetime_value=sum((t.amount for t in txns), Decimal("0.00")),
            recency_days=(as_of - max(purchases)).days if purchases else None,
            frequency_365d=sum(1 for t in year if t.amount > 0),
            monetary_365d=sum((t.amount for t in year), Decimal("0.00")),
        )

    # Worst to best: recency most days first with no purchase worst; frequency, monetary smallest first.
    never = 10**9
    recency = _tie_safe_scores({c: r.recency_days for c, r in results.items()}, lambda d: -(never if d is None else d))
    frequency = _tie_safe_scores({c: r.frequency_365d for c, r in results.items()}, lambda f: f)
    monetary = _tie_safe_scores({c: r.monetary_365d for c, r in results.items()}, lambda m: m)
    for cid, result in results.items():
        result.r_score, result.f_score, result.m_score = recency[cid], frequency[cid], monetary[cid]
    return results


def segment_counts(results: Iterable[CustomerResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.segment] += 1
    return dict(counts)
