"""The demo's messaging platform: it sends a campaign to the treatment group the warehouse exported, logs the
holdout group it was told to hold back, and the world answers.

What it writes, as a real platform and a real bank would:
- ``campaign_deliveries``: one row per exported customer (test_group treatment, sent at the campaign's
  scheduled_at, delivered or bounced, opened, clicked, unsubscribed at the channel's usual rates) and one
  ``holdout`` row per held-out customer (not sent);
- ``customer_preferences``: an unsubscribe through the message withdraws consent on the channel from that moment
  (a new row, the customer's latest row for the channel with consent false);
- ``transactions``: the planted uplift. The estimand is the one campaign_performance measures, intention to treat
  (docs/marketing.md): every member of the treatment group as selected, delivered or not, has their probability of
  making the campaign's conversion within the window raised by ``planted_uplift`` (absolute). Members who convert
  anyway are left as they are; each other member who is still a customer after the send (the truth's
  ``stopped_at``) converts with probability uplift × treatment size / their number, so that the expected number of
  extra conversions is uplift × treatment size. A conversion is a new purchase in the window that meets the
  campaign's outcome; the holdout is untouched.
- ``truth/campaigns_truth.csv``: the campaign's planted uplift and its holdout's conversion rate.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np

from segmentation_tools.datagen.categories import CATEGORIES
from segmentation_tools.datagen.demo_campaigns import DemoCampaign
from segmentation_tools.datagen.truth import (
    CAMPAIGN_TRUTH_COLUMNS,
    CAMPAIGNS_TRUTH_FILE,
    TRUTH_DIR,
    read_customer_truth,
)

CONVERSION_WINDOW_DAYS = 14  # the var conversion_window_days' default, which the demo's build uses
DELIVERY_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "customer_id",
    "test_group",
    "sent_at",
    "delivered",
    "bounced",
    "opened_at",
    "clicked_at",
    "unsubscribed_at",
)


@dataclasses.dataclass(frozen=True)
class ChannelRates:
    """Shares of the treatment rows: delivered of sent; opened, clicked and unsubscribed of delivered. A channel
    without open tracking (SMS, phone) has ``opened`` 0 and its clicks count from delivery."""

    delivered: float
    opened: float
    clicked: float
    unsubscribed: float


CHANNEL_RATES: dict[str, ChannelRates] = {
    "email": ChannelRates(delivered=0.97, opened=0.22, clicked=0.035, unsubscribed=0.003),
    "sms": ChannelRates(delivered=0.985, opened=0.0, clicked=0.04, unsubscribed=0.01),
    "push": ChannelRates(delivered=0.93, opened=0.0, clicked=0.06, unsubscribed=0.002),
    "phone": ChannelRates(delivered=0.70, opened=0.0, clicked=0.0, unsubscribed=0.01),
}
# How the channel is spelled in the preferences file the platform appends to (read case-insensitively).
CHANNEL_SPELLING: dict[str, str] = {"email": "Email", "sms": "SMS", "push": "Push", "phone": "Phone"}


@dataclasses.dataclass(frozen=True)
class SendOutcome:
    """What one send did, for the loop's progress line and the tests."""

    campaign_id: str
    channel: str
    treatment: int
    holdout: int
    delivered: int
    opened: int
    clicked: int
    unsubscribed: int
    treatment_converted_anyway: int
    holdout_converted: int
    planted: int
    candidates: int

    @property
    def holdout_conversion_rate(self) -> float:
        return self.holdout_converted / self.holdout if self.holdout else 0.0


def campaign_rng(seed: int, campaign_id: str) -> np.random.Generator:
    """A stream of its own per campaign, from the world's seed: a send does not depend on which others ran."""
    digest = int(hashlib.sha256(campaign_id.encode()).hexdigest()[:8], 16)
    return np.random.default_rng([seed, digest])


def raw_file(raw_dir: Path, entity: str) -> Path:
    """The entity's file in the folder, CSV or Parquet (whichever the world was written as); a new file takes the
    format of the world's transactions."""
    for suffix in ("csv", "parquet"):
        path = raw_dir / f"{entity}.{suffix}"
        if path.exists():
            return path
    suffix = "parquet" if (raw_dir / "transactions.parquet").exists() else "csv"
    return raw_dir / f"{entity}.{suffix}"


def _reader(path: Path) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".parquet":
        return f"read_parquet({quoted})"
    return f"read_csv({quoted}, all_varchar = true, header = true, ignore_errors = true)"


def _timestamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def natural_converters(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    members: Sequence[int],
    campaign: DemoCampaign,
    as_of: dt.date,
) -> set[int]:
    """The members who made the campaign's conversion in the window anyway, read from the raw transactions as the
    build types them (ids and amounts as numbers, the date part of the date, categories trimmed and in any case)."""
    if not members:
        return set()
    send_day = campaign.scheduled_at.date()
    conversion = campaign.conversion
    categories = [name.lower() for name in conversion.categories] if conversion else []
    con.register("members", {"customer_id": np.asarray(members, dtype=np.int64)})
    rows = con.execute(
        f"""
        select distinct t.customer_id
        from (
            select
                try_cast(customer_id as bigint) as customer_id,
                try_cast(substr(trim(cast(transaction_date as varchar)), 1, 10) as date) as transaction_date,
                try_cast(amount as decimal(18, 2)) as amount,
                lower(trim(cast(merchant_category as varchar))) as category
            from {_reader(raw_file(raw_dir, "transactions"))}
        ) as t
        inner join members on t.customer_id = members.customer_id
        where t.amount > 0
            and t.amount >= $min_amount
            and t.transaction_date > $send_day
            and t.transaction_date <= least($send_day + {CONVERSION_WINDOW_DAYS}, $as_of)
            and ($any_category or list_contains($categories, t.category))
        """,
        {
            "min_amount": str(conversion.min_amount if conversion else 0),
            "send_day": send_day,
            "as_of": as_of,
            "any_category": not categories,
            # DuckDB cannot type an empty list parameter; the flag above makes this one unused then
            "categories": categories or [""],
        },
    ).fetchall()
    con.unregister("members")
    return {int(row[0]) for row in rows}


def stopped_at(raw_dir: Path) -> dict[int, dt.date]:
    """The truth's stop dates: a customer who stopped cannot be converted after their last transaction."""
    return {
        customer_id: truth.stopped_at
        for customer_id, truth in read_customer_truth(raw_dir).items()
        if truth.stopped_at is not None
    }


def delivery_rows(
    campaign: DemoCampaign, treatment: np.ndarray, holdout: np.ndarray, rng: np.random.Generator
) -> tuple[list[dict[str, str]], np.ndarray, dict[str, int]]:
    """The log rows, the customers who unsubscribed (with their times) and the counts."""
    rates = CHANNEL_RATES[campaign.channel]
    n = len(treatment)
    sent = campaign.scheduled_at
    delivered = rng.random(n) < rates.delivered
    opened = delivered & (rng.random(n) < rates.opened)
    if rates.opened > 0:
        # clicks come from the opened messages, at the channel's click rate of delivered overall
        clicked = opened & (rng.random(n) < rates.clicked / rates.opened)
    else:
        clicked = delivered & (rng.random(n) < rates.clicked)
    unsubscribed = delivered & (rng.random(n) < rates.unsubscribed)
    opened_after = rng.exponential(6 * 3600, n) + 60
    clicked_after = opened_after + rng.exponential(2 * 3600, n) + 30
    unsubscribed_after = rng.exponential(4 * 3600, n) + 60

    def later(mask: bool, seconds: float) -> str:
        return _timestamp(sent + dt.timedelta(seconds=int(seconds))) if mask else ""

    rows = []
    for i, customer_id in enumerate(treatment.tolist()):
        rows.append(
            {
                "campaign_id": campaign.campaign_id,
                "customer_id": str(customer_id),
                "test_group": "treatment",
                "sent_at": _timestamp(sent),
                "delivered": "true" if delivered[i] else "false",
                "bounced": "false" if delivered[i] else "true",
                "opened_at": later(bool(opened[i]), opened_after[i]),
                "clicked_at": later(bool(clicked[i]), clicked_after[i]),
                "unsubscribed_at": later(bool(unsubscribed[i]), unsubscribed_after[i]),
            }
        )
    for customer_id in holdout.tolist():
        rows.append(
            {
                "campaign_id": campaign.campaign_id,
                "customer_id": str(customer_id),
                "test_group": "holdout",
                "sent_at": _timestamp(sent),
                "delivered": "",
                "bounced": "",
                "opened_at": "",
                "clicked_at": "",
                "unsubscribed_at": "",
            }
        )
    unsubscribe_seconds = np.where(unsubscribed, unsubscribed_after, np.nan)
    counts = {
        "delivered": int(delivered.sum()),
        "opened": int(opened.sum()),
        "clicked": int(clicked.sum()),
        "unsubscribed": int(unsubscribed.sum()),
    }
    return rows, unsubscribe_seconds, counts


def unsubscribe_rows(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    campaign: DemoCampaign,
    treatment: np.ndarray,
    seconds_after_send: np.ndarray,
) -> list[dict[str, str]]:
    """Each unsubscriber's latest preference row for the channel, again, with consent false from that moment."""
    leaving = ~np.isnan(seconds_after_send)
    if not leaving.any():
        return []
    path = raw_file(raw_dir, "customer_preferences")
    con.register("leaving", {"customer_id": treatment[leaving].astype(np.int64)})
    relation = con.sql(
        f"""
        select p.*
        from {_reader(path)} as p
        inner join leaving on try_cast(p.customer_id as bigint) = leaving.customer_id
        where lower(trim(cast(p.communication_channel as varchar))) = '{campaign.channel}'
        qualify row_number() over (
            partition by leaving.customer_id
            order by try_cast(p.updated_at as timestamp) desc nulls last
        ) = 1
        """
    )
    columns = relation.columns
    latest = {int(row[0]): dict(zip(columns, row, strict=True)) for row in relation.fetchall()}
    con.unregister("leaving")
    rows = []
    for customer_id, seconds in zip(treatment[leaving].tolist(), seconds_after_send[leaving].tolist(), strict=True):
        row = {name: "" if value is None else str(value) for name, value in latest.get(customer_id, {}).items()}
        row.update(
            {
                "customer_id": str(customer_id),
                "communication_channel": CHANNEL_SPELLING[campaign.channel],
                "marketing_consent": "false",
                "updated_at": _timestamp(campaign.scheduled_at + dt.timedelta(seconds=int(seconds))),
            }
        )
        rows.append(row)
    return rows


def conversion_rows(
    campaign: DemoCampaign,
    converting: np.ndarray,
    last_day: np.ndarray,
    first_id: int,
    rng: np.random.Generator,
) -> list[dict[str, str]]:
    """One purchase per planted conversion, on a day of the window the customer is still a customer, meeting
    the campaign's outcome."""
    send_day = campaign.scheduled_at.date()
    conversion = campaign.conversion
    floor = float(conversion.min_amount) if conversion and conversion.min_amount > 0 else 40.0
    categories = conversion.categories if conversion and conversion.categories else CATEGORIES
    rows = []
    for k, (customer_id, last) in enumerate(zip(converting.tolist(), last_day.tolist(), strict=True)):
        day = send_day + dt.timedelta(days=int(rng.integers(1, last + 1)))
        amount = round(floor * float(np.exp(abs(rng.normal(0.0, 0.4)))), 2)
        rows.append(
            {
                "transaction_id": str(first_id + k),
                "customer_id": str(customer_id),
                "transaction_date": day.isoformat(),
                "amount": f"{amount:.2f}",
                "merchant_category": str(categories[int(rng.integers(0, len(categories)))]),
            }
        )
    return rows


def append_rows(con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    """Append rows to a raw file as the next delivery of it would: new lines at the end of a CSV (its header's
    column order, blanks for columns the rows do not have); a Parquet file is rewritten with the rows added."""
    if path.suffix == ".parquet":
        _append_parquet(con, path, columns, rows)
        return
    if not path.exists() or path.stat().st_size == 0:
        header, ending = list(columns), "\n"
        prefix = ",".join(header) + ending
    else:
        with open(path, encoding="utf-8", newline="") as file:
            first_line = file.readline()
        header = next(csv.reader([first_line]))
        # the file's own line ending: a CSV with two kinds is one a reader's sniffer may refuse
        ending = "\r\n" if first_line.endswith("\r\n") else "\n"
        with open(path, "rb") as file:
            file.seek(-1, os.SEEK_END)
            prefix = "" if file.read(1) == b"\n" else ending
    if not rows and prefix == "":
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ending)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    with open(path, "a", encoding="utf-8", newline="") as file:
        file.write(prefix + buffer.getvalue())


def _append_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[str], rows: list[dict[str, str]]
) -> None:
    if not rows:
        return
    existing = con.sql(f"select * from {_reader(path)} limit 0").columns if path.exists() else list(columns)
    added = {name: np.asarray([row.get(name) or None for row in rows], dtype=object) for name in existing}
    con.register("added_rows", added)
    partial = path.with_name("." + path.name + ".partial")
    quoted = "'" + str(partial).replace("'", "''") + "'"
    select_list = ", ".join(f"cast({name} as varchar) as {name}" for name in existing)
    earlier = f"select {select_list} from {_reader(path)} union all " if path.exists() else ""
    con.execute(f"copy ({earlier}select {select_list} from added_rows) to {quoted} (format parquet)")
    con.unregister("added_rows")
    os.replace(partial, path)


def max_transaction_id(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> int:
    rows = con.execute(
        f"select max(try_cast(transaction_id as bigint)) from {_reader(raw_file(raw_dir, 'transactions'))}"
    ).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def send(
    raw_dir: Path,
    campaign: DemoCampaign,
    treatment_ids: Sequence[int],
    holdout_ids: Sequence[int],
    as_of: dt.date,
    seed: int,
) -> SendOutcome:
    """Send one campaign and let the world answer; every file is appended to, none rewritten (but Parquet)."""
    if campaign.planted_uplift is None:
        raise ValueError(f"{campaign.campaign_id} is not one of the campaigns the demo sends")
    rng = campaign_rng(seed, campaign.campaign_id)
    treatment = np.asarray(sorted(set(int(i) for i in treatment_ids)), dtype=np.int64)
    holdout = np.asarray(sorted(set(int(i) for i in holdout_ids)), dtype=np.int64)
    send_day = campaign.scheduled_at.date()
    window_end = min(send_day + dt.timedelta(days=CONVERSION_WINDOW_DAYS), as_of)
    with duckdb.connect() as con:
        converted = natural_converters(con, raw_dir, [*treatment.tolist(), *holdout.tolist()], campaign, as_of)
        rows, unsubscribe_seconds, counts = delivery_rows(campaign, treatment, holdout, rng)
        unsubscribes = unsubscribe_rows(con, raw_dir, campaign, treatment, unsubscribe_seconds)

        stops = stopped_at(raw_dir)
        # the last window day each treatment member can still buy on (0: none left)
        last_day = np.array(
            [
                (min(window_end, stops.get(customer_id, window_end)) - send_day).days
                for customer_id in treatment.tolist()
            ],
            dtype=np.int64,
        )
        is_candidate = (last_day >= 1) & ~np.isin(treatment, np.asarray(sorted(converted), dtype=np.int64))
        candidates = treatment[is_candidate]
        wanted = campaign.planted_uplift * len(treatment)
        probability = min(1.0, wanted / len(candidates)) if len(candidates) else 0.0
        chosen = rng.random(len(candidates)) < probability
        conversions = conversion_rows(
            campaign, candidates[chosen], last_day[is_candidate][chosen], max_transaction_id(con, raw_dir) + 1, rng
        )

        append_rows(con, raw_file(raw_dir, "campaign_deliveries"), DELIVERY_COLUMNS, rows)
        append_rows(con, raw_file(raw_dir, "customer_preferences"), (), unsubscribes)
        append_rows(con, raw_file(raw_dir, "transactions"), (), conversions)

    holdout_converted = int(np.isin(holdout, np.asarray(sorted(converted), dtype=np.int64)).sum())
    outcome = SendOutcome(
        campaign_id=campaign.campaign_id,
        channel=campaign.channel,
        treatment=len(treatment),
        holdout=len(holdout),
        treatment_converted_anyway=int(np.isin(treatment, np.asarray(sorted(converted), dtype=np.int64)).sum()),
        holdout_converted=holdout_converted,
        planted=len(conversions),
        candidates=len(candidates),
        **counts,
    )
    write_truth(raw_dir, campaign, outcome)
    return outcome


def write_truth(raw_dir: Path, campaign: DemoCampaign, outcome: SendOutcome) -> None:
    """Append the campaign's truth row: what was planted, and the untouched holdout's conversion rate."""
    path = raw_dir / TRUTH_DIR / CAMPAIGNS_TRUTH_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        if new:
            writer.writerow(CAMPAIGN_TRUTH_COLUMNS)
        writer.writerow(
            [
                campaign.campaign_id,
                campaign.channel,
                f"{outcome.holdout_conversion_rate:.6f}",
                f"{campaign.planted_uplift}",
            ]
        )
