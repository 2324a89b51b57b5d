"""Where the dbt project is: the folder holding dbt_project.yml, the parent of this package; and the published file
the readers' tools open by default."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def default_published_database() -> Path:
    """The published file readers open: beside $DUCKDB_PATH, else the own-data one, else the demo's."""
    working = os.environ.get("DUCKDB_PATH")
    candidates = (
        [Path(working)]
        if working
        else [PROJECT_DIR / "data/warehouse.duckdb", PROJECT_DIR / "data/demo/warehouse.duckdb"]
    )
    published = [path.parent / "published" / path.name for path in candidates]
    return next((path for path in published if path.exists()), published[0])
