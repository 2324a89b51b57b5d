"""Which definitions files a build reads, the segments file and the campaigns file, and where that is recorded.

A build reads the definitions it is pointed at, through the dbt vars `segments_file` and `campaigns_file`, or none
(docs/operations.md): `make build` points the demo's build at the files its generator writes beside the demo's raw
files; your own data's build reads yours, or none. The monthly cycle says in its log which files it read and records
them in the `publication` table of the file it publishes, so that the summary says it too, and the tools that edit or
preview definitions (the segment service, the preview command, the dashboard's builder) find the file the warehouse
they serve was built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from segmentation.project import PROJECT_DIR

SEGMENTS_VAR = "segments_file"
CAMPAIGNS_VAR = "campaigns_file"
# The publication table's columns that record them (segmentation/publish.py writes them).
SEGMENTS_COLUMN = "segments_file"
CAMPAIGNS_COLUMN = "campaigns_file"


def resolve(name: str | None, project_dir: Path = PROJECT_DIR) -> Path | None:
    """A definitions file as the build takes it: relative to the project root unless absolute; None for none."""
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() else project_dir / path


@dataclass(frozen=True)
class DefinitionFiles:
    """The files a build reads; None for a kind it reads none of."""

    segments: Path | None = None
    campaigns: Path | None = None

    @classmethod
    def from_vars(cls, variables: Mapping[str, Any] | None, project_dir: Path = PROJECT_DIR) -> DefinitionFiles:
        """The files dbt vars name, resolved as the build resolves them."""
        variables = variables or {}
        return cls(
            resolve(variables.get(SEGMENTS_VAR), project_dir), resolve(variables.get(CAMPAIGNS_VAR), project_dir)
        )

    def publish_arguments(self) -> list[str]:
        """segmentation.publish's options that record them."""
        return [
            *(["--segments-file", str(self.segments)] if self.segments else []),
            *(["--campaigns-file", str(self.campaigns)] if self.campaigns else []),
        ]


def recorded(published: Path) -> DefinitionFiles | None:
    """The files the build of a published warehouse read, from its publication table; None where that is not
    recorded (a working file, or a file published without them)."""
    with duckdb.connect(str(published), read_only=True) as con:
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'main' and table_name = 'publication'"
            ).fetchall()
        }
        if not {SEGMENTS_COLUMN, CAMPAIGNS_COLUMN} <= columns:
            return None
        row = con.execute(f"select {SEGMENTS_COLUMN}, {CAMPAIGNS_COLUMN} from main.publication").fetchone()
    if row is None:
        return None
    return DefinitionFiles(resolve(row[0]), resolve(row[1]))


LABELS = {SEGMENTS_VAR: "user-defined segment(s)", CAMPAIGNS_VAR: "campaign(s)"}


def describe(variable: str, path: Path | None, count: int) -> str:
    """One kind's file for a log or summary line: `5 campaign(s) from <file>`, or that none was given."""
    if path is None:
        return f"no {LABELS[variable].replace('(s)', 's')} ({variable} not given)"
    return f"{count} {LABELS[variable]} from {path}"
