"""The tolerant CSV reader: a raw CSV file, or the lines appended to one, into a DuckDB table of text.

What it accepts and refuses is docs/rules/raw-input.md ("Reading real exports", "What stops the build"). A file is
read in three steps:

1. The first line alone, one physical line per record and no quoting, so that a header that only splits with another
   delimiter, or a first line that is not UTF-8, stops with the project's own message.
2. The whole file once with DuckDB's reject store: lines that are not well-formed rows (too few or too many fields,
   an unclosed quote) are kept with their line number, text and reason; a byte that is not UTF-8 stops the load,
   naming the line and how to convert the file; whitespace-only lines are not rows and are dropped.
3. The table: the well-formed rows, every field as text, and the malformed lines as rows whose fields are null and
   whose `line_reject_reason` is set, so staging rejects them like any other bad row and raw = clean + rejected +
   duplicates still counts every line.

Line numbers are the CSV reader's: the physical line number, except after a quoted value that spans lines, which
counts as one line. The reader also counts the line breaks inside rows, so that lines appended to the file later can
be read alone and numbered as a reading of the whole file would number them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from segmentation.ingest.entities import RawEntity
from segmentation.ingest.errors import RawInputError
from segmentation.ingest.sql import literal

QUOTING = "delim = ',', quote = '\"', escape = '\"'"
# An export in another delimiter is the usual cause of a missing column: these are the ones the message names.
OTHER_DELIMITERS = ((";", "a semicolon"), ("\t", "a tab"), ("|", "a vertical bar"))
EDGE_LINE_BREAKS = "'^[\\r\\n]+|[\\r\\n]+$'"


@dataclass(frozen=True)
class CsvPart:
    """What to read: a whole file, or a file of its header and the lines appended since it was loaded.

    `line_offset` is added to the reader's line numbers, `physical_line_offset` to physical ones (the line a
    not-UTF-8 message names): both 0 for a whole file. An appended part may hold no row; a whole file may not.
    """

    path: Path
    shown: str
    line_offset: int = 0
    physical_line_offset: int = 0
    whole_file: bool = True


@dataclass(frozen=True)
class CsvRead:
    rows_loaded: int
    rejected_lines: int
    line_breaks_inside_rows: int
    unclosed_quote: bool


def read_csv_part(
    con: duckdb.DuckDBPyConnection, part: CsvPart, entity: RawEntity, table: str, count_line_breaks: bool
) -> CsvRead:
    """Write the part's rows into `table` (created, or replaced) and say what was read.

    `count_line_breaks`: count the line breaks inside quoted values (only a file with a quote can hold one).
    Raises RawInputError on what stops the load.
    """
    header = read_header(con, part)
    check_columns(part.shown, header, entity.required_columns)
    scan = _scan(con, part, entity.name, len(header), count_line_breaks)
    malformed = _malformed_table(entity.name)
    if part.whole_file and scan.well_formed == 0 and scan.malformed == 0:
        raise RawInputError(f"raw file {part.shown} has no data rows (it is empty or holds only a header)")
    select_list = [
        f"c{header.index(column) + 1} as {column}" if column in header else f"cast(null as varchar) as {column}"
        for column in entity.columns
    ]
    null_fields = ", ".join(f"cast(null as varchar) as {column}" for column in entity.columns)
    reader = _positional_reader(part.path, len(header), ", parallel = false" if scan.faults else "")
    con.execute(
        f"create or replace table {table} as"
        f" select {', '.join(select_list)}, cast(null as bigint) as line_number, cast(null as varchar) as line_text,"
        f" cast(null as varchar) as line_reject_reason from {reader}"
        f" union all select {null_fields}, line_number, line_text, line_reject_reason from {malformed}"
    )
    con.execute(f"drop table if exists {malformed}")
    return CsvRead(scan.well_formed, scan.malformed, scan.line_breaks_inside_rows, scan.unclosed_quote)


def _positional_reader(path: Path, field_count: int, extra_options: str = "") -> str:
    """The reader options shared by the scan and the table; columns are named by position (c1, c2, …)."""
    columns = ", ".join(f"'c{position}': 'varchar'" for position in range(1, field_count + 1))
    return (
        f"read_csv({literal(str(path))}, header = true, auto_detect = false, columns = {{{columns}}}, {QUOTING},"
        f" ignore_errors = true{extra_options})"
    )


def _lines_reader(con: duckdb.DuckDBPyConnection, path: Path, rejects: str) -> str:
    """The file read one physical line per row, as `line` (no delimiter or quote the file could contain), with its
    faults stored in `<rejects>_errors`, emptied first."""
    con.execute(f"drop table if exists {rejects}_errors")
    con.execute(f"drop table if exists {rejects}_scans")
    return (
        f"read_csv({literal(str(path))}, header = false, auto_detect = false, columns = {{'line': 'varchar'}},"
        " delim = chr(31), quote = '', escape = '', strict_mode = false, ignore_errors = true, store_rejects = true,"
        f" rejects_table = '{rejects}_errors', rejects_scan = '{rejects}_scans')"
    )


def read_header(con: duckdb.DuckDBPyConnection, part: CsvPart) -> list[str]:
    """The header's field names, lower-cased and trimmed, in file order (a byte-order mark and quotes around a name
    removed). Stops on an empty file or a first line that is not UTF-8."""
    first_line = con.sql(f"select line from {_lines_reader(con, part.path, 'ingest_header')} limit 1").fetchall()
    bad_first_line = con.sql(
        "select count(*) from ingest_header_errors where error_type = 'INVALID ENCODING' and line = 1"
    ).fetchall()
    if bad_first_line[0][0] > 0:
        raise not_utf8(con, part)
    if not first_line:
        raise RawInputError(f"raw file {part.shown} has no data rows (it is empty: no header either)")
    text = (first_line[0][0] or "").replace("\ufeff", "")
    return [field.strip().strip('"').strip().lower() for field in text.split(",")]


def check_columns(shown: str, header: list[str], required: tuple[str, ...]) -> None:
    """Stops on a header that lacks required columns. When the header holds them all with another delimiter, the
    message says which one, since a semicolon or tab export is the usual cause."""
    missing = [column for column in required if column not in header]
    if not missing:
        return
    header_text = ",".join(header)
    for delimiter, name in OTHER_DELIMITERS:
        fields = [field.strip().strip('"').strip() for field in header_text.split(delimiter)]
        if all(column in fields for column in required):
            shown_delimiter = delimiter.replace("\t", "\\t")
            raise RawInputError(
                f"raw file {shown} seems to use {name} ({shown_delimiter}) as its delimiter: its header has the"
                " required columns only when split on it. Export the file comma-separated (CSV with ',' between"
                " fields and '.' as the decimal point)"
            )
    raise RawInputError(
        f"raw file {shown} is missing required column(s): {', '.join(missing)}"
        f" (expected: {', '.join(required)}; the header has: {', '.join(header)})"
    )


@dataclass(frozen=True)
class _Scan:
    well_formed: int
    malformed: int
    faults: int
    line_breaks_inside_rows: int
    unclosed_quote: bool


def _errors_table(entity: str) -> str:
    return f"ingest_{entity}_errors"


def _malformed_table(entity: str) -> str:
    return f"ingest_{entity}_malformed"


def _scan(
    con: duckdb.DuckDBPyConnection, part: CsvPart, entity: str, field_count: int, count_line_breaks: bool
) -> _Scan:
    """Reads the part once with the reject store and writes its malformed lines to a temporary table.

    DuckDB 2.0's parallel CSV reader, asked for column values, stops at the first unclosed quote when told to ignore
    errors (a count alone still sees every row), so the table of a part with any fault is read on one thread.
    """
    errors, scans = _errors_table(entity), f"ingest_{entity}_scans"
    con.execute(f"drop table if exists {errors}")
    con.execute(f"drop table if exists {scans}")
    fields = [f"c{position}" for position in range(1, field_count + 1)]
    # every field is counted: a count of rows alone reads no field and so checks no encoding
    measures = [f"count({field})" for field in fields]
    if count_line_breaks:
        breaks = [f"coalesce(strlen({field}) - strlen(replace({field}, chr(10), '')), 0)" for field in fields]
        measures.append(f"coalesce(sum({' + '.join(breaks)}), 0)")
    reader = _positional_reader(
        part.path, field_count, f", store_rejects = true, rejects_table = '{errors}', rejects_scan = '{scans}'"
    )
    row = con.sql(f"select count(*), {', '.join(measures)} from {reader}").fetchall()[0]
    well_formed, breaks_in_values = int(row[0]), int(row[-1]) if count_line_breaks else 0
    if con.sql(f"select count(*) from {errors} where error_type = 'INVALID ENCODING'").fetchall()[0][0] > 0:
        raise not_utf8(con, part)
    con.execute(_malformed_lines_sql(errors, _malformed_table(entity), field_count, part.line_offset))
    [(faults, breaks_in_records, unclosed)] = con.sql(
        f"""
        select
            count(*),
            coalesce(sum(len(string_split(regexp_replace(csv_line, {EDGE_LINE_BREAKS}, '', 'g'), chr(10))) - 1), 0),
            coalesce(bool_or(error_type = 'UNQUOTED VALUE'), false)
        from (select *, row_number() over (partition by line order by {_FAULT_ORDER}) as fault_rank from {errors})
        where fault_rank = 1
        """
    ).fetchall()
    [(malformed,)] = con.sql(f"select count(*) from {_malformed_table(entity)}").fetchall()
    con.execute(f"drop table if exists {errors}")
    con.execute(f"drop table if exists {scans}")
    return _Scan(well_formed, int(malformed), int(faults), breaks_in_values + int(breaks_in_records), bool(unclosed))


# DuckDB records a line once per fault it finds on it: each line keeps its first fault in this order.
_FAULT_ORDER = "case error_type when 'UNQUOTED VALUE' then 1 when 'TOO MANY COLUMNS' then 2 else 3 end"


def _malformed_lines_sql(errors: str, table: str, field_count: int, line_offset: int) -> str:
    """One row per malformed line. An unclosed quote takes the lines after it into the same record up to the next
    quote; each of those lines is a row of its own here, so none is lost from the count."""
    return f"""
    create or replace table {table} as
    with

    faults as (

        select
            line + {line_offset} as line,
            error_type,
            error_message,
            regexp_replace(csv_line, {EDGE_LINE_BREAKS}, '', 'g') as record_text,
            row_number() over (partition by line order by {_FAULT_ORDER}) as fault_rank

        from {errors}

    ),

    record_lines as (

        select
            line as first_line,
            error_type,
            error_message,
            unnest(string_split(record_text, chr(10))) as line_text,
            generate_subscripts(string_split(record_text, chr(10)), 1) as line_offset

        from faults
        where fault_rank = 1

    ),

    final as (

        select
            cast(first_line + line_offset - 1 as bigint) as line_number,
            rtrim(line_text, chr(13)) as line_text,
            case
                when error_type = 'UNQUOTED VALUE' and line_offset = 1
                    then 'malformed line: a quote opened on it is never closed'
                when error_type = 'UNQUOTED VALUE'
                    then 'malformed line: inside the unclosed quote opened on line ' || first_line
                when error_type = 'TOO MANY COLUMNS'
                    then 'malformed line: more fields than the header''s {field_count} (an unquoted comma in a value?)'
                when error_type = 'MISSING COLUMNS'
                    then 'malformed line: fewer fields than the header''s {field_count}'
                else 'malformed line: ' || error_message
            end as line_reject_reason

        from record_lines
        -- whitespace-only lines are not rows
        where not regexp_full_match(line_text, '\\s*')

    )

    select * from final
    """


def not_utf8(con: duckdb.DuckDBPyConnection, part: CsvPart) -> RawInputError:
    """A byte that is not UTF-8 stops the load. The first such line is found again reading one line per record (no
    quotes), so its number is the physical line number even after quoted line breaks."""
    con.sql(f"select count(*) from {_lines_reader(con, part.path, 'ingest_encoding')}").fetchall()
    first = con.sql(
        f"select line, regexp_replace(csv_line, {EDGE_LINE_BREAKS}, '', 'g') from ingest_encoding_errors"
        " where error_type = 'INVALID ENCODING' order by line limit 1"
    ).fetchall()
    where = f": line {first[0][0] + part.physical_line_offset} is not valid UTF-8: {first[0][1]}" if first else ""
    return RawInputError(
        f"raw file {part.shown} is not UTF-8{where} (bytes that are not UTF-8 shown as ?)."
        " Export it as UTF-8, or convert it, e.g. from Latin-1: iconv -f latin1 -t utf-8 <file> > <new file>"
    )
