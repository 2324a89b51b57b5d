"""Finding an entity's raw file, and what the loader records of its bytes.

A file's facts come from one pass over its bytes: the checksum that says whether it changed since it was loaded, the
checksum of the prefix that was loaded (so a file that only grew by appended lines is recognised), and the counts an
appended part needs to number its lines as a reading of the whole file would (docs/rules/raw-input.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from segmentation.ingest.errors import RawInputError
from segmentation.project import PROJECT_DIR

FORMATS = ("csv", "parquet")  # in this order: when both exist, the CSV is read
CHUNK_BYTES = 1 << 23


@dataclass(frozen=True)
class RawFolder:
    """The folder of the raw files: `given` as the user named it (messages show it so), `path` the folder opened.

    A relative folder is taken from the project root, as the dbt var `raw_data_dir` always was.
    """

    given: str
    path: Path

    @classmethod
    def named(cls, given: str, project_dir: Path = PROJECT_DIR) -> RawFolder:
        folder = Path(given)
        return cls(given, (folder if folder.is_absolute() else project_dir / folder).resolve())

    def shown(self, file_name: str) -> str:
        return f"{self.given.rstrip('/')}/{file_name}"


@dataclass(frozen=True)
class RawFile:
    entity: str
    path: Path
    shown: str
    file_format: str


def find_raw_file(folder: RawFolder, entity: str) -> RawFile | None:
    """`<entity>.csv`, else `<entity>.parquet`; None when neither is there."""
    for file_format in FORMATS:
        path = folder.path / f"{entity}.{file_format}"
        if path.is_file():
            return RawFile(entity, path, folder.shown(path.name), file_format)
    return None


def missing_file_error(folder: RawFolder, entity: str) -> RawInputError:
    return RawInputError(
        f"raw file for '{entity}' not found: expected {folder.shown(entity + '.csv')} or "
        f"{folder.shown(entity + '.parquet')} (pass --raw-dir with the folder holding the raw files)"
    )


@dataclass(frozen=True)
class ByteCounts:
    """What a stretch of a file's bytes holds that the line numbering depends on."""

    checksum: str
    size: int
    line_breaks: int
    has_quote: bool
    ends_with_line_break: bool


@dataclass(frozen=True)
class FileFacts:
    whole: ByteCounts
    prefix: ByteCounts | None  # the first `prefix_size` bytes, when the file has at least that many


def file_facts(path: Path, prefix_size: int | None = None) -> FileFacts:
    """One pass over the file: its counts, and those of its first `prefix_size` bytes when asked."""
    digest = hashlib.sha256()
    size = line_breaks = quotes = 0
    last_byte = b""
    prefix: ByteCounts | None = None
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if prefix_size is not None and prefix is None and size + len(chunk) >= prefix_size:
                head, chunk = chunk[: prefix_size - size], chunk[prefix_size - size :]
                digest.update(head)
                size, line_breaks, quotes = size + len(head), line_breaks + head.count(b"\n"), quotes + head.count(b'"')
                last_byte = head[-1:] or last_byte
                prefix = ByteCounts(digest.copy().hexdigest(), size, line_breaks, quotes > 0, last_byte == b"\n")
            digest.update(chunk)
            size, line_breaks, quotes = size + len(chunk), line_breaks + chunk.count(b"\n"), quotes + chunk.count(b'"')
            last_byte = chunk[-1:] or last_byte
    whole = ByteCounts(digest.hexdigest(), size, line_breaks, quotes > 0, last_byte == b"\n")
    return FileFacts(whole, prefix)
