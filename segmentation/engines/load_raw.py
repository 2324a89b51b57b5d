"""Load the raw files into a Postgres database as text tables `raw.customers` and `raw.transactions`.

On DuckDB (and Spark) dbt reads the raw files itself at the start of every run
(macros/register_raw_files.sql). A Postgres server cannot read files on the machine that runs
dbt, so this step puts the same files into the `raw` schema first, every value as text, exactly
as the DuckDB views expose them: staging then types and cleans them the same way on every engine.

The required columns are the `raw` source's (models/staging/_raw__sources.yml); a file missing one
stops the load with the file and column named. Extra columns are left out. A column or file marked
`meta: {optional: true}` there may be absent: its values load as null (a file, as an empty table). The connection comes
from the same environment variables as the `postgres` target in profiles.yml.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from segmentation.project import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
BATCH_ROWS = 500_000


class RawInputError(Exception):
    """A raw file is missing, empty, or lacks a required column."""


@dataclass(frozen=True)
class LoadedTable:
    entity: str
    path: Path
    rows: int


LINE_COLUMNS = "line_number bigint, line_text text, line_reject_reason text"


def _raw_tables(sources_file: Path) -> list[dict[str, Any]]:
    sources = yaml.safe_load(sources_file.read_text())["sources"]
    tables: list[dict[str, Any]] = next(source for source in sources if source["name"] == "raw")["tables"]
    return tables


def _is_optional(declared: dict[str, Any]) -> bool:
    return bool((declared.get("meta") or {}).get("optional"))


def required_columns(sources_file: Path = SOURCES_FILE) -> dict[str, list[str]]:
    """Entity -> the columns the `raw` source declares, in order (the optional ones too)."""
    return {table["name"]: [column["name"] for column in table["columns"]] for table in _raw_tables(sources_file)}


def optional_columns(sources_file: Path = SOURCES_FILE) -> dict[str, set[str]]:
    """Entity -> its columns that may be absent from the file (read as null)."""
    return {
        table["name"]: {column["name"] for column in table["columns"] if _is_optional(column)}
        for table in _raw_tables(sources_file)
    }


def optional_files(sources_file: Path = SOURCES_FILE) -> set[str]:
    """The entities whose file may be absent (loaded as an empty table)."""
    return {table["name"] for table in _raw_tables(sources_file) if _is_optional(table)}


def raw_file_if_present(raw_dir: Path, entity: str) -> Path | None:
    for extension in ("csv", "parquet"):
        candidate = raw_dir / f"{entity}.{extension}"
        if candidate.exists():
            return candidate
    return None


def raw_file(raw_dir: Path, entity: str) -> Path:
    found = raw_file_if_present(raw_dir, entity)
    if found is not None:
        return found
    raise RawInputError(
        f"raw file for '{entity}' not found: expected {raw_dir}/{entity}.csv or {raw_dir}/{entity}.parquet"
    )


def _reader(path: Path) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".parquet":
        return f"read_parquet({quoted})"
    return f"read_csv({quoted}, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)"


def text_select(
    con: duckdb.DuckDBPyConnection, path: Path, columns: list[str], optional: set[str] | None = None
) -> str:
    """The query giving the declared columns of one raw file as text (an absent optional one as null);
    names a missing required column."""
    reader = _reader(path)
    present = {name.strip().lower(): name for name in con.sql(f"select * from {reader} limit 0").columns}
    missing = [column for column in columns if column not in present and column not in (optional or set())]
    if missing:
        raise RawInputError(
            f"raw file {path} is missing required column(s): {', '.join(missing)}"
            f" (expected: {', '.join(c for c in columns if c not in (optional or set()))})"
        )
    select_list = ", ".join(
        f'cast("{present[column]}" as varchar) as {column}'
        if column in present
        else f"cast(null as varchar) as {column}"
        for column in columns
    )
    return f"select {select_list} from {reader}"


def _copy_batches(con: duckdb.DuckDBPyConnection, query: str, cursor: Any, table: str, columns: list[str]) -> int:
    rows = 0
    result = con.execute(query)
    while batch := result.fetchmany(BATCH_ROWS):
        buffer = io.StringIO()
        for row in batch:
            buffer.write("\t".join(_copy_field(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin", buffer)
        rows += len(batch)
    return rows


def _copy_field(value: str | None) -> str:
    """A value in COPY's text format: \\N is null; backslash, tab and newlines are escaped."""
    if value is None:
        return "\\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load(raw_dir: Path, connection: Any) -> list[LoadedTable]:
    """Replace raw.<entity> with the file's rows, in one transaction, so a failed load changes nothing.
    `connection` is a psycopg2 connection (psycopg2 has no type hints)."""
    duck = duckdb.connect()
    loaded = []
    with connection.cursor() as cursor:
        cursor.execute("create schema if not exists raw")
        optional = optional_columns()
        for entity, columns in required_columns().items():
            table = f"raw.{entity}"
            cursor.execute(f"drop table if exists {table} cascade")
            # The line columns of DuckDB's tolerant CSV reader (macros/raw_csv.sql); this loader takes a file whole.
            cursor.execute(
                f"create table {table} ({', '.join(f'{column} text' for column in columns)}, {LINE_COLUMNS})"
            )
            found = raw_file_if_present(raw_dir, entity)
            if found is None and entity in optional_files():
                continue  # an optional file not delivered: the table stays empty
            path = raw_file(raw_dir, entity)
            query = text_select(duck, path, columns, optional[entity])
            rows = _copy_batches(duck, query, cursor, table, columns)
            if rows == 0:
                raise RawInputError(f"raw file {path} has no data rows (it is empty or holds only a header)")
            loaded.append(LoadedTable(entity, path, rows))
    connection.commit()
    return loaded


def postgres_connection() -> Any:
    """A connection with the `postgres` target's settings (profiles.yml reads the same variables)."""
    import psycopg2

    return psycopg2.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "54329")),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname=os.environ.get("PGDATABASE", "segmentation"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--raw-dir", type=Path, default=Path("data/raw"), help="folder of the raw files (default data/raw)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        connection = postgres_connection()
    except Exception as error:  # psycopg2 is imported lazily; its errors share no base we can name here
        print(f"load_raw: cannot connect to Postgres: {error}".strip(), file=sys.stderr)
        return 1
    try:
        for table in load(args.raw_dir, connection):
            print(f"raw.{table.entity}: {table.rows:,} rows from {table.path}")
    except RawInputError as error:
        connection.rollback()
        print(f"load_raw: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    print(f"Loaded the raw files into Postgres in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
