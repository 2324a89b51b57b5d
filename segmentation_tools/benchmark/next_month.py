"""The raw files as they would arrive a month later, for the timed monthly run."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from segmentation_tools.benchmark.workspace import GROWN_FILES, raw_files


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def next_month_end(day: dt.date) -> dt.date:
    """The first month-end strictly after `day`: the date the next scheduled run reports on."""
    end = month_end(day)
    return end if end > day else month_end(end + dt.timedelta(days=1))


def append_next_month(raw: Path, out: Path, as_of: dt.date, next_as_of: dt.date) -> int:
    """Write to `out` the raw files as they would arrive at `next_as_of`: the transactions file
    grown by one month, the customers file and the optional inputs as they are. The new month repeats the last
    (next_as_of - as_of) days' rows, dated that many days later, under new ids after the largest,
    appended after the file's bytes as they were (bad rows included), as an export that adds a
    month to its file does: the loader then reads the new lines alone. Returns the rows added."""
    import duckdb  # the venv's, as dbt-duckdb's dependency

    days = (next_as_of - as_of).days
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw / "customers.csv", out / "customers.csv")
    for unchanged in raw_files(raw):
        if unchanged.name not in GROWN_FILES:
            (out / unchanged.name).unlink(missing_ok=True)
            os.link(unchanged, out / unchanged.name)
    # Read as the loader reads it (segmentation/ingest/): every column text, the same quoting.
    source = (
        f"read_csv('{raw / 'transactions.csv'}', header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true)"
    )
    # every column of the file, in its order, so the new lines fit its header
    new_rows = f"""
        select source.* replace (
            cast(last_id.value + row_number() over (order by try_cast(transaction_id as bigint), transaction_date)
                 as varchar) as transaction_id,
            strftime(try_cast(transaction_date as date) + {days}, '%Y-%m-%d') as transaction_date
        )
        from {source} as source, (select max(try_cast(transaction_id as bigint)) as value from {source}) as last_id
        where regexp_full_match(transaction_date, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')
            and try_cast(transaction_date as date) > date '{as_of.isoformat()}' - {days}
            and try_cast(transaction_date as date) <= date '{as_of.isoformat()}'
    """
    appended = out / "transactions.appended.csv"
    with duckdb.connect() as con:
        [(added,)] = con.sql(f"select count(*) from ({new_rows})").fetchall()
        con.execute(f"copy ({new_rows}) to '{appended}' (header false, delimiter ',')")
    shutil.copyfile(raw / "transactions.csv", out / "transactions.csv")
    with (out / "transactions.csv").open("rb+") as grown, appended.open("rb") as rows:
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
