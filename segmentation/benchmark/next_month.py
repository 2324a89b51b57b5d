"""The raw files as they would arrive a month later, for the timed monthly run."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def next_month_end(day: dt.date) -> dt.date:
    """The first month-end strictly after `day`: the date the next scheduled run reports on."""
    end = month_end(day)
    return end if end > day else month_end(end + dt.timedelta(days=1))


def append_next_month(raw: Path, out: Path, as_of: dt.date, next_as_of: dt.date) -> int:
    """Write to `out` the raw files as they would arrive at `next_as_of`: the transactions file
    grown by one month, the customers file as it is. The new month repeats the last
    (next_as_of - as_of) days' rows, dated that many days later, under new ids after the largest;
    the rows already there are copied unchanged, bad ones included. Returns the rows added."""
    import duckdb  # the venv's, as dbt-duckdb's dependency

    days = (next_as_of - as_of).days
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw / "customers.csv", out / "customers.csv")
    columns = "transaction_id, customer_id, transaction_date, amount, merchant_category"
    # Read as the project reads it (register_raw_files): every column text, the same quoting.
    source = (
        f"read_csv('{raw / 'transactions.csv'}', header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true)"
    )
    new_rows = f"""
        select
            cast(last_id.value + row_number() over (order by try_cast(transaction_id as bigint), transaction_date)
                 as varchar) as transaction_id,
            customer_id,
            strftime(try_cast(transaction_date as date) + {days}, '%Y-%m-%d') as transaction_date,
            amount,
            merchant_category
        from {source}, (select max(try_cast(transaction_id as bigint)) as value from {source}) as last_id
        where regexp_full_match(transaction_date, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')
            and try_cast(transaction_date as date) > date '{as_of.isoformat()}' - {days}
            and try_cast(transaction_date as date) <= date '{as_of.isoformat()}'
    """
    with duckdb.connect() as con:
        [(added,)] = con.sql(f"select count(*) from ({new_rows})").fetchall()
        con.execute(
            f"copy (select {columns} from {source} union all {new_rows}) "
            f"to '{out / 'transactions.csv'}' (header, delimiter ',')"
        )
    return int(added)
