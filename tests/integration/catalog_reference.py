"""An independent reading of the segment catalog's built-in types (docs/rules/catalog.md, and the journey
stages of section 14 from behaviour_reference.py) and of memberships over time (section 10) in
plain Python, to check the warehouse against customer by customer.

It builds on reference.py's reading of sections 2-5 (scores, tenure, lifetime value, the five
segments) and shares no code with the dbt project: each rule is written here from the rules'
tables, with exact Fraction arithmetic for the value rank.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path

from integration import behaviour_reference, reference

# Section 8's grid, first row that holds: (name, r_score range, f_score range).
RFM_GRID = (
    ("Champions", (5, 5), (4, 5)),
    ("Loyal Customers", (3, 4), (4, 5)),
    ("Potential Loyalists", (4, 5), (2, 3)),
    ("New Customers", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need Attention", (3, 3), (3, 3)),
    ("About to Sleep", (3, 3), (1, 2)),
    ("Can't Lose Them", (1, 2), (5, 5)),
    ("At Risk", (1, 2), (3, 4)),
    ("Hibernating", (1, 2), (1, 2)),
)
AGE_BANDS = ((18, 24, "18_24"), (25, 34, "25_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 64, "55_64"))


def slug(name: str) -> str:
    """`Can't Lose Them` -> `cant_lose_them`, `New & Growing` -> `new_growing`."""
    words = "".join(ch if ch.isalnum() else " " for ch in name.lower().replace("'", "")).split()
    return "_".join(words)


def rfm_segment(r: int, f: int) -> str:
    for name, (r_low, r_high), (f_low, f_high) in RFM_GRID:
        if r_low <= r <= r_high and f_low <= f <= f_high:
            return name
    raise AssertionError(f"the grid has no row for r={r}, f={f}")


def lifecycle(tenure_months: int) -> str:
    return "onboarding" if tenure_months < 3 else "active" if tenure_months < 12 else "mature"


def value_tier(rank: Fraction) -> str:
    if rank > Fraction(99, 100):
        return "vip"
    if rank > Fraction(80, 100):
        return "premium"
    if rank > Fraction(40, 100):
        return "standard"
    return "economy"


def engagement(r: int, f: int) -> str:
    if r >= 4 and f >= 4:
        return "high"
    if r <= 2 and f <= 2:
        return "low"
    return "medium"


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: date | None, on: date) -> str | None:
    if born is None:
        return None
    age = age_in_years(born, on)
    if 65 <= age <= 120:
        return "age_65_plus"
    return next((f"age_{label}" for low, high, label in AGE_BANDS if low <= age <= high), None)


@dataclass(frozen=True)
class Profile:
    date_of_birth: date | None
    gender: str | None


def profiles(raw_dir: Path, run_as_of: date) -> dict[int, Profile]:
    """Birth date and gender of each customer's kept row (section 2: the first by signup, then the
    profile fields, nulls last); a birth date giving an age outside 18-120 at the run's date is null."""
    rows: dict[int, list[tuple[tuple[object, ...], str | None, str | None]]] = defaultdict(list)
    for row in reference._read_rows(raw_dir / "customers.csv"):
        customer_id, signup = reference.parse_integer(row["customer_id"]), reference.parse_date(row["signup_date"])
        if customer_id is None or signup is None:
            continue
        fields = ("first_name", "last_name", "email", "phone", "date_of_birth", "gender", "city", "state")
        key: tuple[object, ...] = (signup, *(reference._none_last(row[f]) for f in fields))
        rows[customer_id].append((key, row["date_of_birth"], row["gender"]))
    result = {}
    for customer_id, versions in rows.items():
        _, born_text, gender_text = min(versions, key=lambda version: version[0])
        born = reference.parse_date(born_text)
        if born is not None and not 18 <= age_in_years(born, run_as_of) <= 120:
            born = None
        gender = (reference._text(gender_text) or "").lower()
        result[customer_id] = Profile(born, gender.capitalize() if gender in ("male", "female", "other") else None)
    return result


@cache
def _journey_inputs(
    raw_dir: Path,
) -> tuple[dict[int, list[date]], dict[int, list[behaviour_reference.Event]]]:
    """Section 14's journey inputs (purchase days and events by customer), read once per folder."""
    data = reference.clean(raw_dir)
    all_events = behaviour_reference.events(raw_dir, data.customers)
    return behaviour_reference.purchase_days(data), behaviour_reference.by_customer(all_events)


def memberships_on(
    raw_dir: Path, on: date, run_as_of: date, data: reference.CleanInput, people: dict[int, Profile]
) -> dict[int, set[str]]:
    """Every customer of the date -> the ids of the built-in segments they are in."""
    results = reference.compute(raw_dir, on, data)
    bought, events_by_customer = _journey_inputs(raw_dir)
    values = sorted(r.lifetime_value for r in results.values())
    n = len(values)
    members: dict[int, set[str]] = {}
    for customer_id, r in results.items():
        at_or_below = sum(1 for v in values if v <= r.lifetime_value)
        ids = {
            f"behavioral/{slug(r.segment)}",
            f"rfm/{slug(rfm_segment(r.r_score, r.f_score))}",
            f"lifecycle/{lifecycle(r.tenure_months)}",
            f"value/{value_tier(Fraction(at_or_below, n))}",
            f"engagement/{engagement(r.r_score, r.f_score)}",
            "journey/"
            + slug(
                behaviour_reference.journey_stage(
                    on, bought.get(customer_id, []), events_by_customer.get(customer_id, [])
                )
            ),
        }
        person = people.get(customer_id, Profile(None, None))
        band = age_band(person.date_of_birth, on)
        if band:
            ids.add(f"demographic/{band}")
        if person.gender:
            ids.add(f"demographic/gender_{person.gender.lower()}")
        members[customer_id] = ids
    return members


@dataclass(frozen=True)
class Stay:
    customer_id: int
    segment_id: str
    joined_at: date
    left_at: date | None


def stays(by_date: dict[date, dict[int, set[str]]]) -> set[Stay]:
    """Section 10: a stay runs over consecutive recorded dates in the segment; it starts at the first
    of them and ends at the first recorded date the customer is no longer a member (null while one)."""
    dates = sorted(by_date)
    open_stays: dict[tuple[int, str], date] = {}
    closed: set[Stay] = set()
    for on in dates:
        current = {(cid, sid) for cid, ids in by_date[on].items() for sid in ids}
        for key in list(open_stays):
            if key not in current:
                closed.add(Stay(key[0], key[1], open_stays.pop(key), on))
        for key in current:
            open_stays.setdefault(key, on)
    return closed | {Stay(cid, sid, joined, None) for (cid, sid), joined in open_stays.items()}
