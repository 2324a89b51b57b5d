"""The consent and campaign inputs of spec section 7: customer_preferences, suppressions and the
campaign_deliveries log of the past example campaigns of campaigns.yml, with a known conversion lift
planted in the transactions of each campaign's treated customers.

Drawn from a random stream of their own, so every other file is what it was without them, except the
few treated customers' transactions the lift moves into the campaign's conversion window
(``plant_lift``). The generator cannot know the catalog segments dbt computes, so a campaign's log is
drawn from the hidden profile the segment stands for (``DemoCampaign.profile``): the measured audience
and the log overlap, they are not equal (the deliveries-outside-audience test counts the difference).
Only customers the build will find contactable are sent: a clean, unshared email, an Active account,
consent on the channel, not suppressed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import numpy as np

from segmentation.datagen.profiles import DECLINING, TRAVELLER, Behaviour
from segmentation.datagen.transactions import Transactions

PREFERENCE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "communication_channel",
    "marketing_consent",
    "notification_enabled",
    "newsletter_subscription",
    "preferred_language",
    "time_zone",
    "updated_at",
)
SUPPRESSION_COLUMNS: tuple[str, ...] = ("customer_id", "email", "reason", "added_at")
DELIVERY_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "customer_id",
    "test_group",
    "sent_at",
    "delivered",
    "bounced",
    "opened_at",
    "clicked_at",
    "unsubscribed_at",
)

CHANNELS: tuple[str, ...] = ("email", "sms", "phone", "push")
# How the channel is spelled in the file: the platform exports mixed case (read case-insensitively).
CHANNEL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "email": ("Email", "EMAIL", "email"),
    "sms": ("SMS", "Sms", "sms"),
    "phone": ("Phone", "PHONE", "phone"),
    "push": ("Push", "PUSH", "push"),
}
# Share of customers with a preference row for the channel, and of those, the share consenting:
# email is the default channel, SMS and push need an opt-in, few agree to marketing calls.
PREFERENCE_ROW_SHARE: dict[str, float] = {"email": 0.96, "sms": 0.82, "phone": 0.75, "push": 0.58}
CONSENT_SHARE: dict[str, float] = {"email": 0.68, "sms": 0.41, "phone": 0.18, "push": 0.52}
NOTIFICATIONS_OFF_SHARE = 0.07
NOTIFICATIONS_BLANK_SHARE = 0.10
NEWSLETTER_SHARE = 0.55
TRUE_SPELLINGS: tuple[str, ...] = ("true", "True", "yes", "1", "TRUE")
FALSE_SPELLINGS: tuple[str, ...] = ("false", "False", "no", "0", "NO")
LANGUAGES: tuple[str, ...] = ("en", "en", "en", "en", "es", "es", "fr", "zh")
TIME_ZONES: tuple[str, ...] = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
SUPPRESSION_SHARE = 0.012
SUPPRESSION_REASONS: tuple[str, ...] = ("customer request", "complaint", "legal hold", "deceased", "fraud review")
# Dirty rows of the optional files (staging must reject or resolve each kind), at least one each when dirty.
PREFERENCE_DIRT_RATE = 0.0005
CONSENT_DIRT_MIN_CUSTOMERS = 100


@dataclasses.dataclass(frozen=True)
class DemoCampaign:
    """A past campaign of the example campaigns.yml as the generator sends it.

    ``planted_lift`` is the conversion lift planted in the treated customers' transactions, in
    absolute points of conversion rate (0.03 = three more converters per hundred treated).
    """

    campaign_id: str
    channel: str
    profile: int
    sent_at: dt.datetime
    holdout_pct: float
    audience_limit: int | None
    planted_lift: float


# The past campaigns of campaigns.yml (tests/unit/test_campaign_definitions.py checks they agree). Each is
# generated only when it lies inside the generated history (before as_of, after its first year).
DEMO_CAMPAIGNS: tuple[DemoCampaign, ...] = (
    DemoCampaign("travel_perks_spring_2025", "email", TRAVELLER, dt.datetime(2025, 4, 15, 9, 0), 10.0, None, 0.06),
    DemoCampaign("winback_sms_2025", "sms", DECLINING, dt.datetime(2025, 5, 20, 10, 0), 20.0, None, 0.10),
    DemoCampaign("travel_perks_autumn_2026", "email", TRAVELLER, dt.datetime(2026, 10, 6, 9, 0), 10.0, None, 0.06),
    DemoCampaign("winback_sms_2026", "sms", DECLINING, dt.datetime(2026, 9, 8, 10, 0), 20.0, 2000, 0.10),
)
PLANTED_LIFT: dict[str, float] = {campaign.campaign_id: campaign.planted_lift for campaign in DEMO_CAMPAIGNS}
CONVERSION_WINDOW_DAYS = 14
# The share of a campaign's members (both groups alike) who buy nothing in the window (``quiet_members``).
QUIET_SHARE = 0.3
# Delivery outcomes per channel: delivered share, opened share of delivered (SMS has no open
# tracking), clicked share of opened (of delivered for SMS), unsubscribed share of delivered.
DELIVERY_RATES: dict[str, tuple[float, float, float, float]] = {
    "email": (0.972, 0.24, 0.14, 0.004),
    "sms": (0.985, 0.0, 0.06, 0.008),
    "push": (0.93, 0.09, 0.30, 0.002),
    "phone": (0.70, 0.0, 0.0, 0.010),
}
MIN_HISTORY_DAYS_BEFORE_SEND = 90
# The transaction a planted conversion moves into the window is dated at least this many days before the send.
MOVED_TRANSACTION_MIN_AGE_DAYS = 60
# ... and at most this many: the demo campaigns to one profile are more than a year apart.
MOVED_TRANSACTION_MAX_AGE_DAYS = 240


def holdout_bucket(campaign_id: str, customer_id: int) -> int:
    """The documented split hash (spec section 11, docs/marketing.md): md5 of `campaign_id:customer_id`, its first
    eight hex digits as an integer, mod 10000. A customer is holdout when this is below holdout_pct * 100."""
    digest = hashlib.md5(f"{campaign_id}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000


def _spell(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Booleans (1 true, 0 false, -1 blank) as the many ways exports write them."""
    text = np.full(len(values), None, dtype=object)
    is_true, is_false = values == 1, values == 0
    text[is_true] = rng.choice(TRUE_SPELLINGS, int(is_true.sum()))
    text[is_false] = rng.choice(FALSE_SPELLINGS, int(is_false.sum()))
    return text


def _timestamps(as_of: dt.date, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    moments = np.datetime64(as_of, "s") + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return np.array([str(moment).replace("T", " ") for moment in moments], dtype=object)


@dataclasses.dataclass
class ConsentTables:
    """The three files' columns as text (None for a blank field), and what was planted."""

    preferences: dict[str, np.ndarray]
    suppressions: dict[str, np.ndarray]
    deliveries: dict[str, np.ndarray]
    planted: dict[str, int]


def contactable_base(customer_columns: dict[str, np.ndarray], n_customers: int, dirty_rows: np.ndarray) -> np.ndarray:
    """Customers (index = id - 1) the build will certainly keep with a clean, unshared email, a phone and an Active
    account: no dirt of any kind, an email with an @ that no other customer row carries."""
    ok = np.zeros(n_customers, dtype=bool)
    if n_customers == 0:
        return ok
    ids = np.array([int(value) if value and str(value).isdigit() else 0 for value in customer_columns["customer_id"]])
    first = np.unique(ids, return_index=True)[1]
    emails = np.array([str(value or "").lower() for value in customer_columns["email"]], dtype=object)[first]
    _, inverse, counts = np.unique(emails, return_inverse=True, return_counts=True)
    kept_ids = ids[first]
    valid = (kept_ids >= 1) & (kept_ids <= n_customers)
    status = customer_columns["account_status"][first]
    phone = customer_columns["phone"][first]
    good = valid & (counts[inverse] == 1) & (status == "Active") & np.array([bool(p) for p in phone], dtype=bool)
    good &= np.array(["@" in email and " " not in email for email in emails], dtype=bool)
    ok[kept_ids[good] - 1] = True
    ok[dirty_rows[dirty_rows < n_customers]] = False
    return ok


def build_consent(
    behaviour: Behaviour,
    customer_columns: dict[str, np.ndarray],
    dirty_rows: np.ndarray,
    tx: Transactions,
    as_of: dt.date,
    rng: np.random.Generator,
    dirty: bool,
) -> ConsentTables:
    """Draw preferences and suppressions, send the past demo campaigns, and plant their lift in ``tx``."""
    n = len(behaviour.profile)
    signup_day = behaviour.signup_day.astype(np.int64)
    # consent[channel] per customer: 1 granted, 0 refused, -1 no row; notifications 1/0/-1 (blank)
    has_row = {channel: rng.random(n) < PREFERENCE_ROW_SHARE[channel] for channel in CHANNELS}
    consent = {channel: np.where(rng.random(n) < CONSENT_SHARE[channel], 1, 0) for channel in CHANNELS}
    notification = {}
    for channel in CHANNELS:
        draw = rng.random(n)
        notification[channel] = np.where(
            draw < NOTIFICATIONS_OFF_SHARE,
            0,
            np.where(draw < NOTIFICATIONS_OFF_SHARE + NOTIFICATIONS_BLANK_SHARE, -1, 1),
        )
    sent = [c for c in sorted(DEMO_CAMPAIGNS, key=lambda c: c.sent_at) if is_generated(c, as_of)]
    # the preference was last set between signup and the day before the first campaign sent (or as_of)
    first_send = min([(c.sent_at.date() - as_of).days for c in sent], default=0)
    history_start = np.maximum(signup_day, -HISTORY_DAYS_FOR_PREFERENCES)
    span = np.maximum(first_send - 1 - history_start, 1)
    updated_day = {channel: history_start + (rng.random(n) * span).astype(np.int64) for channel in CHANNELS}
    updated_seconds = {channel: rng.integers(0, 86400, n) for channel in CHANNELS}

    base_ok = contactable_base(customer_columns, n, dirty_rows)
    suppressed = rng.random(n) < SUPPRESSION_SHARE
    suppressed_day = np.maximum(signup_day, -700) + rng.integers(0, 300, n)

    delivery_parts: list[dict[str, np.ndarray]] = []
    planted: dict[str, int] = {}
    sent_already = np.zeros(n, dtype=bool)
    # the file keeps the preference as drawn; an unsubscribe adds a later version (the file is a history)
    drawn_consent = {channel: values.copy() for channel, values in consent.items()}
    unsubscribes: list[tuple[str, np.ndarray, int]] = []
    for campaign in sent:
        send_day = (campaign.sent_at.date() - as_of).days
        channel = campaign.channel
        eligible = (
            (behaviour.profile == campaign.profile)
            & base_ok
            & has_row[channel]
            & (consent[channel] == 1)
            & (notification[channel] != 0)
            & ~suppressed
            & (signup_day <= send_day - 30)
        )
        members = np.flatnonzero(eligible) + 1
        if campaign.audience_limit is not None:
            members = members[: campaign.audience_limit]
        holdout = np.array(
            [holdout_bucket(campaign.campaign_id, int(cid)) < campaign.holdout_pct * 100 for cid in members], dtype=bool
        )
        part, unsubscribed = _deliveries(campaign, members, holdout, as_of, send_day, rng)
        delivery_parts.append(part)
        quiet_members(tx, members, send_day, rng)
        planted[campaign.campaign_id] = plant_lift(tx, members[~holdout], send_day, campaign.planted_lift, rng)
        # an unsubscribe through the message withdraws consent on the channel from the next day
        consent[channel][unsubscribed - 1] = 0
        unsubscribes.append((channel, unsubscribed, send_day + 1))
        sent_already[members - 1] = True

    preferences = _preference_rows(
        n, has_row, drawn_consent, notification, updated_day, updated_seconds, as_of, rng, dirty, sent_already
    )
    suppressions = _suppression_rows(np.flatnonzero(suppressed) + 1, customer_columns, suppressed_day, as_of, rng)
    preferences = _with_unsubscribes(preferences, unsubscribes, notification, as_of, rng)
    deliveries = {
        name: np.concatenate([part[name] for part in delivery_parts]) if delivery_parts else np.array([], dtype=object)
        for name in DELIVERY_COLUMNS
    }
    return ConsentTables(preferences, suppressions, deliveries, planted)


HISTORY_DAYS_FOR_PREFERENCES = 740


def is_generated(campaign: DemoCampaign, as_of: dt.date) -> bool:
    """Whether the campaign's log is generated: sent before as_of, with the history its lift is planted from."""
    send_day = (campaign.sent_at.date() - as_of).days
    return -HISTORY_DAYS_FOR_PREFERENCES + MIN_HISTORY_DAYS_BEFORE_SEND <= send_day < 0


def _deliveries(
    campaign: DemoCampaign,
    members: np.ndarray,
    holdout: np.ndarray,
    as_of: dt.date,
    send_day: int,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The log rows of one campaign, and the treated customers who unsubscribed."""
    m = len(members)
    delivered_share, open_share, click_share, unsubscribe_share = DELIVERY_RATES[campaign.channel]
    treated = ~holdout
    delivered = treated & (rng.random(m) < delivered_share)
    opened = delivered & (rng.random(m) < open_share)
    clicks_from = opened if open_share > 0 else delivered
    clicked = clicks_from & (rng.random(m) < click_share)
    unsubscribed = delivered & (rng.random(m) < unsubscribe_share)
    # sends spread over two hours from the scheduled time
    start = campaign.sent_at.hour * 3600 + campaign.sent_at.minute * 60
    sent_seconds = start + rng.integers(0, 7200, m)
    day = np.full(m, send_day, dtype=np.int64)

    def later(mask: np.ndarray, mean_seconds: float) -> np.ndarray:
        seconds = sent_seconds + rng.exponential(mean_seconds, m).astype(np.int64) + 60
        values = _timestamps(as_of, day, seconds)
        values[~mask] = None
        return values

    opened_at = later(opened, 6 * 3600)
    clicked_at = later(clicked, 8 * 3600)
    unsubscribed_at = later(unsubscribed, 4 * 3600)
    delivered_text = np.full(m, None, dtype=object)
    delivered_text[treated] = np.where(delivered[treated], "true", "false")
    bounced_text = np.full(m, None, dtype=object)
    bounced_text[treated] = np.where(delivered[treated], "false", "true")
    part = {
        "campaign_id": np.full(m, campaign.campaign_id, dtype=object),
        "customer_id": members.astype(str).astype(object),
        "test_group": np.where(holdout, "holdout", "treatment").astype(object),
        "sent_at": _timestamps(as_of, day, sent_seconds),
        "delivered": delivered_text,
        "bounced": bounced_text,
        "opened_at": opened_at,
        "clicked_at": clicked_at,
        "unsubscribed_at": unsubscribed_at,
    }
    return part, members[unsubscribed]


def quiet_members(tx: Transactions, members: np.ndarray, send_day: int, rng: np.random.Generator) -> None:
    """A share QUIET_SHARE of the campaign's members, drawn alike in both groups, buy nothing in the conversion
    window: their positive purchases in it move to the fortnight after it. Card customers buy almost every
    fortnight, so without this nearly everyone "converts" and no lift could show."""
    quiet = members[rng.random(len(members)) < QUIET_SHARE]
    window_end = send_day + CONVERSION_WINDOW_DAYS
    rows = np.flatnonzero(
        (tx.cents > 0) & (tx.day > send_day) & (tx.day <= window_end) & np.isin(tx.customer_id, quiet)
    )
    tx.day[rows] = np.minimum(window_end + rng.integers(1, CONVERSION_WINDOW_DAYS + 1, len(rows)), -1)


def plant_lift(tx: Transactions, treated: np.ndarray, send_day: int, lift: float, rng: np.random.Generator) -> int:
    """Make round(lift * treated) treated customers who would not have converted convert: one clean positive
    purchase of each, dated MOVED_TRANSACTION_MIN_AGE_DAYS to _MAX_AGE_DAYS before the send or in the fortnight after
    the window, moves to a day 1-14 after the send. Returns how many (fewer only when too few could)."""
    if len(treated) == 0 or lift <= 0:
        return 0
    clean = (tx.date_code == 0) & (tx.amount_code == 0) & (tx.cents > 0)
    window_end = send_day + CONVERSION_WINDOW_DAYS
    in_window = clean & (tx.day > send_day) & (tx.day <= window_end)
    converted = np.unique(tx.customer_id[in_window])
    candidates = np.setdiff1d(treated, converted)
    # before the send: within MOVED_TRANSACTION_MAX_AGE_DAYS, so never from another demo campaign's window
    before = (tx.day < send_day - MOVED_TRANSACTION_MIN_AGE_DAYS) & (
        tx.day >= send_day - MOVED_TRANSACTION_MAX_AGE_DAYS
    )
    movable = before | ((tx.day > window_end) & (tx.day <= window_end + CONVERSION_WINDOW_DAYS))
    movable_rows = np.flatnonzero(clean & movable & np.isin(tx.customer_id, candidates))
    # the latest movable row of each candidate (rows are not date-ordered: sort by customer, then day)
    order = movable_rows[np.lexsort((tx.day[movable_rows], tx.customer_id[movable_rows]))]
    if len(order) == 0:
        return 0
    last_of_customer = np.r_[tx.customer_id[order][1:] != tx.customer_id[order][:-1], True]
    rows = order[last_of_customer]
    wanted = min(round(lift * len(treated)), len(rows))
    moved = rng.choice(rows, size=wanted, replace=False) if wanted else np.array([], dtype=np.int64)
    tx.day[moved] = send_day + rng.integers(1, CONVERSION_WINDOW_DAYS + 1, len(moved))
    return int(wanted)


def _preference_rows(
    n: int,
    has_row: dict[str, np.ndarray],
    consent: dict[str, np.ndarray],
    notification: dict[str, np.ndarray],
    updated_day: dict[str, np.ndarray],
    updated_seconds: dict[str, np.ndarray],
    as_of: dt.date,
    rng: np.random.Generator,
    dirty: bool,
    protected: np.ndarray,
) -> dict[str, np.ndarray]:
    """One row per customer and channel with a preference; a few dirty rows when ``dirty``, never on a row of a
    customer a campaign was sent to (``protected``), whose consent at the send must stay as drawn."""
    parts: list[dict[str, np.ndarray]] = []
    for channel in CHANNELS:
        rows = np.flatnonzero(has_row[channel])
        k = len(rows)
        parts.append(
            {
                "customer_id": (rows + 1).astype(str).astype(object),
                "communication_channel": rng.choice(CHANNEL_SPELLINGS[channel], k).astype(object),
                "marketing_consent": _spell(consent[channel][rows], rng),
                "notification_enabled": _spell(notification[channel][rows], rng),
                "newsletter_subscription": _spell(
                    np.where(consent[channel][rows] == 1, (rng.random(k) < NEWSLETTER_SHARE).astype(int), 0), rng
                ),
                "preferred_language": rng.choice(LANGUAGES, k).astype(object),
                "time_zone": rng.choice(TIME_ZONES, k).astype(object),
                "updated_at": _timestamps(as_of, updated_day[channel][rows], updated_seconds[channel][rows]),
            }
        )
    columns = {name: np.concatenate([part[name] for part in parts]) for name in PREFERENCE_COLUMNS}
    if dirty and n >= CONSENT_DIRT_MIN_CUSTOMERS:
        columns = _preference_dirt(columns, n, rng, protected)
    return columns


def _with_unsubscribes(
    columns: dict[str, np.ndarray],
    unsubscribes: list[tuple[str, np.ndarray, int]],
    notification: dict[str, np.ndarray],
    as_of: dt.date,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """A later version of the channel's preference, without consent, for each customer who unsubscribed through a
    message, dated the day after the send; the version in force at the send stays in the file before it."""
    parts = [columns]
    for channel, customers, day in unsubscribes:
        k = len(customers)
        if k == 0:
            continue
        parts.append(
            {
                "customer_id": customers.astype(str).astype(object),
                "communication_channel": rng.choice(CHANNEL_SPELLINGS[channel], k).astype(object),
                "marketing_consent": _spell(np.zeros(k, dtype=np.int64), rng),
                "notification_enabled": _spell(notification[channel][customers - 1], rng),
                "newsletter_subscription": _spell(np.zeros(k, dtype=np.int64), rng),
                "preferred_language": rng.choice(LANGUAGES, k).astype(object),
                "time_zone": rng.choice(TIME_ZONES, k).astype(object),
                "updated_at": _timestamps(as_of, np.full(k, day, dtype=np.int64), rng.integers(0, 86400, k)),
            }
        )
    return {name: np.concatenate([part[name] for part in parts]) for name in PREFERENCE_COLUMNS}


def _preference_dirt(
    columns: dict[str, np.ndarray], n: int, rng: np.random.Generator, protected: np.ndarray
) -> dict[str, np.ndarray]:
    """An older copy of some rows granting more (staging keeps the later one), unknown channels, bad booleans and
    timestamps, unknown customers."""
    total = len(columns["customer_id"])
    count = max(1, round(PREFERENCE_DIRT_RATE * total))
    customer_index = columns["customer_id"].astype(np.int64) - 1
    free = np.flatnonzero(~protected[customer_index])
    older = rng.choice(total, count, replace=False)
    extra = {name: values[older].copy() for name, values in columns.items()}
    extra["marketing_consent"][:] = "true"
    extra["updated_at"][:] = "2020-01-01 00:00:00"
    picked = rng.choice(free, 4 * count, replace=False)
    channel_rows, boolean_rows, time_rows, customer_rows = np.split(picked, 4)
    columns["communication_channel"][channel_rows] = rng.choice(("Fax", "Pigeon", "WhatsApp"), count)
    columns["marketing_consent"][boolean_rows] = rng.choice(("maybe", "Y", "2"), count)
    columns["updated_at"][time_rows] = rng.choice(("last week", "2025-02-30 10:00:00", "31/12/2024"), count)
    columns["customer_id"][customer_rows] = (n + rng.integers(1, 1000, count)).astype(str)
    return {name: np.concatenate([columns[name], extra[name]]) for name in PREFERENCE_COLUMNS}


def _suppression_rows(
    suppressed: np.ndarray,
    customer_columns: dict[str, np.ndarray],
    suppressed_day: np.ndarray,
    as_of: dt.date,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """One row per suppressed customer, with the email they asked from; a tenth without a date."""
    k = len(suppressed)
    email_of = dict(zip(customer_columns["customer_id"], customer_columns["email"], strict=True))
    added_at = _timestamps(as_of, np.minimum(suppressed_day[suppressed - 1], -1), rng.integers(0, 86400, k))
    added_at[rng.random(k) < 0.1] = None
    return {
        "customer_id": suppressed.astype(str).astype(object),
        "email": np.array([email_of.get(str(cid)) for cid in suppressed], dtype=object),
        "reason": rng.choice(SUPPRESSION_REASONS, k).astype(object),
        "added_at": added_at,
    }
