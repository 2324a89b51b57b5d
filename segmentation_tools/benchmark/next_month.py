"""The raw files as they would arrive a month later, for the timed monthly run."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from segmentation_tools.benchmark.workspace import GROWN_FILES, raw_files


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def next_month_end(day: dt.date) -> dt.date:
    """The first month-end strictly after `day`: the date the next scheduled run reports on."""
    end = month_end(day)
    return end if end > day else month_end(end + dt.timedelta(days=1))


@dataclass(frozen=True)
class GrownFile:
    """A raw file the next month grows: its id column (new ids follow the largest) and its date column, with the
    strftime format the generator writes it in (a date, or a date and time)."""

    name: str
    id_column: str
    date_column: str
    date_format: str


GROWN = (
    GrownFile("transactions.csv", "transaction_id", "transaction_date", "%Y-%m-%d"),
    GrownFile("behavior_events.csv", "event_id", "occurred_at", "%Y-%m-%d %H:%M:%S"),
)


# a plain ISO date, or one with a time of day: the rows repeated (others are copied as they are, not repeated)
ISO_DATE_TIME = "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?"


def append_next_month(raw: Path, out: Path, as_of: dt.date, next_as_of: dt.date) -> dict[str, int]:
    """Write to `out` the raw files as they would arrive at `next_as_of`: the transactions file and the behaviour
    events file (when there is one) grown by one month, the customers file and the other optional inputs as they
    are. The new month repeats the last (next_as_of - as_of) days' rows, dated that many days later, under new ids
    after the largest, appended after the file's bytes as they were (bad rows included), as an export that adds a
    month to its file does: the loader then reads the new lines alone. Returns the rows added, per file."""
    days = (next_as_of - as_of).days
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw / "customers.csv", out / "customers.csv")
    grown = {file.name for file in GROWN}
    for unchanged in raw_files(raw):
        if unchanged.name not in GROWN_FILES and unchanged.name not in grown:
            (out / unchanged.name).unlink(missing_ok=True)
            os.link(unchanged, out / unchanged.name)
    return {file.name: _append_month(raw, out, file, as_of, days) for file in GROWN if (raw / file.name).exists()}


def _append_month(raw: Path, out: Path, file: GrownFile, as_of: dt.date, days: int) -> int:
    import duckdb  # the venv's, as dbt-duckdb's dependency

    # Read as the loader reads it (segmentation/ingest/): every column text, the same quoting.
    source = (
        f"read_csv('{raw / file.name}', header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)"
    )
    # the date as written: the first ten characters an ISO date, the rest (a time of day) kept as it is
    day = f"try_cast(substr({file.date_column}, 1, 10) as date)"
    # every column of the file, in its order, so the new lines fit its header
    new_rows = f"""
        select source.* replace (
            cast(last_id.value + row_number() over (order by try_cast({file.id_column} as bigint), {file.date_column})
                 as varchar) as {file.id_column},
            strftime(try_cast({file.date_column} as timestamp) + interval {days} day, '{file.date_format}')
                as {file.date_column}
        )
        from {source} as source,
            (select max(try_cast({file.id_column} as bigint)) as value from {source}) as last_id
        where regexp_full_match({file.date_column}, '{ISO_DATE_TIME}')
            and try_cast({file.date_column} as timestamp) is not null
            and {day} > date '{as_of.isoformat()}' - {days}
            and {day} <= date '{as_of.isoformat()}'
    """
    appended = out / f"{file.name}.appended"
    with duckdb.connect() as con:
        [(added,)] = con.sql(f"select count(*) from ({new_rows})").fetchall()
        con.execute(f"copy ({new_rows}) to '{appended}' (header false, delimiter ',', format csv)")
    shutil.copyfile(raw / file.name, out / file.name)
    with (out / file.name).open("rb+") as grown, appended.open("rb") as rows:
        size = grown.seek(0, os.SEEK_END)
        if size:
            grown.seek(size - 1)
            ends_a_line = grown.read(1) == b"\n"
            grown.seek(0, os.SEEK_END)
            if not ends_a_line:
                grown.write(b"\n")
        shutil.copyfileobj(rows, grown)
    appended.unlink()
    return int(added)
