"""What the loader asks of a target: the same five steps on DuckDB, Postgres and Spark.

DuckDB reads every file (segmentation/ingest/csv_reader.py, parquet_reader.py) into a table of the writer's
`reading` connection; the writer then makes that the target's raw table. On DuckDB the reading connection is the
warehouse itself, so a file whole is read straight into its raw table; the other targets get the rows copied from
a DuckDB file of their own. Nothing is written to the target until every file has been read, and what is written
is committed at once, so a load that stops changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.manifest import LoadMode, LoadRecord

RAW_SCHEMA = "raw"


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The connection without DuckDB's progress bar, which it draws on stderr even when stderr is a file, so a long
    read would fill the monthly cycle's log with it."""
    con.execute("set enable_progress_bar = false")
    return con


class Writer(Protocol):
    @property
    def reading(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection the files are read into."""
        ...

    def previous_loads(self) -> list[LoadRecord]:
        """Every row of the target's manifest; none on a target never loaded."""
        ...

    def staging_table(self, entity: RawEntity, mode: LoadMode) -> str:
        """The table of `reading` to read the entity's rows into (created or replaced by the reader)."""
        ...

    def write(self, entity: RawEntity, mode: LoadMode, staged: str) -> None:
        """Make the staged rows the entity's raw table (full, absent) or add them to it (appended)."""
        ...

    def finish(self, records: Sequence[LoadRecord]) -> None:
        """Add the loads to the manifest and commit everything written."""
        ...

    def close(self) -> None:
        """Release the connections; what was not finished is rolled back."""
        ...
