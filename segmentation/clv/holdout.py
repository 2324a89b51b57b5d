"""The calibration/holdout check of the CLV literature, as a table: fit the BG/NBD on the purchase days up to a
calibration date, predict each customer's purchase days in the following period, and compare with the purchase
days that happened, by bucket of calibration frequency.

    python -m segmentation.clv.holdout --database data/demo/warehouse.duckdb --calibration 2024-12-31 --end 2025-06-30

reads int_customers_summarized at both dates (both must be as-of dates of the build: a backfilled month-end and
the run's date), so it needs a warehouse built with a backfill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
from numpy.typing import NDArray

from segmentation.clv import bg_nbd

# Buckets of repeat purchase days in the calibration period: lower bounds, each up to the next.
BUCKETS = (0, 1, 10, 30, 60, 100)


@dataclass(frozen=True)
class BucketRow:
    label: str
    customers: int
    mean_predicted: float
    mean_actual: float


@dataclass(frozen=True)
class Holdout:
    fit: bg_nbd.BgNbdFit
    fit_seconds: float
    rows: list[BucketRow]
    total: BucketRow


def bucket_label(lower: int, upper: int | None) -> str:
    if upper is None:
        return f"{lower}+"
    return str(lower) if upper == lower + 1 else f"{lower}-{upper - 1}"


def holdout_table(
    frequency: NDArray[np.float64],
    recency: NDArray[np.float64],
    t: NDArray[np.float64],
    actual: NDArray[np.float64],
    horizon_days: float,
) -> Holdout:
    """Fit on the calibration inputs, predict `horizon_days` ahead, and tabulate against `actual` purchase days."""
    started = time.perf_counter()
    fit = bg_nbd.fit(frequency, recency, t)
    seconds = time.perf_counter() - started
    predicted = bg_nbd.expected_purchases(fit.params, horizon_days, frequency, recency, t)
    rows = []
    for index, lower in enumerate(BUCKETS):
        upper = BUCKETS[index + 1] if index + 1 < len(BUCKETS) else None
        chosen = (frequency >= lower) & (frequency < upper if upper is not None else True)
        if chosen.any():
            rows.append(
                BucketRow(
                    bucket_label(lower, upper),
                    int(chosen.sum()),
                    float(predicted[chosen].mean()),
                    float(actual[chosen].mean()),
                )
            )
    total = BucketRow("all", int(frequency.size), float(predicted.mean()), float(actual.mean()))
    return Holdout(fit, seconds, rows, total)


def from_warehouse(database: Path, calibration: dt.date, end: dt.date) -> Holdout:
    """The check on a built warehouse: customers with a purchase by `calibration`, their purchase days after it
    up to `end`."""
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.sql(
            """
            select
                cast(calibration.frequency as double) as frequency,
                cast(calibration.recency as double) as recency,
                cast(calibration.t as double) as t,
                cast(holdout.frequency - calibration.frequency as double) as actual
            from intermediate.int_customers_summarized as calibration
            inner join intermediate.int_customers_summarized as holdout
                on calibration.customer_id = holdout.customer_id
            where calibration.as_of_date = $calibration and holdout.as_of_date = $end
            """,
            params={"calibration": calibration, "end": end},
        ).fetchnumpy()
    if columns["frequency"].size == 0:
        raise SystemExit(f"no customers with a purchase as of {calibration} and figures as of {end} in {database}")
    return holdout_table(
        np.asarray(columns["frequency"], dtype=np.float64),
        np.asarray(columns["recency"], dtype=np.float64),
        np.asarray(columns["t"], dtype=np.float64),
        np.asarray(columns["actual"], dtype=np.float64),
        float((end - calibration).days),
    )


def render(holdout: Holdout, calibration: dt.date, end: dt.date) -> str:
    params = holdout.fit.params
    lines = [
        f"BG/NBD fitted on purchase days up to {calibration} ({holdout.fit.customers:,} customers, "
        f"{holdout.fit_seconds:.2f} s, {'converged' if holdout.fit.converged else 'NOT converged'}): "
        f"r {params.r:.4g}, alpha {params.alpha:.4g} days, a {params.a:.4g}, b {params.b:.4g}",
        f"Purchase days from {calibration + dt.timedelta(days=1)} to {end}, mean per customer:",
        "",
        "| repeat purchase days by calibration | customers | predicted | actual | predicted / actual |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in [*holdout.rows, holdout.total]:
        ratio = f"{row.mean_predicted / row.mean_actual:.3f}" if row.mean_actual else "-"
        lines.append(
            f"| {row.label} | {row.customers:,} | {row.mean_predicted:.2f} | {row.mean_actual:.2f} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="a warehouse built with a backfill")
    parser.add_argument("--calibration", type=dt.date.fromisoformat, required=True, help="the fit's as-of date")
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, required=True, help="the holdout's last day (an as-of date)"
    )
    args = parser.parse_args(argv)
    print(render(from_warehouse(args.database, args.calibration, args.end), args.calibration, args.end))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
