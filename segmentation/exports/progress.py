"""Progress of a long export: a stderr line every few seconds while rows are written."""

from __future__ import annotations

import sys
import time
from typing import TextIO

PROGRESS_SECONDS = 2.0


class Progress:
    """Called with the rows written so far; says so at most every `every_seconds`, so a short export prints nothing."""

    def __init__(self, total: int, stream: TextIO | None = None, every_seconds: float = PROGRESS_SECONDS) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.every_seconds = every_seconds
        self.started = time.perf_counter()
        self.last_said = self.started

    def __call__(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last_said >= self.every_seconds:
            print(
                f"  ... {done:,} of {self.total:,} rows written ({now - self.started:.0f} s)",
                file=self.stream,
                flush=True,
            )
            self.last_said = now
