"""Running a command to completion while measuring its wall time and peak memory."""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from segmentation.project import PROJECT_DIR
from segmentation_tools.benchmark.memory import tree_rss_bytes

SAMPLE_SECONDS = 0.1
TAIL_LINES = 30


class StepFailed(Exception):
    """A timed command exited non-zero (or could not start)."""

    def __init__(self, step: str, command: Sequence[str], returncode: int, tail: str, log_path: Path) -> None:
        super().__init__(step)
        self.step, self.command, self.returncode, self.tail, self.log_path = step, command, returncode, tail, log_path

    def report(self) -> str:
        return (
            f"FAILED: {self.step}\ncommand: {shlex.join(self.command)}\nexit code: {self.returncode}\n"
            f"last lines of its output (all of it: {self.log_path}):\n{self.tail}"
        )


def tail_lines(text: str, count: int) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-count:])


@dataclasses.dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_bytes: int


def run_measured(step: str, command: Sequence[str], env: Mapping[str, str], log_path: Path) -> Measured:
    """Run a command to completion with its output in `log_path`; wall time and peak tree RSS.

    Peak memory is the largest *sum* of VmRSS over the process and its descendants, sampled
    every SAMPLE_SECONDS, not getrusage's ru_maxrss: that is the peak of the single largest
    process, and for RUSAGE_CHILDREN a maximum over every child this script ever waited for, so
    it neither adds up processes alive at once (run_month.py plus the dbt it starts) nor
    separates one step from the one before. Sampling can miss a spike shorter than the interval;
    one sample reads /proc in about 3 ms, so it costs the measured run about 3 % of one core.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    with open(log_path, "w") as log:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        except OSError as error:
            raise StepFailed(step, command, 127, str(error), log_path) from error
        while True:
            peak = max(peak, tree_rss_bytes(process.pid))
            try:
                # Waiting (rather than sleeping) between samples ends the timing at the exit itself.
                process.wait(timeout=SAMPLE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                continue
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise StepFailed(
            step, command, process.returncode, tail_lines(log_path.read_text(errors="replace"), TAIL_LINES), log_path
        )
    return Measured(seconds, peak)


@contextmanager
def progress(line: str) -> Iterator[dict[str, str]]:
    """Print `line …` now and finish it with the seconds (and any detail the block adds)."""
    print(f"{line} … ", end="", flush=True)
    started = time.perf_counter()
    detail: dict[str, str] = {}
    try:
        yield detail
    except BaseException:
        print("failed", flush=True)
        raise
    extra = f" ({detail['text']})" if detail.get("text") else ""
    print(f"{time.perf_counter() - started:.1f} s{extra}", flush=True)
