"""The one way raw files enter the warehouse: read by DuckDB, checked, and written as text into the target's raw
tables (DuckDB, Postgres or Spark), with a load manifest. dbt then reads those tables as its `raw` source.

    python -m segmentation.ingest --raw-dir data/raw            # into the default target (DUCKDB_PATH)
    python -m segmentation.ingest --raw-dir data/raw --target postgres

What is read, what is refused and what the loader keeps: docs/rules/raw-input.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from segmentation.ingest.errors import RawInputError
from segmentation.ingest.files import RawFolder
from segmentation.ingest.loader import Loaded, load
from segmentation.ingest.targets import open_writer, read_target

__all__ = ["Loaded", "RawInputError", "load_raw_files"]


def load_raw_files(
    raw_dir: str, target: str | None = None, database: Path | None = None, full_refresh: bool = False
) -> list[Loaded]:
    """Load the folder `raw_dir` (relative to the project root, or absolute) into the named target of profiles.yml
    (default: the profile's own); `database` overrides a DuckDB target's file. Raises RawInputError."""
    with tempfile.TemporaryDirectory(prefix="segmentation-ingest-") as scratch:
        writer = open_writer(read_target(target), Path(scratch), database)
        try:
            return load(RawFolder.named(raw_dir), writer, Path(scratch), full_refresh)
        finally:
            writer.close()
