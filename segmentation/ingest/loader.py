"""Load the raw files of one folder into the target's raw tables: each entity's file read by DuckDB, checked, and
written as text, with what was loaded recorded in the manifest.

For each entity of the `raw` source (segmentation/ingest/entities.py) the manifest decides (manifest.py): an
unchanged file is left as it is, a file with lines appended has those lines alone read and added, any other file is
read whole and replaces its table, and an optional file not delivered leaves its table with no rows. Every file is
read before anything is written; a file that stops the load (docs/rules/raw-input.md#what-stops-the-build) leaves
the target as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.ingest.csv_reader import CsvPart, read_csv_part
from segmentation.ingest.entities import RawEntity, raw_entities
from segmentation.ingest.files import FileFacts, RawFile, RawFolder, file_facts, find_raw_file, missing_file_error
from segmentation.ingest.manifest import LoadMode, LoadRecord, decide, latest_per_entity, now
from segmentation.ingest.parquet_reader import read_parquet_file
from segmentation.ingest.writer import Writer


@dataclass(frozen=True)
class Loaded:
    """What the load did with one entity, for the command's report."""

    entity: str
    mode: LoadMode
    shown: str | None
    rows_read: int
    rejected_lines: int
    seconds: float


def load(
    folder: RawFolder,
    writer: Writer,
    scratch: Path,
    full_refresh: bool = False,
    entities: Sequence[RawEntity] | None = None,
) -> list[Loaded]:
    """Load every entity's file from `folder` through `writer`; `full_refresh` reads every file whole, whatever
    the manifest says. `scratch` is a folder for the files an appended part is read from. Raises RawInputError."""
    previous = {} if full_refresh else latest_per_entity(writer.previous_loads())
    loaded_at = now()
    staged: list[tuple[RawEntity, LoadMode, str]] = []
    records: list[LoadRecord] = []
    report: list[Loaded] = []
    for entity in entities or raw_entities():
        started = time.perf_counter()
        file = find_raw_file(folder, entity.name)
        if file is None and not entity.optional_file:
            raise missing_file_error(folder, entity.name)
        before = previous.get(entity.name)
        facts = None if file is None else file_facts(file.path, _loaded_size(file, before))
        mode = decide(folder, file, facts, before)
        if mode == LoadMode.UNCHANGED:
            report.append(Loaded(entity.name, mode, file.shown if file else None, 0, 0, time.perf_counter() - started))
            continue
        table = writer.staging_table(entity, mode)
        delivery = _Delivery(folder, entity, file, facts, loaded_at)
        record = _read(writer.reading, delivery, mode, before, table, scratch)
        staged.append((entity, mode, table))
        records.append(record)
        report.append(
            Loaded(
                entity.name,
                mode,
                file.shown if file else None,
                record.rows_read,
                record.rejected_lines,
                time.perf_counter() - started,
            )
        )
    for entity, mode, table in staged:
        writer.write(entity, mode, table)
    writer.finish(records)
    return report


def _loaded_size(file: RawFile, before: LoadRecord | None) -> int | None:
    """The size of the part of this file already loaded, whose checksum shows whether lines were only appended."""
    if before is None or before.file_path != str(file.path) or before.size_bytes is None:
        return None
    return before.size_bytes


@dataclass(frozen=True)
class _Delivery:
    folder: RawFolder
    entity: RawEntity
    file: RawFile | None
    facts: FileFacts | None
    loaded_at: dt.datetime  # every row of one load carries the load's start time


def _read(
    con: duckdb.DuckDBPyConnection,
    delivery: _Delivery,
    mode: LoadMode,
    before: LoadRecord | None,
    table: str,
    scratch: Path,
) -> LoadRecord:
    """Read the delivery into `table` as `mode` says; its manifest row."""
    file, facts, entity = delivery.file, delivery.facts, delivery.entity
    if file is None or facts is None:
        _empty_table(con, entity, table)
        return _record(delivery, LoadMode.ABSENT, rows_read=0, rejected_lines=0)
    if file.file_format == "parquet":
        rows = read_parquet_file(con, file, entity, table)
        return _record(delivery, LoadMode.FULL, rows_read=rows, rejected_lines=0)
    if mode == LoadMode.APPENDED and before is not None:
        return _read_appended(con, delivery, before, table, scratch)
    read = read_csv_part(con, CsvPart(file.path, file.shown), entity, table, facts.whole.has_quote)
    return _record(
        delivery,
        LoadMode.FULL,
        rows_read=read.rows_loaded + read.rejected_lines,
        rejected_lines=read.rejected_lines,
        line_count=facts.whole.line_breaks - read.line_breaks_inside_rows,
        appendable=facts.whole.ends_with_line_break and not read.unclosed_quote,
    )


def _read_appended(
    con: duckdb.DuckDBPyConnection, delivery: _Delivery, before: LoadRecord, table: str, scratch: Path
) -> LoadRecord:
    """The lines after the loaded prefix, read from a file of the header and those lines, numbered on from the
    prefix's last line."""
    file, facts = delivery.file, delivery.facts
    assert file is not None and facts is not None and before.size_bytes is not None
    assert before.line_count is not None and before.physical_line_count is not None
    part_path = scratch / f"{file.entity}.appended.csv"
    with file.path.open("rb") as source, part_path.open("wb") as out:
        out.write(source.readline())
        source.seek(before.size_bytes)
        shutil.copyfileobj(source, out)
    part = CsvPart(
        part_path,
        file.shown,
        line_offset=before.line_count - 1,
        physical_line_offset=before.physical_line_count - 1,
        whole_file=False,
    )
    read = read_csv_part(con, part, delivery.entity, table, facts.whole.has_quote)
    part_path.unlink()
    new_line_breaks = facts.whole.line_breaks - before.physical_line_count
    return _record(
        delivery,
        LoadMode.APPENDED,
        rows_read=read.rows_loaded + read.rejected_lines,
        rejected_lines=read.rejected_lines,
        loaded_from_byte=before.size_bytes,
        line_count=before.line_count + new_line_breaks - read.line_breaks_inside_rows,
        appendable=facts.whole.ends_with_line_break and not read.unclosed_quote,
    )


def _empty_table(con: duckdb.DuckDBPyConnection, entity: RawEntity, table: str) -> None:
    """An optional file not delivered: its columns, with no rows."""
    columns = ", ".join(f"cast(null as varchar) as {column}" for column in entity.columns)
    con.execute(
        f"create or replace table {table} as select {columns}, cast(null as bigint) as line_number,"
        " cast(null as varchar) as line_text, cast(null as varchar) as line_reject_reason limit 0"
    )


def _record(
    delivery: _Delivery,
    mode: LoadMode,
    rows_read: int,
    rejected_lines: int,
    loaded_from_byte: int = 0,
    line_count: int | None = None,
    appendable: bool = False,
) -> LoadRecord:
    file, facts = delivery.file, delivery.facts
    return LoadRecord(
        entity=delivery.entity.name,
        raw_dir=delivery.folder.given,
        raw_dir_path=str(delivery.folder.path),
        file_path=str(file.path) if file else None,
        file_format=file.file_format if file else None,
        load_mode=mode.value,
        checksum=facts.whole.checksum if facts else None,
        size_bytes=facts.whole.size if facts else None,
        loaded_from_byte=loaded_from_byte,
        rows_read=rows_read,
        rejected_lines=rejected_lines,
        rows_loaded=rows_read - rejected_lines,
        line_count=line_count,
        physical_line_count=facts.whole.line_breaks if facts and file and file.file_format == "csv" else None,
        appendable=appendable,
        loaded_at=delivery.loaded_at,
    )
