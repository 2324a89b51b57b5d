"""The raw tables in a Spark session's catalog, from DuckDB's reading of the files through Parquet.

The session is the one dbt-spark's `session` method uses in the same process (SparkSession.builder.getOrCreate
returns it), so dbt run after the load in that process reads these tables. Spark has no transaction: every file is
read before anything is written, so a load that stops writes nothing. `session` is a pyspark SparkSession (pyspark
is installed for the engine comparison only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.manifest import COLUMN_TYPES, TABLE, LoadMode, LoadRecord, record_from, record_values
from segmentation.ingest.sql import literal
from segmentation.ingest.writer import RAW_SCHEMA, quiet

SPARK_TYPES = {"text": "string", "bigint": "bigint", "boolean": "boolean", "timestamp": "timestamp"}


class SparkWriter:
    def __init__(self, session: Any, scratch: Path) -> None:
        self._session = session
        self._scratch = scratch
        self._reading = quiet(duckdb.connect(str(scratch / "reading.duckdb")))

    @property
    def reading(self) -> duckdb.DuckDBPyConnection:
        return self._reading

    def previous_loads(self) -> list[LoadRecord]:
        if not self._session.catalog.tableExists(f"{RAW_SCHEMA}.{TABLE}"):
            return []
        rows = self._session.sql(f"select {', '.join(COLUMN_TYPES)} from {RAW_SCHEMA}.{TABLE}").collect()
        return [record_from(list(COLUMN_TYPES), tuple(row)) for row in rows]

    def staging_table(self, entity: RawEntity, mode: LoadMode) -> str:
        return f'"{entity.name}_{mode.value}"'

    def write(self, entity: RawEntity, mode: LoadMode, staged: str) -> None:
        table = f"{RAW_SCHEMA}.{entity.name}"
        columns = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in entity.table_columns)
        if mode != LoadMode.APPENDED:
            self._session.sql(f"create database if not exists {RAW_SCHEMA}")
            self._session.sql(f"drop table if exists {table}")
            self._session.sql(f"create table {table} ({columns}) using parquet")
        path = self._scratch / f"{entity.name}_{mode.value}.parquet"
        self._reading.execute(f"copy (select * from {staged}) to {literal(str(path))} (format parquet)")
        self._session.read.parquet(str(path)).write.insertInto(table)

    def finish(self, records: Sequence[LoadRecord]) -> None:
        if not records:
            return
        table = f"{RAW_SCHEMA}.{TABLE}"
        if not self._session.catalog.tableExists(table):
            self._session.sql(f"create database if not exists {RAW_SCHEMA}")
            columns = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in COLUMN_TYPES.items())
            self._session.sql(f"create table {table} ({columns}) using parquet")
        schema = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in COLUMN_TYPES.items())
        rows = [_spark_row(record_values(record)) for record in records]
        self._session.createDataFrame(rows, schema=schema).write.insertInto(table)

    def close(self) -> None:
        self._reading.close()


def _spark_row(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Spark's session is in UTC (profiles.yml); a naive UTC datetime is read as local time otherwise."""
    return tuple(value.replace(tzinfo=dt.timezone.utc) if isinstance(value, dt.datetime) else value for value in values)
