"""The optional behaviour events of docs/rules/raw-input.md: web and app sessions, email, SMS and social
touches, drawn vectorised from the customers' behaviour and their transactions.

A share of each customer's recent positive transactions were bought online: each gets a session of
page and product views, an add-to-cart and the purchase (same day, minutes apart, one device). Other
sessions only browse, some with an add-to-cart that never converts, some with a wishlist. Loyal
customers (steady and travelling profiles, more purchases) write reviews and share after buying;
email opens and clicks, SMS and social clicks and support tickets are single touches. Each customer
has a main device and uses another now and then. Only the last EVENT_HISTORY_DAYS are kept, as a web
analytics tool keeps them: enough for the 90-day windows of a year of backfilled month-ends.

Events start at signup (browsing may come before the first purchase) and end when the customer stops,
with one exception, the realistic noise of a mailbox: a customer who stopped but whose account is still
open keeps opening (and now and then clicking) the bank's emails, at STOPPED_EMAIL_FACTOR of their rate.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from segmentation_tools.datagen.categories import CATEGORIES, EMPTY_CATEGORY_CODE, N_MESSY_VARIANTS
from segmentation_tools.datagen.profiles import PROFILE_NAMES, Behaviour
from segmentation_tools.datagen.transactions import Transactions

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "customer_id",
    "event_type",
    "occurred_at",
    # optional (docs/rules/raw-input.md)
    "event_category",
    "product_id",
    "product_category",
    "event_value",
    "device_type",
    "browser",
    "os",
    "country",
    "city",
    "session_id",
    "page_url",
    "referrer_url",
)
EVENT_TYPES: tuple[str, ...] = (
    "page_view",
    "product_view",
    "add_to_cart",
    "purchase",
    "wishlist",
    "review",
    "share",
    "email_open",
    "email_click",
    "sms_click",
    "social_click",
    "support_ticket",
)
(
    PAGE_VIEW,
    PRODUCT_VIEW,
    ADD_TO_CART,
    PURCHASE,
    WISHLIST,
    REVIEW,
    SHARE,
    EMAIL_OPEN,
    EMAIL_CLICK,
    SMS_CLICK,
    SOCIAL_CLICK,
    SUPPORT_TICKET,
) = range(len(EVENT_TYPES))
# event_category: where the event came from (the summary's preferred_source)
SOURCES: tuple[str, ...] = ("web", "app", "email", "sms", "social")
WEB, APP, EMAIL, SMS, SOCIAL = range(len(SOURCES))
DEVICES: tuple[str, ...] = ("desktop", "mobile", "tablet")
DEVICE_SHARES = np.array([0.45, 0.45, 0.10])
MAIN_DEVICE_SHARE = 0.8
EVENT_CITIES: tuple[str, ...] = (
    "New York",
    "Chicago",
    "Houston",
    "Phoenix",
    "Seattle",
    "Denver",
    "Boston",
)  # the share of a customer's sessions on their main device

EVENT_HISTORY_DAYS = 456  # 90-day windows for every month-end of a year back
ONLINE_PURCHASE_PERCENT = 3  # of positive transactions in the history, picked by hashing the id
BROWSE_SESSIONS_PER_MONTH = 0.4
ABANDONED_CART_SHARE = 0.25  # of browse-only sessions
WISHLIST_SHARE = 0.06
# Per online purchase, by profile: the loyal write reviews and share.
REVIEW_SHARE_OF = {"traveller": 0.15, "steady": 0.2, "budget": 0.06, "occasional": 0.05, "fickle": 0.02}
SHARE_SHARE_OF = {"traveller": 0.08, "steady": 0.1, "budget": 0.02, "occasional": 0.02, "fickle": 0.01}
EMAIL_OPENS_PER_MONTH_OF = {"traveller": 0.8, "steady": 0.5, "budget": 0.4, "occasional": 0.3, "fickle": 0.2}
REVIEW_SHARE = np.array([REVIEW_SHARE_OF[name] for name in PROFILE_NAMES])
SHARE_SHARE = np.array([SHARE_SHARE_OF[name] for name in PROFILE_NAMES])
EMAIL_OPENS_PER_MONTH = np.array([EMAIL_OPENS_PER_MONTH_OF[name] for name in PROFILE_NAMES])
# After a stop, an open account's mailbox still opens this share of the bank's emails.
STOPPED_EMAIL_FACTOR = 0.2
EMAIL_CLICK_SHARE = 0.3
SMS_CLICKS_PER_MONTH = 0.15
SOCIAL_CLICKS_PER_MONTH = 0.1
SUPPORT_TICKETS_PER_MONTH = 0.03
# Dirty rows staging must reject: unknown customer, bad id, bad timestamp.
BAD_ROW_RATE = 0.0002
BAD_EVENT_IDS: tuple[str, ...] = ("evt-17", "12.5", "")
BAD_TIMESTAMPS: tuple[str, ...] = ("2026-02-30 10:00:00", "yesterday", "31/12/2025 09:00", "")


@dataclasses.dataclass
class Events:
    """Numeric event columns, turned into text by DuckDB (segmentation_tools/datagen/writing.py)."""

    event_id: np.ndarray  # int64; a bad id is id_code > 0
    id_code: np.ndarray  # int8, 0 = real id, k > 0 = BAD_EVENT_IDS[k - 1]
    customer_id: np.ndarray  # int64
    second: np.ndarray  # int64, seconds from as_of 00:00:00 (negative = before)
    time_code: np.ndarray  # int8, 0 = real timestamp, k > 0 = BAD_TIMESTAMPS[k - 1]
    event_type: np.ndarray  # int8 index into EVENT_TYPES
    source: np.ndarray  # int8 index into SOURCES
    device: np.ndarray  # int8 index into DEVICES
    category: np.ndarray  # int16 index into CATEGORIES, -1 = none
    product: np.ndarray  # int32 product_id, 0 = none
    cents: np.ndarray  # int64, 0 = no value
    session_id: np.ndarray  # int64, 0 = none


def clean_category(category: np.ndarray) -> np.ndarray:
    """The canonical category index of a transaction's category code (messy spellings folded), -1 for none."""
    n = len(CATEGORIES)
    folded = np.where(category < n, category, (category.astype(np.int32) - n) // N_MESSY_VARIANTS)
    return np.where(category < EMPTY_CATEGORY_CODE, folded, -1).astype(np.int16)


def sessions_to_events(
    customer: np.ndarray,
    end_second: np.ndarray,
    device: np.ndarray,
    source: np.ndarray,
    category: np.ndarray,
    cents: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    first_session_id: int,
    rng: np.random.Generator,
) -> Events:
    """One row per event of each session, in order: page views, product views, a wishlist, an
    add-to-cart, the purchase (the counts of each per session), a minute or two apart, ending at end_second."""
    pages, products, wishlists, carts, purchases = counts
    sizes = pages + products + wishlists + carts + purchases
    session = np.repeat(np.arange(len(customer)), sizes)
    starts = np.cumsum(sizes) - sizes
    position = np.arange(int(sizes.sum())) - np.repeat(starts, sizes)
    bounds = np.cumsum(np.stack([pages, products, wishlists, carts], axis=1), axis=1)
    kind = (position >= bounds[session, 0]).astype(np.int8)
    for step in range(1, 4):
        kind += position >= bounds[session, step]
    event_type = np.array([PAGE_VIEW, PRODUCT_VIEW, WISHLIST, ADD_TO_CART, PURCHASE], dtype=np.int8)[kind]
    gap = rng.integers(20, 180, len(customer))
    second = end_second[session] - (sizes[session] - 1 - position) * gap[session]
    has_product = (event_type != PAGE_VIEW) & (category[session] >= 0)
    session_category = category[session]
    product = np.where(
        has_product,
        session_category.astype(np.int32) * 25 + (customer[session] * 7 + session) % 25 + 1,
        0,
    ).astype(np.int32)
    return Events(
        event_id=np.zeros(len(session), dtype=np.int64),
        id_code=np.zeros(len(session), dtype=np.int8),
        customer_id=customer[session],
        second=second,
        time_code=np.zeros(len(session), dtype=np.int8),
        event_type=event_type,
        source=source[session],
        device=device[session],
        category=np.where(has_product, session_category, -1).astype(np.int16),
        product=product,
        cents=np.where(event_type == PURCHASE, cents[session], 0),
        session_id=first_session_id + session.astype(np.int64),
    )


def concatenate(parts: list[Events]) -> Events:
    """The parts as one Events, field by field."""
    return Events(
        **{
            field.name: np.concatenate([getattr(part, field.name) for part in parts])
            for field in dataclasses.fields(Events)
        }
    )


def touches(
    customer: np.ndarray,
    day: np.ndarray,
    event_type: int,
    source: np.ndarray,
    device: np.ndarray,
    rng: np.random.Generator,
) -> Events:
    """Single events without a session: a review, a share, an email open, a click, a ticket."""
    n = len(customer)
    return Events(
        event_id=np.zeros(n, dtype=np.int64),
        id_code=np.zeros(n, dtype=np.int8),
        customer_id=customer,
        second=day.astype(np.int64) * 86400 + rng.integers(7 * 3600, 23 * 3600, n),
        time_code=np.zeros(n, dtype=np.int8),
        event_type=np.full(n, event_type, dtype=np.int8),
        source=source.astype(np.int8),
        device=device.astype(np.int8),
        category=np.full(n, -1, dtype=np.int16),
        product=np.zeros(n, dtype=np.int32),
        cents=np.zeros(n, dtype=np.int64),
        session_id=np.zeros(n, dtype=np.int64),
    )


def days_within(start: np.ndarray, span: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly drawn day of [start, start + span) per element (span > 0)."""
    return start + (rng.random(len(start)) * span).astype(np.int64)


def draw_events(
    behaviour: Behaviour,
    tx: Transactions,
    last_day: np.ndarray,
    mailed_after_stop: np.ndarray,
    rng: np.random.Generator,
    dirty: bool,
) -> Events:
    """Every customer's events of the last EVENT_HISTORY_DAYS, consistent with their transactions, from
    signup to ``last_day`` (per customer: A, or the last transaction of one who stopped), the emails of
    ``mailed_after_stop`` customers excepted, in time order with event ids from 1; a few dirty rows when
    ``dirty``."""
    n_customers = len(behaviour.profile)
    if n_customers == 0:
        nothing = np.zeros(0, dtype=np.int64)
        return touches(nothing, nothing, EMAIL_OPEN, nothing, nothing, rng)
    main_device = rng.choice(len(DEVICES), n_customers, p=DEVICE_SHARES).astype(np.int8)
    first_day = np.maximum(behaviour.signup_day.astype(np.int64), -EVENT_HISTORY_DAYS + 1)
    last_day = np.minimum(last_day.astype(np.int64), 0)
    span = np.maximum(last_day - first_day + 1, 0)
    months = span / 30.4
    # the mailbox of a stopped customer with an open account, from the stop to A
    mail_start = np.maximum(last_day + 1, first_day)
    mail_span = np.where(mailed_after_stop, np.maximum(1 - mail_start, 0), 0)

    def session_device(customer: np.ndarray) -> np.ndarray:
        other = rng.integers(0, len(DEVICES), len(customer)).astype(np.int8)
        return np.where(rng.random(len(customer)) < MAIN_DEVICE_SHARE, main_device[customer - 1], other)

    def session_source(device: np.ndarray) -> np.ndarray:
        # mobile sessions mostly in the app; some sessions start from an email or a social post
        base = np.where((device == 1) & (rng.random(len(device)) < 0.7), APP, WEB)
        referral = rng.random(len(device))
        return np.where(referral < 0.08, EMAIL, np.where(referral < 0.12, SOCIAL, base)).astype(np.int8)

    # online purchases: clean positive transactions of known customers in the history
    online = (
        (tx.cents > 0)
        & (tx.amount_code == 0)
        & (tx.date_code == 0)
        & (tx.customer_id > 0)
        & (tx.customer_id <= n_customers)
        & (tx.transaction_id > 0)
        & (tx.day > -EVENT_HISTORY_DAYS)
        & (tx.day <= 0)
        & ((tx.transaction_id * 2654435761) % 100 < ONLINE_PURCHASE_PERCENT)
    )
    buyer = tx.customer_id[online].astype(np.int64)
    n_bought = len(buyer)
    bought_device = session_device(buyer)
    bought = sessions_to_events(
        buyer,
        tx.day[online].astype(np.int64) * 86400 + rng.integers(8 * 3600, 23 * 3600, n_bought),
        bought_device,
        session_source(bought_device),
        clean_category(tx.category[online]),
        tx.cents[online],
        (
            1 + rng.poisson(0.6, n_bought),
            1 + rng.poisson(0.8, n_bought),
            np.zeros(n_bought, dtype=np.int64),
            np.ones(n_bought, dtype=np.int64),
            np.ones(n_bought, dtype=np.int64),
        ),
        1,
        rng,
    )

    # browse-only sessions: some leave an add-to-cart behind, some a wishlist
    browse_counts = rng.poisson(BROWSE_SESSIONS_PER_MONTH * months)
    browser_customer = np.repeat(np.arange(1, n_customers + 1), browse_counts)
    n_browse = len(browser_customer)
    browse_day = days_within(first_day[browser_customer - 1], span[browser_customer - 1], rng)
    browse_device = session_device(browser_customer)
    browsed = sessions_to_events(
        browser_customer,
        browse_day * 86400 + rng.integers(7 * 3600, 24 * 3600 - 1800, n_browse),
        browse_device,
        session_source(browse_device),
        rng.integers(0, len(CATEGORIES), n_browse).astype(np.int16),
        np.zeros(n_browse, dtype=np.int64),
        (
            1 + rng.poisson(1.0, n_browse),
            rng.poisson(1.2, n_browse),
            (rng.random(n_browse) < WISHLIST_SHARE).astype(np.int64),
            (rng.random(n_browse) < ABANDONED_CART_SHARE).astype(np.int64),
            np.zeros(n_browse, dtype=np.int64),
        ),
        1 + n_bought,
        rng,
    )

    parts = [bought, browsed]
    # reviews and shares a few days after an online purchase, from the loyal profiles
    buyer_profile = behaviour.profile[buyer - 1]
    purchase_day = tx.day[online].astype(np.int64)
    for event_type, shares in ((REVIEW, REVIEW_SHARE), (SHARE, SHARE_SHARE)):
        picked = rng.random(n_bought) < shares[buyer_profile]
        who = buyer[picked]
        day = np.minimum(purchase_day[picked] + rng.integers(1, 15, int(picked.sum())), last_day[who - 1])
        device = session_device(who)
        source = np.where(event_type == SHARE, SOCIAL, np.where(device == 1, APP, WEB))
        parts.append(touches(who, day, event_type, source, device, rng))

    # single touches through email, SMS, social and support
    email_rate = EMAIL_OPENS_PER_MONTH[behaviour.profile]
    mail_months = STOPPED_EMAIL_FACTOR * mail_span / 30.4
    for event_type, rate, source_code, start, days in (
        (EMAIL_OPEN, email_rate * months, EMAIL, first_day, span),
        (EMAIL_CLICK, email_rate * EMAIL_CLICK_SHARE * months, EMAIL, first_day, span),
        (SMS_CLICK, SMS_CLICKS_PER_MONTH * months, SMS, first_day, span),
        (SOCIAL_CLICK, SOCIAL_CLICKS_PER_MONTH * months, SOCIAL, first_day, span),
        (SUPPORT_TICKET, SUPPORT_TICKETS_PER_MONTH * months, WEB, first_day, span),
        (EMAIL_OPEN, email_rate * mail_months, EMAIL, mail_start, mail_span),
        (EMAIL_CLICK, email_rate * EMAIL_CLICK_SHARE * mail_months, EMAIL, mail_start, mail_span),
    ):
        who = np.repeat(np.arange(1, n_customers + 1), rng.poisson(rate))
        day = days_within(start[who - 1], days[who - 1], rng)
        parts.append(touches(who, day, event_type, np.full(len(who), source_code), session_device(who), rng))

    events = concatenate(parts)
    order = np.argsort(events.second, kind="stable")
    events = Events(**{field.name: getattr(events, field.name)[order] for field in dataclasses.fields(Events)})
    events.event_id = np.arange(1, len(order) + 1, dtype=np.int64)
    if dirty and len(order) >= 1000:
        add_dirt(events, n_customers, rng)
    return events


def add_dirt(events: Events, n_customers: int, rng: np.random.Generator) -> None:
    """BAD_ROW_RATE of the rows each: an unknown customer, a bad event_id, a bad occurred_at (disjoint rows)."""
    per_kind = max(1, round(BAD_ROW_RATE * len(events.event_id)))
    rows = rng.choice(len(events.event_id), 3 * per_kind, replace=False)
    unknown, bad_id, bad_time = rows[:per_kind], rows[per_kind : 2 * per_kind], rows[2 * per_kind :]
    events.customer_id[unknown] = n_customers + 1 + rng.integers(0, 1_000_000, per_kind)
    events.id_code[bad_id] = 1 + rng.integers(0, len(BAD_EVENT_IDS), per_kind)
    events.time_code[bad_time] = 1 + rng.integers(0, len(BAD_TIMESTAMPS), per_kind)


def event_dirt_counts(events: Events, n_customers: int) -> dict[str, int]:
    """How many dirty rows of each kind the file holds (for generation_summary.json)."""
    return {
        "unknown_customer_id": int((events.customer_id > n_customers).sum()),
        "bad_event_id": int((events.id_code > 0).sum()),
        "bad_occurred_at": int((events.time_code > 0).sum()),
    }
