"""Every built-in segment's published `criteria` (the `segments` mart, docs/rules/catalog.md#segments) selects
exactly the customers the build put in it, at every recorded date of the sample.

The criteria are read here by a plain-Python evaluator of the criteria language's compact forms
(docs/rules/user-segments.md#criteria: several keys AND, `all`/`any`/`not`, a comparison with a null is false),
on features taken from the warehouse's inputs to the catalog and worked out again here where the catalog derives
them (the value rank as an exact fraction, age in complete years). Members come from int_customers_cataloged, the
columns every membership mart is built from. A criteria text that misdescribes its rule fails here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from fractions import Fraction
from typing import Any

import pytest

from integration.catalog_reference import age_in_years
from integration.harness import Warehouse

Features = dict[str, Any]

# The catalog's columns, one per built-in type's column of int_customers_cataloged (macros/segment_types.sql).
SEGMENT_COLUMNS = (
    "behavioral_segment_id",
    "rfm_segment_id",
    "lifecycle_segment_id",
    "value_segment_id",
    "engagement_segment_id",
    "journey_segment_id",
    "age_segment_id",
    "gender_segment_id",
)

FEATURES_SQL = """
select
    segmented.as_of_date,
    segmented.customer_id,
    segmented.customer_segment,
    segmented.r_score,
    segmented.f_score,
    segmented.tenure_months,
    segmented.lifetime_value,
    customers.date_of_birth,
    customers.gender,
    events.purchase_days,
    events.has_review_or_share,
    events.has_add_to_cart,
    events.has_product_view_or_wishlist
from intermediate.int_customers_segmented as segmented
inner join staging.stg_customers as customers on segmented.customer_id = customers.customer_id
left join intermediate.int_customers_events_windowed as events
    on segmented.customer_id = events.customer_id and segmented.as_of_date = events.as_of_date
"""


def _compare(actual: Any, operator: str, operand: Any) -> bool:
    if actual is None:
        return False  # a comparison with a null is false
    if operator == "between":
        low, high = operand
        return bool(_exact(low) <= _exact(actual) <= _exact(high))
    other = _exact(operand)
    value = _exact(actual)
    return {
        "eq": value == other,
        "neq": value != other,
        "gt": value > other,
        "gte": value >= other,
        "lt": value < other,
        "lte": value <= other,
    }[operator]


def _exact(value: Any) -> Any:
    """Numbers as exact fractions (a float var such as 0.99 read as the decimal it is written as)."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def holds(criteria: dict[str, Any], customer: Features) -> bool:
    """The criteria language's compact forms over one customer's features."""
    for key, value in criteria.items():
        if key == "all":
            ok = all(holds(item, customer) for item in value)
        elif key == "any":
            ok = any(holds(item, customer) for item in value)
        elif key == "not":
            ok = not holds(value, customer)
        elif isinstance(value, bool):
            ok = customer[key] is not None and customer[key] == value
        else:
            assert isinstance(value, dict) and len(value) == 1, f"{key}: not a compact operator object: {value!r}"
            ((operator, operand),) = value.items()
            ok = _compare(customer[key], operator, operand)
        if not ok:
            return False
    return True


def features(built: Warehouse) -> list[Features]:
    rows = built.query_dicts(FEATURES_SQL)
    by_date: dict[dt.date, list[Features]] = defaultdict(list)
    for row in rows:
        by_date[row["as_of_date"]].append(row)
    for on, customers in by_date.items():
        values = [c["lifetime_value"] for c in customers]
        assert None not in values, f"{on}: a customer without a lifetime value"
        for customer in customers:
            # cume_dist: the share of the date's customers whose lifetime value is at most this one's
            at_most = sum(1 for other in values if other <= customer["lifetime_value"])
            customer["value_rank"] = Fraction(at_most, len(customers))
            born = customer["date_of_birth"]
            customer["age_years"] = None if born is None else age_in_years(born, on)
    return rows


@pytest.fixture(scope="module")
def published(built: Warehouse) -> dict[str, dict[str, Any]]:
    rows = built.query("select segment_id, criteria from segments where segment_type not in ('static', 'dynamic')")
    return {segment_id: json.loads(criteria) for segment_id, criteria in rows}


@pytest.fixture(scope="module")
def members(built: Warehouse) -> dict[str, set[tuple[dt.date, int]]]:
    found: dict[str, set[tuple[dt.date, int]]] = defaultdict(set)
    for row in built.query_dicts(
        f"select as_of_date, customer_id, {', '.join(SEGMENT_COLUMNS)} from intermediate.int_customers_cataloged"
    ):
        for column in SEGMENT_COLUMNS:
            if row[column] is not None:
                found[row[column]].add((row["as_of_date"], row["customer_id"]))
    return found


def test_every_built_in_segment_is_published_with_criteria(published: dict, members: dict) -> None:
    # the catalog's built-in segments (docs/rules/catalog.md): 5 + 10 rfm + 3 + 4 + 3 + 5 journey + 6 ages + 3 genders
    assert len(published) == 39
    assert set(members) <= set(published)


def test_each_published_criteria_selects_exactly_the_segments_members(
    built: Warehouse, published: dict, members: dict
) -> None:
    customers = features(built)
    assert len({c["as_of_date"] for c in customers}) > 1, "the sample's backfill gives several dates"
    wrong = []
    for segment_id, criteria in sorted(published.items()):
        selected = {(c["as_of_date"], c["customer_id"]) for c in customers if holds(criteria, c)}
        built_members = members.get(segment_id, set())
        if selected != built_members:
            wrong.append(
                f"{segment_id}: criteria select {len(selected)}, the build assigned {len(built_members)};"
                f" only by criteria {sorted(selected - built_members)[:3]},"
                f" only by the build {sorted(built_members - selected)[:3]}"
            )
    assert not wrong, "\n".join(wrong)


def test_the_segments_that_matter_have_members(members: dict) -> None:
    """A criteria check over empty segments would prove nothing: the fallbacks and the journey stages are used."""
    for segment_id in (
        "lifecycle/mature",
        "value/economy",
        "engagement/medium",
        "journey/awareness",
        "journey/retention",
    ):
        assert members.get(segment_id), segment_id


def test_the_evaluator_treats_a_null_as_false_and_not_as_negation() -> None:
    customer = {"r_score": None, "f_score": 5, "has_add_to_cart": None}
    assert not holds({"r_score": {"gte": 1}}, customer)
    assert holds({"not": {"r_score": {"gte": 1}}}, customer)
    assert not holds({"has_add_to_cart": True}, customer)
    assert holds({"f_score": {"between": [5, 5]}, "not": {"any": [{"r_score": {"lt": 3}}]}}, customer)
    assert not holds({"all": [{"f_score": {"gt": 4}}, {"f_score": {"lt": 5}}]}, customer)
    assert holds({"value_rank": {"gt": 0.99}}, {"value_rank": Fraction(100, 100)})
    assert not holds({"value_rank": {"gt": 0.99}}, {"value_rank": Fraction(99, 100)})
