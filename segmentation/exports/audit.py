"""The export audit log: one JSON line per export, appended, never rewritten.

It lives in `exports/` beside the published file (see `audit_log_path`), outside both DuckDB files: `make build`
deletes the demo's working file and every publish replaces the published file by a rename, so a table in either
would be lost. JSON lines need no header, so there is no first-writer race; each record is one `os.write` of the
whole line on a descriptor opened with O_APPEND, under an exclusive `flock`, so two exports running at once never
interleave or lose a line.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

AUDIT_LOG_NAME = "export_audit.jsonl"
EXPORTS_FOLDER = "exports"


@dataclass(frozen=True)
class AuditRecord:
    export_id: str
    campaign_id: str | None  # None for a segment's export
    channel: str
    exported_at: str  # UTC, ISO 8601 with a Z
    row_count: int
    left_out_count: int
    left_out_reasons: dict[str, int]
    fields: list[str]
    format: str
    file_path: str
    sha256: str
    database: str
    publication_id: str | None
    exported_by: str
    segment_id: str | None = None  # set for a segment's export; records written before segments had none


def exports_dir(database: Path) -> Path:
    """`exports/` beside the published file: where its exports and their audit log go by default."""
    return database.resolve().parent / EXPORTS_FOLDER


def audit_log_path(database: Path) -> Path:
    return exports_dir(database) / AUDIT_LOG_NAME


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def append_record(log: Path, record: AuditRecord) -> None:
    """Append one line; the file is created on the first export and only ever grows."""
    append_json_line(log, asdict(record))


def append_json_line(log: Path, record: Mapping[str, Any]) -> None:
    """Append `record` as one JSON line, whole, under an exclusive lock (the segment service's audit log uses it
    too)."""
    line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    log.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        written = os.write(descriptor, line)
        if written != len(line):
            raise OSError(f"wrote {written} of {len(line)} bytes of the audit record to {log}")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # releases the lock


def read_records(log: Path) -> list[AuditRecord]:
    if not log.exists():
        return []
    with open(log, encoding="utf-8") as file:
        return [AuditRecord(**json.loads(line)) for line in file if line.strip()]
