"""The Streamlit dashboard on the published warehouse: `make dashboard`, or
`DASHBOARD_DATABASE=<published file> .venv/bin/streamlit run dashboard/app.py` (docs/dashboard.md)."""

from __future__ import annotations

# `streamlit run` puts only this folder on the path; the pages import `dashboard` and `segmentation` as the
# installed package (`make install` installs this checkout into .venv, editable).
import streamlit as st

from dashboard import data
from dashboard.pages import PAGES


def main() -> None:
    st.set_page_config(page_title="Customer segments", layout="wide")
    navigation = st.navigation(
        [
            st.Page(path, title=title, url_path=url_path, default=index == 0)
            for index, (path, title, url_path) in enumerate(PAGES)
        ]
    )
    database = data.database_path()
    if not database.exists():
        st.error(
            f"No published warehouse at {database}. Build the demo with `make build`, or point the dashboard at "
            "yours: `make dashboard PUBLISHED_PATH=<your published warehouse.duckdb>`."
        )
        st.stop()
    dates = data.recorded_dates()
    st.sidebar.selectbox("As-of date", dates, key="as_of", format_func=lambda value: value.isoformat())
    publication = data.publication()
    st.sidebar.caption(f"Reading {database} (read-only){publication}")
    navigation.run()


main()
