"""Publish the marts of the working warehouse for readers, atomically.

dbt builds into its own working file; BI tools and ad-hoc SQL read a separate published file.
DuckDB lets one process write a file or many read it, never both, so readers on the working
file would block the next build and see marts half-built. This copies the `main` schema (the
marts and their views) into a new file beside the published one, closes it, and renames it
into place: a reader opens either the old file or the new one, never a mix, and a reader still
holding the old file keeps its consistent view until it reconnects.

The copy is written in an older storage format (see STORAGE_VERSION) so BI tools whose
bundled DuckDB driver lags behind the one that built it can still open it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.build_definitions import DefinitionFiles, resolve

MARTS_SCHEMA = "main"
# The oldest storage format every DuckDB from 1.0 on reads; DuckDB 2.0's default ("latest")
# is refused by 1.5 and older. The marts use no type that needs a newer format.
STORAGE_VERSION = "v1.0.0"
PUBLISHING_SUFFIX = ".publishing"


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: int
    views: int
    size_bytes: int
    seconds: float


class PublishError(Exception):
    """The working warehouse cannot be published as it is."""


def default_published_path(working: Path) -> Path:
    """`published/<name>` beside the working file, so each warehouse has its own."""
    return working.parent / "published" / working.name


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _copy_tables(con: duckdb.DuckDBPyConnection) -> int:
    tables = con.execute(
        "select table_name, sql from duckdb_tables()"
        " where database_name = 'working' and schema_name = ? order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    for name, ddl in tables:
        # The DDL keeps each column's type and NOT NULL; `use published` makes it land there.
        con.execute(ddl)
        con.execute(
            f"insert into published.{MARTS_SCHEMA}.{_quote(name)} select * from working.{MARTS_SCHEMA}.{_quote(name)}"
        )
    return len(tables)


def _copy_views(con: duckdb.DuckDBPyConnection) -> int:
    """Views name their sources as `main.<table>`, so they bind to the published copies.

    A view may read another view, and DuckDB lists them alphabetically, so views are created
    in rounds until none is left; a round that creates nothing means a view reads something
    outside the marts, which readers would not have.
    """
    pending = dict(
        con.execute(
            "select view_name, sql from duckdb_views()"
            " where database_name = 'working' and schema_name = ? and not internal",
            [MARTS_SCHEMA],
        ).fetchall()
    )
    created = 0
    while pending:
        errors: dict[str, str] = {}
        created_before = created
        for name, ddl in list(pending.items()):
            try:
                con.execute(ddl)
            except duckdb.CatalogException as error:
                errors[name] = str(error).splitlines()[0]
                continue
            del pending[name]
            created += 1
        if created == created_before:
            details = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
            raise PublishError(f"these views read something outside the marts and cannot be published: {details}")
    return created


def _write_publication_row(con: duckdb.DuckDBPyConnection, working: Path, definitions: DefinitionFiles) -> None:
    """A one-row table telling readers what they are looking at; `publication_id` is new on every
    publish, so a long-running reader can tell whether it still holds the file it opened. The
    definitions files the build read (null: none) are what the segment service edits and refreshes with."""
    con.execute(
        f"""
        create table published.{MARTS_SCHEMA}.publication as
        select
            cast(? as varchar) as publication_id,
            (select max(as_of_date) from published.{MARTS_SCHEMA}.customer_segments) as as_of_date,
            cast(? as timestamp) as published_at,
            cast(? as varchar) as working_file,
            cast(? as varchar) as storage_version,
            cast(? as varchar) as segments_file,
            cast(? as varchar) as campaigns_file
        """,
        [
            uuid.uuid4().hex,
            dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            str(working),
            STORAGE_VERSION,
            str(definitions.segments) if definitions.segments else None,
            str(definitions.campaigns) if definitions.campaigns else None,
        ],
    )


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(working: Path, published: Path, definitions: DefinitionFiles | None = None) -> Publication:
    """Copy the working warehouse's marts to `published`, replacing it in one rename, recording the definitions
    files its build read (none when not given)."""
    if not working.exists():
        raise PublishError(f"no working warehouse at {working}: run the build first")
    started = time.perf_counter()
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + PUBLISHING_SUFFIX)
    # Left behind only by a publish that was killed or failed; the scheduled cycle
    # (run_month.py) publishes under its warehouse lock, so no other cycle is writing it now.
    staging.unlink(missing_ok=True)
    staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach {_literal(working)} as working (read_only)")
        if not con.execute(
            "select count(*) from duckdb_tables()"
            " where database_name = 'working' and schema_name = ? and table_name = 'customer_segments'",
            [MARTS_SCHEMA],
        ).fetchall()[0][0]:
            raise PublishError(f"{working} has no customer_segments mart: the build did not finish")
        con.execute(f"attach {_literal(staging)} as published (storage_version '{STORAGE_VERSION}')")
        con.execute(f"use published.{MARTS_SCHEMA}")
        tables = _copy_tables(con)
        views = _copy_views(con)
        _write_publication_row(con, working, definitions or DefinitionFiles())
        con.execute("use memory")
        con.execute("detach published")
    _fsync(staging)
    os.replace(staging, published)
    _fsync(published.parent)
    return Publication(published, tables + 1, views, published.stat().st_size, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database",
        type=Path,
        default=Path(os.environ.get("DUCKDB_PATH", "data/warehouse.duckdb")),
        help="the working warehouse dbt builds (default: $DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--published",
        type=Path,
        default=None,
        help="where readers open it (default: published/<name> beside --database)",
    )
    for kind in ("segments", "campaigns"):
        parser.add_argument(
            f"--{kind}-file",
            default=None,
            help=f"the {kind} file the build read, recorded in the publication (relative to the project root or "
            "absolute; default: none)",
        )
    args = parser.parse_args(argv)
    published = args.published or default_published_path(args.database)
    definitions = DefinitionFiles(resolve(args.segments_file), resolve(args.campaigns_file))
    try:
        result = publish(args.database, published, definitions)
    except (PublishError, duckdb.Error) as error:
        print(f"publish failed, the published warehouse is unchanged: {error}", file=sys.stderr)
        return 1
    print(
        f"published {result.tables} tables and {result.views} views to {result.path} "
        f"({result.size_bytes / 1e6:,.1f} MB, storage {STORAGE_VERSION}) in {result.seconds:.1f} s; open it read-only"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
