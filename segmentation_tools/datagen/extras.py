"""The optional inputs of docs/rules/raw-input.md: the customers' loyalty_points, last_login and customer_type,
the products file, and which product a transaction bought.

Drawn from a random stream of their own, so the core columns are the same with or without them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from segmentation_tools.datagen.categories import CATEGORIES, EMPTY_CATEGORY_CODE, N_MESSY_VARIANTS
from segmentation_tools.datagen.profiles import Behaviour

EXTRA_CUSTOMER_COLUMNS: tuple[str, ...] = ("loyalty_points", "last_login", "customer_type")
PRODUCT_COLUMNS: tuple[str, ...] = ("product_id", "product_name", "product_category", "price")

# Realistic rates: most customers have logged in at least once, most are in the loyalty
# programme, a few accounts are businesses.
LAST_LOGIN_SHARE = 0.92
LOYALTY_SHARE = 0.80
BUSINESS_SHARE = 0.08
MEAN_DAYS_SINCE_LOGIN = 30.0
# A few values of each optional column that staging must null and count.
BAD_VALUE_RATE = 0.0005
BAD_LOYALTY_POINTS: tuple[str, ...] = ("-10", "lots", "12.5")
BAD_LAST_LOGINS: tuple[str, ...] = ("yesterday", "2024-02-30 10:00:00", "31/12/2024")
BAD_CUSTOMER_TYPES: tuple[str, ...] = ("corporate", "person", "B2B")

PRODUCTS_PER_CATEGORY = 25
PRODUCT_TIERS: tuple[str, ...] = ("Basic", "Standard", "Plus", "Premium", "Deluxe")
# Share of transactions (in percent) that carry a product_id: card data knows the merchant, only
# the retailer's own channel knows the product.
PRODUCT_SHARE_PERCENT = 35


def build_customer_extras(
    behaviour: Behaviour, as_of: dt.date, rng: np.random.Generator, dirty: bool
) -> dict[str, np.ndarray]:
    """loyalty_points, last_login and customer_type as text (None for a blank field)."""
    n = len(behaviour.profile)
    points = np.rint(rng.lognormal(6.0, 1.2, n)).astype(np.int64)
    loyalty = points.astype(str).astype(object)
    loyalty[rng.random(n) >= LOYALTY_SHARE] = None
    # A login between signup (or as_of, for a later signup) and as_of, mostly recent; a customer who stopped
    # last logged in before their stop.
    last_active = np.minimum(behaviour.active_end().astype(np.int64) - 1, 0)
    room = np.maximum(last_active - behaviour.signup_day, 0)
    days_back = np.minimum(rng.exponential(MEAN_DAYS_SINCE_LOGIN, n), room)
    seconds = (days_back * 86400).astype(np.int64)
    latest = np.datetime64(as_of, "s") + last_active.astype("timedelta64[D]") + np.timedelta64(86399, "s")
    moments = latest - seconds.astype("timedelta64[s]")
    logins = np.array([str(moment).replace("T", " ") for moment in moments], dtype=object)
    last_login = logins.copy()
    last_login[rng.random(n) >= LAST_LOGIN_SHARE] = None
    customer_type = np.where(rng.random(n) < BUSINESS_SHARE, "business", "individual").astype(object)
    columns = {"loyalty_points": loyalty, "last_login": last_login, "customer_type": customer_type}
    if dirty and n >= 100:
        for name, bad_values in (
            ("loyalty_points", BAD_LOYALTY_POINTS),
            ("last_login", BAD_LAST_LOGINS),
            ("customer_type", BAD_CUSTOMER_TYPES),
        ):
            rows = rng.choice(n, size=max(1, round(BAD_VALUE_RATE * n)), replace=False)
            columns[name][rows] = [str(value) for value in rng.choice(bad_values, len(rows))]
    return columns


def build_products(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """PRODUCTS_PER_CATEGORY products per merchant category, ids category-major from 1."""
    ids, names, categories, prices = [], [], [], []
    for index, category in enumerate(CATEGORIES):
        for k in range(PRODUCTS_PER_CATEGORY):
            ids.append(str(index * PRODUCTS_PER_CATEGORY + k + 1))
            names.append(f"{category} {PRODUCT_TIERS[k % len(PRODUCT_TIERS)]} {k // len(PRODUCT_TIERS) + 1}")
            categories.append(category)
            prices.append(f"{rng.lognormal(3.5 + 0.3 * (k % len(PRODUCT_TIERS)), 0.6):.2f}")
    return {
        "product_id": np.array(ids, dtype=object),
        "product_name": np.array(names, dtype=object),
        "product_category": np.array(categories, dtype=object),
        "price": np.array(prices, dtype=object),
    }


def product_id_sql(transaction_id: str, category: str) -> str:
    """A DuckDB expression for a transaction's product_id: for PRODUCT_SHARE_PERCENT of the rows
    with a category, one of that category's products, picked by multiplicative hashing of the id
    (deterministic, and the same for both copies of a duplicated row)."""
    clean_index = (
        f"CASE WHEN {category} < {len(CATEGORIES)} THEN {category}"
        f" WHEN {category} < {EMPTY_CATEGORY_CODE} THEN ({category} - {len(CATEGORIES)}) // {N_MESSY_VARIANTS} END"
    )
    return (
        f"CASE WHEN {transaction_id} > 0 AND ({transaction_id} * 7919) % 100 < {PRODUCT_SHARE_PERCENT}"
        f" THEN ({clean_index}) * {PRODUCTS_PER_CATEGORY} + ({transaction_id} * 104729) % {PRODUCTS_PER_CATEGORY} + 1"
        " END"
    )
