"""Write the export file: CSV (UTF-8, a header line) or XLSX (one sheet, a header row), row by row.

XLSX goes through openpyxl's write-only workbook, which streams rows instead of holding a sheet of cells. Two things
Excel would otherwise do to personal data are prevented: a text starting with `=` is stored as text, not run as a
formula, and the control characters an XLSX file cannot hold are dropped from a value (CSV keeps every value as is).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

ProgressCallback = Callable[[int], None]
PROGRESS_EVERY_ROWS = 1_000
SHEET_TITLE = "audience"


def _no_progress(done: int) -> None:
    pass


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], progress: ProgressCallback = _no_progress
) -> None:
    """UTF-8 without a byte-order mark (mailing tools would read it into the first column's name), `\\r\\n` lines."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for done, row in enumerate(rows, start=1):
            writer.writerow(row)
            if done % PROGRESS_EVERY_ROWS == 0:
                progress(done)


def _xlsx_value(sheet: WriteOnlyWorksheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store it as a formula
    return cell


def write_xlsx(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], progress: ProgressCallback = _no_progress
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append([_xlsx_value(sheet, name) for name in header])
    for done, row in enumerate(rows, start=1):
        sheet.append([_xlsx_value(sheet, value) for value in row])
        if done % PROGRESS_EVERY_ROWS == 0:
            progress(done)
    workbook.save(path)


WRITERS: dict[str, Callable[[Path, Sequence[str], Sequence[Sequence[object]], ProgressCallback], None]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
}
FORMATS = tuple(WRITERS)
