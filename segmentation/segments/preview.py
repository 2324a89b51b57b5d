"""Preview user-defined segments against the published warehouse, without a build.

`python -m segmentation.segments [SEGMENT_ID ...] [--file segments.yml] [--database <published file>]`
validates the whole file (by default the one the published warehouse was built from, which its publication
records) exactly as the build does (the same errors, naming the file, segment and
key; exit 1) and, when it is valid, prints each chosen segment's member count as of the published
date and a few customer ids. It opens the published file read-only and briefly, evaluating the
compiled predicates on the mart `segment_criteria_fields`, so it answers in well under 2 s and
never blocks a build or a publish.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.build_definitions import recorded
from segmentation.project import PROJECT_DIR
from segmentation.project import default_published_database as default_database
from segmentation.segments.build import segments_path
from segmentation.segments.compiler import compile_segments
from segmentation.segments.definitions import DefinitionErrors, load_segments
from segmentation.segments.fields import FEATURE_COLUMNS
from segmentation.segments.rules import CustomerIds, Segment

FIELDS_MART = "segment_criteria_fields"
USER_TYPES = ("static", "dynamic")
EXAMPLES = 10


@dataclass(frozen=True)
class Preview:
    segment: Segment
    members: int
    example_ids: list[int]
    unknown_ids: int  # listed ids that are not customers of the date (static segments)
    example_unknown_ids: list[int]


@dataclass(frozen=True)
class Previews:
    as_of_date: str
    customers: int
    previews: list[Preview]


class PreviewError(Exception):
    """The warehouse cannot answer (no such file, not built with user-defined segments)."""


def _builtin_ids(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The built-in catalog's ids, from the published `segments` mart (as the build takes them from the catalog)."""
    tables = {
        row[0] for row in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
    }
    if "segments" not in tables:
        return None
    rows = con.execute("select segment_id from segments where segment_type not in (?, ?)", list(USER_TYPES)).fetchall()
    return [row[0] for row in rows]


def _check_columns(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """A file published before the language read a column (the lifetime-value ones, a new segment type) cannot
    evaluate a predicate naming it: say so, rather than fail on the SQL."""
    present = {row[0] for row in con.execute(f"select * from {FIELDS_MART} limit 0").description or []}
    missing = [column for column in FEATURE_COLUMNS if column not in present]
    if missing:
        raise PreviewError(
            f"{database}'s {FIELDS_MART} lacks columns the criteria read ({', '.join(missing)}): "
            "it was published by an older build; rebuild and publish it"
        )


def preview(segments_file: Path, database: Path, segment_ids: Sequence[str] = ()) -> Previews:
    if not database.exists():
        raise PreviewError(f"no published warehouse at {database} (build one with `make build`, or pass --database)")
    with duckdb.connect(str(database), read_only=True) as con:
        segments = load_segments(segments_file, _builtin_ids(con))
        known = {segment.segment_id for segment in segments}
        for segment_id in segment_ids:
            if segment_id not in known:
                raise PreviewError(
                    f"{segments_file}: no segment '{segment_id}' (its segments: {', '.join(sorted(known)) or 'none'})"
                )
        chosen = [segment for segment in segments if not segment_ids or segment.segment_id in segment_ids]
        predicates = compile_segments(segments)
        try:
            as_of, customers = con.execute(f"select max(as_of_date), count(*) from {FIELDS_MART}").fetchone() or (
                None,
                0,
            )
        except duckdb.CatalogException:
            raise PreviewError(
                f"{database} has no {FIELDS_MART} table: it was built without user-defined segments "
                "(they need DuckDB) or before them; rebuild and publish it"
            ) from None
        _check_columns(con, database)
        previews = []
        for segment in chosen:
            members, examples = 0, []
            if segment.status == "active":
                sql = (
                    f"select customer_id from {FIELDS_MART} where {predicates[segment.segment_id]} order by customer_id"
                )
                ids = [row[0] for row in con.execute(sql).fetchall()]
                members, examples = len(ids), ids[:EXAMPLES]
            unknown: list[int] = []
            if isinstance(segment.rule, CustomerIds) and segment.rule.ids:
                listed = ", ".join(str(customer_id) for customer_id in segment.rule.ids)
                unknown = [
                    row[0]
                    for row in con.execute(
                        f"select id from unnest([{listed}]) as listed(id)"
                        f" where id not in (select customer_id from {FIELDS_MART}) order by id"
                    ).fetchall()
                ]
            previews.append(Preview(segment, members, examples, len(unknown), unknown[:EXAMPLES]))
    return Previews(str(as_of), int(customers), previews)


def format_previews(result: Previews, segments_file: Path, database: Path) -> str:
    lines = [f"{segments_file}: valid. As of {result.as_of_date} in {database} ({result.customers:,} customers):"]
    for item in result.previews:
        segment = item.segment
        share = item.members / result.customers * 100 if result.customers else 0.0
        status = "" if segment.status == "active" else f" [{segment.status}: no members]"
        lines.append(f"  {segment.segment_id} ({segment.name}){status}: {item.members:,} members ({share:.2f} %)")
        if item.example_ids:
            lines.append(f"    e.g. customer_id {', '.join(str(customer_id) for customer_id in item.example_ids)}")
        if item.unknown_ids:
            examples = ", ".join(str(customer_id) for customer_id in item.example_unknown_ids)
            lines.append(
                f"    {item.unknown_ids:,} listed id(s) are not customers of the run, never members: {examples}"
            )
    return "\n".join(lines)


def built_from(database: Path) -> Path:
    """The segments file the published warehouse was built from, as its publication records it."""
    if not database.exists():
        raise PreviewError(f"no published warehouse at {database} (build one with `make build`, or pass --database)")
    files = recorded(database)
    if files is None or files.segments is None:
        raise PreviewError(
            f"{database} records no segments file its build read (built without one, or not published by the monthly "
            "cycle): name one with --file"
        )
    return files.segments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segmentation.segments",
        description="Validate a segments file and preview its segments' members in the published warehouse "
        "(read-only).",
    )
    parser.add_argument(
        "segment_ids", nargs="*", help="segments to preview, e.g. dynamic/lapsed_travellers (default: all)"
    )
    parser.add_argument(
        "--file",
        default=None,
        help="the segments file, relative to the project root or absolute (default: the one the published warehouse "
        "was built from)",
    )
    parser.add_argument(
        "--database", type=Path, default=None, help="the published warehouse (default: " + str(default_database()) + ")"
    )
    args = parser.parse_args(argv)
    database = args.database or default_database()
    try:
        segments_file = segments_path(PROJECT_DIR, args.file) or built_from(database)
        result = preview(segments_file, database, args.segment_ids)
    except DefinitionErrors as errors:
        print(str(errors), file=sys.stderr)
        return 1
    except (PreviewError, duckdb.Error) as error:
        print(f"segment preview: {error}", file=sys.stderr)
        return 2
    print(format_previews(result, segments_file, database))
    return 0
