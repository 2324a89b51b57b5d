"""The demo's marketing loop without a warehouse: its campaigns' dates, and what the simulated platform writes
(segmentation_tools/datagen/demo_campaigns.py, platform.py). The whole loop, warehouse included, is checked on the test
sample in tests/integration/test_marketing_loop.py."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest

from segmentation_tools.datagen.demo_campaigns import (
    Conversion,
    DemoCampaign,
    demo_campaigns,
    month_end,
    selection_date,
)
from segmentation_tools.datagen.platform import (
    CHANNEL_RATES,
    append_rows,
    delivery_rows,
    raw_file,
    send,
)
from segmentation_tools.datagen.truth import TRUTH_DIR

SEND = dt.datetime(2025, 3, 1)
AS_OF = dt.date(2025, 6, 30)


def campaign(
    channel: str = "email",
    categories: tuple[str, ...] = ("Airlines", "Hotels"),
    min_amount: str = "500.00",
    uplift: float = 0.1,
) -> DemoCampaign:
    return DemoCampaign(
        key="test",
        name="Test",
        description="A test campaign.",
        campaign_type=channel,
        channel=channel,
        segment="behavioral/high_value_travelers",
        order_by="customer_id asc",
        holdout_pct=20,
        cost_per_message=Decimal("0.002"),
        scheduled_at=SEND,
        conversion=Conversion(categories, Decimal(min_amount)),
        planted_uplift=uplift,
    )


@pytest.mark.parametrize(
    ("as_of", "selected"),
    [
        (dt.date(2026, 12, 6), dt.date(2026, 10, 31)),
        (dt.date(2025, 6, 30), dt.date(2025, 4, 30)),
        (dt.date(2024, 4, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 31), dt.date(2024, 1, 31)),
        (dt.date(2024, 1, 31), dt.date(2023, 11, 30)),
    ],
)
def test_sent_campaigns_are_selected_at_a_recorded_month_end_and_sent_at_the_next_midnight(
    as_of: dt.date, selected: dt.date
) -> None:
    assert selection_date(as_of) == selected
    sent = [c for c in demo_campaigns(as_of) if c.is_sent_by_demo]
    assert len(sent) >= 2
    # the twelve month-ends a demo records before its as-of date
    months = as_of.year * 12 + as_of.month - 1
    recorded = {month_end((months - k) // 12, (months - k) % 12 + 1) for k in range(1, 13)}
    for c in sent:
        assert c.scheduled_at == dt.datetime.combine(selected + dt.timedelta(days=1), dt.time())
        assert selected in recorded
        assert c.scheduled_at.date() + dt.timedelta(days=14) < as_of
        assert as_of - dt.timedelta(days=89) <= c.scheduled_at.date()  # a day of segment_daily_performance
    # exclusive segments: no customer is in two sent campaigns' audiences
    assert len({c.segment for c in sent}) == len(sent)
    assert all(c.segment.startswith("behavioral/") for c in sent)


def test_only_future_draft_or_cancelled_campaigns_carry_no_uplift() -> None:
    for c in demo_campaigns(AS_OF):
        if not c.is_sent_by_demo:
            assert c.status in ("draft", "cancelled") or c.scheduled_at.date() > AS_OF


def test_delivery_rows_follow_the_channel_rates_and_never_send_to_the_holdout() -> None:
    rng = np.random.default_rng(5)
    treatment, holdout = np.arange(1, 20_001), np.arange(20_001, 22_001)
    rows, unsubscribed, counts = delivery_rows(campaign(), treatment, holdout, rng)
    assert len(rows) == 22_000
    rates = CHANNEL_RATES["email"]
    n = len(treatment)
    for name, expected in (("delivered", rates.delivered), ("opened", rates.opened * rates.delivered)):
        assert abs(counts[name] / n - expected) < 4 * (expected * (1 - expected) / n) ** 0.5
    sent = [row for row in rows if row["test_group"] == "treatment"]
    held = [row for row in rows if row["test_group"] == "holdout"]
    assert all(row["delivered"] == "" and row["opened_at"] == "" for row in held)
    assert all(row["sent_at"] == "2025-03-01 00:00:00" for row in rows)
    for row in sent:
        if row["clicked_at"]:
            assert row["opened_at"] and row["opened_at"] <= row["clicked_at"]
        if row["bounced"] == "true":
            assert not (row["opened_at"] or row["clicked_at"] or row["unsubscribed_at"])
    assert int((~np.isnan(unsubscribed)).sum()) == counts["unsubscribed"]


def test_sms_has_no_opens() -> None:
    rows, _, counts = delivery_rows(
        campaign("sms"), np.arange(1, 5001), np.arange(5001, 5100), np.random.default_rng(1)
    )
    assert counts["opened"] == 0 and counts["clicked"] > 0
    assert not any(row["opened_at"] for row in rows)


def test_append_rows_adds_lines_under_the_files_own_header(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    path.write_text("transaction_id,customer_id,amount\n1,1,5.00")  # no newline at the end
    with duckdb.connect() as con:
        append_rows(con, path, (), [{"customer_id": "2", "transaction_id": "2", "amount": "1,5"}])
        append_rows(con, tmp_path / "new.csv", ("a", "b"), [{"a": "x"}])
    assert path.read_text() == 'transaction_id,customer_id,amount\n1,1,5.00\n2,2,"1,5"\n'
    assert (tmp_path / "new.csv").read_text() == "a,b\nx,\n"
    windows = tmp_path / "windows.csv"
    windows.write_bytes(b"a,b\r\n1,2\r\n")
    with duckdb.connect() as con:
        append_rows(con, windows, (), [{"a": "3", "b": "4"}])
    assert windows.read_bytes() == b"a,b\r\n1,2\r\n3,4\r\n"


def test_append_rows_rewrites_a_parquet_file_with_the_rows_added(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select '1' as a, '2' as b) to '{path}' (format parquet)")
        append_rows(con, path, (), [{"a": "3"}])
        assert con.sql(f"select * from read_parquet('{path}') order by a").fetchall() == [("1", "2"), ("3", None)]
        # a Parquet world's first log file is Parquet too, with the columns it is given
        (tmp_path / "transactions.parquet").write_bytes(path.read_bytes())
        new = raw_file(tmp_path, "campaign_deliveries")
        append_rows(con, new, ("x", "y"), [{"y": "1"}])
        assert new.name == "campaign_deliveries.parquet"
        assert con.sql(f"select * from read_parquet('{new}')").fetchall() == [(None, "1")]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def write_world(raw: Path, transactions: list[tuple[int, int, str, str, str]], stops: dict[int, str]) -> None:
    raw.mkdir()
    with open(raw / "transactions.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["transaction_id", "customer_id", "transaction_date", "amount", "merchant_category"])
        writer.writerows(transactions)
    (raw / "customer_preferences.csv").write_text(
        "customer_id,communication_channel,marketing_consent,notification_enabled,updated_at\n"
        + "".join(f"{i},email,true,true,2024-01-0{1 + i % 5} 10:00:00\n" for i in range(1, 11))
    )
    (raw / TRUTH_DIR).mkdir()
    (raw / TRUTH_DIR / "customers_truth.csv").write_text(
        "customer_id,profile,stopped_at,decline_started_at,purchase_days_per_year\n"
        + "".join(f"{i},traveller,{stops.get(i, '')},,50\n" for i in range(1, 11))
    )


def test_natural_conversions_are_read_as_the_build_types_them(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_world(
        raw,
        [
            (1, 1, "2025-03-15", "500.00", " airlines "),  # day 14, exactly the minimum, messy category: converts
            (2, 2, "2025-03-16", "900.00", "Hotels"),  # day 15: outside the window
            (3, 3, "2025-03-05", "499.99", "Hotels"),  # a cent under
            (4, 4, "2025-03-05 10:00:00", "800.00", "HOTELS"),  # a time on the date: converts
            (5, 5, "2025-03-01", "800.00", "Hotels"),  # the send day itself: before the window
            (6, 6, "2025-03-05", "800.00", "Grocery"),  # another category
            (7, 7, "2025-03-05", "-800.00", "Hotels"),  # a refund
            (8, 9, "2025-03-05", "800.00", "Hotels"),  # holdout customer 9 converts
        ],
        {},
    )
    outcome = send(raw, campaign(uplift=0.0), [1, 2, 3, 4, 5, 6, 7, 8], [9, 10], AS_OF, seed=1)
    assert outcome.treatment_converted_anyway == 2
    assert outcome.holdout_converted == 1 and outcome.holdout_conversion_rate == 0.5
    assert outcome.planted == 0
    truth = read_csv(raw / TRUTH_DIR / "campaigns_truth.csv")
    assert truth == [
        {
            "campaign_id": "test_2025_03",
            "channel": "email",
            "holdout_conversion_rate": "0.500000",
            "planted_uplift": "0.0",
        }
    ]


def test_planted_conversions_meet_the_outcome_inside_the_window_and_never_after_a_stop(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    # customer 1 converts anyway; 2 stopped before the send; 3 stops on day 2 of the window
    write_world(raw, [(1, 1, "2025-03-03", "600.00", "Airlines")], {2: "2025-02-20", 3: "2025-03-03"})
    outcome = send(raw, campaign(uplift=1.0), list(range(1, 9)), [9, 10], AS_OF, seed=3)
    assert outcome.candidates == 6  # 3 to 8
    assert outcome.planted == 6  # uplift 1.0 asks for 8 more, more than can convert: every candidate does
    with duckdb.connect() as con:
        added = con.sql(
            f"select customer_id::int, transaction_date::date, amount::decimal(18, 2), merchant_category"
            f" from read_csv('{raw}/transactions.csv', all_varchar=true) where transaction_id::int > 1"
        ).fetchall()
    assert sorted(row[0] for row in added) == [3, 4, 5, 6, 7, 8]
    for customer_id, day, amount, category in added:
        assert dt.date(2025, 3, 2) <= day <= dt.date(2025, 3, 15)
        assert amount >= Decimal("500.00") and category in ("Airlines", "Hotels")
        if customer_id == 3:
            assert day <= dt.date(2025, 3, 3)
    deliveries = read_csv(raw / "campaign_deliveries.csv")
    assert sorted(int(row["customer_id"]) for row in deliveries if row["test_group"] == "treatment") == list(
        range(1, 9)
    )
    assert sorted(int(row["customer_id"]) for row in deliveries if row["test_group"] == "holdout") == [9, 10]


def test_the_planted_uplift_is_the_intention_to_treat_uplift_on_average(tmp_path: Path) -> None:
    """Over many sends, extra conversions / treatment size averages the planted uplift, whatever share of the
    group converts anyway or has stopped."""
    raw = tmp_path / "raw"
    n = 400
    natural = [(k, k, "2025-03-04", "700.00", "Hotels") for k in range(1, n // 4 + 1)]  # a quarter convert anyway
    write_world(raw, natural, {})
    baseline = (raw / "transactions.csv").read_bytes()
    shares = []
    for seed in range(40):
        (raw / "transactions.csv").write_bytes(baseline)
        (raw / TRUTH_DIR / "campaigns_truth.csv").unlink(missing_ok=True)
        (raw / "campaign_deliveries.csv").unlink(missing_ok=True)
        outcome = send(raw, campaign(uplift=0.08), list(range(1, n + 1)), [], AS_OF, seed=seed)
        shares.append(outcome.planted / n)
    mean, sd = float(np.mean(shares)), float(np.std(shares, ddof=1))
    assert abs(mean - 0.08) < 3 * sd / len(shares) ** 0.5
