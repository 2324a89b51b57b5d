"""The raw tables in a DuckDB warehouse file, read straight into it in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.manifest import COLUMN_TYPES, TABLE, LoadMode, LoadRecord, record_from, record_values
from segmentation.ingest.sql import identifier
from segmentation.ingest.writer import RAW_SCHEMA, quiet


class DuckDBWriter:
    """Files read whole become their raw table directly; an appended part is read into a table of its own and added.
    Everything happens in one transaction, committed by `finish`."""

    def __init__(self, database: Path, settings: Mapping[str, str] | None = None) -> None:
        database.parent.mkdir(parents=True, exist_ok=True)
        self._con = quiet(duckdb.connect(str(database), config=dict(settings or {})))
        self._con.execute("begin transaction")
        # Qualified by the file's catalog: DuckDB names the catalog after the file, and a file named raw.duckdb
        # would make a bare `raw.<table>` ambiguous between the catalog and the schema.
        [(catalog,)] = self._con.execute("select current_database()").fetchall()
        self._schema = f"{identifier(catalog)}.{RAW_SCHEMA}"

    @property
    def reading(self) -> duckdb.DuckDBPyConnection:
        return self._con

    def _exists(self, name: str, kind: str = "table") -> bool:
        """Whether the raw schema holds a table (or a view) of that name."""
        catalog, column = ("duckdb_views", "view_name") if kind == "view" else ("duckdb_tables", "table_name")
        [(found,)] = self._con.execute(
            f"select count(*) from {catalog}() where database_name = current_database()"
            f" and schema_name = ? and {column} = ?",
            [RAW_SCHEMA, name],
        ).fetchall()
        return bool(found)

    def previous_loads(self) -> list[LoadRecord]:
        if not self._exists(TABLE):
            return []
        relation = self._con.sql(f"select * from {self._schema}.{TABLE}")
        return [record_from(relation.columns, row) for row in relation.fetchall()]

    def staging_table(self, entity: RawEntity, mode: LoadMode) -> str:
        self._con.execute(f"create schema if not exists {self._schema}")
        if mode == LoadMode.APPENDED:
            # inside the load's transaction: dropped before it commits, so never seen
            return f"{self._schema}.{identifier(entity.name + '__appended')}"
        # A warehouse built before the loader has views of these names over the files, and the malformed lines of
        # each file in a table beside them.
        if self._exists(entity.name, "view"):
            self._con.execute(f"drop view {self._schema}.{identifier(entity.name)}")
        self._con.execute(f"drop table if exists {self._schema}.{identifier(entity.name + '__malformed')}")
        return f"{self._schema}.{identifier(entity.name)}"

    def write(self, entity: RawEntity, mode: LoadMode, staged: str) -> None:
        if mode == LoadMode.APPENDED:
            self._con.execute(f"insert into {self._schema}.{identifier(entity.name)} select * from {staged}")
            self._con.execute(f"drop table {staged}")

    def finish(self, records: Sequence[LoadRecord]) -> None:
        if records:
            self._con.execute(f"create schema if not exists {self._schema}")
            columns = ", ".join(f"{name} {kind}" for name, kind in COLUMN_TYPES.items())
            self._con.execute(f"create table if not exists {self._schema}.{TABLE} ({columns})")
            placeholders = ", ".join("?" for _ in COLUMN_TYPES)
            self._con.executemany(
                f"insert into {self._schema}.{TABLE} ({', '.join(COLUMN_TYPES)}) values ({placeholders})",
                [list(record_values(record)) for record in records],
            )
        self._con.execute("commit")

    def close(self) -> None:
        self._con.close()
