"""The planted truth's reader and the comparisons of a warehouse with it (segmentation_tools/datagen/truth.py), on
hand-written truth files and a hand-made warehouse; the AUC against a plain pairwise count."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import duckdb
import pytest

from segmentation_tools.datagen.truth import (
    CUSTOMERS_TRUTH_FILE,
    TRUTH_COLUMNS,
    TRUTH_DIR,
    ChurnRow,
    CustomerTruth,
    churn_against_truth,
    declining_against_truth,
    judge_warehouse,
    read_customer_truth,
    roc_auc,
)

AS_OF = dt.date(2026, 6, 30)


def write_truth_file(raw_dir: Path, lines: list[str], header: str = ",".join(TRUTH_COLUMNS)) -> None:
    (raw_dir / TRUTH_DIR).mkdir(parents=True, exist_ok=True)
    (raw_dir / TRUTH_DIR / CUSTOMERS_TRUTH_FILE).write_text("\n".join([header, *lines]) + "\n")


def truth_of(**declines: str | None) -> dict[int, CustomerTruth]:
    """Customers c<id> with the given decline start (ISO) and no stop."""
    return {
        int(name[1:]): CustomerTruth(
            int(name[1:]), "steady", None, dt.date.fromisoformat(start) if start else None, 50.0
        )
        for name, start in declines.items()
    }


def pairwise_auc(scores: list[float], labels: list[bool]) -> float:
    """The AUC read literally: over every (positive, negative) pair, 1 when the positive scores higher, ½ on a tie."""
    positives = [s for s, label in zip(scores, labels, strict=True) if label]
    negatives = [s for s, label in zip(scores, labels, strict=True) if not label]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(positives, negatives))
    return wins / (len(positives) * len(negatives))


def test_read_customer_truth_parses_dates_blanks_and_rates(tmp_path: Path) -> None:
    write_truth_file(tmp_path, ["1,steady,2026-01-31,2025-11-02,52.18", "2,budget,,,", "3,fickle,,2026-06-30,3.50"])
    truth = read_customer_truth(tmp_path)
    assert truth[1] == CustomerTruth(1, "steady", dt.date(2026, 1, 31), dt.date(2025, 11, 2), 52.18)
    assert truth[2] == CustomerTruth(2, "budget", None, None, None)
    assert truth[3].decline_started_at == AS_OF and truth[3].stopped_at is None
    assert truth[1].stopped_by(dt.date(2026, 1, 31)) and not truth[1].stopped_by(dt.date(2026, 1, 30))
    assert not truth[2].stopped_by(AS_OF)


def test_read_customer_truth_refuses_other_columns(tmp_path: Path) -> None:
    write_truth_file(tmp_path, ["1,steady,,"], header="customer_id,profile,stopped_at,churned")
    with pytest.raises(ValueError, match="expected customer_id, profile, stopped_at"):
        read_customer_truth(tmp_path)


def test_declining_is_scored_on_declines_started_within_180_days_both_ends_included() -> None:
    # 2026-01-01 is exactly 180 days before A; 2025-12-31 is 181
    truth = truth_of(c1="2026-01-01", c2="2025-12-31", c3="2026-06-30", c4="2026-07-01", c5=None, c6="2026-03-15")
    score = declining_against_truth([1, 2, 5, 7], truth, AS_OF)
    # planted: 1, 3, 6 (2 is too old, 4 after A); flagged 4, of which 1 is planted
    assert (score.flagged, score.planted, score.hits) == (4, 3, 1)
    assert score.recall == pytest.approx(1 / 3) and score.precision == pytest.approx(1 / 4)


def test_declining_score_is_none_without_a_denominator() -> None:
    score = declining_against_truth([], truth_of(c1=None), AS_OF)
    assert score.recall is None and score.precision is None


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.9, 0.8, 0.1, 0.2], [True, True, False, False], 1.0),
        ([0.1, 0.2, 0.9, 0.8], [True, True, False, False], 0.0),
        ([0.5, 0.5, 0.5, 0.5], [True, False, True, False], 0.5),
        ([0.9, 0.5, 0.5, 0.1], [True, True, False, False], 0.875),  # one tied pair counts a half
    ],
)
def test_roc_auc_on_hand_counted_cases(scores: list[float], labels: list[bool], expected: float) -> None:
    assert roc_auc(scores, labels) == pytest.approx(expected)


def test_roc_auc_equals_the_pairwise_count_with_ties() -> None:
    rng = random.Random(3)
    for _ in range(20):
        n = rng.randint(2, 60)
        scores = [rng.choice([0.0, 0.25, 0.5, 0.75, 1.0, rng.random()]) for _ in range(n)]
        labels = [rng.random() < 0.3 for _ in range(n)]
        if all(labels) or not any(labels):
            continue
        assert roc_auc(scores, labels) == pytest.approx(pairwise_auc(scores, labels))


def test_roc_auc_without_both_classes_is_none_and_lengths_must_agree() -> None:
    assert roc_auc([0.1, 0.2], [True, True]) is None
    assert roc_auc([], []) is None
    with pytest.raises(ValueError, match="2 scores but 1 labels"):
        roc_auc([0.1, 0.2], [True])


def test_churn_is_judged_on_repeat_customers_with_a_purchase_in_the_365_days_before() -> None:
    truth = {
        1: CustomerTruth(1, "fickle", dt.date(2026, 3, 1), None, 20.0),
        2: CustomerTruth(2, "steady", None, None, 80.0),
        3: CustomerTruth(3, "fickle", dt.date(2026, 7, 15), None, 20.0),  # stops after A: active at A
        4: CustomerTruth(4, "steady", dt.date(2025, 6, 1), None, 80.0),
    }
    rows = [
        ChurnRow(1, 3.0, dt.date(2026, 3, 1), 0.8),
        ChurnRow(2, 5.0, dt.date(2026, 6, 29), 0.1),
        ChurnRow(3, 1.0, dt.date(2025, 6, 30), 0.3),  # exactly 365 days before A: judged
        ChurnRow(4, 2.0, dt.date(2025, 6, 29), 0.9),  # 366 days: left out (long gone)
        ChurnRow(5, 0.0, dt.date(2026, 6, 1), 0.0),  # one purchase day: left out
        ChurnRow(6, 2.0, dt.date(2026, 6, 1), None),  # no score (a model that could not be identified)
    ]
    score = churn_against_truth(rows, truth, AS_OF)
    # judged and scored: 1 (stopped, 0.8), 2 (active, 0.1), 3 (active, 0.3); customer 6 is not in the truth
    assert (score.stopped, score.active, score.without_score) == (1, 2, 1)
    assert score.auc == pytest.approx(1.0)


def test_judge_warehouse_reads_the_recorded_date_and_the_lifetime_value_rows(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_truth_file(
        raw,
        ["1,fickle,2026-05-01,2026-02-01,20.00", "2,steady,,2026-04-01,80.00", "3,steady,,,90.00", "4,budget,,,40.00"],
    )
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "create table customer_segment_snapshots (customer_id bigint, as_of_date date, customer_segment text)"
        )
        con.execute(
            "insert into customer_segment_snapshots values (1, '2026-06-30', 'Declining'), (2, '2026-06-30', "
            "'Stable Mid-Spenders'), (3, '2026-06-30', 'Declining'), (1, '2026-05-31', 'Stable Mid-Spenders')"
        )
        con.execute(
            "create table customer_lifetime_value (customer_id bigint, as_of_date date, frequency decimal(18, 0),"
            " recency decimal(18, 0), t decimal(18, 0), churn_probability decimal(10, 4))"
        )
        # customer 1: last purchase 2026-05-01 (t - recency = 60 days before A); 4 never repeated
        con.execute(
            "insert into customer_lifetime_value values (1, '2026-06-30', 4, 300, 360, 0.9000),"
            " (2, '2026-06-30', 9, 359, 360, 0.2000), (3, '2026-06-30', 2, 100, 110, 0.1000),"
            " (4, '2026-06-30', 0, 0, 50, 0.0000), (1, '2026-05-31', 4, 300, 329, 0.5000)"
        )
    report = judge_warehouse(database, raw)
    assert report.as_of == AS_OF
    assert (report.declining.flagged, report.declining.planted, report.declining.hits) == (2, 2, 1)
    assert (report.churn.stopped, report.churn.active, report.churn.without_score) == (1, 2, 0)
    assert report.churn.auc == pytest.approx(1.0)
    earlier = judge_warehouse(database, raw, dt.date(2026, 5, 31))
    assert earlier.declining.flagged == 0 and earlier.churn.stopped == 1 and earlier.churn.active == 0


def test_the_truth_is_never_a_raw_input_of_the_build() -> None:
    """The build reads `<entity>.csv|parquet` of the raw folder for the `raw` source's tables only (the loader,
    segmentation/ingest/, for every engine), so truth/ is never read: no raw table is named after it, and no model,
    macro, data test, loader or dashboard page names it."""
    from segmentation.ingest.entities import raw_entities

    entities = {entity.name for entity in raw_entities()}
    assert entities >= {"customers", "transactions", "customer_preferences", "suppressions"}
    assert not {name for name in entities if "truth" in name}
    project = Path(__file__).resolve().parents[2]
    readers = [
        path
        for folder in (
            "models",
            "macros",
            "snapshots",
            "seeds",
            "dashboard",
            "segmentation_tools/engines",
            "segmentation/ingest",
        )
        for path in (project / folder).rglob("*")
        if path.suffix in {".sql", ".py", ".yml", ".yaml"}
    ] + list((project / "tests").glob("*.sql"))
    assert len(readers) > 50
    naming = [path for path in readers if CUSTOMERS_TRUTH_FILE in path.read_text() or "truth/" in path.read_text()]
    assert not naming, naming
