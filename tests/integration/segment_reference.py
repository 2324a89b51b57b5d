"""An independent reading of docs/rules/user-segments.md in plain Python: which customers a user-defined segment holds.

It shares no code with segmentation.segments: it evaluates the YAML's criteria objects as written,
on figures from tests/integration/reference.py (the plain-Python reading of sections 2-5), the
cleaned transactions and the raw customers file, with exact Decimal and Fraction arithmetic. Only
the parts of the language the test's segments use (no preferences or products: the unit tests run
those operators).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from integration import reference


@dataclass
class Figures:
    """One customer's fields as of a date."""

    values: dict[str, Any]
    categories: set[str]
    builtin: set[str]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _rfm(r: int, f: int) -> str | None:
    """The rules' named grid, for the two cells the tests name."""
    if r == 5 and f >= 4:
        return "rfm/champions"
    if r <= 2 and f <= 2:
        return "rfm/hibernating"
    return None


_TIMESTAMP = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?")


def profile_fields(raw_dir: Path) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Location, customer_type and last_login's date per customer id, read from the raw file as the spec
    types them; and the ids this reading is not sure of (an id given twice, a value that is not clean)."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (raw_dir / "customers.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[(row.get("customer_id") or "").strip()].append(row)
    fields: dict[int, dict[str, Any]] = {}
    unsure: set[int] = set()
    for text_id, copies in rows.items():
        if not text_id.isdigit():
            continue
        cid = int(text_id)
        row = copies[0]
        login = (row.get("last_login") or "").strip()
        kind = (row.get("customer_type") or "").strip().lower()
        match = _TIMESTAMP.fullmatch(login)
        if len(copies) > 1 or (login and not match) or (kind and kind not in ("individual", "business")):
            unsure.add(cid)
        fields[cid] = {
            "country": (row.get("country") or "").strip() or None,
            "state": (row.get("state") or "").strip() or None,
            "city": (row.get("city") or "").strip() or None,
            "customer_type": kind or None,
            "last_login_date": dt.date.fromisoformat(match.group(1)) if match else None,
        }
    return fields, unsure


def figures(raw_dir: Path, as_of: dt.date) -> dict[int, Figures]:
    data = reference.clean(raw_dir)
    profiles, _ = profile_fields(raw_dir)
    results = reference.compute(raw_dir, as_of)
    positives: dict[int, list[reference.Transaction]] = defaultdict(list)
    for t in data.transactions:
        if t.customer_id in results and t.transaction_date <= as_of and t.amount > 0:
            positives[t.customer_id].append(t)
    out: dict[int, Figures] = {}
    for cid, r in results.items():
        bought = positives.get(cid, [])
        rfm = _rfm(r.r_score, r.f_score)
        out[cid] = Figures(
            values={
                "customer_id": cid,
                "signup_date": data.customers[cid].signup_date,
                "lifetime_value": r.lifetime_value,
                "recency_days": r.recency_days,
                "frequency_365d": r.frequency_365d,
                "monetary_365d": r.monetary_365d,
                "spend_change_pct": r.spend_change_pct,
                "travel_spend_pct": r.travel_spend_pct,
                "tenure_months": r.tenure_months,
                "customer_segment": r.segment,
                "total_orders": len(bought),
                "average_order_value": Fraction(sum(t.amount for t in bought)) / len(bought) if bought else None,
                "last_order_date": max(t.transaction_date for t in bought) if bought else None,
                **profiles.get(cid, {}),
            },
            categories={(t.category or "").strip().lower() for t in bought},
            builtin={f"behavioral/{_slug(r.segment)}", *([rfm] if rfm else [])},
        )
    return out


# the API notes' names of columns
ALIASES = {"registration_date": "signup_date", "total_spent": "lifetime_value", "last_login": "last_login_date"}
LOCATION = {"countries": "country", "states": "state", "cities": "city"}


def _number(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _holds(actual: Any, spec: dict[str, Any], as_of: dt.date) -> bool:
    """One operator object (the API notes' form or the compact one) on one value; null is never a match."""
    if actual is None:
        return False
    if "operator" in spec:
        op = spec["operator"]
        if op == "between":
            low = spec.get("min_value", spec.get("start_date"))
            high = spec.get("max_value", spec.get("end_date"))
            operand: Any = [low, high]
        else:
            operand = spec.get("value", spec.get("values", spec.get("date", spec.get("days"))))
    else:
        ((op, operand),) = spec.items()
    if isinstance(actual, dt.date):
        if op == "before":
            return actual < _date(operand)
        if op == "after":
            return actual > _date(operand)
        if op == "between":
            return _date(operand[0]) <= actual <= _date(operand[1])
        if op == "within_last_days":
            return 0 <= (as_of - actual).days <= int(operand)
        raise AssertionError(op)
    convert: Callable[[Any], Any] = (lambda v: v) if isinstance(actual, str) else _number
    value: Any = actual if isinstance(actual, str) else Fraction(actual)
    if op == "between":
        return bool(convert(operand[0]) <= value <= convert(operand[1]))
    if op in ("in", "not_in"):
        inside = any(value == convert(item) for item in operand)
        return inside if op == "in" else not inside
    other = convert(operand)
    return {
        "eq": value == other,
        "neq": value != other,
        "gt": value > other,
        "gte": value >= other,
        "lt": value < other,
        "lte": value <= other,
    }[op]


class Evaluator:
    def __init__(self, definitions: list[dict[str, Any]], as_of: dt.date) -> None:
        self.definitions = {f"{d['type']}/{d['id']}": d for d in definitions}
        self.as_of = as_of

    def member(self, segment_id: str, customer: Figures) -> bool:
        if segment_id not in self.definitions:
            return segment_id in customer.builtin
        definition = self.definitions[segment_id]
        if definition.get("status", "active") != "active":
            return False
        if definition["type"] == "static":
            return customer.values["customer_id"] in definition["customer_ids"]
        return self.criteria(definition["criteria"], customer)

    def criteria(self, criteria: dict[str, Any], customer: Figures) -> bool:
        return all(self.criterion(key, value, customer) for key, value in criteria.items())

    def criterion(self, key: str, value: Any, c: Figures) -> bool:
        v = c.values
        if key == "all":
            return all(self.criteria(item, c) for item in value)
        if key == "any":
            return any(self.criteria(item, c) for item in value)
        if key == "not":
            return not self.criteria(value, c)
        if key in ("in_segment", "not_in_segment"):
            ids = [value] if isinstance(value, str) else value
            inside = any(self.member(segment_id, c) for segment_id in ids)
            return inside if key == "in_segment" else not inside
        if key == "purchased_categories":
            return bool(c.categories & {item.strip().lower() for item in value})
        if key == "never_purchased_categories":
            return not c.categories & {item.strip().lower() for item in value}
        if key == "location":
            return all(
                v.get(LOCATION[part]) is not None
                and v[LOCATION[part]].strip().lower() in {item.strip().lower() for item in items}
                for part, items in value.items()
            )
        if key == "customer_type" and isinstance(value, str):
            return v.get("customer_type") == value
        if not isinstance(value, dict):
            recency = v["recency_days"]
            if key == "recency_days":
                return recency is not None and recency <= value
            if key == "days_inactive":
                return recency is None or recency > value
            column, threshold = {
                "min_frequency": ("frequency_365d", value),
                "min_monetary": ("monetary_365d", value),
                "min_previous_purchases": ("total_orders", value),
            }[key]
            return Fraction(v[column]) >= _number(threshold)
        return _holds(v.get(ALIASES.get(key, key)), value, self.as_of)
