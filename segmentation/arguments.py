"""argparse types shared by the command-line tools."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable


def whole_number_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type for whole numbers >= `minimum` (underscores allowed), e.g. counts and seeds."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


non_negative_int = whole_number_at_least(0)


def iso_date(text: str) -> dt.date:
    """argparse type: strict YYYY-MM-DD, the only date format the project uses."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
