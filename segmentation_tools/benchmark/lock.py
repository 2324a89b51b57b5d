"""One benchmark at a time per folder."""

from __future__ import annotations

import errno
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def bench_lock(root: Path) -> Iterator[bool]:
    """True while this process is the only benchmark using `root`: two at once would delete each
    other's warehouse, and share the CPUs, which would spoil both sets of figures anyway."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
