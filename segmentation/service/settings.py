"""Which files the service reads and writes, decided once at start-up.

Everything the service keeps (tokens, the audit log, refresh logs) lives in `service/` beside the published file,
as the exports' audit log lives in `exports/` there: `make build` deletes the demo's working file and every publish
replaces the published file by a rename, so neither could keep it; the folder beside them survives both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATE_FOLDER = "service"
TOKENS_FILE = "tokens.json"
AUDIT_FILE = "audit.jsonl"
JOBS_FOLDER = "jobs"


def state_dir(published: Path) -> Path:
    return published.resolve().parent / STATE_FOLDER


@dataclass(frozen=True)
class Settings:
    published: Path  # the published warehouse, opened read-only per request
    definitions: Path  # the segments file the served warehouse is built from, which the service edits
    raw_dir: str | None = None  # the raw files of the served warehouse, for a refresh (none: refresh refused)
    working: Path | None = None  # the working file a refresh builds (none: the one the publication names)
    backfill_months: int = 0  # month-ends a refresh records besides the as-of date
    campaigns: Path | None = None  # the campaigns file the served warehouse is built from, for a refresh (none: none)

    @property
    def state(self) -> Path:
        return state_dir(self.published)

    @property
    def tokens(self) -> Path:
        return self.state / TOKENS_FILE

    @property
    def audit_log(self) -> Path:
        return self.state / AUDIT_FILE

    @property
    def jobs(self) -> Path:
        return self.state / JOBS_FOLDER
