"""segment_analytics on the sample (docs/rules/service.md): every row equals an independent plain-Python computation
from
the rows it is built from (analytics_reference.py), on every recorded date and for every segment of every type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from integration.analytics_reference import expected_rows, read_inputs
from integration.harness import Warehouse

# The lifetime-value means average doubles in the mart and exact decimals here: a mean whose third (or fifth) decimal
# is a 5 may round either way, so those two may differ by one unit in their last place.
DOUBLE_MEANS = {"average_predicted_ltv_1year": Decimal("0.01"), "average_churn_probability": Decimal("0.0001")}


def test_every_row_matches_the_reference(built: Warehouse) -> None:
    expected = expected_rows(read_inputs(built.query))
    rows = built.query_dicts("select * from main.segment_analytics")
    got = {(row.pop("segment_id"), row.pop("as_of_date")): row for row in rows}
    assert set(got) == set(expected)
    types = {row["segment_type"] for row in got.values()}
    assert {
        "behavioral",
        "rfm",
        "lifecycle",
        "value",
        "engagement",
        "demographic",
        "journey",
        "static",
        "dynamic",
    } <= types
    mismatches: list[tuple[Any, ...]] = []
    for key, want in expected.items():
        for column, value in want.items():
            actual = got[key][column]
            tolerance = DOUBLE_MEANS.get(column)
            if tolerance is not None and value is not None and actual is not None:
                if abs(Decimal(actual) - value) > tolerance:
                    mismatches.append((key, column, actual, value))
            elif actual != value:
                mismatches.append((key, column, actual, value))
    assert not mismatches, mismatches[:10]


def test_the_sample_exercises_the_figures(built: Warehouse) -> None:
    """The comparison above is only as strong as the data: the sample must give each figure real values."""
    (row,) = built.query(
        "select count(*) filter (where growth_rate <> 0), count(*) filter (where retention_rate < 1),"
        " count(*) filter (where campaigns_sent > 0), count(*) filter (where average_predicted_ltv_1year is not null),"
        " count(*) filter (where active_customers < total_customers and active_customers > 0),"
        " count(distinct as_of_date) from main.segment_analytics"
    )
    assert all(count > 0 for count in row[:5]), row
    assert row[5] >= 12
