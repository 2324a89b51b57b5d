"""One export: read the audience, write the file under a temporary name, checksum it, rename it into place, then
append the audit record. A file whose record cannot be appended is deleted, so no export exists unrecorded."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from segmentation.exports.audience import Audience, read_audience
from segmentation.exports.audit import AuditRecord, append_record, audit_log_path, exports_dir, sha256_of
from segmentation.exports.errors import ExportFailed, ExportRefused
from segmentation.exports.writers import WRITERS, ProgressCallback


@dataclass(frozen=True)
class ExportResult:
    record: AuditRecord
    audience: Audience
    audit_log: Path
    seconds: float


def export_file_name(campaign_id: str, exported_at: dt.datetime, export_id: str, file_format: str) -> str:
    """`<campaign>_<UTC time>_<export id prefix>.<format>`: unique, and sorted by time within a campaign."""
    safe_campaign = re.sub(r"[^A-Za-z0-9_-]+", "-", campaign_id).strip("-") or "campaign"
    return f"{safe_campaign}_{exported_at:%Y%m%dT%H%M%SZ}_{export_id[:8]}.{file_format}"


def export_audience(
    database: Path,
    campaign_id: str,
    fields: Sequence[str],
    file_format: str,
    out_dir: Path | None = None,
    progress: Callable[[int], ProgressCallback] | None = None,
) -> ExportResult:
    """Write campaign `campaign_id`'s contactable treatment members to `out_dir` (default: `exports/` beside the
    published file) and record it in that folder's audit log. `progress`, given the row count, returns the
    callback the writer calls as rows are written."""
    started = time.perf_counter()
    if file_format not in WRITERS:
        raise ExportRefused(f"unknown format {file_format!r}; allowed: {', '.join(WRITERS)}")
    audience = read_audience(database, campaign_id, fields)
    if not audience.rows:
        raise ExportRefused(
            f"nothing to export: all {audience.treatment_size:,} treatment members of {campaign_id!r} are not "
            f"contactable on {audience.campaign.channel} now ({format_left_out(audience.left_out)})"
        )
    export_id = uuid.uuid4().hex
    exported_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    target_dir = (out_dir or exports_dir(database)).resolve()
    path = target_dir / export_file_name(campaign_id, exported_at, export_id, file_format)
    partial = path.with_name("." + path.name + ".partial")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        WRITERS[file_format](
            partial, audience.fields, audience.rows, progress(len(audience.rows)) if progress else _ignore
        )
        checksum = sha256_of(partial)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportFailed(f"could not write {path}: {error}") from error
    record = AuditRecord(
        export_id=export_id,
        campaign_id=campaign_id,
        channel=audience.campaign.channel,
        exported_at=exported_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        row_count=len(audience.rows),
        left_out_count=audience.left_out_count,
        left_out_reasons=audience.left_out,
        fields=list(audience.fields),
        format=file_format,
        file_path=str(path),
        sha256=checksum,
        database=str(database.resolve()),
        publication_id=audience.publication_id,
        exported_by=_user(),
    )
    log = audit_log_path(database)
    try:
        append_record(log, record)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise ExportFailed(f"could not append to the audit log {log}, so {path} was deleted: {error}") from error
    return ExportResult(record, audience, log, time.perf_counter() - started)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "unknown"


def _ignore(done: int) -> None:
    pass


def format_left_out(left_out: dict[str, int]) -> str:
    return "; ".join(f"{reasons} {count:,}" for reasons, count in left_out.items()) or "none"
