"""The planted truth: what the demo's hidden state says about each customer, written beside the raw files
under ``truth/`` (never read by any model), and how a built warehouse's figures compare with it
(docs/data-quality.md#the-planted-truth).

``campaigns_truth.csv`` (written by the marketing loop): ``campaign_id, channel, holdout_conversion_rate`` (the share
of the untouched holdout group that made the campaign's conversion), ``planted_uplift`` (absolute).

``customers_truth.csv``: ``customer_id, profile, stopped_at`` (the date of the last transaction of a customer
who stopped for good, else empty), ``decline_started_at`` (empty if none), ``purchase_days_per_year`` (the rate
their purchase days are drawn at while active, averaged over the season; empty for a customer who never pays).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np

from segmentation_tools.datagen.acquisition import NEVER
from segmentation_tools.datagen.profiles import PROFILE_NAMES, Behaviour, purchase_days_per_year
from segmentation_tools.datagen.timeline import day_dates

TRUTH_DIR = "truth"
CUSTOMERS_TRUTH_FILE = "customers_truth.csv"
# Written by the marketing loop's platform (segmentation_tools/datagen/platform.py), one row per campaign it sent.
CAMPAIGNS_TRUTH_FILE = "campaigns_truth.csv"
CAMPAIGN_TRUTH_COLUMNS: tuple[str, ...] = ("campaign_id", "channel", "holdout_conversion_rate", "planted_uplift")
TRUTH_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "profile",
    "stopped_at",
    "decline_started_at",
    "purchase_days_per_year",
)
# A decline counts as recent when it started this many days before A or fewer (the Declining rule's two
# 90-day windows).
RECENT_DECLINE_DAYS = 180
# The churn figure is judged on customers with a purchase this many days before A or fewer
# (docs/rules/lifetime-value.md).
RECENT_PURCHASE_DAYS = 365


def truth_columns(
    behaviour: Behaviour, last_day: np.ndarray, rate_scale: float, as_of: dt.date
) -> dict[str, np.ndarray]:
    """The truth file's columns as text (None for empty), from the hidden state and each customer's last clean
    transaction day (``last_day``, NEVER for none).

    A customer who never transacted has neither a stop nor a decline to show: both stay empty."""
    n = len(behaviour.profile)
    last = last_day
    paid = last < NEVER

    def dates(days: np.ndarray, keep: np.ndarray) -> np.ndarray:
        text = day_dates(as_of, np.where(keep, days, 0)).astype(str).astype(object)
        text[~keep] = None
        return text

    rate = np.char.mod("%.2f", purchase_days_per_year(behaviour, rate_scale)).astype(object)
    rate[behaviour.first_day >= NEVER] = None
    return {
        "customer_id": np.arange(1, n + 1).astype(str).astype(object),
        "profile": np.array(PROFILE_NAMES, dtype=object)[behaviour.profile],
        "stopped_at": dates(last, paid & behaviour.stopped()),
        "decline_started_at": dates(behaviour.decline_day.astype(np.int64), paid & (behaviour.decline_day < NEVER)),
        "purchase_days_per_year": rate,
    }


def write_truth(con: duckdb.DuckDBPyConnection, columns: dict[str, np.ndarray], out_dir: Path) -> Path:
    """Write ``truth/customers_truth.csv`` (always CSV: it is for people and tests, not for the build)."""
    folder = out_dir / TRUTH_DIR
    folder.mkdir(exist_ok=True)
    path = folder / CUSTOMERS_TRUTH_FILE
    table = dict(columns)
    table["row_no"] = np.arange(len(columns["customer_id"]), dtype=np.int64)
    con.register("truth_rows", table)
    select_list = ", ".join(f"{name}::VARCHAR AS {name}" for name in TRUTH_COLUMNS)
    target = "'" + str(path).replace("'", "''") + "'"
    con.execute(f"COPY (SELECT {select_list} FROM truth_rows ORDER BY row_no) TO {target} (FORMAT csv, HEADER true)")
    con.unregister("truth_rows")
    return path


@dataclasses.dataclass(frozen=True)
class CustomerTruth:
    """One customer's planted truth."""

    customer_id: int
    profile: str
    stopped_at: dt.date | None
    decline_started_at: dt.date | None
    purchase_days_per_year: float | None

    def stopped_by(self, day: dt.date) -> bool:
        """Whether the customer had stopped for good by ``day`` (their last transaction on or before it)."""
        return self.stopped_at is not None and self.stopped_at <= day


def _date_or_none(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def read_customer_truth(raw_dir: Path) -> dict[int, CustomerTruth]:
    """The planted truth of a generated folder, by customer_id."""
    path = Path(raw_dir) / TRUTH_DIR / CUSTOMERS_TRUTH_FILE
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != TRUTH_COLUMNS:
            raise ValueError(f"{path} has columns {reader.fieldnames}, expected {', '.join(TRUTH_COLUMNS)}")
        return {
            int(row["customer_id"]): CustomerTruth(
                customer_id=int(row["customer_id"]),
                profile=row["profile"],
                stopped_at=_date_or_none(row["stopped_at"]),
                decline_started_at=_date_or_none(row["decline_started_at"]),
                purchase_days_per_year=float(row["purchase_days_per_year"]) if row["purchase_days_per_year"] else None,
            )
            for row in reader
        }


@dataclasses.dataclass(frozen=True)
class CampaignTruth:
    """One sent campaign's planted truth."""

    campaign_id: str
    channel: str
    holdout_conversion_rate: float
    planted_uplift: float


def read_campaign_truth(raw_dir: Path) -> dict[str, CampaignTruth]:
    """The campaigns the marketing loop sent in a generated folder, by campaign_id (none before it ran)."""
    path = Path(raw_dir) / TRUTH_DIR / CAMPAIGNS_TRUTH_FILE
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {
            row["campaign_id"]: CampaignTruth(
                campaign_id=row["campaign_id"],
                channel=row["channel"],
                holdout_conversion_rate=float(row["holdout_conversion_rate"]),
                planted_uplift=float(row["planted_uplift"]),
            )
            for row in csv.DictReader(handle)
        }


@dataclasses.dataclass(frozen=True)
class DetectionScore:
    """How a flagged set of customers matches a planted one: recall = hits / planted, precision = hits / flagged
    (None when the denominator is 0)."""

    flagged: int
    planted: int
    hits: int

    @property
    def recall(self) -> float | None:
        return self.hits / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        return self.hits / self.flagged if self.flagged else None


def recent_decliners(truth: Mapping[int, CustomerTruth], as_of: dt.date, window_days: int) -> set[int]:
    """Customers whose planted decline started in the ``window_days`` before ``as_of`` (both ends included)."""
    earliest = as_of - dt.timedelta(days=window_days)
    return {
        customer_id
        for customer_id, row in truth.items()
        if row.decline_started_at is not None and earliest <= row.decline_started_at <= as_of
    }


def declining_against_truth(
    declining: Iterable[int],
    truth: Mapping[int, CustomerTruth],
    as_of: dt.date,
    window_days: int = RECENT_DECLINE_DAYS,
) -> DetectionScore:
    """The Declining segment at ``as_of`` against the customers whose planted decline started in the
    ``window_days`` before it."""
    flagged = set(declining)
    planted = recent_decliners(truth, as_of, window_days)
    return DetectionScore(flagged=len(flagged), planted=len(planted), hits=len(flagged & planted))


def roc_auc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    """The area under the ROC curve: the chance a random positive scores above a random negative, ties counting
    a half (the Mann–Whitney statistic from mid-ranks). None when either class is empty."""
    if len(scores) != len(positives):
        raise ValueError(f"{len(scores)} scores but {len(positives)} labels")
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(positives, dtype=bool)
    n_positive = int(labels.sum())
    n_negative = len(labels) - n_positive
    if n_positive == 0 or n_negative == 0:
        return None
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    # mid-ranks: every member of a tie group gets the mean of the ranks it spans
    group_start = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    group = np.cumsum(group_start) - 1
    first = np.flatnonzero(group_start)
    last = np.r_[first[1:], len(values)] - 1
    ranks[order] = (first[group] + last[group]) / 2 + 1
    rank_sum = float(ranks[labels].sum())
    return (rank_sum - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative)


@dataclasses.dataclass(frozen=True)
class ChurnRow:
    """One customer's lifetime-value figures at an as-of date, as customer_lifetime_value holds them."""

    customer_id: int
    frequency: float  # repeat purchase days
    last_purchase: dt.date
    churn_probability: float | None


@dataclasses.dataclass(frozen=True)
class AucScore:
    """The area under the ROC curve over the judged customers (None when it cannot be computed), how many of
    them stopped and did not, and how many judged customers had no churn probability (left out)."""

    auc: float | None
    stopped: int
    active: int
    without_score: int


def churn_against_truth(
    rows: Iterable[ChurnRow],
    truth: Mapping[int, CustomerTruth],
    as_of: dt.date,
    recent_days: int = RECENT_PURCHASE_DAYS,
) -> AucScore:
    """The AUC of churn_probability at ``as_of`` against "stopped on or before as_of", over the customers with
    frequency >= 1 and a purchase in the ``recent_days`` before it (long-gone customers would make it easy)."""
    earliest = as_of - dt.timedelta(days=recent_days)
    judged = [row for row in rows if row.frequency >= 1 and earliest <= row.last_purchase <= as_of]
    scored = [row for row in judged if row.churn_probability is not None]
    labels = [row.customer_id in truth and truth[row.customer_id].stopped_by(as_of) for row in scored]
    auc = roc_auc([float(row.churn_probability or 0.0) for row in scored], labels)
    stopped = sum(labels)
    return AucScore(auc=auc, stopped=stopped, active=len(labels) - stopped, without_score=len(judged) - len(scored))


@dataclasses.dataclass(frozen=True)
class TruthReport:
    """A warehouse's Declining segment and churn figure at one as-of date, judged against the planted truth."""

    as_of: dt.date
    declining: DetectionScore
    churn: AucScore


def judge_warehouse(database: Path, raw_dir: Path, as_of: dt.date | None = None) -> TruthReport:
    """Compare a built warehouse (read-only) with the truth of the raw folder it was built from, at ``as_of``
    (default: the warehouse's latest as-of date)."""
    truth = read_customer_truth(raw_dir)
    with duckdb.connect(str(database), read_only=True) as con:
        if as_of is None:
            found = con.execute("select max(as_of_date) from customer_segment_snapshots").fetchone()
            if found is None or found[0] is None:
                raise ValueError(f"{database} has no recorded as-of date (customer_segment_snapshots is empty)")
            as_of = found[0]
        assert as_of is not None
        declining = [
            int(customer_id)
            for (customer_id,) in con.execute(
                "select customer_id from customer_segment_snapshots"
                " where customer_segment = 'Declining' and as_of_date = ?",
                [as_of],
            ).fetchall()
        ]
        churn = [
            ChurnRow(int(customer_id), float(frequency), last_purchase, probability)
            for customer_id, frequency, last_purchase, probability in con.execute(
                """
                select customer_id, frequency, cast(as_of_date - cast(t - recency as integer) as date),
                       cast(churn_probability as double)
                from customer_lifetime_value
                where as_of_date = ? and frequency is not null
                """,
                [as_of],
            ).fetchall()
        ]
    return TruthReport(
        as_of, declining_against_truth(declining, truth, as_of), churn_against_truth(churn, truth, as_of)
    )
