"""The dashboard (dashboard/, docs/dashboard.md) on the test sample, published as `make build` publishes it.

Every page runs under Streamlit's own app-testing API and shows the numbers the marts give when asked directly;
the campaign and behaviour pages are run on a copy that also holds hand-made tables with the columns of their
contracts (notes/contract-19.md, docs/rules/behaviour.md), and on the sample, which has none, where they say so. The
builder rejects a bad definition with the build's own message and saves a good one. No query names the customer
dimension or a contact column, and no email, phone or name reaches a page. Then one real browser (the system's
Chromium under Playwright) visits every page of one running app: it waits for the charts, reads the numbers,
fails on a console error and leaves a screenshot per page. That test skips, with its reason, where no Chromium is
on PATH (`make system-deps` installs it; nothing here does); CI sets SEGMENTATION_REQUIRE_BROWSER=1, which makes a
missing browser a failure there instead, so the test cannot silently stop running.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import browser
from dashboard import data as dashboard_data
from dashboard.pages import PAGES
from integration import clv_worlds
from integration.harness import PROJECT_DIR, Warehouse, assert_succeeded
from segmentation import summary
from segmentation.publish import publish
from segmentation.segments import DefinitionErrors, load_segments
from segmentation.segments.preview import preview
from segmentation_tools.datagen.demo_segments import LISTS_DIR, SEGMENTS_FILE

APP = PROJECT_DIR / "dashboard" / "app.py"
# The customer dimension and its contact columns: never in a dashboard query.
CONTACT_SQL = re.compile(r"\b(dim_customer|first_name|last_name|email|phone)\b", re.IGNORECASE)
NOT_BUILT = "not built yet in this warehouse"
CAMPAIGN_TABLES = ("campaigns", "campaign_performance", "campaign_audiences")
BEHAVIOUR_TABLES = ("customer_journey_stages", "segment_daily_performance", "customer_behavior_summary")
# Charts each page draws on the warehouse with every table (the browser waits for them).
CHARTS = {
    "overview": 2,
    "migrations": 2,
    "segments": 1,
    "analytics": 2,
    "builder": 0,
    "cohorts": 2,
    "value": 0,  # counted from the marts by value_charts: it depends on which fits are ok
    "campaigns": 3,
    "journeys": 2,
}


@pytest.fixture(scope="module")
def published(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's marts published as `make build` publishes them, campaign and behaviour marts included."""
    path = tmp_path_factory.mktemp("dashboard") / "published" / "warehouse.duckdb"
    publish(built.database, path)
    return path


def _add_contract_tables(path: Path) -> None:
    """Small hand-made campaign and behaviour tables with exactly the contracts' columns, on real customer ids, in
    place of the built ones: numbers written for the page's arithmetic (the lift interval, a draft campaign)."""
    with duckdb.connect(str(path)) as con:
        for table in (*CAMPAIGN_TABLES, *BEHAVIOUR_TABLES):
            con.execute(f"drop table if exists {table}")
        ids = [
            row[0] for row in con.execute("select customer_id from customer_segments order by customer_id").fetchall()
        ]
        con.execute(
            """
            create table campaigns (
                campaign_id varchar, campaign_name varchar, campaign_type varchar, channel varchar,
                segment_id varchar, scheduled_at timestamp, status varchar, holdout_pct decimal(5, 2),
                audience_limit integer, cost_per_message decimal(18, 4))
            """
        )
        con.execute(
            """
            insert into campaigns values
                ('spring_winback', 'Spring win-back', 'email', 'email', 'behavioral/declining',
                 '2025-06-01 09:00:00', 'sent', 25.00, null, 0.0500),
                ('travel_offer', 'Travel offer', 'sms', 'sms', 'behavioral/high_value_travelers',
                 '2025-06-10 09:00:00', 'sent', 20.00, 50, 0.1000),
                ('summer_draft', 'Summer draft', 'notification', 'push', 'rfm/champions',
                 '2025-07-15 09:00:00', 'draft', 10.00, null, 0.0000)
            """
        )
        con.execute(
            """
            create table campaign_audiences (
                campaign_id varchar, customer_id bigint, test_group varchar, audience_rank integer,
                channel varchar, selected_at date)
            """
        )
        audiences = [("spring_winback", "email", ids[:40], 30), ("travel_offer", "sms", ids[40:90], 40)]
        for campaign_id, channel, members, treated in audiences:
            con.executemany(
                "insert into campaign_audiences values (?, ?, ?, ?, ?, date '2025-05-31')",
                [
                    (campaign_id, customer_id, "treatment" if rank <= treated else "holdout", rank, channel)
                    for rank, customer_id in enumerate(members, start=1)
                ],
            )
        con.execute(
            """
            create table campaign_performance (
                campaign_id varchar, treatment_size bigint, holdout_size bigint, treatment_conversions bigint,
                holdout_conversions bigint, off_audience_deliveries bigint, sent bigint, delivered bigint,
                bounced bigint, opened bigint, clicked bigint, unsubscribed bigint, delivery_rate decimal(10, 4),
                open_rate decimal(10, 4), click_rate decimal(10, 4), click_to_open_rate decimal(10, 4),
                conversion_rate decimal(10, 4), holdout_conversion_rate decimal(10, 4), lift decimal(10, 4),
                lift_ci_low decimal(10, 4), lift_ci_high decimal(10, 4), p_value double, is_significant boolean,
                minimum_detectable_lift decimal(10, 4), relative_lift decimal(10, 4),
                treatment_revenue_per_member decimal(18, 2), holdout_revenue_per_member decimal(18, 2),
                incremental_revenue decimal(18, 2), incremental_revenue_ci_low decimal(18, 2),
                incremental_revenue_ci_high decimal(18, 2), conversion_categories varchar[],
                conversion_min_amount decimal(18, 2), offer_cost decimal(18, 2), cost decimal(18, 2),
                roi decimal(18, 4), consent_breaches bigint)
            """
        )
        # 12 of 30 against 2 of 10 (not significant, the groups too small for a 20-point lift) and 36 of 40 against
        # 3 of 10 (significant): intervals, p-values and detectable lifts as statsmodels gives them
        con.execute(
            """
            insert into campaign_performance values
                ('spring_winback', 30, 10, 12, 2, 0, 30, 28, 2, 14, 6, 1, 0.9333, 0.5000, 0.2143, 0.4286,
                 0.4000, 0.2000, 0.2000, -0.1460, 0.4276, 0.2508288499209398, false, 0.4833, 1.0000, 120.00, 80.00,
                 1200.00, -300.00, 2700.00, ['travel'], 50.00, 5.00, 61.50, 18.5122, 0),
                ('travel_offer', 40, 10, 36, 3, 2, 40, 39, 1, 20, 12, 0, 0.9750, null, 0.3077, null,
                 0.9000, 0.3000, 0.6000, 0.2699, 0.8015, 4.1902271228321405e-05, true, 0.4607, 2.0000, 300.00,
                 200.00, 4000.00, 1000.00, 7000.00, null, null, null, 4.00, 999.0000, 0)
            """
        )
        con.execute(
            """
            create table customer_journey_stages (
                customer_id bigint, current_stage varchar, stage_entered_at date, days_in_stage integer)
            """
        )
        stages = ["Awareness", "Consideration", "Decision", "Retention", "Retention", "Advocacy"]
        con.executemany(
            "insert into customer_journey_stages values (?, ?, date '2025-05-31', 30)",
            [(customer_id, stages[index % len(stages)]) for index, customer_id in enumerate(ids[:60])],
        )
        con.execute(
            """
            create table segment_daily_performance (
                activity_date date, segment_id varchar, segment_name varchar, member_count bigint,
                new_customers bigint, active_customers bigint, purchases bigint, revenue decimal(18, 2),
                avg_order_value decimal(18, 2), page_views bigint, product_views bigint, add_to_cart bigint,
                email_open_rate decimal(10, 4), email_click_rate decimal(10, 4), repeat_purchase_rate decimal(10, 4))
            """
        )
        con.execute(
            """
            insert into segment_daily_performance
            select
                day::date, segment_id, segment, 100, 1, 20 + shift, 25 + shift, 1000 + 10 * shift, 40.00, 300, 120,
                30, 0.2500, 0.0500, 0.5000
            from range(date '2025-06-28', date '2025-07-01', interval 1 day) as days(day)
            cross join (
                values ('behavioral/declining', 'Declining', 0),
                    ('behavioral/stable_mid_spenders', 'Stable Mid-Spenders', 5)
            ) as segments(segment_id, segment, shift)
            """
        )
        con.execute(
            """
            create table customer_behavior_summary (
                customer_id bigint, total_events bigint, total_page_views bigint, total_product_views bigint,
                total_add_to_cart bigint, total_purchases bigint, total_spent decimal(18, 2),
                avg_order_value decimal(18, 2), first_purchase_date date, last_purchase_date date,
                days_since_purchase integer, purchase_frequency_days decimal(18, 2), preferred_category varchar,
                preferred_device varchar, preferred_source varchar)
            """
        )
        con.executemany(
            "insert into customer_behavior_summary values (?, 10, 5, 3, 1, 2, 100.00, 50.00, date '2025-01-01',"
            " date '2025-06-01', 29, 151.00, 'Travel', ?, 'email')",
            [(customer_id, "mobile" if index % 3 else "desktop") for index, customer_id in enumerate(ids[:30])],
        )


@pytest.fixture(scope="module")
def full(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published sample with hand-made campaign and behaviour tables in place of the built ones."""
    path = tmp_path_factory.mktemp("dashboard-full") / "warehouse.duckdb"
    shutil.copy(published, path)
    _add_contract_tables(path)
    return path


@pytest.fixture(scope="module")
def bare(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published sample without the campaign and behaviour marts, as a warehouse built before they existed."""
    path = tmp_path_factory.mktemp("dashboard-bare") / "warehouse.duckdb"
    shutil.copy(published, path)
    with duckdb.connect(str(path)) as con:
        for table in (*CAMPAIGN_TABLES, *BEHAVIOUR_TABLES):
            con.execute(f"drop table {table}")
    return path


@pytest.fixture()
def segments_file(built: Warehouse, tmp_path: Path) -> Path:
    """A copy of the sample's segments file (the demo's), with the id lists it names, for the builder to save into."""
    shutil.copy(built.raw_dir / SEGMENTS_FILE, tmp_path / SEGMENTS_FILE)
    shutil.copytree(built.raw_dir / LISTS_DIR, tmp_path / LISTS_DIR)
    return tmp_path / SEGMENTS_FILE


@pytest.fixture()
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL text the dashboard runs during the test (the cache is emptied first, so each one runs)."""
    st.cache_data.clear()
    seen: list[str] = []
    execute = dashboard_data._execute

    def recording(path: str, sql: str, params: Any) -> pd.DataFrame:
        seen.append(sql)
        return execute(path, sql, params)

    monkeypatch.setattr(dashboard_data, "_execute", recording)
    yield seen
    st.cache_data.clear()


def run_page(
    monkeypatch: pytest.MonkeyPatch,
    database: Path,
    page: str,
    segments_file: Path | None = None,
    before: Callable[[AppTest], None] | None = None,
) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATABASE", str(database))
    if segments_file is not None:
        monkeypatch.setenv("DASHBOARD_SEGMENTS_FILE", str(segments_file))
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    if before is not None:
        before(app)
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [item.value for item in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def rendered_text(app: AppTest) -> str:
    """Everything a page shows as text or tables (the charts draw the same queries' results)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "code", "info", "error", "success"):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [str(element.value) for element in app.json]
    parts += [element.value.to_string() for element in app.dataframe]
    parts += [str(element.value) for element in app.sidebar.caption]
    return "\n".join(parts)


def sql(database: Path, text: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(text, params or []).fetchall()


def one(database: Path, text: str, params: list[Any] | None = None) -> Any:
    return sql(database, text, params)[0][0]


# --- the pages ------------------------------------------------------------------------------------------------


def test_overview_shows_the_marts_numbers(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    app = run_page(monkeypatch, published, "overview")
    shown = metrics(app)
    assert shown["Customers"] == f"{one(published, 'select count(*) from customer_segments'):,}"
    assert shown["Members"] == f"{one(published, 'select count(*) from segment_members'):,}"
    active = one(published, "select count(*) from segments where status = 'active' and customer_count > 0")
    assert shown["Active segments"] == f"{active:,}"
    assert shown["As-of date"] == str(one(published, "select max(as_of_date) from customer_segments"))
    as_of, segments, quality = summary.read_summary(published)
    distribution = app.dataframe[0].value
    assert list(distribution["segment"]) == [row.segment for row in segments]
    assert list(distribution["customers"]) == [row.customers for row in segments]
    assert [float(value) for value in distribution["avg_lifetime_value"]] == pytest.approx(
        [row.avg_lifetime_value for row in segments], abs=0.005
    )
    # The data-quality lines are the build summary's own.
    build_summary = summary.format_summary(as_of, segments, quality)
    lines = [element.value for element in app.text]
    assert len(lines) == 3
    for line in lines:
        assert line.split(" (")[0] in build_summary


def test_any_recorded_as_of_date_can_be_chosen(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    dates = [row[0] for row in sql(published, "select distinct as_of_date from customer_segment_snapshots order by 1")]
    earlier = dates[len(dates) // 2]

    def choose(app: AppTest) -> None:
        assert list(app.sidebar.selectbox(key="as_of").options) == [value.isoformat() for value in reversed(dates)]
        app.sidebar.selectbox(key="as_of").set_value(earlier).run()

    app = run_page(monkeypatch, published, "overview", before=choose)
    customers = one(published, "select count(*) from customer_segment_snapshots where as_of_date = ?", [earlier])
    members = one(published, "select count(*) from segment_membership_snapshots where as_of_date = ?", [earlier])
    assert metrics(app)["Customers"] == f"{customers:,}"
    assert metrics(app)["Members"] == f"{members:,}"
    assert metrics(app)["As-of date"] == earlier.isoformat()
    assert int(app.dataframe[0].value["customers"].sum()) == customers


def test_migrations_match_segment_migrations(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    app = run_page(monkeypatch, published, "migrations")
    latest = one(published, "select max(to_as_of_date) from segment_migrations")
    counts = dict(
        sql(
            published,
            "select migration_type, sum(customer_count) from segment_migrations"
            " where segment_type = 'behavioral' and to_as_of_date = ? group by 1",
            [latest],
        )
    )
    total = sum(counts.values())
    assert metrics(app)["Customers who stayed in their segment"] == f"{counts['stayed']:,} of {total:,}"
    assert app.selectbox(key="migration_to").value == latest
    assert app.selectbox(key="migration_type").value == "behavioral"


def test_segments_catalog_and_one_segment(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    app = run_page(monkeypatch, published, "segments")
    catalog = app.dataframe[0].value.set_index("segment_id")
    assert dict(catalog["members"]) == dict(sql(published, "select segment_id, customer_count from segments"))
    shares = {
        key: float(value) * 100 for key, value in sql(published, "select segment_id, share_of_customers from segments")
    }
    assert dict(catalog["share_pct"].astype(float)) == pytest.approx(shares, abs=0.006)
    dates = one(published, "select count(distinct as_of_date) from segment_membership_snapshots")
    for segment_id in ("behavioral/declining", "rfm/champions"):
        trend = list(catalog.loc[segment_id, "trend"])
        assert len(trend) == dates
        assert trend[-1] == catalog.loc[segment_id, "members"]

    app.multiselect(key="segment_types").set_value(["rfm"]).run()
    app.selectbox(key="segment_id").set_value("rfm/champions").run()
    assert not app.exception
    assert set(app.dataframe[0].value["segment_type"]) == {"rfm"}
    rfm_segments = one(published, "select count(*) from segments where segment_type = 'rfm'")
    assert metrics(app)["Segments shown"] == f"{rfm_segments:,}"
    sample = app.dataframe[1].value
    assert list(sample.columns) == ["customer_id"]
    members = {
        row[0] for row in sql(published, "select customer_id from segment_members where segment_id = 'rfm/champions'")
    }
    assert len(sample) == min(20, len(members))
    assert set(sample["customer_id"]) <= members
    assert "r_score" in str(app.json[0].value)


def _button(app: AppTest, label: str) -> Any:
    return next(button for button in app.button if button.label == label)


def _builtin_ids(database: Path) -> list[str]:
    return [
        row[0]
        for row in sql(database, "select segment_id from segments where segment_type not in ('static', 'dynamic')")
    ]


def test_the_builder_rejects_a_bad_definition_with_the_builds_message(
    monkeypatch: pytest.MonkeyPatch, published: Path, segments_file: Path, tmp_path: Path
) -> None:
    original = segments_file.read_text()

    app = run_page(monkeypatch, published, "builder", segments_file=segments_file)
    app.text_input(key="builder_slug").input("dash_bad")
    app.text_input(key="builder_name").input("Bad")
    app.text_area(key="builder_yaml").input("total_orders: {between: [5, 2]}")
    _button(app, "Save to the segments file").click().run()
    assert not app.exception
    # What the build says about the same entry appended by hand to the same file.
    by_hand = tmp_path / "by-hand" / "segments.yml"
    shutil.copytree(segments_file.parent / "segment_lists", by_hand.parent / "segment_lists")
    by_hand.write_text(
        original + "\n  - id: dash_bad\n    name: Bad\n    type: dynamic\n    criteria:\n"
        "      total_orders: {between: [5, 2]}\n"
    )
    with pytest.raises(DefinitionErrors) as refused:
        load_segments(by_hand, _builtin_ids(published))
    expected = [str(error).replace(str(by_hand), str(segments_file)) for error in refused.value.errors]
    assert expected and "dash_bad" in expected[0] and "total_orders" in expected[0]
    shown = app.error[0].value
    for message in expected:
        assert message in shown
    assert segments_file.read_text() == original  # nothing saved


def test_the_builder_previews_and_saves_a_good_definition(
    monkeypatch: pytest.MonkeyPatch, published: Path, segments_file: Path
) -> None:
    original = segments_file.read_text()
    app = run_page(monkeypatch, published, "builder", segments_file=segments_file)
    app.text_input(key="builder_slug").input("dash_big_spenders")
    app.text_input(key="builder_name").input("Big spenders")
    app.number_input(key="builder_min_monetary").set_value(20000.0)
    app.multiselect(key="builder_in_segments").set_value(["lifecycle/mature"])
    app.text_area(key="builder_yaml").input("total_orders: {gte: 3}")
    _button(app, "Validate and preview").click().run()
    assert not app.exception, [item.value for item in app.exception]
    assert not app.error, [item.value for item in app.error]
    assert segments_file.read_text() == original  # a preview saves nothing
    shown = next(metric.value for metric in app.metric if metric.label.startswith("Members as of"))

    _button(app, "Save to the segments file").click().run()
    assert not app.exception and not app.error
    saved = segments_file.read_text()
    assert saved.startswith(original)  # comments and the other segments kept as they were
    segments = {segment.segment_id: segment for segment in load_segments(segments_file, _builtin_ids(published))}
    assert "dynamic/dash_big_spenders" in segments
    # The preview command, on the saved file, counts the same members.
    counted = preview(segments_file, published, ["dynamic/dash_big_spenders"]).previews[0].members
    assert counted > 0
    assert shown == f"{counted:,}"


def test_cohorts_match_the_cohort_marts(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    app = run_page(monkeypatch, published, "cohorts")
    latest = [
        row[0]
        for row in sql(
            published,
            "select cohort_id from cohorts where cohort_period = 'month' order by acquisition_start_date desc limit 12",
        )
    ]
    members = one(published, "select sum(member_count) from cohorts where cohort_id in (select unnest(?))", [latest])
    assert metrics(app)["Cohorts shown"] == f"{len(latest):,}"
    assert metrics(app)["Customers in them"] == f"{members:,}"
    revenue = app.dataframe[0].value.set_index("cohort")
    for cohort_id in latest:
        expected = one(
            published,
            "select cumulative_revenue_per_customer from cohort_retention where cohort_id = ? and is_complete"
            " order by months_since_signup desc limit 1",
            [cohort_id],
        )
        if expected is not None:
            assert revenue.loc[cohort_id, "revenue_per_customer"] == pytest.approx(float(expected), abs=0.005)


@pytest.fixture(scope="module")
def lifetime_value_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A world drawn from known parameters whose fits are ok (tests/integration/clv_worlds.py), with the segment
    history the value page reads beside the lifetime-value marts, published."""
    work = tmp_path_factory.mktemp("value_world")
    as_of = dt.date(2025, 6, 30)
    world = clv_worlds.World(1500, 1, dt.date(2023, 7, 1), as_of)
    warehouse = Warehouse(clv_worlds.write(world, work / "raw"), work / "warehouse.duckdb", work)
    selected = (
        "+customer_lifetime_value",
        "+clv_validation",
        "+customer_segments",
        "+customer_segment_snapshots",
        "+segment_membership_snapshots",
    )
    run = warehouse.dbt(
        "build",
        "--select",
        *selected,
        as_of=as_of,
        variables={"backfill_months": 3},
        label="dbt build, value page world",
    )
    assert_succeeded(run)
    path = work / "published" / "warehouse.duckdb"
    publish(warehouse.database, path)
    return path


def value_charts(database: Path) -> int:
    """The charts the value page draws as of the latest date: the two box plots where their figure exists, the
    interval chart where a predicted value does, and the calibration chart where the holdout check has deciles."""
    as_of = one(database, "select max(as_of_date) from customer_lifetime_value")
    values, churn = sql(
        database,
        "select count(predicted_ltv_1year), count(churn_probability) from customer_lifetime_value where as_of_date = ?",
        [as_of],
    )[0]
    deciles = one(
        database,
        "select count(decile) from clv_validation"
        " where as_of_date = (select max(as_of_date) from clv_validation where as_of_date <= ?)",
        [as_of],
    )
    return 2 * (values > 0) + (churn > 0) + (deciles > 0)


def test_the_value_page_says_which_fit_is_not_ok_and_why(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    """On the sample, whatever its fits' statuses: a fit that is not ok is named with its reason, and the page shows
    no figure it would need."""
    app = run_page(monkeypatch, published, "value")
    as_of = one(published, "select max(as_of_date) from customer_lifetime_value")
    bg_status, gg_status, reason = sql(
        published,
        "select bg_nbd_status, gamma_gamma_status, status_reason from clv_model_fits where as_of_date = ?",
        [as_of],
    )[0]
    warnings = " ".join(str(warning.value) for warning in app.warning)
    if bg_status == gg_status == "ok":
        assert not app.warning
    else:
        assert reason in warnings
        for name, status in (("BG/NBD", bg_status), ("Gamma-Gamma", gg_status)):
            assert (f"the {name} fit is {status}" in warnings) == (status != "ok")
    predicted = one(
        published,
        "select count(predicted_ltv_1year) from customer_lifetime_value where as_of_date = ?",
        [as_of],
    )
    assert metrics(app)["Customers with a predicted value"] == f"{predicted:,}"
    if bg_status != "ok":
        assert metrics(app)["Average churn probability"] == "-"
    # the latest holdout check: its overall row's reason, and how many decile rows it has
    overall = sql(
        published,
        "select max(case when decile is null then status_reason end), count(decile) from clv_validation"
        " where as_of_date = (select max(as_of_date) from clv_validation)",
    )
    infos = " ".join(str(info.value) for info in app.info)
    if overall and overall[0][1] == 0:
        assert overall[0][0] in infos
    else:
        assert "has no predictions" not in infos
    assert len(app.get("vega_lite_chart")) == value_charts(published)


def test_the_value_page_draws_intervals_and_the_calibration_chart(
    monkeypatch: pytest.MonkeyPatch, lifetime_value_world: Path
) -> None:
    database = lifetime_value_world
    app = run_page(monkeypatch, database, "value")
    assert not app.warning
    as_of = one(database, "select max(as_of_date) from customer_lifetime_value")
    predicted, average, churn = sql(
        database,
        "select count(predicted_ltv_1year), avg(predicted_ltv_1year), avg(churn_probability)"
        " from customer_lifetime_value where as_of_date = ? and frequency is not null",
        [as_of],
    )[0]
    assert predicted > 0
    shown = metrics(app)
    assert shown["Customers with a predicted value"] == f"{predicted:,}"
    assert shown["Average predicted value, 12 months"] == f"{float(average):,.2f}"
    assert shown["Average churn probability"] == f"{float(churn):.4f}"
    by_segment, top, calibration = (frame.value for frame in app.dataframe)
    assert int(by_segment["customers_with_a_value"].sum()) == predicted
    expected_top = sql(
        database,
        "select customer_id, predicted_ltv_1year, predicted_ltv_1year_low, predicted_ltv_1year_high"
        " from customer_lifetime_value where as_of_date = ? and predicted_ltv_1year is not null"
        " order by predicted_ltv_1year desc, customer_id limit 25",
        [as_of],
    )
    assert [
        (int(row.customer), row.predicted_ltv_1year, row.predicted_ltv_1year_low, row.predicted_ltv_1year_high)
        for row in top.itertuples()
    ] == [(customer, float(value), float(low), float(high)) for customer, value, low, high in expected_top]
    deciles = sql(
        database,
        "select decile, predicted_purchases, actual_purchases from clv_validation"
        " where as_of_date = ? and decile is not null order by decile",
        [as_of],
    )
    assert len(deciles) == 10
    assert [
        tuple(row) for row in calibration[["decile", "predicted_purchases", "actual_purchases"]].itertuples(index=False)
    ] == deciles
    bias, auc = sql(
        database, "select bias_ratio, alive_auc from clv_validation where as_of_date = ? and decile is null", [as_of]
    )[0]
    assert shown["Bias ratio (predicted / actual)"] == f"{bias:.3f}" and shown["Alive AUC"] == f"{auc:.3f}"
    assert len(app.get("vega_lite_chart")) == value_charts(database) == 4
    assert any(
        "not the range of what the customer will actually spend" in str(caption.value) for caption in app.caption
    )


def test_campaign_and_behaviour_pages_say_what_is_not_built(monkeypatch: pytest.MonkeyPatch, bare: Path) -> None:
    for page, tables in (("campaigns", CAMPAIGN_TABLES), ("journeys", BEHAVIOUR_TABLES)):
        app = run_page(monkeypatch, bare, page)
        notes = " ".join(str(info.value) for info in app.info)
        for table in tables:
            assert f"`{table}`" in notes and NOT_BUILT in notes, (page, table, notes)
        assert not app.metric


def test_campaigns_show_lift_with_its_interval_and_audiences(monkeypatch: pytest.MonkeyPatch, full: Path) -> None:
    app = run_page(monkeypatch, full, "campaigns")
    shown = metrics(app)
    assert shown["Campaigns"] == f"{one(full, 'select count(*) from campaigns'):,}"
    assert shown["Treatment customers"] == f"{one(full, 'select sum(treatment_size) from campaign_performance'):,}"
    assert shown["Holdout customers"] == f"{one(full, 'select sum(holdout_size) from campaign_performance'):,}"
    table = app.dataframe[0].value.set_index("campaign_id")
    # the mart's interval, as it is: the page computes none of its own
    assert (table.loc["spring_winback", "lift_low"], table.loc["spring_winback", "lift_high"]) == (-0.146, 0.4276)
    assert (table.loc["travel_offer", "lift_low"], table.loc["travel_offer", "lift_high"]) == (0.2699, 0.8015)
    assert math.isnan(table.loc["summer_draft", "lift_low"])  # no results yet
    readings = " ".join(str(markdown.value) for markdown in app.markdown)
    assert "**spring_winback**: Not significant: lift +20.0 points (95 % interval -14.6 points to +42.8 points)" in (
        readings
    )
    assert "too small to detect a lift of this size: with 80 % power they detect 48.3 points or more" in readings
    assert "**travel_offer**: Lift +60.0 points (95 % interval +27.0 points to +80.2 points): significant" in readings
    assert table.loc["summer_draft", "reading"] == "No result: the campaign is draft."
    audiences = app.dataframe[1].value
    expected = sql(full, "select campaign_id, test_group, count(*) from campaign_audiences group by all order by 1, 2")
    assert [
        tuple(row) for row in audiences[["campaign_id", "test_group", "customers"]].itertuples(index=False)
    ] == expected


def test_journeys_and_daily_performance(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    app = run_page(monkeypatch, published, "journeys")
    assert not app.info
    assert (
        metrics(app)["Customers with a journey stage"]
        == f"{one(published, 'select count(*) from customer_journey_stages'):,}"
    )
    stages = app.dataframe[0].value
    order = ["Awareness", "Consideration", "Decision", "Retention", "Advocacy"]
    assert list(stages["stage"]) == [stage for stage in order if stage in set(stages["stage"])]
    assert dict(zip(stages["stage"], stages["customers"], strict=True)) == dict(
        sql(published, "select current_stage, count(*) from customer_journey_stages group by 1")
    )
    behaviour = app.dataframe[1].value
    assert int(behaviour["customers"].sum()) == one(published, "select count(*) from customer_behavior_summary")


def test_segment_analytics_show_the_marts_row(monkeypatch: pytest.MonkeyPatch, published: Path) -> None:
    """The default segment (the first by type and id) at the newest date, every figure as segment_analytics has it;
    the table lists every recorded date of it."""
    segment_id, as_of = sql(
        published, "select segment_id, max(as_of_date) over () from segment_analytics order by segment_type, segment_id"
    )[0]
    row = sql(
        published,
        "select total_customers, active_customers, total_revenue, average_revenue_per_customer, campaigns_sent,"
        " retention_rate from segment_analytics where segment_id = ? and as_of_date = ?",
        [segment_id, as_of],
    )[0]
    app = run_page(monkeypatch, published, "analytics")
    shown = metrics(app)
    assert shown["Members"] == f"{row[0]:,}" and shown["Active members"] == f"{row[1]:,}"
    assert shown["Revenue (90 days)"] == f"{row[2]:,.2f}" and shown["Revenue per member"] == f"{row[3]:,.2f}"
    assert shown["Campaigns sent"] == f"{row[4]:,}"
    assert shown["Retention"] == ("–" if row[5] is None else f"{row[5] * 100:.2f} %")
    table = app.dataframe[0].value
    assert len(table) == one(published, "select count(*) from segment_analytics where segment_id = ?", [segment_id])


# --- what the dashboard never shows, and never holds ---------------------------------------------------------


def test_no_contact_detail_is_queried_or_shown(monkeypatch: pytest.MonkeyPatch, full: Path, queries: list[str]) -> None:
    texts = []
    for _, _, page in PAGES:
        app = run_page(monkeypatch, full, page)
        texts.append(rendered_text(app))
    assert queries, "no query was recorded"
    named = [text for text in queries if CONTACT_SQL.search(re.sub(r"'(?:[^']|'')*'", "''", text))]
    assert not named
    shown = "\n".join(texts)
    contacts = sql(
        full,
        "select email, phone, first_name || ' ' || last_name from dim_customer",
    )
    leaked = {value for row in contacts for value in row if value and len(value) > 5 and value in shown}
    assert not leaked


def test_the_dashboard_refuses_a_query_for_contact_details() -> None:
    for text in ("select email from dim_customer", "select customer_id, phone from x", "select first_name from y"):
        with pytest.raises(dashboard_data.ForbiddenQuery):
            dashboard_data.query(text)


def test_a_build_can_publish_while_the_dashboard_is_open(
    monkeypatch: pytest.MonkeyPatch, built: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "published" / "warehouse.duckdb"
    publish(built.database, path)
    first = one(path, "select publication_id from publication")
    app = run_page(monkeypatch, path, "overview")
    assert first in app.sidebar.caption[0].value
    # No connection is left open: a writer can take the file, and a new publication replaces it by rename.
    duckdb.connect(str(path)).close()
    publish(built.database, path)
    second = one(path, "select publication_id from publication")
    assert second != first
    app.run()
    assert not app.exception
    assert second in app.sidebar.caption[0].value
    assert metrics(app)["Customers"] == f"{one(path, 'select count(*) from customer_segments'):,}"


def test_a_missing_warehouse_names_make_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_DATABASE", str(tmp_path / "nothing.duckdb"))
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    assert "make build" in app.error[0].value


# --- a real browser --------------------------------------------------------------------------------------------

# Set by CI (.ci/run, after `make system-deps`): a missing browser fails the test there rather than skipping it.
REQUIRE_BROWSER = "SEGMENTATION_REQUIRE_BROWSER"


def why_no_browser() -> str:
    """Why the browser test cannot run here ("" when it can, or must)."""
    if os.environ.get(REQUIRE_BROWSER) == "1":
        return ""
    try:
        browser.find_chromium()
    except browser.BrowserUnavailable as missing:
        return str(missing)
    return ""


# Decided at collection, before any fixture: a skipped browser test builds nothing.
NO_BROWSER = why_no_browser()


def _visible_numbers(database: Path) -> dict[str, list[str]]:
    """Per page, numbers the browser must read on it, from the marts."""
    as_of = one(database, "select max(as_of_date) from customer_segments")
    predicted = one(
        database,
        "select count(*) from customer_lifetime_value where as_of_date = ? and predicted_ltv_1year is not null",
        [as_of],
    )
    latest = one(database, "select max(to_as_of_date) from segment_migrations")
    stayed, total = sql(
        database,
        "select sum(customer_count) filter (where migration_type = 'stayed'), sum(customer_count)"
        " from segment_migrations where segment_type = 'behavioral' and to_as_of_date = ?",
        [latest],
    )[0]
    cohort_members = one(
        database,
        "select sum(member_count) from (select member_count from cohorts where cohort_period = 'month'"
        " order by acquisition_start_date desc limit 12)",
    )
    analytics_members = one(
        database,
        "select total_customers from segment_analytics where as_of_date = ? order by segment_type, segment_id limit 1",
        [as_of],
    )
    return {
        "overview": [
            f"{one(database, 'select count(*) from customer_segments'):,}",
            f"{one(database, 'select count(*) from segment_members'):,}",
            str(as_of),
        ],
        "migrations": [f"{stayed:,} of {total:,}"],
        "segments": [
            f"{one(database, 'select count(*) from segments'):,}",
            f"{one(database, 'select count(*) from segment_members'):,}",
        ],
        "analytics": [f"{analytics_members:,}"],
        "builder": ["Validate and preview"],
        "cohorts": [f"{cohort_members:,}"],
        "value": [f"{predicted:,}"],
        "campaigns": [f"{one(database, 'select sum(treatment_size) from campaign_performance'):,}"],
        "journeys": [f"{one(database, 'select count(*) from customer_journey_stages'):,}"],
    }


@pytest.mark.skipif(bool(NO_BROWSER), reason=NO_BROWSER)
def test_every_page_in_a_real_browser(published: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    expected = _visible_numbers(published)
    charts = {**CHARTS, "value": value_charts(published)}
    contacts = {
        value
        for row in sql(published, "select email, phone from dim_customer")
        for value in row
        if value and len(value) > 5
    }
    failures = []
    with browser.running_app(published) as url, browser.chromium() as chromium:
        chromium.open(url)
        for index, (_, title, page) in enumerate(PAGES):
            visit = chromium.visit(
                title, charts[page], tmp_path / f"{page}.png", None if index == 0 else page, expected[page]
            )
            print(f"dashboard browser test: {page} in {visit.seconds:.2f} s, screenshot {visit.screenshot}")
            failures += [f"{page}: {error}" for error in visit.console_errors]
            failures += [f"{page}: {number!r} not shown" for number in expected[page] if number not in visit.text]
            failures += [f"{page}: a contact detail is shown" for value in contacts if value in visit.text]
            assert visit.screenshot.stat().st_size > 10_000
    print(f"dashboard browser test: {time.perf_counter() - started:.1f} s with the server and browser start")
    assert not failures, failures
