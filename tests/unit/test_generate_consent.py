"""The generator's consent files (docs/rules/raw-input.md, docs/data-quality.md#the-demo-world): a preference history
per
customer and channel (a first row at signup, later changes, a withdrawal when an account closes), consent rates
by channel, suppressions with their dates, and every timestamp strictly inside its day."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from segmentation_tools.datagen.consent import CHANNELS
from segmentation_tools.datagen.generator import GenerationSummary, generate

AS_OF = dt.date(2026, 11, 30)
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("consent")
    return out, generate(3000, 120_000, AS_OF, 5, out)


def moment(text: str) -> dt.datetime | None:
    """A well-formed timestamp, None for the dirty ones staging rejects."""
    if not TIMESTAMP.fullmatch(text):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def histories(out: Path) -> dict[tuple[str, str], list[tuple[dt.datetime, dict[str, str]]]]:
    """Each known customer and channel's well-formed rows in the order staging reads them."""
    customers = {row["customer_id"] for row in read(out / "customers.csv")}
    rows: defaultdict[tuple[str, str], list[tuple[dt.datetime, dict[str, str]]]] = defaultdict(list)
    for row in read(out / "customer_preferences.csv"):
        when, channel = moment(row["updated_at"]), row["communication_channel"].lower()
        if when is not None and channel in CHANNELS and row["customer_id"] in customers:
            rows[(row["customer_id"], channel)].append((when, row))
    # oldest first; at the same moment the row granting more first, so the last row is the one staging keeps
    return {
        key: sorted(value, key=lambda item: (item[0], item[1]["marketing_consent"].lower() not in TRUE))
        for key, value in rows.items()
    }


def test_every_consent_and_suppression_timestamp_is_strictly_inside_its_day(
    run: tuple[Path, GenerationSummary],
) -> None:
    """A batch send at midnight must see the consent of the end of the day before: no row at 00:00:00."""
    out, _ = run
    stamps = [row["updated_at"] for row in read(out / "customer_preferences.csv")]
    stamps += [row["added_at"] for row in read(out / "suppressions.csv") if row["added_at"]]
    parsed = [moment(text) for text in stamps]
    good = [when for when in parsed if when is not None]
    assert len(good) > 0.99 * len(stamps)
    assert all(when.time() != dt.time(0, 0, 0) for when in good)
    assert max(good).date() <= AS_OF


def test_preferences_have_a_history_from_signup(run: tuple[Path, GenerationSummary]) -> None:
    out, _ = run
    signup = {row["customer_id"]: row["signup_date"] for row in read(out / "customers.csv")}
    history = histories(out)
    sizes = Counter(len(rows) for rows in history.values())
    assert sizes[1] < 0.7 * len(history)  # most customers and channels have later changes
    assert max(sizes) >= 4
    assert sum(size * count for size, count in sizes.items()) > 1.5 * len(history)
    # the first row of a customer's channel is dated on their signup day
    dated = [(rows[0][0].date().isoformat(), signup[customer]) for (customer, _), rows in history.items()]
    assert sum(first == signed for first, signed in dated) > 0.99 * len(dated)


def test_latest_consent_differs_by_channel(run: tuple[Path, GenerationSummary]) -> None:
    out, _ = run
    latest = {key: rows[-1][1] for key, rows in histories(out).items()}
    granted: Counter[str] = Counter()
    customers: Counter[str] = Counter()
    for (_, channel), row in latest.items():
        customers[channel] += 1
        granted[channel] += row["marketing_consent"].lower() in TRUE
    shares = {channel: granted[channel] / customers[channel] for channel in CHANNELS}
    assert shares["email"] > shares["push"] > shares["sms"] > shares["phone"] > 0.05
    assert customers["email"] > customers["sms"] > customers["phone"] > customers["push"]


def test_a_closed_account_ends_with_consent_withdrawn(run: tuple[Path, GenerationSummary]) -> None:
    out, _ = run
    # a dirty row (a channel, a boolean or a timestamp staging rejects) may be the withdrawal itself
    dirty = {
        row["customer_id"]
        for row in read(out / "customer_preferences.csv")
        if moment(row["updated_at"]) is None
        or row["communication_channel"].lower() not in CHANNELS
        or row["marketing_consent"].lower() not in TRUE | FALSE
    }
    closed = {
        row["customer_id"]
        for row in read(out / "customers.csv")
        if row["account_status"] == "Closed" and row["customer_id"] not in dirty
    }
    stopped = {row["customer_id"]: row["stopped_at"] for row in read(out / "truth" / "customers_truth.csv")}
    assert closed
    latest = [(customer, rows[-1]) for (customer, _), rows in histories(out).items() if customer in closed]
    assert latest
    for customer, (when, row) in latest:
        assert row["marketing_consent"].lower() in FALSE, (customer, row)
        if stopped[customer]:
            assert when.date() >= dt.date.fromisoformat(stopped[customer]), (customer, when)


def test_suppressions_have_dates_some_do_not_and_stopped_ones_come_after_the_stop(
    run: tuple[Path, GenerationSummary],
) -> None:
    out, _ = run
    rows = read(out / "suppressions.csv")
    stopped = {row["customer_id"]: row["stopped_at"] for row in read(out / "truth" / "customers_truth.csv")}
    signup = {row["customer_id"]: row["signup_date"] for row in read(out / "customers.csv")}
    assert rows and len({row["customer_id"] for row in rows}) == len(rows)
    undated = [row for row in rows if not row["added_at"]]
    assert 0 < len(undated) < 0.3 * len(rows)
    for row in rows:
        if not row["added_at"]:
            continue
        added = row["added_at"][:10]
        assert signup[row["customer_id"]][:10] <= added <= AS_OF.isoformat() or not signup[row["customer_id"]]
        if stopped[row["customer_id"]]:
            assert added >= stopped[row["customer_id"]]
    assert any(stopped[row["customer_id"]] for row in rows)


def test_consent_rows_are_counted_in_the_summary(run: tuple[Path, GenerationSummary]) -> None:
    out, summary = run
    assert summary.consent_rows == {
        "customer_preferences": len(read(out / "customer_preferences.csv")),
        "suppressions": len(read(out / "suppressions.csv")),
    }
    assert not (out / "campaign_deliveries.csv").exists()
