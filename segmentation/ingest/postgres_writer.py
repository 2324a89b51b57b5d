"""The raw tables in a Postgres database, copied from DuckDB's reading of the files.

A Postgres server cannot read files on the machine running the loader, so DuckDB reads them here (the same reader as
on every engine) and the rows go to the server through COPY, every value as text. One transaction: a load that stops
leaves the server as it was. `connection` is a psycopg2 connection (psycopg2 has no type hints).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.manifest import COLUMN_TYPES, TABLE, LoadMode, LoadRecord, record_from, record_values
from segmentation.ingest.writer import RAW_SCHEMA, quiet

BATCH_ROWS = 500_000


class PostgresWriter:
    def __init__(self, connection: Any, scratch: Path) -> None:
        self._connection = connection
        self._reading = quiet(duckdb.connect(str(scratch / "reading.duckdb")))

    @property
    def reading(self) -> duckdb.DuckDBPyConnection:
        return self._reading

    def previous_loads(self) -> list[LoadRecord]:
        with self._connection.cursor() as cursor:
            cursor.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{TABLE}",))
            if cursor.fetchone()[0] is None:
                return []
            cursor.execute(f"select {', '.join(COLUMN_TYPES)} from {RAW_SCHEMA}.{TABLE}")
            return [record_from(list(COLUMN_TYPES), tuple(row)) for row in cursor.fetchall()]

    def staging_table(self, entity: RawEntity, mode: LoadMode) -> str:
        return f'"{entity.name}_{mode.value}"'

    def write(self, entity: RawEntity, mode: LoadMode, staged: str) -> None:
        table = f"{RAW_SCHEMA}.{entity.name}"
        columns = [name for name, _ in entity.table_columns]
        with self._connection.cursor() as cursor:
            if mode != LoadMode.APPENDED:
                cursor.execute(f"create schema if not exists {RAW_SCHEMA}")
                cursor.execute(f"drop table if exists {table} cascade")
                cursor.execute(f"create table {table} ({', '.join(f'{n} {t}' for n, t in entity.table_columns)})")
            result = self._reading.execute(f"select {', '.join(columns)} from {staged}")
            while batch := result.fetchmany(BATCH_ROWS):
                buffer = io.StringIO()
                for row in batch:
                    buffer.write("\t".join(copy_field(value) for value in row))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin", buffer)

    def finish(self, records: Sequence[LoadRecord]) -> None:
        with self._connection.cursor() as cursor:
            if records:
                cursor.execute(f"create schema if not exists {RAW_SCHEMA}")
                columns = ", ".join(f"{name} {kind}" for name, kind in COLUMN_TYPES.items())
                cursor.execute(f"create table if not exists {RAW_SCHEMA}.{TABLE} ({columns})")
                cursor.executemany(
                    f"insert into {RAW_SCHEMA}.{TABLE} ({', '.join(COLUMN_TYPES)})"
                    f" values ({', '.join('%s' for _ in COLUMN_TYPES)})",
                    [record_values(record) for record in records],
                )
        self._connection.commit()

    def close(self) -> None:
        self._reading.close()
        self._connection.close()


def copy_field(value: object) -> str:
    """A value in COPY's text format: \\N is null; backslash, tab and line breaks are escaped."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
