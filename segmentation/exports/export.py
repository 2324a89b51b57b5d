"""One export (a campaign's treatment group or a segment's members): read the audience, write the file under a
temporary name, checksum it, rename it into place, then append the audit record. A file whose record cannot be
appended is deleted, so no export exists unrecorded."""

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

from segmentation.exports.audience import Audience, read_audience, read_segment_audience
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
    """`<campaign or segment>_<UTC time>_<export id prefix>.<format>`: unique, and sorted by time within a campaign.
    A segment id's `/` and anything else outside letters, digits, `_` and `-` become `-`, so no id can name a path."""
    safe_campaign = re.sub(r"[^A-Za-z0-9_-]+", "-", campaign_id).strip("-") or "campaign"
    return f"{safe_campaign}_{exported_at:%Y%m%dT%H%M%SZ}_{export_id[:8]}.{file_format}"


def export_audience(
    database: Path,
    campaign_id: str,
    fields: Sequence[str],
    file_format: str,
    out_dir: Path | None = None,
    progress: Callable[[int], ProgressCallback] | None = None,
    exported_by: str | None = None,
) -> ExportResult:
    """Write campaign `campaign_id`'s contactable treatment members to `out_dir` (default: `exports/` beside the
    published file) and record it in that folder's audit log. `progress`, given the row count, returns the
    callback the writer calls as rows are written."""
    started = time.perf_counter()
    _check_format(file_format)
    audience = read_audience(database, campaign_id, fields)
    if not audience.rows:
        raise ExportRefused(
            f"nothing to export: all {audience.treatment_size:,} treatment members of {campaign_id!r} are not "
            f"contactable on {audience.channel} now ({format_left_out(audience.left_out)})"
        )
    return _write_and_record(database, audience, campaign_id, file_format, out_dir, progress, exported_by, started)


def export_segment(
    database: Path,
    segment_id: str,
    channel: str,
    fields: Sequence[str],
    file_format: str,
    out_dir: Path | None = None,
    progress: Callable[[int], ProgressCallback] | None = None,
    exported_by: str | None = None,
) -> ExportResult:
    """Write segment `segment_id`'s current members contactable on `channel` now, by customer_id, exactly as a
    campaign's audience is written and recorded (the record names the segment instead of a campaign)."""
    started = time.perf_counter()
    _check_format(file_format)
    audience = read_segment_audience(database, segment_id, channel, fields)
    if not audience.rows:
        raise ExportRefused(
            f"nothing to export: all {audience.treatment_size:,} members of {segment_id!r} are not contactable on "
            f"{channel} now ({format_left_out(audience.left_out)})"
        )
    return _write_and_record(database, audience, segment_id, file_format, out_dir, progress, exported_by, started)


def _check_format(file_format: str) -> None:
    if file_format not in WRITERS:
        raise ExportRefused(f"unknown format {file_format!r}; allowed: {', '.join(WRITERS)}")


def _write_and_record(
    database: Path,
    audience: Audience,
    name: str,
    file_format: str,
    out_dir: Path | None,
    progress: Callable[[int], ProgressCallback] | None,
    exported_by: str | None,
    started: float,
) -> ExportResult:
    export_id = uuid.uuid4().hex
    exported_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    target_dir = (out_dir or exports_dir(database)).resolve()
    path = target_dir / export_file_name(name, exported_at, export_id, file_format)
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
        campaign_id=audience.campaign.campaign_id if audience.campaign else None,
        channel=audience.channel,
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
        exported_by=exported_by or _user(),
        segment_id=audience.segment.segment_id if audience.segment else None,
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
