"""An independent reading of the campaign rules (docs/marketing.md; docs/rules/campaigns.md and
docs/rules/lifetime-value.md) in plain Python, to
check the warehouse against: who may be contacted at the end of a day (the preference version in force then,
suppressions from their added_at, the account status), and how a campaign is measured by intention to treat (its
members as selected, each member's conversion window, the campaign's own conversion), with the interval and the
test taken from statsmodels. It shares no code with the dbt project: each rule is written here from the docs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}
WINDOW_DAYS = 14


def flag(text: str | None) -> bool | None:
    """A boolean of the files: true/false/1/0/yes/no in any case, anything else unknown."""
    value = (text or "").strip().lower()
    return True if value in TRUE else False if value in FALSE else None


@dataclass(frozen=True)
class Preference:
    customer_id: int
    channel: str
    marketing_consent: bool | None
    notification_enabled: bool | None
    updated_at: dt.datetime | None


def grants(preference: Preference) -> tuple[int, int]:
    """How much a row grants, for picking among copies of one version: less first."""

    def rank(value: bool | None) -> int:
        return 0 if value is False else 1 if value is None else 2

    return rank(preference.marketing_consent), rank(preference.notification_enabled)


def in_force_on(preferences: Iterable[Preference], customer_id: int, channel: str, day: dt.date) -> Preference | None:
    """The version in force at the end of `day`: the latest updated_at on or before it (a missing one is the oldest);
    of several rows with that updated_at, the one granting less."""
    candidates = [
        p
        for p in preferences
        if p.customer_id == customer_id
        and p.channel == channel
        and (p.updated_at is None or p.updated_at.date() <= day)
    ]
    if not candidates:
        return None
    latest = max(candidates, key=lambda p: p.updated_at or dt.datetime.min)
    copies = [p for p in candidates if p.updated_at == latest.updated_at]
    return min(copies, key=grants)


@dataclass(frozen=True)
class Customer:
    customer_id: int
    email: str | None
    phone: str | None
    account_status: str
    signup_date: dt.date


def contactable_on(
    customer: Customer,
    channel: str,
    day: dt.date,
    preferences: Iterable[Preference],
    suppressed_since: dict[int, dt.datetime | None],
    emails_shared: set[str],
) -> bool:
    """Section 11's rule with what held at the end of `day`."""
    preference = in_force_on(preferences, customer.customer_id, channel, day)
    if preference is None or preference.marketing_consent is not True or preference.notification_enabled is False:
        return False
    if customer.account_status != "Active":
        return False
    if customer.customer_id in suppressed_since:
        added = suppressed_since[customer.customer_id]
        if added is None or added.date() <= day:
            return False
    if channel == "email":
        return customer.email is not None and "@" in customer.email and customer.email.lower() not in emails_shared
    if channel in ("sms", "phone"):
        return bool(customer.phone)
    return True


def holdout_bucket(campaign_id: str, customer_id: int) -> int:
    """docs/marketing.md's split: md5 of `campaign_id:customer_id`, its first 8 hex digits, mod 10000."""
    return int(hashlib.md5(f"{campaign_id}:{customer_id}".encode()).hexdigest()[:8], 16) % 10000


def group_of(campaign_id: str, customer_id: int, holdout_pct: float) -> str:
    return "holdout" if holdout_bucket(campaign_id, customer_id) < holdout_pct * 100 else "treatment"


@dataclass(frozen=True)
class Delivery:
    customer_id: int
    test_group: str
    sent_at: dt.datetime


@dataclass(frozen=True)
class Purchase:
    day: dt.date
    amount: Decimal
    category: str | None


@dataclass
class Measured:
    treatment_size: int = 0
    holdout_size: int = 0
    treatment_conversions: int | None = None
    holdout_conversions: int | None = None
    treatment_revenue: Decimal = Decimal(0)
    holdout_revenue: Decimal = Decimal(0)
    off_audience_deliveries: int = 0
    converted: set[int] = field(default_factory=set)

    def lift(self) -> float | None:
        if self.treatment_conversions is None or self.holdout_conversions is None:
            return None
        if not self.treatment_size or not self.holdout_size:
            return None
        return self.treatment_conversions / self.treatment_size - self.holdout_conversions / self.holdout_size

    def interval(self) -> tuple[float, float]:
        assert self.treatment_conversions is not None and self.holdout_conversions is not None
        low, high = confint_proportions_2indep(
            self.treatment_conversions, self.treatment_size, self.holdout_conversions, self.holdout_size, "newcomb"
        )
        return float(low), float(high)

    def p_value(self) -> float:
        assert self.treatment_conversions is not None and self.holdout_conversions is not None
        converted = self.treatment_conversions + self.holdout_conversions
        if converted in (0, self.treatment_size + self.holdout_size):
            return 1.0
        _, p_value = proportions_ztest(
            [self.treatment_conversions, self.holdout_conversions], [self.treatment_size, self.holdout_size]
        )
        return float(p_value)


def converts(
    purchases: Iterable[Purchase],
    start: dt.date,
    as_of: dt.date,
    categories: Iterable[str] | None,
    min_amount: Decimal | None,
) -> bool:
    """A positive transaction in the window (after the start day, up to 14 days after it, on or before A), in one of
    the categories (trimmed, any case) when named, of at least min_amount when named."""
    wanted = None if categories is None else {c.strip().lower() for c in categories}
    return any(
        start < p.day <= start + dt.timedelta(days=WINDOW_DAYS)
        and p.day <= as_of
        and p.amount > 0
        and (wanted is None or (p.category or "").strip().lower() in wanted)
        and (min_amount is None or p.amount >= min_amount)
        for p in purchases
    )


def window_revenue(purchases: Iterable[Purchase], start: dt.date, as_of: dt.date) -> Decimal:
    return sum(
        (p.amount for p in purchases if start < p.day <= start + dt.timedelta(days=WINDOW_DAYS) and p.day <= as_of),
        Decimal(0),
    )


def measure(
    audience: dict[int, str] | None,
    deliveries: list[Delivery],
    purchases: dict[int, list[Purchase]],
    as_of: dt.date,
    categories: Iterable[str] | None = None,
    min_amount: Decimal | None = None,
) -> Measured:
    """A campaign by intention to treat: the frozen audience's members in their groups (or, without one, the log's);
    a treatment member's window from their own send (from the first send without a log row), the holdout's from the
    first send; nothing is known before a send."""
    sent = {d.customer_id: d for d in deliveries}
    if audience is None:
        members = {d.customer_id: d.test_group for d in deliveries}
        off_audience = len(deliveries)
    else:
        members = dict(audience)
        off_audience = sum(d.customer_id not in audience for d in deliveries)
    result = Measured(off_audience_deliveries=off_audience)
    treated_sends = [d.sent_at for d in deliveries if d.test_group == "treatment"]
    first = min(treated_sends or [d.sent_at for d in deliveries], default=None)
    result.treatment_size = sum(group == "treatment" for group in members.values())
    result.holdout_size = sum(group == "holdout" for group in members.values())
    if first is None:
        return result
    counts: dict[str, int] = defaultdict(int)
    for customer_id, group in members.items():
        own = sent.get(customer_id)
        start = (own.sent_at if group == "treatment" and own is not None else first).date()
        bought = purchases.get(customer_id, [])
        if converts(bought, start, as_of, categories, min_amount):
            counts[group] += 1
            result.converted.add(customer_id)
        revenue = window_revenue(bought, start, as_of)
        if group == "treatment":
            result.treatment_revenue += revenue
        else:
            result.holdout_revenue += revenue
    result.treatment_conversions = counts["treatment"]
    result.holdout_conversions = counts["holdout"]
    return result


def rounded(value: float | Decimal | None, places: int) -> Decimal | None:
    """Half away from zero, as the marts round for reading."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
