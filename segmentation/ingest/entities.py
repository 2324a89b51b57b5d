"""What the raw files must hold: the `raw` source of models/staging/_raw__sources.yml.

The loader and dbt read one declaration, so a column added there is loaded and typed without a second list to keep in
step. A column or table marked `meta: {optional: true}` may be absent from the delivery (docs/rules/raw-input.md):
an absent optional column loads as null, an absent optional file as a table with no rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from segmentation.project import PROJECT_DIR

SOURCES_FILE = Path("models") / "staging" / "_raw__sources.yml"
SOURCE_NAME = "raw"
# Set on the line a reader could not split into the header's fields; null on every other row. Staging rejects such a
# row with `line_reject_reason` (docs/rules/raw-input.md#reading-real-exports).
LINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("line_number", "bigint"),
    ("line_text", "text"),
    ("line_reject_reason", "text"),
)


@dataclass(frozen=True)
class RawEntity:
    """One raw file and its table: `columns` in the source's order, the optional ones among them."""

    name: str
    columns: tuple[str, ...]
    optional_columns: frozenset[str]
    optional_file: bool

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column not in self.optional_columns)

    @property
    def table_columns(self) -> tuple[tuple[str, str], ...]:
        """The raw table's columns and their types: every field as text, then the line columns."""
        return tuple((column, "text") for column in self.columns) + LINE_COLUMNS


def _is_optional(declared: dict[str, Any]) -> bool:
    return bool((declared.get("meta") or {}).get("optional"))


def raw_entities(project_dir: Path = PROJECT_DIR) -> tuple[RawEntity, ...]:
    """The entities of the `raw` source, in the order it declares them."""
    sources = yaml.safe_load((project_dir / SOURCES_FILE).read_text())["sources"]
    tables: list[dict[str, Any]] = next(source for source in sources if source["name"] == SOURCE_NAME)["tables"]
    return tuple(
        RawEntity(
            name=table["name"],
            columns=tuple(column["name"] for column in table["columns"]),
            optional_columns=frozenset(column["name"] for column in table["columns"] if _is_optional(column)),
            optional_file=_is_optional(table),
        )
        for table in tables
    )
