"""Refreshes: the served warehouse rebuilt as of its current as-of date, as a background job.

A refresh runs the project's own monthly cycle (`python -m segmentation.run_month`) on the served warehouse: its
working file, its raw folder, the as-of date of the publication being served, the segments file the service edits
and the campaigns file the warehouse was built from; never the demo's data generation. The cycle validates the
definitions, builds with the data tests under the warehouse's lock and publishes only when everything passed, so a
failed refresh leaves the published warehouse as it was. One refresh at a time: a second request while one runs,
from this service or from any other cycle holding the warehouse's lock (a `make build`, a scheduled run), is refused
(409). The cycle's log goes to `service/jobs/<job id>.log` beside the published file.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from segmentation.project import PROJECT_DIR, dbt_output_env
from segmentation.run_month import EXIT_BUSY

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class Job:
    job_id: str
    segment_id: str
    status: str
    as_of_date: str
    requested_by: str
    requested_at: str
    started_at: str | None = None
    finished_at: str | None = None
    exit_code: int | None = None
    message: str = ""


@dataclass(frozen=True)
class RefreshPlan:
    """What a refresh builds: the cycle's arguments."""

    as_of_date: dt.date
    raw_dir: str
    working: Path
    published: Path
    definitions: Path
    backfill_months: int
    campaigns: Path | None = None


class RefreshRefused(Exception):
    """A refresh cannot start (409): one is running, or the warehouse's lock is held."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def lock_is_held(working: Path) -> bool:
    """Whether a cycle holds the warehouse's lock now (run_month.warehouse_lock's file beside the working file)."""
    lock_path = working.with_name(working.name + ".lock")
    if not lock_path.exists():
        return False
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):
                return True
            raise
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def cycle_command(plan: RefreshPlan, log_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "segmentation.run_month",
        "--as-of",
        plan.as_of_date.isoformat(),
        "--backfill-months",
        str(plan.backfill_months),
        "--raw-dir",
        plan.raw_dir,
        "--database",
        str(plan.working),
        "--published",
        str(plan.published),
        "--log-file",
        str(log_file),
        "--segments-file",
        str(plan.definitions.resolve()),
        *(["--campaigns-file", str(plan.campaigns.resolve())] if plan.campaigns else []),
        "--wait",
        "0",
    ]


class Jobs:
    """The service's refresh jobs, kept in memory (and their logs on disk); `on_finish` is told each outcome."""

    def __init__(self, folder: Path, on_finish: Callable[[Job], None] = lambda job: None) -> None:
        self.folder = folder
        self.on_finish = on_finish
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def log_tail(self, job_id: str) -> list[str]:
        path = self.folder / f"{job_id}.log"
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        return lines[-LOG_TAIL_LINES:]

    def start(self, segment_id: str, plan: RefreshPlan, requested_by: str) -> Job:
        with self._lock:
            running = [job for job in self._jobs.values() if job.status in (QUEUED, RUNNING)]
            if running:
                raise RefreshRefused(f"refresh {running[0].job_id} is running; wait for it (GET /api/jobs/{{id}})")
            if lock_is_held(plan.working):
                raise RefreshRefused(f"another build holds {plan.working}'s lock; try again when it has finished")
            job = Job(uuid.uuid4().hex, segment_id, QUEUED, plan.as_of_date.isoformat(), requested_by, _now())
            self._jobs[job.job_id] = job
        thread = threading.Thread(target=self._run, args=(job.job_id, plan), name=f"refresh-{job.job_id}", daemon=True)
        thread.start()
        return job

    def _set(self, job_id: str, **changes: object) -> Job:
        with self._lock:
            job = replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]
            self._jobs[job_id] = job
            return job

    def _run(self, job_id: str, plan: RefreshPlan) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log_file = self.folder / f"{job_id}.log"
        self._set(job_id, status=RUNNING, started_at=_now())
        try:
            completed = subprocess.run(
                cycle_command(plan, log_file),
                cwd=PROJECT_DIR,
                env=dbt_output_env(dict(os.environ)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                check=False,
            )
            code = completed.returncode
            message = {
                0: f"published {plan.published} as of {plan.as_of_date}",
                EXIT_BUSY: "another build held the warehouse's lock; nothing was built",
            }.get(code, f"the cycle failed (exit {code}); the published warehouse is unchanged; see its log")
        except OSError as error:
            code, message = -1, f"the cycle could not start: {error}"
        job = self._set(
            job_id, status=SUCCEEDED if code == 0 else FAILED, finished_at=_now(), exit_code=code, message=message
        )
        self.on_finish(job)
