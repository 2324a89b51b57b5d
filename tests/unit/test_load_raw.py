from pathlib import Path

import duckdb
import pytest

from segmentation.engines import load_raw


def test_required_columns_come_from_the_raw_source() -> None:
    columns = load_raw.required_columns()
    assert columns["transactions"] == [
        "transaction_id",
        "customer_id",
        "transaction_date",
        "amount",
        "merchant_category",
        "product_id",
    ]
    assert columns["customers"][0] == "customer_id" and "signup_date" in columns["customers"]


def test_optional_columns_and_files_come_from_the_raw_source() -> None:
    assert load_raw.optional_columns()["customers"] == {"loyalty_points", "last_login", "customer_type"}
    assert load_raw.optional_columns()["transactions"] == {"product_id"}
    assert load_raw.optional_files() == {
        "products",
        "behavior_events",
        "customer_preferences",
        "suppressions",
        "campaign_deliveries",
    }
    assert load_raw.required_columns()["behavior_events"][:4] == [
        "event_id",
        "customer_id",
        "event_type",
        "occurred_at",
    ]
    assert load_raw.optional_columns()["behavior_events"] == set(load_raw.required_columns()["behavior_events"][4:])


def test_a_missing_file_names_both_formats(tmp_path: Path) -> None:
    with pytest.raises(load_raw.RawInputError, match=r"customers\.csv or .*customers\.parquet"):
        load_raw.raw_file(tmp_path, "customers")


def test_parquet_is_found_when_there_is_no_csv(tmp_path: Path) -> None:
    (tmp_path / "customers.parquet").write_bytes(b"")
    assert load_raw.raw_file(tmp_path, "customers") == tmp_path / "customers.parquet"


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    path.write_text("transaction_id,customer_id,transaction_date,amount\n1,1,2024-01-01,5\n")
    with pytest.raises(
        load_raw.RawInputError, match=r"transactions\.csv is missing required column\(s\): merchant_category"
    ):
        load_raw.text_select(
            duckdb.connect(),
            path,
            load_raw.required_columns()["transactions"],
            load_raw.optional_columns()["transactions"],
        )


def test_every_value_is_read_as_text_with_headers_matched_loosely(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    path.write_text(
        " Merchant_Category ,amount,transaction_id,customer_id,transaction_date,extra\nGas,007.50,01,2,2024-01-01,x\n"
    )
    query = load_raw.text_select(
        duckdb.connect(), path, load_raw.required_columns()["transactions"], load_raw.optional_columns()["transactions"]
    )
    relation = duckdb.sql(query)
    assert relation is not None
    # product_id is optional and absent: null
    assert relation.fetchall() == [("01", "2", "2024-01-01", "007.50", "Gas", None)]


def test_an_absent_optional_column_is_required_when_not_declared_optional(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    path.write_text("transaction_id,customer_id,transaction_date,amount,merchant_category\n1,1,2024-01-01,5,Gas\n")
    with pytest.raises(load_raw.RawInputError, match=r"missing required column\(s\): product_id"):
        load_raw.text_select(duckdb.connect(), path, load_raw.required_columns()["transactions"])


@pytest.mark.parametrize(
    ("value", "copy_text"),
    [
        (None, "\\N"),
        ("", ""),
        ("a\tb", "a\\tb"),
        ("line\nbreak\r", "line\\nbreak\\r"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_copy_text_format_keeps_nulls_apart_from_blanks(value: str | None, copy_text: str) -> None:
    assert load_raw._copy_field(value) == copy_text
