import datetime as dt
from decimal import Decimal

from segmentation_tools.engines.compare import (
    Table,
    compare_segments,
    compare_tables,
    describe,
    describe_segments,
    table_from,
)

D = dt.date(2025, 6, 30)
COLUMNS = ("customer_id", "as_of_date", "customer_segment", "spend_last_90_days")


def reference() -> Table:
    return table_from(COLUMNS, [(1, D, "Declining", Decimal("2000.00")), (2, D, "Budget-Conscious", Decimal("0.01"))])


def test_same_rows_in_another_order_and_column_order_are_identical() -> None:
    other = table_from(
        ("spend_last_90_days", "customer_segment", "as_of_date", "customer_id"),
        [(Decimal("0.01"), "Budget-Conscious", D, 2), (Decimal("2000.0"), "Declining", D, 1)],
    )
    diff = compare_tables("customer_segments", reference(), other)
    assert diff.identical
    assert describe(diff) == "customer_segments: 2 rows, identical"


def test_one_cent_is_a_difference_and_both_sides_are_shown() -> None:
    other = table_from(COLUMNS, [(1, D, "Declining", Decimal("2000.01")), (2, D, "Budget-Conscious", Decimal("0.01"))])
    diff = compare_tables("customer_segments", reference(), other)
    assert not diff.identical
    assert diff.only_in_reference == [(1, D, "Declining", Decimal("2000.00"))]
    assert diff.only_in_other == [(1, D, "Declining", Decimal("2000.01"))]
    assert "DIFFERS" in describe(diff)


def test_a_duplicated_row_is_a_difference() -> None:
    rows = reference().rows
    diff = compare_tables("t", reference(), table_from(COLUMNS, [*rows, rows[0]]))
    assert (diff.only_in_reference_count, diff.only_in_other_count) == (0, 1)


def test_a_missing_column_is_a_difference_without_comparing_rows() -> None:
    other = table_from(COLUMNS[:3], [row[:3] for row in reference().rows])
    diff = compare_tables("t", reference(), other)
    assert diff.missing_columns == ("spend_last_90_days",)
    assert not diff.identical


def test_column_names_are_matched_case_insensitively() -> None:
    other = table_from([column.upper() for column in COLUMNS], reference().rows)
    assert compare_tables("t", reference(), other).identical


def test_segments_name_each_customer_who_moved_or_is_missing() -> None:
    other = table_from(COLUMNS, [(1, D, "Stable Mid-Spenders", Decimal("2000.00")), (3, D, "Declining", Decimal("1"))])
    diff = compare_segments(reference(), other)
    assert diff.customers == 3
    assert diff.differing == [
        (1, D, "Declining", "Stable Mid-Spenders"),
        (2, D, "Budget-Conscious", None),
        (3, D, None, "Declining"),
    ]
    assert describe_segments(diff).startswith("segments: 3 of 3 customer-dates DIFFER")


def test_identical_segments() -> None:
    diff = compare_segments(reference(), reference())
    assert diff.identical
    assert describe_segments(diff) == "segments: all 2 customer-dates identical"
