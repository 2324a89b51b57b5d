"""Merchant categories: the canonical names, how often each is picked, and the messy spellings
the dirty rows use."""

from __future__ import annotations

import numpy as np

TRAVEL_CATEGORIES: tuple[str, ...] = ("Travel", "Airlines", "Hotels")
NECESSITY_CATEGORIES: tuple[str, ...] = ("Grocery", "Gas", "Utilities")
OTHER_CATEGORIES: tuple[str, ...] = (
    "Restaurants",
    "Entertainment",
    "Shopping",
    "Healthcare",
    "Electronics",
    "Home Improvement",
    "Education",
)
CATEGORIES: tuple[str, ...] = TRAVEL_CATEGORIES + NECESSITY_CATEGORIES + OTHER_CATEGORIES
CATEGORY_GROUPS: tuple[tuple[str, ...], ...] = (TRAVEL_CATEGORIES, NECESSITY_CATEGORIES, OTHER_CATEGORIES)
# How often each category is picked inside its group, in percent. Uneven on purpose
# so the category mix looks like real card data (groceries far more often than utilities).
CATEGORY_PERCENT: dict[str, int] = {
    "Travel": 30,
    "Airlines": 40,
    "Hotels": 30,
    "Grocery": 55,
    "Gas": 30,
    "Utilities": 15,
    "Restaurants": 28,
    "Entertainment": 12,
    "Shopping": 25,
    "Healthcare": 10,
    "Electronics": 8,
    "Home Improvement": 9,
    "Education": 8,
}


def category_lookup() -> np.ndarray:
    """A (group, percent) -> category-index table, so picking a category is one gather."""
    table = np.empty((len(CATEGORY_GROUPS), 100), dtype=np.int16)
    for group, names in enumerate(CATEGORY_GROUPS):
        column = 0
        for name in names:
            width = CATEGORY_PERCENT[name]
            table[group, column : column + width] = CATEGORIES.index(name)
            column += width
        if column != 100:
            raise AssertionError(f"category percentages of group {group} sum to {column}, not 100")
    return table


def messy_variants(name: str) -> tuple[str, ...]:
    """Odd case and stray whitespace that a cleaning step must map back to ``name``."""
    return (name.upper(), name.lower(), f" {name.lower()} ", f"{name}  ", f"  {name.upper()}")


def category_labels() -> list[str | None]:
    """All category texts by code: canonical names, then messy variants, then null."""
    labels: list[str | None] = list(CATEGORIES)
    for name in CATEGORIES:
        labels.extend(messy_variants(name))
    labels.append(None)
    return labels


N_MESSY_VARIANTS = len(messy_variants("x"))
EMPTY_CATEGORY_CODE = len(CATEGORIES) * (1 + N_MESSY_VARIANTS)
