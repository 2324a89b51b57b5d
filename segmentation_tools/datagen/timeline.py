"""The demo's calendar: three years of history ending at the as-of date, its calendar months, and the
seasonal and weekly rhythm every customer's purchases follow (docs/data-quality.md#the-demo-world).

Days are whole numbers relative to the as-of date A (0 = A, -1 = the day before). The rhythm is one global
weight per day, so a customer's purchases are placed through its running sum (``DayClock``) and no
per-customer-per-day array is ever needed: customers differ only per calendar month (signup, decline,
stop), which the transactions module handles per customer-month cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

HISTORY_DAYS = 1096  # three years ending at A inclusive: days -1095..0
HISTORY_START = 1 - HISTORY_DAYS
# The grid of DayClock.day_at's lookup table: finer than the lightest day's weight.
LOOKUP_STEP = 0.5
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

# Card spending by weekday (Monday first): Fridays and Saturdays busiest.
WEEKDAY_WEIGHT = np.array([0.93, 0.95, 0.97, 1.00, 1.10, 1.12, 0.93])
# Seasonal bumps on the purchase rate: (centre as day of year, width in days, height). December shopping,
# a smaller summer peak and the January lull.
SEASON_BUMPS: tuple[tuple[float, float, float], ...] = ((350.0, 14.0, 0.22), (200.0, 30.0, 0.07), (25.0, 18.0, -0.08))
# Travel's share of a customer's purchases rises in the summer and at Christmas (same shape as above).
TRAVEL_BUMPS: tuple[tuple[float, float, float], ...] = ((205.0, 28.0, 0.55), (357.0, 10.0, 0.35))


def _bumps(day_of_year: np.ndarray, bumps: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """1 plus Gaussian bumps on the circular calendar (a bump near New Year wraps around)."""
    factor = np.ones(len(day_of_year))
    for centre, width, height in bumps:
        distance = np.abs(day_of_year - centre)
        distance = np.minimum(distance, DAYS_PER_YEAR - distance)
        factor += height * np.exp(-0.5 * (distance / width) ** 2)
    return factor


def _normalised(factor_of_day_of_year: np.ndarray) -> np.ndarray:
    """Scale a day-of-year factor so its mean over a year is 1: rates stay "per year, averaged over the season"."""
    return factor_of_day_of_year / factor_of_day_of_year.mean()


def season_by_day_of_year(bumps: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """The seasonal factor of day-of-year 1..366 (index 0..365), mean 1 over the year."""
    return _normalised(_bumps(np.arange(1, 367, dtype=np.float64), bumps))


@dataclasses.dataclass(frozen=True)
class DayClock:
    """The global rhythm of the history's days and the calendar months that cut it into cells.

    ``cumulative[k]`` is the summed weight of history days before day ``HISTORY_START + k``, so the weight of
    days [a, b) is ``cumulative[b - HISTORY_START] - cumulative[a - HISTORY_START]``. ``month_start`` holds the
    first day of each calendar month of the history (the first clipped to HISTORY_START) and, last, day 1 (the
    day after A).
    """

    as_of: dt.date
    weight: np.ndarray  # float64 per history day, mean about 1
    cumulative: np.ndarray  # float64, len HISTORY_DAYS + 1
    month_start: np.ndarray  # int32 day offsets, len months + 1
    travel_factor: np.ndarray  # float32 per history day: travel's relative pull that day
    lookup: np.ndarray  # int32: the day index holding each multiple of LOOKUP_STEP of the running sum

    @property
    def months(self) -> int:
        """The number of calendar months the history touches (the first and last may be partial)."""
        return len(self.month_start) - 1

    def weight_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The summed weight of days [start, end) (clipped to the history; 0 when end <= start)."""
        lo = np.clip(start, HISTORY_START, 1) - HISTORY_START
        hi = np.clip(end, HISTORY_START, 1) - HISTORY_START
        return np.where(hi > lo, self.cumulative[hi] - self.cumulative[lo], 0.0)

    def day_at(self, position: np.ndarray) -> np.ndarray:
        """The day whose weight interval holds the cumulative-weight ``position`` (inverse of the running sum).

        A table on a grid finer than the lightest day finds the day or the one before it in one step, much
        faster than a binary search over 10M positions."""
        grid = (position * (1 / LOOKUP_STEP)).astype(np.int32)
        np.clip(grid, 0, len(self.lookup) - 1, out=grid)
        index = self.lookup[grid]
        index += self.cumulative[index + 1] <= position
        np.minimum(index, HISTORY_DAYS - 1, out=index)
        index += HISTORY_START
        return index


def day_dates(as_of: dt.date, days: np.ndarray) -> np.ndarray:
    """numpy datetime64[D] of day offsets."""
    return np.datetime64(as_of, "D") + days.astype("timedelta64[D]")


def build_clock(as_of: dt.date) -> DayClock:
    """The history's day weights (season × weekday), their running sum and the month boundaries."""
    days = np.arange(HISTORY_START, 1, dtype=np.int64)
    dates = day_dates(as_of, days)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)  # 0-based
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    weight = season_by_day_of_year(SEASON_BUMPS)[day_of_year] * WEEKDAY_WEIGHT[weekday] / WEEKDAY_WEIGHT.mean()
    cumulative = np.concatenate([[0.0], np.cumsum(weight)])
    first_of_month = dates.astype("datetime64[M]").astype("datetime64[D]")
    starts = np.flatnonzero(np.r_[True, first_of_month[1:] != first_of_month[:-1]])
    month_start = np.r_[days[starts], 1].astype(np.int32)
    travel_factor = season_by_day_of_year(TRAVEL_BUMPS)[day_of_year].astype(np.float32)
    if weight.min() <= LOOKUP_STEP:
        raise AssertionError(f"a day weighs {weight.min():.3f}, not more than the lookup step {LOOKUP_STEP}")
    grid = np.arange(0.0, cumulative[-1] + LOOKUP_STEP, LOOKUP_STEP)
    lookup = np.clip(np.searchsorted(cumulative, grid, side="right") - 1, 0, HISTORY_DAYS - 1).astype(np.int32)
    return DayClock(as_of, weight, cumulative, month_start, travel_factor, lookup)
