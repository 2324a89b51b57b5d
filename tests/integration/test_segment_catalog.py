"""The segment catalog (docs/rules/catalog.md and docs/rules/memberships.md) on the test sample, against
catalog_reference.py's
independent reading: every customer's built-in segments at every recorded date, the stays built
from them, the current members and the catalog's counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from integration import catalog_reference, reference
from integration.harness import SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS, Warehouse

EXCLUSIVE_TYPES = ("behavioral", "rfm", "lifecycle", "value", "engagement", "journey")

# The user-defined segments of the project's segments.yml are in the same marts (test_user_segments.py);
# these tests are about the built-in types.
BUILT_IN = "segment_type not in ('static', 'dynamic')"


def month_ends(last: dt.date, count: int) -> list[dt.date]:
    dates, month_end = [], last
    for _ in range(count):
        dates.append(month_end)
        month_end = month_end.replace(day=1) - dt.timedelta(days=1)
    return sorted(dates)


@pytest.fixture(scope="module")
def expected(sample_raw_dir: Path) -> dict[dt.date, dict[int, set[str]]]:
    data = reference.clean(sample_raw_dir)
    people = catalog_reference.profiles(sample_raw_dir, SAMPLE_AS_OF)
    return {
        on: catalog_reference.memberships_on(sample_raw_dir, on, SAMPLE_AS_OF, data, people)
        for on in month_ends(SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS)
    }


def recorded(built: Warehouse) -> dict[dt.date, dict[int, set[str]]]:
    by_date: dict[dt.date, dict[int, set[str]]] = {}
    for on, customer_id, segment_id in built.query(
        f"select as_of_date, customer_id, segment_id from segment_membership_snapshots where {BUILT_IN}"
    ):
        by_date.setdefault(on, {}).setdefault(customer_id, set()).add(segment_id)
    return by_date


def test_every_recorded_date_matches_the_reference_customer_by_customer(built: Warehouse, expected: dict) -> None:
    got = recorded(built)
    assert sorted(got) == sorted(expected)
    for on, want in expected.items():
        differing = [
            f"{on} customer {cid}: warehouse {sorted(got[on].get(cid, set()))}, reference {sorted(ids)}"
            for cid, ids in want.items()
            if got[on].get(cid) != ids
        ]
        assert set(got[on]) == set(want), on
        assert not differing, "\n".join(differing[:20])


def test_each_exclusive_type_holds_every_customer_once(expected: dict) -> None:
    """The reference itself gives each customer one segment per exclusive type (a check of the grid)."""
    for members in expected.values():
        for ids in members.values():
            types = Counter(segment_id.split("/")[0] for segment_id in ids)
            assert all(types[kind] == 1 for kind in EXCLUSIVE_TYPES)
            assert types["demographic"] <= 2


def test_memberships_are_the_reference_stays(built: Warehouse, expected: dict) -> None:
    want = catalog_reference.stays(expected)
    rows = built.query(
        "select customer_id, segment_id, joined_at, left_at, is_active, source, segment_type"
        f" from customer_segment_memberships where {BUILT_IN}"
    )
    got = {catalog_reference.Stay(cid, sid, joined, left) for cid, sid, joined, left, *_ in rows}
    assert len(rows) == len(got)
    assert got == want, (sorted(got - want, key=str)[:10], sorted(want - got, key=str)[:10])
    assert all(active == (left is None) and source == "automatic" for _, _, _, left, active, source, _ in rows)
    assert all(sid.split("/")[0] == kind for _, sid, *_, kind in rows)
    # a year of history for every type
    first_joined = dict(
        built.query(
            f"select segment_type, min(joined_at) from customer_segment_memberships where {BUILT_IN} group by 1"
        )
    )
    assert set(first_joined.values()) == {min(expected)}
    assert set(first_joined) == {*EXCLUSIVE_TYPES, "demographic"}


def test_members_and_counts_are_those_of_the_run_date(built: Warehouse, expected: dict) -> None:
    latest = expected[SAMPLE_AS_OF]
    members = built.query(f"select segment_id, customer_id from segment_members where {BUILT_IN}")
    assert sorted(members) == sorted((sid, cid) for cid, ids in latest.items() for sid in ids)
    counts = Counter(sid for ids in latest.values() for sid in ids)
    catalog = {
        sid: (count, share, status, updated)
        for sid, count, share, status, updated in built.query(
            "select segment_id, customer_count, share_of_customers, status, last_updated"
            f" from segments where {BUILT_IN}"
        )
    }
    assert set(catalog) >= set(counts)
    for sid, (count, share, status, updated) in catalog.items():
        assert (count, status, updated) == (counts.get(sid, 0), "active", SAMPLE_AS_OF), sid
        exact = reference.Fraction(counts.get(sid, 0), len(latest))
        assert abs(reference.Fraction(share) - exact) <= reference.Fraction(1, 20000), sid


def test_catalog_lists_every_built_in_segment(built: Warehouse) -> None:
    by_type = dict(built.query(f"select segment_type, count(*) from segments where {BUILT_IN} group by 1"))
    assert by_type == {
        "behavioral": 5,
        "rfm": 10,
        "lifecycle": 3,
        "value": 4,
        "engagement": 3,
        "journey": 5,
        "demographic": 9,
    }
    ids = {sid for (sid,) in built.query("select segment_id from segments")}
    assert {
        "behavioral/high_value_travelers",
        "rfm/champions",
        "rfm/cant_lose_them",
        "lifecycle/onboarding",
        "value/vip",
        "engagement/high",
        "demographic/age_25_34",
        "demographic/age_65_plus",
        "demographic/gender_female",
    } <= ids


def test_behavioral_migrations_are_unchanged_and_every_exclusive_type_has_a_matrix(built: Warehouse) -> None:
    sizes = dict(built.query("select segment_type, count(distinct from_segment) from segment_migrations group by 1"))
    pairs = built.query(
        "select segment_type, from_as_of_date, count(*) from segment_migrations group by 1, 2 order by 1, 2"
    )
    assert {kind for kind, _, _ in pairs} == set(EXCLUSIVE_TYPES)
    # n x n + n + n rows per pair of consecutive dates, 11 pairs over 12 recorded dates
    assert all(count == sizes[kind] * (sizes[kind] + 2) for kind, _, count in pairs)
    assert Counter(kind for kind, _, _ in pairs) == {kind: SAMPLE_BACKFILL_MONTHS - 1 for kind in EXCLUSIVE_TYPES}


def test_the_exclusivity_test_fails_on_a_missing_or_second_segment(built: Warehouse, tmp_path: Path) -> None:
    """segment_types_exclusive is not vacuous: a customer without an RFM segment, or with a second
    value tier or age band, fails it, once each."""
    damaged = built.copy(tmp_path)
    with duckdb.connect(str(damaged.database)) as con:
        con.execute(
            f"""
            delete from segment_membership_snapshots
            where as_of_date = date '{SAMPLE_AS_OF}' and segment_type = 'rfm'
                and customer_id = (select min(customer_id) from segment_membership_snapshots)
            """
        )
        con.execute(
            f"""
            insert into segment_membership_snapshots
            select as_of_date, customer_id, 'value/vip', segment_type, source
            from segment_membership_snapshots
            where as_of_date = date '{SAMPLE_AS_OF}' and segment_id = 'value/economy'
            order by customer_id limit 1
            """
        )
        con.execute(
            f"""
            insert into segment_membership_snapshots
            select as_of_date, customer_id, 'demographic/age_18_24', segment_type, source
            from segment_membership_snapshots
            where as_of_date = date '{SAMPLE_AS_OF}' and segment_id = 'demographic/age_65_plus'
            order by customer_id limit 1
            """
        )
    run = damaged.dbt("test", "--select", "test_name:segment_types_exclusive", as_of=SAMPLE_AS_OF)
    assert run.returncode != 0
    assert "Got 3 results" in run.output, run.output[-2000:]
