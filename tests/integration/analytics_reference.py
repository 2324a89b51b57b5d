"""An independent reading of segment_analytics (docs/rules/service.md) in plain Python, to check the mart row by row.

It reads the rows the mart is built from (the membership store, the clean transactions of known customers, the
lifetime values, the campaigns, their deliveries and their rates) and computes every figure with exact Fractions,
rounding as docs/service.md says: counts' ratios half up to 4 decimals, money half away from zero to the cent,
revenue_contribution half away from zero to 4 decimals. It shares no SQL with the model.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

WINDOW_DAYS = 90

Query = Callable[[str], list[tuple[Any, ...]]]


def round_fraction(value: Fraction, places: int) -> Decimal:
    """Half away from zero (half up for the non-negative ratios of counts), exactly."""
    scaled = abs(value) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def mean(values: Iterable[Any], places: int) -> Decimal | None:
    present = [Decimal(str(value)) for value in values if value is not None]
    if not present:
        return None
    total = sum(present, Decimal(0))
    return (total / len(present)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Inputs:
    memberships: dict[dt.date, dict[str, set[int]]]  # date -> segment -> members
    segments: list[tuple[str, str, str]]  # id, name, type
    transactions: list[tuple[int, dt.date, Decimal]]
    lifetime_values: dict[tuple[dt.date, int], tuple[Any, Any]]  # (date, customer) -> (ltv 1y, churn)
    campaign_segments: dict[str, str]
    first_sends: dict[str, dt.date]
    rates: dict[str, tuple[Any, Any, Any]]  # campaign -> open, click, conversion


def read_inputs(query: Query) -> Inputs:
    memberships: dict[dt.date, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for as_of_date, segment_id, customer_id in query(
        "select as_of_date, segment_id, customer_id from main.segment_membership_snapshots"
    ):
        memberships[as_of_date][segment_id].add(customer_id)
    sends: dict[str, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for campaign_id, test_group, sent_at in query(
        "select campaign_id, test_group, sent_at from intermediate.int_campaign_deliveries_matched"
        " where sent_at is not null"
    ):
        sends[campaign_id].append((test_group, sent_at))
    first_sends = {}
    for campaign_id, rows in sends.items():
        treatment = [sent_at for group, sent_at in rows if group == "treatment"]
        first_sends[campaign_id] = min(treatment or [sent_at for _, sent_at in rows]).date()
    return Inputs(
        memberships=memberships,
        segments=query("select segment_id, segment_name, segment_type from main.segments"),
        transactions=[
            (customer_id, day, Decimal(amount))
            for customer_id, day, amount in query(
                "select customer_id, transaction_date, amount from intermediate.int_transactions_matched"
            )
        ],
        lifetime_values={
            (as_of_date, customer_id): (ltv, churn)
            for customer_id, as_of_date, ltv, churn in query(
                "select customer_id, as_of_date, predicted_ltv_1year, churn_probability"
                " from main.customer_lifetime_value"
            )
        },
        campaign_segments={
            campaign_id: segment_id
            for campaign_id, segment_id in query("select campaign_id, segment_id from main.campaigns")
            if segment_id is not None
        },
        first_sends=first_sends,
        rates={
            row[0]: row[1:]
            for row in query(
                "select campaign_id, open_rate, click_rate, conversion_rate from main.campaign_performance"
            )
        },
    )


def expected_rows(inputs: Inputs) -> dict[tuple[str, dt.date], dict[str, Any]]:
    dates = sorted(inputs.memberships)
    rows: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for index, day in enumerate(dates):
        start = day - dt.timedelta(days=WINDOW_DAYS)
        revenue: dict[int, Decimal] = defaultdict(Decimal)
        purchase_days: dict[int, set[dt.date]] = defaultdict(set)
        for customer_id, transaction_date, amount in inputs.transactions:
            if start <= transaction_date <= day:
                revenue[customer_id] += amount
                if amount > 0:
                    purchase_days[customer_id].add(transaction_date)
        everyone = sum(revenue.values(), Decimal(0))
        previous = inputs.memberships[dates[index - 1]] if index else None
        for segment_id, segment_name, segment_type in inputs.segments:
            members = inputs.memberships[day].get(segment_id, set())
            total = sum((revenue.get(member, Decimal(0)) for member in members), Decimal(0))
            days = sum(len(purchase_days.get(member, ())) for member in members)
            before = previous.get(segment_id, set()) if previous is not None else set()
            values = [inputs.lifetime_values.get((day, member), (None, None)) for member in members]
            campaigns = [
                campaign_id
                for campaign_id, segment in inputs.campaign_segments.items()
                if segment == segment_id
                and campaign_id in inputs.first_sends
                and start <= inputs.first_sends[campaign_id] <= day
            ]
            rates = [inputs.rates.get(campaign_id, (None, None, None)) for campaign_id in campaigns]
            rows[(segment_id, day)] = {
                "segment_name": segment_name,
                "segment_type": segment_type,
                "total_customers": len(members),
                "active_customers": sum(1 for member in members if purchase_days.get(member)),
                "growth_rate": round_fraction(Fraction(len(members), len(before)), 4) - 1 if before else None,
                "total_revenue": total,
                "average_revenue_per_customer": (
                    round_fraction(Fraction(total) / len(members), 2) if members else None
                ),
                "revenue_contribution": round_fraction(Fraction(total) / Fraction(everyone), 4) if everyone else None,
                "average_order_frequency": round_fraction(Fraction(days, len(members)), 4) if members else None,
                "average_predicted_ltv_1year": mean((ltv for ltv, _ in values), 2),
                "average_churn_probability": mean((churn for _, churn in values), 4),
                "retention_rate": round_fraction(Fraction(len(members & before), len(before)), 4) if before else None,
                "campaigns_sent": len(campaigns),
                "open_rate": mean((rate[0] for rate in rates), 4),
                "click_rate": mean((rate[1] for rate in rates), 4),
                "conversion_rate": mean((rate[2] for rate in rates), 4),
            }
    return rows
