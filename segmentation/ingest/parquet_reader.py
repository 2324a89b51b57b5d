"""A raw Parquet file into a DuckDB table of text, with the same columns as a CSV file gives.

Parquet has typed columns and no lines: every declared column is cast to text (a timestamp as `YYYY-MM-DD
HH:MM:SS`, whose date part staging reads), and the line columns are null. Column names match after trimming and
regardless of letter case, as CSV headers do (docs/rules/raw-input.md).
"""

from __future__ import annotations

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.errors import RawInputError
from segmentation.ingest.files import RawFile
from segmentation.ingest.sql import identifier, literal


def read_parquet_file(con: duckdb.DuckDBPyConnection, file: RawFile, entity: RawEntity, table: str) -> int:
    """Write the file's rows into `table` (created, or replaced); the number of rows. Raises RawInputError."""
    reader = f"read_parquet({literal(str(file.path))})"
    try:
        [(has_rows,)] = con.sql(f"select count(*) from (select 1 from {reader} limit 1) as first_row").fetchall()
        names = con.sql(f"select * from {reader} limit 0").columns
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        raise RawInputError(
            f"raw file {file.shown} cannot be read as Parquet ({first_line}): deliver each file as CSV or Parquet"
        ) from error
    # an empty delivery is a failed export, not "no customers": stop rather than replace the marts with nothing
    if has_rows == 0:
        raise RawInputError(f"raw file {file.shown} has no data rows (it is empty or holds only a header)")
    present = {name.strip().lower(): name for name in names}
    missing = [column for column in entity.required_columns if column not in present]
    if missing:
        raise RawInputError(
            f"raw file {file.shown} is missing required column(s): {', '.join(missing)}"
            f" (expected: {', '.join(entity.required_columns)})"
        )
    select_list = [
        f"cast({identifier(present[column])} as varchar) as {column}"
        if column in present
        else f"cast(null as varchar) as {column}"
        for column in entity.columns
    ]
    con.execute(
        f"create or replace table {table} as select {', '.join(select_list)}, cast(null as bigint) as line_number,"
        f" cast(null as varchar) as line_text, cast(null as varchar) as line_reject_reason from {reader}"
    )
    [(rows,)] = con.sql(f"select count(*) from {table}").fetchall()
    return int(rows)
