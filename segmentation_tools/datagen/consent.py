"""The consent inputs of docs/rules/raw-input.md on top of the hidden state: customer_preferences with its history
(a first row per customer and channel at signup, later changes, withdrawals when an account closes) and
suppressions (docs/data-quality.md#the-demo-world).

Drawn from a random stream of their own, so every other file is what it was without them. Every timestamp
falls strictly inside its day, never at 00:00:00: a batch send at midnight then sees exactly the consent of
the end of the day before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import numpy as np

from segmentation_tools.datagen.profiles import Behaviour
from segmentation_tools.datagen.timeline import DAYS_PER_YEAR, HISTORY_START

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

CHANNELS: tuple[str, ...] = ("email", "sms", "phone", "push")
# How the channel is spelled in the file: the platform exports mixed case (read case-insensitively).
CHANNEL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "email": ("Email", "EMAIL", "email"),
    "sms": ("SMS", "Sms", "sms"),
    "phone": ("Phone", "PHONE", "phone"),
    "push": ("Push", "PUSH", "push"),
}
# Share of customers with a preference row for the channel, and of each row, the chance it grants consent:
# email is the default channel, SMS and push need an opt-in, few agree to marketing calls.
PREFERENCE_ROW_SHARE: dict[str, float] = {"email": 0.96, "sms": 0.82, "phone": 0.75, "push": 0.58}
CONSENT_SHARE: dict[str, float] = {"email": 0.68, "sms": 0.41, "phone": 0.18, "push": 0.52}
# Later changes per customer and channel: a Poisson number at this rate per year as a customer, at most
# MAX_CHANGES; each draws the customer's choices afresh (so about half change the consent itself).
CHANGES_PER_YEAR = 0.3
MAX_CHANGES = 6
# A closed account withdraws consent on every channel within this many days of its last transaction.
CLOSURE_WITHDRAWAL_DAYS = 30
NOTIFICATIONS_OFF_SHARE = 0.07
NOTIFICATIONS_BLANK_SHARE = 0.10
NEWSLETTER_SHARE = 0.55
TRUE_SPELLINGS: tuple[str, ...] = ("true", "True", "yes", "1", "TRUE")
FALSE_SPELLINGS: tuple[str, ...] = ("false", "False", "no", "0", "NO")
LANGUAGES: tuple[str, ...] = ("en", "en", "en", "en", "es", "es", "fr", "zh")
TIME_ZONES: tuple[str, ...] = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
# Suppressed share of customers who are still active, and of customers who stopped (after the stop).
SUPPRESSION_SHARE = 0.010
STOPPED_SUPPRESSION_SHARE = 0.04
UNDATED_SUPPRESSION_SHARE = 0.1
SUPPRESSION_REASONS: tuple[str, ...] = ("customer request", "complaint", "legal hold", "deceased", "fraud review")
# Dirty rows of the optional files (staging must reject or resolve each kind), at least one each when dirty.
PREFERENCE_DIRT_RATE = 0.0005
CONSENT_DIRT_MIN_CUSTOMERS = 100
SECONDS_PER_DAY = 86_400


def holdout_bucket(campaign_id: str, customer_id: int) -> int:
    """The documented split hash (docs/rules/campaigns.md, docs/marketing.md): md5 of `campaign_id:customer_id`, its
    first
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


def inside_day_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """A time of day in whole seconds, never midnight (1 s to 23:59:59)."""
    return rng.integers(1, SECONDS_PER_DAY, size)


def timestamps(as_of: dt.date, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD HH:MM:SS` text of a day offset plus seconds into it."""
    if len(day) == 0:
        return np.array([], dtype=object)
    moments = np.datetime64(as_of, "s") + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return np.char.replace(np.datetime_as_string(moments, unit="s"), "T", " ").astype(object)


@dataclasses.dataclass
class ConsentTables:
    """The two files' columns as text (None for a blank field)."""

    preferences: dict[str, np.ndarray]
    suppressions: dict[str, np.ndarray]


@dataclasses.dataclass
class PreferenceEvents:
    """One preference row per element: whose, which channel, when, and what it says (1/0/-1 = true/false/blank)."""

    customer: np.ndarray  # int64 customer index (id - 1)
    channel: np.ndarray  # int8 index into CHANNELS
    day: np.ndarray  # int64 day offset
    seconds: np.ndarray  # int64 seconds into the day
    consent: np.ndarray  # int8
    notification: np.ndarray  # int8
    newsletter: np.ndarray  # int8


def _choices(channel: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A fresh draw of consent, notifications and newsletter for rows of these channels."""
    n = len(channel)
    share = np.array([CONSENT_SHARE[name] for name in CHANNELS])[channel]
    consent = (rng.random(n) < share).astype(np.int8)
    draw = rng.random(n)
    notification = np.where(
        draw < NOTIFICATIONS_OFF_SHARE, 0, np.where(draw < NOTIFICATIONS_OFF_SHARE + NOTIFICATIONS_BLANK_SHARE, -1, 1)
    ).astype(np.int8)
    newsletter = np.where(consent == 1, (rng.random(n) < NEWSLETTER_SHARE).astype(np.int8), 0).astype(np.int8)
    return consent, notification, newsletter


def preference_events(behaviour: Behaviour, closed: np.ndarray, rng: np.random.Generator) -> PreferenceEvents:
    """Every customer's preference history: a first row per channel at signup, later changes, and a withdrawal
    on every channel when the account closed (``closed``, per customer), all on or before A."""
    n = len(behaviour.signup_day)
    signup = behaviour.signup_day.astype(np.int64)
    is_customer = signup <= 0
    has_row = np.column_stack([rng.random(n) < PREFERENCE_ROW_SHARE[name] for name in CHANNELS]) & is_customer[:, None]
    customer, channel = np.nonzero(has_row)
    channel = channel.astype(np.int8)
    # a closed account: consent withdrawn on each of its channels within a month of its stop, the last change
    withdrawn = closed[customer] & (behaviour.stop_day[customer] <= 0)
    last_day = np.zeros(len(customer), dtype=np.int64)
    stop = behaviour.stop_day[customer[withdrawn]].astype(np.int64)
    last_day[withdrawn] = np.minimum(stop + rng.integers(0, CLOSURE_WITHDRAWAL_DAYS, len(stop)), 0)
    # changes fall anywhere from the day after signup to A (to the day before the withdrawal, for a closed account)
    room = np.maximum(last_day - signup[customer] - withdrawn, 0)
    changes = np.minimum(rng.poisson(CHANGES_PER_YEAR * room / DAYS_PER_YEAR), MAX_CHANGES)
    change_of = np.repeat(np.arange(len(customer)), changes)
    change_day = signup[customer][change_of] + 1 + (rng.random(len(change_of)) * room[change_of]).astype(np.int64)
    days = np.minimum(np.concatenate([signup[customer], change_day, last_day[withdrawn]]), 0)
    who = np.concatenate([customer, customer[change_of]])
    which = np.concatenate([channel, channel[change_of]])
    consent, notification, newsletter = _choices(which, rng)
    k = int(withdrawn.sum())
    return PreferenceEvents(
        customer=np.concatenate([who, customer[withdrawn]]),
        channel=np.concatenate([which, channel[withdrawn]]).astype(np.int8),
        day=days,
        seconds=inside_day_seconds(rng, len(who) + k),
        consent=np.concatenate([consent, np.zeros(k, dtype=np.int8)]),
        notification=np.concatenate([notification, np.zeros(k, dtype=np.int8)]),
        newsletter=np.concatenate([newsletter, np.zeros(k, dtype=np.int8)]),
    )


def preference_rows(events: PreferenceEvents, as_of: dt.date, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The history as file rows, ordered by customer, channel and time; language and time zone stay with the
    customer (drawn once per customer)."""
    order = np.lexsort((events.seconds, events.day, events.channel, events.customer))
    e = PreferenceEvents(**{field.name: getattr(events, field.name)[order] for field in dataclasses.fields(events)})
    n_customers = int(e.customer.max()) + 1 if len(e.customer) else 0
    language = np.array(LANGUAGES, dtype=object)[rng.integers(0, len(LANGUAGES), n_customers)]
    time_zone = np.array(TIME_ZONES, dtype=object)[rng.integers(0, len(TIME_ZONES), n_customers)]
    spellings = [np.array(CHANNEL_SPELLINGS[name], dtype=object) for name in CHANNELS]
    spelling = np.empty(len(e.channel), dtype=object)
    for code, options in enumerate(spellings):
        rows = np.flatnonzero(e.channel == code)
        spelling[rows] = options[rng.integers(0, len(options), len(rows))]
    return {
        "customer_id": (e.customer + 1).astype(str).astype(object),
        "communication_channel": spelling,
        "marketing_consent": _spell(e.consent, rng),
        "notification_enabled": _spell(e.notification, rng),
        "newsletter_subscription": _spell(e.newsletter, rng),
        "preferred_language": language[e.customer],
        "time_zone": time_zone[e.customer],
        "updated_at": timestamps(as_of, e.day, e.seconds),
    }


def _preference_dirt(columns: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A same-moment copy of some rows granting consent (staging keeps the row that grants less), unknown
    channels, bad booleans and timestamps, unknown customers (disjoint rows)."""
    total = len(columns["customer_id"])
    count = max(1, round(PREFERENCE_DIRT_RATE * total))
    copied = rng.choice(total, count, replace=False)
    extra = {name: values[copied].copy() for name, values in columns.items()}
    extra["marketing_consent"][:] = "true"
    picked = rng.choice(total, 4 * count, replace=False)
    channel_rows, boolean_rows, time_rows, customer_rows = np.split(picked, 4)
    columns["communication_channel"][channel_rows] = rng.choice(("Fax", "Pigeon", "WhatsApp"), count)
    columns["marketing_consent"][boolean_rows] = rng.choice(("maybe", "Y", "2"), count)
    columns["updated_at"][time_rows] = rng.choice(("last week", "2025-02-30 10:00:00", "31/12/2024"), count)
    columns["customer_id"][customer_rows] = (n + rng.integers(1, 1000, count)).astype(str)
    return {name: np.concatenate([columns[name], extra[name]]) for name in PREFERENCE_COLUMNS}


def suppression_rows(
    behaviour: Behaviour, customer_columns: dict[str, np.ndarray], as_of: dt.date, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One row per suppressed customer, with the email they asked from; a few without a date. A customer who
    stopped is more often suppressed, after the stop."""
    n = len(behaviour.signup_day)
    signup = behaviour.signup_day.astype(np.int64)
    stopped = behaviour.stopped()
    share = np.where(stopped, STOPPED_SUPPRESSION_SHARE, SUPPRESSION_SHARE)
    suppressed = np.flatnonzero((rng.random(n) < share) & (signup <= 0))
    k = len(suppressed)
    start = np.where(stopped[suppressed], behaviour.stop_day[suppressed], np.maximum(signup[suppressed], HISTORY_START))
    day = start + (rng.random(k) * (1 - start)).astype(np.int64)
    added_at = timestamps(as_of, np.minimum(day, 0), inside_day_seconds(rng, k))
    added_at[rng.random(k) < UNDATED_SUPPRESSION_SHARE] = None
    email_of = dict(zip(customer_columns["customer_id"], customer_columns["email"], strict=True))
    ids = (suppressed + 1).astype(str).astype(object)
    return {
        "customer_id": ids,
        "email": np.array([email_of.get(cid) for cid in ids], dtype=object),
        "reason": rng.choice(SUPPRESSION_REASONS, k).astype(object),
        "added_at": added_at,
    }


def build_consent(
    behaviour: Behaviour,
    customer_columns: dict[str, np.ndarray],
    closed: np.ndarray,
    as_of: dt.date,
    rng: np.random.Generator,
    dirty: bool,
) -> ConsentTables:
    """Draw the preference history and the suppressions; a few dirty preference rows when ``dirty``."""
    n = len(behaviour.signup_day)
    preferences = preference_rows(preference_events(behaviour, closed, rng), as_of, rng)
    if dirty and n >= CONSENT_DIRT_MIN_CUSTOMERS:
        preferences = _preference_dirt(preferences, n, rng)
    return ConsentTables(preferences, suppression_rows(behaviour, customer_columns, as_of, rng))
