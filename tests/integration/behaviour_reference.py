"""An independent reading of docs/rules/behaviour.md (behaviour summary, journey stages, daily segment
performance) and of section 7's behaviour events in plain Python, to check the warehouse against.

It builds on reference.py's cleaning of customers and transactions and shares no code with the dbt
project: each rule is written here from the rules' text, with exact Fraction arithmetic.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from integration import reference

# Section 2's category map: these six are shown with this spelling, any other as trimmed.
CANONICAL_CATEGORIES = {name.lower(): name for name in ("Travel", "Airlines", "Hotels", "Grocery", "Gas", "Utilities")}
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?Z?)?")
STAGES = ("Advocacy", "Retention", "Decision", "Consideration", "Awareness")


@dataclass(frozen=True)
class Event:
    event_id: int
    customer_id: int
    event_type: str
    day: date
    device_type: str | None
    source: str | None


def parse_timestamp(value: str | None) -> datetime | None:
    text = reference._text(value)
    if text is None or not _TIMESTAMP.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text[:19].replace("T", " "))
    except ValueError:
        return None


def events(raw_dir: Path, customers: dict[int, reference.Customer]) -> list[Event]:
    """Section 7: a row with a bad id or timestamp, no type or an unknown customer is rejected; a repeated
    event_id keeps one row (which one does not matter for the sample, whose ids are unique)."""
    kept: dict[int, Event] = {}
    path = raw_dir / "behavior_events.csv"
    if not path.exists():
        return []
    for row in reference._read_rows(path):
        event_id, customer_id = reference.parse_integer(row["event_id"]), reference.parse_integer(row["customer_id"])
        event_type, occurred = reference._text(row["event_type"]), parse_timestamp(row["occurred_at"])
        if event_id is None or customer_id is None or event_type is None or occurred is None:
            continue
        if customer_id not in customers or event_id in kept:
            continue
        kept[event_id] = Event(
            event_id,
            customer_id,
            event_type.lower(),
            occurred.date(),
            reference._text(row.get("device_type")),
            reference._text(row.get("event_category")),
        )
    return list(kept.values())


@dataclass(frozen=True)
class Delivery:
    """One clean row of the campaign log (section 7), as staging keeps it, with its campaign's channel from
    campaigns.yml (None for a campaign the file does not define)."""

    customer_id: int
    test_group: str
    sent_day: date
    delivered: bool
    opened: bool
    clicked: bool
    channel: str | None


def purchase_days(data: reference.CleanInput) -> dict[int, list[date]]:
    """Each customer's days with a positive transaction, sorted."""
    days: dict[int, set[date]] = defaultdict(set)
    for t in data.transactions:
        if t.amount > 0:
            days[t.customer_id].add(t.transaction_date)
    return {cid: sorted(found) for cid, found in days.items()}


def journey_stage(on: date, bought_on: list[date], own_events: list[Event]) -> str:
    """Section 14, first rule that holds; a window of N days runs from on - N to on."""

    def within(types: set[str], days: int) -> bool:
        return any(e.event_type in types and on - timedelta(days=days) <= e.day <= on for e in own_events)

    bought = sum(1 for day in bought_on if day <= on)
    if bought >= 2 and within({"review", "share"}, 90):
        return "Advocacy"
    if bought >= 2:
        return "Retention"
    if bought == 1 or within({"add_to_cart"}, 30):
        return "Decision"
    if within({"product_view", "wishlist"}, 90):
        return "Consideration"
    return "Awareness"


def journey_stages_on(
    on: date, customers_of_date: set[int], bought: dict[int, list[date]], by_customer: dict[int, list[Event]]
) -> dict[int, str]:
    return {cid: journey_stage(on, bought.get(cid, []), by_customer.get(cid, [])) for cid in customers_of_date}


def by_customer(all_events: list[Event]) -> dict[int, list[Event]]:
    grouped: dict[int, list[Event]] = defaultdict(list)
    for e in all_events:
        grouped[e.customer_id].append(e)
    return grouped


def _preferred(counts: dict[str, Fraction] | Counter[str]) -> str | None:
    """The largest, ties by name; None when there is nothing."""
    if not counts:
        return None
    return min(counts, key=lambda name: (-counts[name], name))


def summary(
    as_of: date, customers_of_date: set[int], data: reference.CleanInput, all_events: list[Event]
) -> dict[int, tuple[object, ...]]:
    """customer_behavior_summary as section 14 defines it, in the mart's column order after customer_id."""
    purchases: dict[int, list[reference.Transaction]] = defaultdict(list)
    for t in data.transactions:
        if t.amount > 0 and t.transaction_date <= as_of:
            purchases[t.customer_id].append(t)
    own = by_customer([e for e in all_events if e.day <= as_of])
    rows: dict[int, tuple[object, ...]] = {}
    for cid in customers_of_date:
        bought = purchases.get(cid, [])
        seen = own.get(cid, [])
        types = Counter(e.event_type for e in seen)
        spent = sum((t.amount for t in bought), Decimal("0.00"))
        days = sorted({t.transaction_date for t in bought})
        spend_by_category: dict[str, Fraction] = defaultdict(Fraction)
        for t in bought:
            if t.category is not None and t.transaction_date >= as_of - timedelta(days=365):
                spend_by_category[CANONICAL_CATEGORIES.get(t.category.lower(), t.category)] += Fraction(t.amount)
        rows[cid] = (
            len(seen),
            types["page_view"],
            types["product_view"],
            types["add_to_cart"],
            len(bought),
            spent,
            reference.round_half_away(Fraction(spent) / len(bought)) if bought else None,
            days[0] if days else None,
            days[-1] if days else None,
            (as_of - days[-1]).days if days else None,
            reference.round_half_away(Fraction((days[-1] - days[0]).days, len(days) - 1)) if len(days) > 1 else None,
            _preferred(spend_by_category),
            _preferred(Counter(e.device_type for e in seen if e.device_type is not None)),
            _preferred(Counter(e.source for e in seen if e.source is not None)),
        )
    return rows


def count_share(part: int, whole: int) -> Decimal:
    """part / whole rounded half up to 4 places."""
    return (Decimal((Fraction(part, whole) * 10000 + Fraction(1, 2)).__floor__()) / 10000).quantize(Decimal("0.0001"))


def daily_performance(
    as_of: date,
    segments_by_date: dict[date, dict[int, str]],
    data: reference.CleanInput,
    all_events: list[Event],
    deliveries: list[Delivery],
    days: int = 90,
) -> dict[tuple[date, str], tuple[object, ...]]:
    """segment_daily_performance: (day, segment name) -> member_count, new_customers, active_customers,
    purchases, revenue, avg_order_value, page_views, product_views, add_to_cart, email_open_rate,
    email_click_rate, repeat_purchase_rate. Sections 14 and 16: a customer counts from their signup day, in
    their segment at the latest recorded date on or before the day, else under Unassigned; the email rates
    read the email campaigns' deliveries only."""
    bought = purchase_days(data)
    day_purchases: dict[tuple[int, date], list[Decimal]] = defaultdict(list)
    for t in data.transactions:
        if t.amount > 0:
            day_purchases[(t.customer_id, t.transaction_date)].append(t.amount)
    day_events: dict[tuple[int, date], Counter[str]] = defaultdict(Counter)
    for e in all_events:
        day_events[(e.customer_id, e.day)][e.event_type] += 1
    day_deliveries: dict[tuple[int, date], list[Delivery]] = defaultdict(list)
    for d in deliveries:
        if d.test_group == "treatment" and d.delivered and d.channel == "email":
            day_deliveries[(d.customer_id, d.sent_day)].append(d)
    recorded = sorted(d for d in segments_by_date if d <= as_of)
    names = (
        "High-Value Travelers",
        "Declining",
        "New & Growing",
        "Budget-Conscious",
        "Stable Mid-Spenders",
        "Unassigned",
    )
    rows: dict[tuple[date, str], tuple[object, ...]] = {}
    for offset in range(days - 1, -1, -1):
        day = as_of - timedelta(days=offset)
        latest = max((d for d in recorded if d <= day), default=None)
        members = dict(segments_by_date[latest]) if latest is not None else {}
        for cid, customer in data.customers.items():
            if cid not in members and customer.signup_date <= day:
                members[cid] = "Unassigned"
        for name in names:
            who = [cid for cid, segment in members.items() if segment == name]
            amounts = [a for cid in who for a in day_purchases.get((cid, day), [])]
            active = [cid for cid in who if day_purchases.get((cid, day))]
            repeat = [cid for cid in active if bought[cid][0] < day]
            revenue = sum(amounts, Decimal("0.00"))
            counts: Counter[str] = Counter()
            for cid in who:
                counts.update(day_events.get((cid, day), Counter()))
            delivered = [d for cid in who for d in day_deliveries.get((cid, day), [])]
            opened = sum(1 for d in delivered if d.opened)
            clicked = sum(1 for d in delivered if d.clicked)
            rows[(day, name)] = (
                len(who),
                sum(1 for cid in who if data.customers[cid].signup_date == day),
                len(active),
                len(amounts),
                revenue,
                reference.round_half_away(Fraction(revenue) / len(amounts)) if amounts else None,
                counts["page_view"],
                counts["product_view"],
                counts["add_to_cart"],
                count_share(opened, len(delivered)) if delivered else None,
                count_share(clicked, len(delivered)) if delivered else None,
                count_share(len(repeat), len(active)) if active else None,
            )
    return rows
