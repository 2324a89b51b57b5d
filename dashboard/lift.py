"""How the campaign page reads a campaign's lift, in plain words, from campaign_performance's own statistics (the
interval, the test and the minimum detectable lift are the mart's; docs/marketing.md#reading-lift). The page draws
no interval of its own: one number, one formula, in one place."""

from __future__ import annotations

from typing import Any

import pandas as pd


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def points(value: float) -> str:
    """A rate difference in percentage points, signed."""
    return f"{value * 100:+.1f} points"


def verdict(lift: Any, low: Any, high: Any, p_value: Any, is_significant: Any, detectable: Any) -> str:
    """One sentence: whether the lift is significant, its interval, and whether the groups could detect a lift of the
    size seen (the minimum detectable lift, at 80 % power)."""
    if _missing(lift) or _missing(low) or _missing(high) or _missing(p_value):
        return "No result yet: the campaign has no holdout group, or the log shows no send."
    interval = f"95 % interval {points(low)} to {points(high)}"
    if not _missing(is_significant) and bool(is_significant):
        return f"Lift {points(lift)} ({interval}): significant, p = {p_value:.3g}."
    sentence = f"Not significant: lift {points(lift)} ({interval}), p = {p_value:.2g}; it may be chance."
    if _missing(detectable):
        return sentence + " The groups are too small to detect any lift with 80 % power."
    if abs(lift) < detectable:
        return (
            sentence + f" The groups are too small to detect a lift of this size: with 80 % power they detect "
            f"{detectable * 100:.1f} points or more."
        )
    return sentence
