"""The demo's campaigns, dated relative to the demo's as-of date, and the campaigns file the demo is built with.

The demo runs its marketing as a bank would (docs/marketing.md, "The demo's marketing loop"): campaigns selected at
a recorded month-end inside the history, exported, sent, measured. Their dates move with the as-of date so that
every demo, whatever day it is generated on, has sent campaigns inside its recorded year; a few later, draft and
cancelled campaigns show the other statuses. The planted uplift is the demo's truth, written to
``truth/campaigns_truth.csv`` by the platform (segmentation_tools/datagen/platform.py), never to the campaigns file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

CAMPAIGNS_FILE = "campaigns.yml"
# The sent campaigns are selected at the month-end this many months before the as-of date's month: inside the
# year of month-ends the demo records, their conversion window over before A whatever day of the month A is, and
# the send inside the last 90 days, which segment_daily_performance shows day by day.
SELECTION_MONTHS_BEFORE = 2


@dataclasses.dataclass(frozen=True)
class Conversion:
    """The campaign's outcome: a positive transaction in one of ``categories`` (any when empty) of at least
    ``min_amount``, within the conversion window after the send."""

    categories: tuple[str, ...]
    min_amount: Decimal


@dataclasses.dataclass(frozen=True)
class DemoCampaign:
    """One campaign of the demo's campaigns file; ``planted_uplift`` (absolute, 0.06 = six points) only for the
    campaigns the demo sends."""

    key: str
    name: str
    description: str
    campaign_type: str
    channel: str
    segment: str
    order_by: str
    holdout_pct: int
    cost_per_message: Decimal
    scheduled_at: dt.datetime
    offer_cost: Decimal | None = None
    conversion: Conversion | None = None
    criteria_yaml: str | None = None
    limit: int | None = None
    status: str | None = None
    discount_pct: int | None = None
    discount_code: str | None = None
    planted_uplift: float | None = None

    @property
    def campaign_id(self) -> str:
        return f"{self.key}_{self.scheduled_at:%Y_%m}"

    @property
    def is_sent_by_demo(self) -> bool:
        return self.planted_uplift is not None


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def selection_date(as_of: dt.date) -> dt.date:
    """The month-end the demo's sent campaigns are selected at."""
    months = as_of.year * 12 + as_of.month - 1 - SELECTION_MONTHS_BEFORE
    return month_end(months // 12, months % 12 + 1)


def demo_campaigns(as_of: dt.date) -> list[DemoCampaign]:
    """The demo's campaigns for a demo ending at ``as_of``.

    The two sent campaigns go out as one batch at midnight after the selection month-end (their audiences are
    selected at that month-end, the latest recorded date before them), to two behavioural segments, which are
    exclusive, so no customer gets both. Their outcomes are named, since nearly every card customer makes some
    purchase within a fortnight.
    """
    selected = selection_date(as_of)
    send = dt.datetime.combine(selected + dt.timedelta(days=1), dt.time())
    later = dt.datetime.combine(as_of + dt.timedelta(days=37), dt.time(8, 0))
    return [
        DemoCampaign(
            key="travel_perks",
            name=f"Travel perks, {send:%B %Y}",
            description="Lounge passes for a flight or hotel booking of 1,000 or more, to the High-Value Travelers.",
            campaign_type="email",
            channel="email",
            segment="behavioral/high_value_travelers",
            order_by="lifetime_value desc",
            holdout_pct=20,
            cost_per_message=Decimal("0.002"),
            offer_cost=Decimal("40.00"),
            conversion=Conversion(("Airlines", "Hotels"), Decimal("1000.00")),
            scheduled_at=send,
            planted_uplift=0.07,
        ),
        DemoCampaign(
            key="winback_sms",
            name=f"Win-back SMS, {send:%B %Y}",
            description="A come-back offer by SMS to Declining customers, steepest fall first, a third held out.",
            campaign_type="sms",
            channel="sms",
            segment="behavioral/declining",
            order_by="spend_change_pct asc",
            holdout_pct=30,
            cost_per_message=Decimal("0.04"),
            offer_cost=Decimal("15.00"),
            conversion=Conversion((), Decimal("250.00")),
            scheduled_at=send,
            planted_uplift=0.10,
        ),
        DemoCampaign(
            key="onboarding_push",
            name=f"Onboarding push, {later:%B %Y}",
            description="A welcome push to New & Growing customers who have bought at least three times.",
            campaign_type="notification",
            channel="push",
            segment="behavioral/new_growing",
            criteria_yaml="total_orders:\n        operator: gte\n        value: 3",
            order_by="signup_date desc",
            limit=5000,
            holdout_pct=10,
            cost_per_message=Decimal("0.0005"),
            scheduled_at=later,
        ),
        DemoCampaign(
            key="holiday_discount",
            name="Holiday discount (draft)",
            description="Fifteen per cent off for Budget-Conscious customers; still being priced.",
            campaign_type="discount",
            channel="email",
            segment="behavioral/budget_conscious",
            order_by="customer_id asc",
            holdout_pct=15,
            cost_per_message=Decimal("0.002"),
            scheduled_at=later + dt.timedelta(days=21),
            status="draft",
            discount_pct=15,
            discount_code="HOLIDAY15",
        ),
        DemoCampaign(
            key="summer_sale_sms",
            name="Summer sale SMS (cancelled)",
            description="Cancelled after legal review of the SMS wording.",
            campaign_type="sms",
            channel="sms",
            segment="rfm/champions",
            order_by="customer_id asc",
            holdout_pct=10,
            cost_per_message=Decimal("0.04"),
            scheduled_at=send + dt.timedelta(days=40, hours=12),
            status="cancelled",
        ),
    ]


def _yaml_entry(campaign: DemoCampaign) -> str:
    """One campaign as the YAML a person would write (every value a plain scalar the validator reads back)."""
    lines = [
        f"  - id: {campaign.campaign_id}",
        f"    name: {campaign.name}",
        f"    description: {campaign.description}",
        f"    type: {campaign.campaign_type}",
        f"    channel: {campaign.channel}",
        f"    segment: {campaign.segment}",
    ]
    if campaign.criteria_yaml:
        lines.append("    criteria:\n      " + campaign.criteria_yaml)
    lines.append(f"    order_by: {campaign.order_by}")
    if campaign.limit is not None:
        lines.append(f"    limit: {campaign.limit}")
    lines += [
        f"    holdout_pct: {campaign.holdout_pct}",
        f"    scheduled_at: {campaign.scheduled_at:%Y-%m-%d %H:%M}",
    ]
    if campaign.status:
        lines.append(f"    status: {campaign.status}")
    lines.append(f"    cost_per_message: {campaign.cost_per_message}")
    if campaign.offer_cost is not None:
        lines.append(f"    offer_cost: {campaign.offer_cost}")
    if campaign.conversion is not None:
        lines.append("    conversion:")
        if campaign.conversion.categories:
            lines.append(f"      categories: [{', '.join(campaign.conversion.categories)}]")
        lines.append(f"      min_amount: {campaign.conversion.min_amount}")
    if campaign.discount_pct is not None:
        lines.append(f"    discount_pct: {campaign.discount_pct}")
    if campaign.discount_code is not None:
        lines.append(f"    discount_code: {campaign.discount_code}")
    return "\n".join(lines)


def campaigns_yaml(as_of: dt.date) -> str:
    """The demo's campaigns file for ``as_of``."""
    header = (
        "# The demo's campaigns (docs/marketing.md), written by the demo generator for its as-of date "
        f"{as_of.isoformat()}.\n"
        "# The first two were selected at a recorded month-end, exported and sent by the demo's marketing loop; the\n"
        "# others show a scheduled, a draft and a cancelled campaign. Times are UTC.\n"
        "campaigns:\n"
    )
    return header + "\n\n".join(_yaml_entry(campaign) for campaign in demo_campaigns(as_of)) + "\n"


def write_campaigns_file(out_dir: Path, as_of: dt.date) -> Path:
    """Write the demo's campaigns file beside its raw files."""
    path = out_dir / CAMPAIGNS_FILE
    path.write_text(campaigns_yaml(as_of), encoding="utf-8")
    return path
