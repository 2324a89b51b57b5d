"""The test sample: the generated data set the integration tests and the engine comparison build."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Sample:
    """A generated data set small enough to build in seconds on any engine, large enough that every
    segment and every kind of dirty row occurs."""

    customers: int
    transactions: int
    seed: int
    as_of: dt.date
    backfill_months: int  # month-ends recorded in the segment history besides the as-of date


# What the integration tests and the engine comparison (segmentation_tools/engines/portability.py) build: a year of
# month-ends recorded, as `make build` does.
TEST_SAMPLE = Sample(customers=1_500, transactions=150_000, seed=11, as_of=dt.date(2025, 6, 30), backfill_months=12)
