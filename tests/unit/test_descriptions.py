"""One description per thing: every model, seed, snapshot, source and column is described, once, by a dbt doc block.

The descriptions live in the per-folder `_<folder>__docs.md` files; the YAML only references them
(`description: '{{ doc("...") }}'`), so `dbt docs generate` shows each text once and nothing is restated beside it.
`dbt parse` fails on a doc() reference to a block that does not exist; the manifest then says what is described.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
DESCRIBED = ("model", "seed", "snapshot", "source")
DOC_REFERENCE = re.compile(r"""^\{\{\s*doc\(\s*["'][A-Za-z0-9_]+["']\s*\)\s*\}\}$""")
YAML_FILES = sorted(
    path
    for folder in ("models", "seeds", "snapshots")
    for path in (PROJECT_DIR / folder).rglob("_*.yml")
    if not path.name.endswith("__unit_tests.yml")
)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The manifest of a `dbt parse` into a temporary target, leaving the checkout's target/ and logs/ alone."""
    work = tmp_path_factory.mktemp("parse")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    parsed = subprocess.run(
        [str(DBT), "parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-2000:]
    manifest: dict[str, Any] = json.loads((work / "target" / "manifest.json").read_text())
    return manifest


def test_every_model_and_column_has_a_description(manifest: dict[str, Any]) -> None:
    resources = [*manifest["nodes"].values(), *manifest["sources"].values()]
    ours = [node for node in resources if node["resource_type"] in DESCRIBED and node["package_name"] == "segmentation"]
    assert {node["resource_type"] for node in ours} == set(DESCRIBED)
    undescribed = [node["unique_id"] for node in ours if not node["description"].strip()]
    undescribed += [
        f"{node['unique_id']}.{name}"
        for node in ours
        for name, column in node["columns"].items()
        if not column["description"].strip()
    ]
    assert undescribed == []


def described(entry: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    """(where, description) of an entry of a YAML file and of its columns, tables and their columns."""
    yield where, entry.get("description")
    for column in entry.get("columns") or []:
        yield f"{where}.{column['name']}", column.get("description")
    for table in entry.get("tables") or []:
        yield from described(table, f"{where}.{table['name']}")


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_descriptions_are_doc_blocks(path: Path) -> None:
    document = yaml.safe_load(path.read_text()) or {}
    entries = [
        (f"{kind}:{entry['name']}", entry)
        for kind in ("models", "seeds", "snapshots", "sources")
        for entry in document.get(kind) or []
    ]
    inline = [
        f"{where}: {description!r}"
        for name, entry in entries
        for where, description in described(entry, name)
        if not DOC_REFERENCE.match(str(description or "").strip())
    ]
    assert inline == [], "describe these in a _<folder>__docs.md doc block and reference it with doc()"
