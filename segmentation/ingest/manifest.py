"""The load manifest: one row per load of a raw file, kept in the target beside the raw tables (`raw.load_manifest`).

It is how the loader knows what it has loaded (docs/rules/raw-input.md#what-the-loader-keeps): a file whose checksum
is the one last loaded is not read again; a file that is the last loaded one with lines appended (the checksum of
its first `size_bytes` bytes unchanged, and the loaded part ending cleanly) has only its new lines loaded; anything
else is loaded afresh. `dbt source freshness` reads `loaded_at` from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass, fields
from enum import Enum
from typing import Any

from segmentation.ingest.files import FileFacts, RawFile, RawFolder

TABLE = "load_manifest"


class LoadMode(str, Enum):
    FULL = "full"  # the file read whole; its raw table replaced
    APPENDED = "appended"  # only the lines after the loaded prefix read; added to the raw table
    ABSENT = "absent"  # an optional file not delivered: its raw table has no rows
    UNCHANGED = "unchanged"  # nothing read or written (never recorded)


@dataclass(frozen=True)
class LoadRecord:
    """One row of the manifest. Counts are of this load (an appended part's, for an appended load); the file's
    checksum, size and line counts are of the whole file as it stood."""

    entity: str
    raw_dir: str  # the folder as the loader was given it
    raw_dir_path: str  # the folder opened (absolute)
    file_path: str | None  # null when an optional file was not delivered
    file_format: str | None  # csv or parquet
    load_mode: str
    checksum: str | None  # sha256 of the whole file
    size_bytes: int | None
    loaded_from_byte: int  # 0, or where the appended lines begin
    rows_read: int  # rows the reader took from the file: well-formed ones and rejected lines
    rejected_lines: int  # lines that were not a row (rows in the raw table with line_reject_reason set)
    rows_loaded: int  # well-formed rows
    line_count: int | None  # lines the CSV reader numbered, header included, through the last line break
    physical_line_count: int | None  # line breaks in the file
    appendable: bool  # ends with a line break, outside any quote: lines added after it can be read alone
    loaded_at: dt.datetime  # UTC


# The manifest's columns and their types, for every engine's writer.
COLUMN_TYPES: dict[str, str] = {
    "entity": "text",
    "raw_dir": "text",
    "raw_dir_path": "text",
    "file_path": "text",
    "file_format": "text",
    "load_mode": "text",
    "checksum": "text",
    "size_bytes": "bigint",
    "loaded_from_byte": "bigint",
    "rows_read": "bigint",
    "rejected_lines": "bigint",
    "rows_loaded": "bigint",
    "line_count": "bigint",
    "physical_line_count": "bigint",
    "appendable": "boolean",
    "loaded_at": "timestamp",
}
assert tuple(COLUMN_TYPES) == tuple(field.name for field in fields(LoadRecord))


def record_values(record: LoadRecord) -> tuple[Any, ...]:
    return astuple(record)


def record_from(columns: list[str], row: tuple[Any, ...]) -> LoadRecord:
    values = dict(zip(columns, row, strict=True))
    return LoadRecord(**{name: values[name] for name in COLUMN_TYPES})


def latest_per_entity(records: list[LoadRecord]) -> dict[str, LoadRecord]:
    """What stands loaded for each entity: its latest load."""
    latest: dict[str, LoadRecord] = {}
    for record in sorted(records, key=lambda r: r.loaded_at):
        latest[record.entity] = record
    return latest


def decide(folder: RawFolder, file: RawFile | None, facts: FileFacts | None, previous: LoadRecord | None) -> LoadMode:
    """What to do with an entity's file, given what was last loaded for it (None: nothing, or a full refresh)."""
    if file is None or facts is None:
        already_absent = (
            previous is not None
            and previous.load_mode == LoadMode.ABSENT.value
            and previous.raw_dir_path == str(folder.path)
        )
        return LoadMode.UNCHANGED if already_absent else LoadMode.ABSENT
    if previous is None or previous.file_path != str(file.path) or previous.file_format != file.file_format:
        return LoadMode.FULL
    if previous.checksum == facts.whole.checksum and previous.size_bytes == facts.whole.size:
        return LoadMode.UNCHANGED
    if is_appended(file, facts, previous):
        return LoadMode.APPENDED
    return LoadMode.FULL


def is_appended(file: RawFile, facts: FileFacts, previous: LoadRecord) -> bool:
    """The file is the loaded one with bytes after it, and the loaded part ended cleanly: a line break outside any
    quote, so the new bytes start a new line and no quote opened before them runs into them."""
    return (
        file.file_format == "csv"
        and previous.appendable
        and previous.size_bytes is not None
        and previous.line_count is not None
        and previous.physical_line_count is not None
        and facts.prefix is not None
        and facts.whole.size > previous.size_bytes
        and facts.prefix.checksum == previous.checksum
    )


def now() -> dt.datetime:
    """The load time, in UTC without a zone, as every engine's timestamp type holds it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
