"""The lifetime-value model's holdout check on the published marts: the BG/NBD parameters recorded in
clv_model_fits for a calibration date predict each customer's purchase days up to a later recorded date, compared
with the purchase days that happened (customer_lifetime_value's frequency at both dates), by the buckets of
segmentation.clv.holdout."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.clv import bg_nbd
from segmentation.clv.holdout import BUCKETS, bucket_label

INPUTS_SQL = """
select
    cast(calibration.frequency as double) as frequency,
    cast(calibration.recency as double) as recency,
    cast(calibration.t as double) as t,
    cast(later.frequency - calibration.frequency as double) as actual
from customer_lifetime_value as calibration
inner join customer_lifetime_value as later on calibration.customer_id = later.customer_id
where calibration.as_of_date = ? and later.as_of_date = ? and calibration.frequency is not null
"""

FIT_SQL = "select r, alpha, a, b, bg_nbd_converged from clv_model_fits where as_of_date = ?"


def holdout_table(params: bg_nbd.BgNbdParams, inputs: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
    """One row per calibration-frequency bucket and one for all: customers, mean predicted and actual purchase days."""
    frequency = inputs["frequency"].to_numpy(dtype=np.float64)
    predicted = bg_nbd.expected_purchases(
        params,
        horizon_days,
        frequency,
        inputs["recency"].to_numpy(dtype=np.float64),
        inputs["t"].to_numpy(dtype=np.float64),
    )
    actual = inputs["actual"].to_numpy(dtype=np.float64)
    rows = []
    for index, lower in enumerate(BUCKETS):
        upper = BUCKETS[index + 1] if index + 1 < len(BUCKETS) else None
        chosen = (frequency >= lower) & (frequency < upper if upper is not None else True)
        if chosen.any():
            rows.append(
                (bucket_label(lower, upper), int(chosen.sum()), predicted[chosen].mean(), actual[chosen].mean())
            )
    if frequency.size:
        rows.append(("all", int(frequency.size), predicted.mean(), actual.mean()))
    table = pd.DataFrame(rows, columns=["repeat_purchase_days_by_calibration", "customers", "predicted", "actual"])
    table["predicted_over_actual"] = table["predicted"] / table["actual"].where(table["actual"] != 0)
    return table
