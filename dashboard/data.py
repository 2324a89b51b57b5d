"""The dashboard's only door to the warehouse: short-lived, read-only connections to the published file.

DuckDB lets many processes read a file or one write it, never both; `segmentation.publish` replaces the
published file by a rename. So every query opens the file read-only, runs and closes: a publish can always
happen while the dashboard is open, and the next query sees the new file. Results are cached for a short
while, keyed on the file's modification time, so a new publication is read at once.

The dashboard never reads `dim_customer` (the only mart with names, emails and phones): `query` refuses SQL
that names it or a contact column, and the tests scan every query and the rendered pages.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard.serve import DATABASE_VARIABLE, DEMO_PUBLISHED

CACHE_SECONDS = 60
# What the dashboard must never read: the customer dimension and its contact columns.
FORBIDDEN = re.compile(r"\b(dim_customer|first_name|last_name|email|phone)\b", re.IGNORECASE)
STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
NOT_BUILT = "not built yet in this warehouse"


class ForbiddenQuery(Exception):
    """A query that would read contact details."""


def database_path() -> Path:
    configured = os.environ.get(DATABASE_VARIABLE)
    return Path(configured).expanduser().resolve() if configured else DEMO_PUBLISHED


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return -1.0


def _execute(path: str, sql: str, params: Sequence[Any]) -> pd.DataFrame:
    """Open, query, close: the file is held only for the query's duration."""
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(sql, list(params)).df()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=512)
def _cached(path: str, mtime: float, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    del mtime  # part of the cache key only: a new publication is a new key
    return _execute(path, sql, params)


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    if FORBIDDEN.search(STRING_LITERAL.sub("''", sql)):
        raise ForbiddenQuery(f"the dashboard never reads contact details: {sql[:80]}")
    path = database_path()
    return _cached(str(path), _mtime(path), sql, tuple(params))


def scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    frame = query(sql, params)
    return None if frame.empty else frame.iat[0, 0]


def tables() -> set[str]:
    frame = query("select table_name from information_schema.tables where table_schema = 'main'")
    return set(frame["table_name"])


def has(*names: str) -> bool:
    return set(names) <= tables()


def missing(*names: str) -> bool:
    """True, after saying so on the page, when one of the tables is not in the published file."""
    absent = [name for name in names if name not in tables()]
    if absent:
        st.info(f"{', '.join(f'`{name}`' for name in absent)}: {NOT_BUILT} ({database_path()}).")
    return bool(absent)


def publication() -> str:
    """`, publication <id> of <time>` when the file is a published one (segmentation/publish.py)."""
    if "publication" not in tables():
        return ""
    row = query("select publication_id, published_at from publication").iloc[0]
    return f", publication {row.publication_id} of {row.published_at:%Y-%m-%d %H:%M} UTC"


def recorded_dates() -> list[dt.date]:
    """Every recorded as-of date, newest first."""
    if "segment_membership_snapshots" in tables():
        sql = "select distinct as_of_date from segment_membership_snapshots order by as_of_date desc"
    else:
        sql = "select distinct as_of_date from customer_segments order by as_of_date desc"
    return [value.date() if hasattr(value, "date") else value for value in query(sql)["as_of_date"]]


def selected_as_of() -> dt.date:
    """The as-of date chosen in the sidebar (the newest recorded date by default)."""
    dates = recorded_dates()
    chosen = st.session_state.get("as_of")
    return chosen if chosen in dates else dates[0]
