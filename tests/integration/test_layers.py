"""The layers hold, as dbt's manifest records them (docs/architecture.md): each staging model reads one raw source
and nothing of another entity, intermediate models read no source, and a mart reads only intermediate models, other
marts, seeds and snapshots. The manifest comes from `dbt parse` on the default target (DuckDB, whose graph holds
every model)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integration.harness import DBT, PROJECT_DIR

Manifest = dict[str, Any]
Node = dict[str, Any]
MART_INPUTS = frozenset({"intermediate", "marts", "seed", "snapshot"})


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    work = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [str(DBT), "parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    document: Manifest = json.loads((work / "target" / "manifest.json").read_text())
    return document


def layer(node: Node) -> str:
    """A model's folder under models/ (staging, intermediate, marts); any other node's resource type."""
    if node["resource_type"] != "model":
        return str(node["resource_type"])
    return Path(node["original_file_path"]).parts[1]


def models(manifest: Manifest, folder: str) -> Iterator[Node]:
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and layer(node) == folder:
            yield node


def parents(manifest: Manifest, node: Node) -> list[Node]:
    return [manifest["nodes"].get(uid) or manifest["sources"][uid] for uid in node["depends_on"]["nodes"]]


def sources_read(manifest: Manifest, node: Node) -> set[str]:
    """The raw sources a model reads, directly or through the staging models it reads."""
    found: set[str] = set()
    for upstream in parents(manifest, node):
        if upstream["resource_type"] == "source":
            found.add(f"{upstream['source_name']}.{upstream['name']}")
        elif layer(upstream) == "staging":
            found |= sources_read(manifest, upstream)
    return found


def staging_violations(manifest: Manifest) -> dict[str, Any]:
    """Staging models that read outside staging, or more or fewer than one source."""
    wrong = {}
    for node in models(manifest, "staging"):
        outside = [
            p["unique_id"] for p in parents(manifest, node) if p["resource_type"] != "source" and layer(p) != "staging"
        ]
        read = sources_read(manifest, node)
        if outside or len(read) != 1:
            wrong[node["name"]] = {"sources": sorted(read), "outside staging": outside}
    return wrong


def mart_violations(manifest: Manifest) -> dict[str, list[str]]:
    """Marts that read anything but intermediate models, marts, seeds and snapshots."""
    wrong = {}
    for node in models(manifest, "marts"):
        outside = [p["unique_id"] for p in parents(manifest, node) if layer(p) not in MART_INPUTS]
        if outside:
            wrong[node["name"]] = outside
    return wrong


def test_the_manifest_has_every_layer(manifest: Manifest) -> None:
    counts = {folder: len(list(models(manifest, folder))) for folder in ("staging", "intermediate", "marts")}
    assert all(count >= 10 for count in counts.values()), counts


def test_each_staging_model_reads_only_its_own_source(manifest: Manifest) -> None:
    assert not staging_violations(manifest)
    assert sources_read(manifest, manifest["nodes"]["model.segmentation.stg_campaign_deliveries"]) == {
        "raw.campaign_deliveries"
    }


def test_intermediate_models_read_no_source(manifest: Manifest) -> None:
    wrong = {
        node["name"]: [p["unique_id"] for p in parents(manifest, node) if p["resource_type"] == "source"]
        for node in models(manifest, "intermediate")
    }
    assert not {name: found for name, found in wrong.items() if found}


def test_marts_read_intermediate_models_marts_seeds_and_snapshots_only(manifest: Manifest) -> None:
    assert not mart_violations(manifest)


def test_the_checks_see_a_staging_model_reading_another_entity_and_a_mart_reading_staging(manifest: Manifest) -> None:
    damaged = copy.deepcopy(manifest)
    nodes = damaged["nodes"]
    nodes["model.segmentation.base_suppressions"]["depends_on"]["nodes"].append("model.segmentation.stg_customers")
    nodes["model.segmentation.segments"]["depends_on"]["nodes"].append("model.segmentation.stg_products")
    wrong = staging_violations(damaged)
    # the base model and the two staging models that read it now read two sources
    assert set(wrong) == {"base_suppressions", "stg_suppressions", "stg_suppressions__rejected"}
    assert wrong["base_suppressions"]["sources"] == ["raw.customers", "raw.suppressions"]
    assert mart_violations(damaged) == {"segments": ["model.segmentation.stg_products"]}
