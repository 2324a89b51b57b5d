"""The marts' fingerprints: order-free, a value's meaning rather than its printing, volatile columns left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from segmentation_tools.engines.fingerprints import differences, digest, value_text


def test_a_value_is_its_meaning() -> None:
    assert value_text(Decimal("10.00")) == value_text(Decimal("10")) == "10"
    assert value_text(Decimal("0.000")) == "0"
    assert value_text(Decimal("-1.50")) == "-1.5"
    assert value_text(0.1 + 0.2) == value_text(0.3)
    assert value_text(0.3) != value_text(0.3000001)
    assert value_text(None) != value_text("None")
    assert value_text(dt.date(2025, 6, 30)) == "2025-06-30"
    assert value_text(["a", Decimal("1.0")]) == "[a,1]"
    assert value_text(True) == "true"


def test_rows_and_columns_in_any_order_give_one_digest() -> None:
    one = digest(["a", "b"], [(1, "x"), (2, "y")])
    other = digest(["b", "A"], [("y", 2), ("x", 1)])
    assert one == other and one["rows"] == 2 and one["columns"] == ["a", "b"]
    assert digest(["a", "b"], [(1, "x"), (2, "z")])["sha256"] != one["sha256"]
    # a duplicate row counts
    assert digest(["a", "b"], [(1, "x"), (1, "x"), (2, "y")])["sha256"] != one["sha256"]


def test_volatile_columns_are_left_out() -> None:
    assert digest(["a", "fit_seconds"], [(1, 0.5)], ("fit_seconds",)) == digest(["a"], [(1,)])


def test_differences_name_the_mart_and_what_changed() -> None:
    expected = {"m": digest(["a"], [(1,)]), "gone": digest(["a"], [])}
    actual = {"m": digest(["a"], [(1,), (2,)]), "new": digest(["a"], [])}
    assert differences(expected, actual) == [
        "gone: missing",
        "m: 1 rows expected, 2 found",
        "new: not in the expected fingerprints",
    ]
    assert differences(expected, expected) == []
