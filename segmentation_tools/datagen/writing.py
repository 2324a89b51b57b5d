"""Writing the files: DuckDB formats the numeric columns as text and writes CSV or Parquet."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import numpy as np

from segmentation_tools.datagen.categories import CATEGORIES, category_labels
from segmentation_tools.datagen.customers import CUSTOMER_COLUMNS
from segmentation_tools.datagen.events import (
    BAD_EVENT_IDS,
    BAD_TIMESTAMPS,
    DEVICES,
    EVENT_CITIES,
    EVENT_TYPES,
    SOURCES,
    Events,
)
from segmentation_tools.datagen.extras import PRODUCT_COLUMNS, product_id_sql
from segmentation_tools.datagen.transactions import Transactions

FORMATS: tuple[str, ...] = ("csv", "parquet")


def copy_options(fmt: str) -> str:
    """DuckDB COPY options; CSV quoting is DuckDB's default: only where CSV needs it."""
    return "(FORMAT csv, HEADER true, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet)"


def sql_string(value: str) -> str:
    """Quote a value for a SQL string literal (COPY targets cannot be bound parameters)."""
    return "'" + value.replace("'", "''") + "'"


def write_customers(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray], path: Path, fmt: str) -> None:
    """Write customers in their array order (ORDER BY a row number, since threads may reorder)."""
    table = dict(columns)
    table["row_no"] = np.arange(len(columns["customer_id"]), dtype=np.int64)
    con.register("customer_rows", table)
    select_list = ", ".join(f"{name}::VARCHAR AS {name}" for name in CUSTOMER_COLUMNS)
    con.execute(
        f"COPY (SELECT {select_list} FROM customer_rows ORDER BY row_no) TO {sql_string(str(path))} {copy_options(fmt)}"
    )
    con.unregister("customer_rows")


def write_products(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray], path: Path, fmt: str) -> None:
    """Write the products in their array order."""
    table = dict(columns)
    table["row_no"] = np.arange(len(columns["product_id"]), dtype=np.int64)
    con.register("product_rows", table)
    select_list = ", ".join(f"{name}::VARCHAR AS {name}" for name in PRODUCT_COLUMNS)
    con.execute(
        f"COPY (SELECT {select_list} FROM product_rows ORDER BY row_no) TO {sql_string(str(path))} {copy_options(fmt)}"
    )
    con.unregister("product_rows")


def list_param(values: list[str | None]) -> list[str | None]:
    """DuckDB cannot type an empty list parameter; a never-referenced '' keeps it VARCHAR[]."""
    return values if values else [""]


def write_transactions(con: duckdb.DuckDBPyConnection, tx: Transactions, as_of: dt.date, path: Path, fmt: str) -> None:
    """Format and write transactions in one streaming DuckDB projection.

    A pure projection over the numpy scan keeps insertion order (no sort of 13.5M rows),
    and the decimal multiply gives exact two-decimal amounts such as -12.50 and 1234.00.
    """
    table = {
        "transaction_id": tx.transaction_id,
        "customer_id": tx.customer_id,
        "day": tx.day,
        "date_code": tx.date_code,
        "cents": tx.cents,
        "amount_code": tx.amount_code,
        "category": tx.category,
    }
    con.register("transaction_rows", table)
    con.execute("SET preserve_insertion_order = true")
    query = f"""
        COPY (
            SELECT
                nullif(transaction_id, 0)::VARCHAR AS transaction_id,
                nullif(customer_id, 0)::VARCHAR AS customer_id,
                CASE WHEN date_code = 0 THEN ($as_of::DATE + day)::VARCHAR
                     WHEN date_code > 0 THEN list_extract($bad_dates, date_code) END AS transaction_date,
                CASE WHEN amount_code = 0 THEN (cents::DECIMAL(18, 0) * 0.01)::VARCHAR
                     WHEN amount_code > 0 THEN list_extract($bad_amounts, amount_code) END AS amount,
                list_extract($categories, category + 1) AS merchant_category,
                ({product_id_sql("transaction_id", "category")})::VARCHAR AS product_id
            FROM transaction_rows
        ) TO {sql_string(str(path))} {copy_options(fmt)}
    """
    con.execute(
        query,
        {
            "as_of": as_of.isoformat(),
            "bad_dates": list_param(list(tx.bad_dates)),
            "bad_amounts": list_param(list(tx.bad_amounts)),
            "categories": category_labels(),
        },
    )
    con.unregister("transaction_rows")


def write_events(con: duckdb.DuckDBPyConnection, events: Events, as_of: dt.date, path: Path, fmt: str) -> None:
    """Format and write the behaviour events in one streaming projection, in time order.

    browser and os follow the device, country and city the customer, page and referrer URLs the
    event: all derived here from the numeric columns, so the text is never held in Python.
    """
    con.register("event_rows", {field.name: getattr(events, field.name) for field in dataclasses.fields(Events)})
    con.execute("SET preserve_insertion_order = true")
    query = f"""
        COPY (
            SELECT
                CASE WHEN id_code = 0 THEN event_id::VARCHAR ELSE list_extract($bad_ids, id_code) END AS event_id,
                customer_id::VARCHAR AS customer_id,
                list_extract($types, event_type + 1) AS event_type,
                CASE WHEN time_code = 0 THEN strftime($as_of::TIMESTAMP + to_seconds(second), '%Y-%m-%d %H:%M:%S')
                     ELSE list_extract($bad_times, time_code) END AS occurred_at,
                list_extract($sources, source + 1) AS event_category,
                nullif(product, 0)::VARCHAR AS product_id,
                CASE WHEN category >= 0 THEN list_extract($categories, category + 1) END AS product_category,
                CASE WHEN cents > 0 THEN (cents::DECIMAL(18, 0) * 0.01)::VARCHAR END AS event_value,
                list_extract($devices, device + 1) AS device_type,
                CASE WHEN device = 0 THEN 'Chrome' WHEN customer_id % 2 = 0 THEN 'Safari' ELSE 'Chrome' END AS browser,
                CASE WHEN device = 0 THEN 'Windows' WHEN customer_id % 2 = 0 THEN 'iOS' ELSE 'Android' END AS os,
                'US' AS country,
                list_extract($cities, customer_id % len($cities) + 1) AS city,
                nullif(session_id, 0)::VARCHAR AS session_id,
                CASE event_type
                    WHEN 0 THEN '/' WHEN 1 THEN '/products/' || product WHEN 2 THEN '/cart'
                    WHEN 3 THEN '/checkout' WHEN 4 THEN '/wishlist' WHEN 5 THEN '/products/' || product || '/reviews'
                END AS page_url,
                CASE source WHEN 2 THEN 'https://mail.example.com/' WHEN 4 THEN 'https://social.example.com/' END
                    AS referrer_url
            FROM event_rows
        ) TO {sql_string(str(path))} {copy_options(fmt)}
    """
    con.execute(
        query,
        {
            "as_of": as_of.isoformat(),
            "bad_ids": list(BAD_EVENT_IDS),
            "bad_times": list(BAD_TIMESTAMPS),
            "types": list(EVENT_TYPES),
            "sources": list(SOURCES),
            "devices": list(DEVICES),
            "categories": list(CATEGORIES),
            "cities": list(EVENT_CITIES),
        },
    )
    con.unregister("event_rows")


def write_text_columns(
    con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray], names: tuple[str, ...], path: Path, fmt: str
) -> None:
    """Write text columns (None for a blank field) in their array order, every column as VARCHAR even when empty."""
    table = {name: np.asarray(columns[name], dtype=object) for name in names}
    table["row_no"] = np.arange(len(table[names[0]]), dtype=np.int64)
    con.register("text_rows", table)
    select_list = ", ".join(f"{name}::VARCHAR AS {name}" for name in names)
    con.execute(
        f"COPY (SELECT {select_list} FROM text_rows ORDER BY row_no) TO {sql_string(str(path))} {copy_options(fmt)}"
    )
    con.unregister("text_rows")
