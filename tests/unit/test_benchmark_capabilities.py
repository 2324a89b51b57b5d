"""The benchmark's cost by capability: the rule that puts each dbt node in a capability, on hand-written manifest and
run_results fragments and on the project's own manifest, and the table and JSON that report it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from segmentation_tools.benchmark import report, stats
from segmentation_tools.benchmark.capabilities import (
    MART_FOLDERS,
    SHARED_FOLDER_MODELS,
    Capability,
    capability_nodes,
    capability_of,
    capability_seconds,
    node_capabilities,
    result_capability,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")


def model(name: str, path: str) -> dict[str, Any]:
    return {
        "unique_id": f"model.segmentation.{name}",
        "resource_type": "model",
        "name": name,
        "original_file_path": path,
    }


# A fragment of a manifest as dbt 1.11 writes it: the fields the rule reads, and a few it must not be misled by.
MANIFEST: dict[str, Any] = {
    "nodes": {
        node["unique_id"]: node
        for node in [
            model("base_transactions", "models/staging/base/base_transactions.sql"),
            model("stg_customers", "models/staging/stg_customers.sql"),
            model("int_customers_windowed", "models/intermediate/int_customers_windowed.sql"),
            model("int_customers_acquired", "models/intermediate/int_customers_acquired.sql"),
            model("int_brand_new", "models/intermediate/int_brand_new.sql"),  # in a shared folder, named nowhere
            model("customer_segments", "models/marts/customer_segments.sql"),
            model("mart_nobody_placed", "models/marts/mart_nobody_placed.sql"),
            model("clv_model_fits", "models/marts/clv/clv_model_fits.py"),
            model("segments", "models/marts/catalog/segments.sql"),
            model("finance_ledger", "models/marts/finance/finance_ledger.sql"),  # a mart folder with no capability
            model("scratch", "models/experiments/scratch.sql"),  # a folder the rule does not know
            # a shared folder's model name, but under staging: the folder decides
            model("int_customers_acquired_copy", "models/staging/int_customers_acquired_copy.sql"),
            {
                # a data test on a lifetime-value mart: its time is checking, not the mart's
                "unique_id": "test.segmentation.not_null_clv_model_fits_model.1a2b3c4d5e",
                "resource_type": "test",
                "name": "not_null_clv_model_fits_model",
                "original_file_path": "models/marts/clv/_clv__models.yml",
                "attached_node": "model.segmentation.clv_model_fits",
                "fqn": ["segmentation", "marts", "clv", "not_null_clv_model_fits_model"],
            },
            {
                "unique_id": "test.segmentation.assert_raw_rows_reconcile",
                "resource_type": "test",
                "name": "assert_raw_rows_reconcile",
                "original_file_path": "tests/assert_raw_rows_reconcile.sql",
                "attached_node": None,
            },
            {
                "unique_id": "snapshot.segmentation.customers_snapshot",
                "resource_type": "snapshot",
                "name": "customers_snapshot",
                "original_file_path": "snapshots/customers_snapshot.sql",
            },
            {
                "unique_id": "seed.segmentation.category_groups",
                "resource_type": "seed",
                "name": "category_groups",
                "original_file_path": "seeds/category_groups.csv",
            },
            {
                "unique_id": "operation.segmentation.segmentation-on-run-start-0",
                "resource_type": "operation",
                "name": "segmentation-on-run-start-0",
                "original_file_path": "./dbt_project.yml",
            },
            {
                "unique_id": "analysis.segmentation.adhoc",
                "resource_type": "analysis",
                "name": "adhoc",
                "original_file_path": "analyses/adhoc.sql",
            },
        ]
    },
    "unit_tests": {
        "unit_test.segmentation.cohorts.one_signup_month": {
            "unique_id": "unit_test.segmentation.cohorts.one_signup_month",
            "resource_type": "unit_test",
            "name": "one_signup_month",
            "original_file_path": "models/marts/cohorts/_cohorts__unit_tests.yml",
            "model": "cohorts",
        }
    },
    "exposures": {
        "exposure.segmentation.customer_segments_dashboard": {
            "unique_id": "exposure.segmentation.customer_segments_dashboard",
            "resource_type": "exposure",
            "name": "customer_segments_dashboard",
            "original_file_path": "models/marts/_exposures.yml",  # in the marts folder, but not a mart
        }
    },
    "sources": {"source.segmentation.raw.transactions": {"resource_type": "source"}},
}


@pytest.mark.parametrize(
    ("unique_id", "expected"),
    [
        ("model.segmentation.base_transactions", Capability.STAGING),
        ("model.segmentation.stg_customers", Capability.STAGING),
        ("model.segmentation.int_customers_windowed", Capability.WINDOWS_AND_SEGMENTS),
        ("model.segmentation.int_customers_acquired", Capability.COHORTS),
        ("model.segmentation.int_brand_new", Capability.OTHER),
        ("model.segmentation.customer_segments", Capability.WINDOWS_AND_SEGMENTS),
        ("model.segmentation.mart_nobody_placed", Capability.OTHER),
        ("model.segmentation.clv_model_fits", Capability.LIFETIME_VALUE),
        ("model.segmentation.segments", Capability.CATALOG),
        ("model.segmentation.finance_ledger", Capability.OTHER),
        ("model.segmentation.scratch", Capability.OTHER),
        ("model.segmentation.int_customers_acquired_copy", Capability.STAGING),
        ("test.segmentation.not_null_clv_model_fits_model.1a2b3c4d5e", Capability.TESTS),
        ("test.segmentation.assert_raw_rows_reconcile", Capability.TESTS),
        ("unit_test.segmentation.cohorts.one_signup_month", Capability.TESTS),
        ("snapshot.segmentation.customers_snapshot", Capability.HISTORY),
        ("seed.segmentation.category_groups", Capability.STAGING),
        ("operation.segmentation.segmentation-on-run-start-0", Capability.HOOKS),
        ("exposure.segmentation.customer_segments_dashboard", Capability.EXPOSURES),
        ("analysis.segmentation.adhoc", Capability.OTHER),
    ],
)
def test_each_node_of_a_manifest_falls_in_one_capability(unique_id: str, expected: Capability) -> None:
    assert node_capabilities(MANIFEST)[unique_id] is expected


def test_every_node_unit_test_and_exposure_is_placed_and_sources_are_not_nodes() -> None:
    placed = node_capabilities(MANIFEST)
    assert set(placed) == set(MANIFEST["nodes"]) | set(MANIFEST["unit_tests"]) | set(MANIFEST["exposures"])
    assert Capability.LOADING not in placed.values()


def test_a_node_the_manifest_lacks_is_placed_by_its_kind() -> None:
    assert result_capability("test.segmentation.unique_x_id.0a1b2c", {}) is Capability.TESTS
    assert result_capability("unit_test.segmentation.x.case", {}) is Capability.TESTS
    assert result_capability("operation.segmentation.segmentation-on-run-end-1", {}) is Capability.HOOKS
    assert result_capability("exposure.segmentation.segment_service", {}) is Capability.EXPOSURES
    assert result_capability("snapshot.segmentation.customers_snapshot", {}) is Capability.HISTORY
    assert result_capability("seed.segmentation.category_groups", {}) is Capability.STAGING
    assert result_capability("model.segmentation.int_customers_windowed", {}) is Capability.OTHER
    assert result_capability("x", {}) is Capability.OTHER


def test_a_model_path_outside_models_is_other() -> None:
    assert capability_of(model("customer_segments", "customer_segments.sql")) is Capability.OTHER
    assert capability_of(model("customer_segments", "elsewhere/marts/customer_segments.sql")) is Capability.OTHER


RUN_NODES = {
    "operation.segmentation.segmentation-on-run-start-0": 0.25,
    "seed.segmentation.category_groups": 0.5,
    "model.segmentation.base_transactions": 12.0,
    "model.segmentation.int_customers_windowed": 20.0,
    "model.segmentation.customer_segments": 1.0,
    "model.segmentation.clv_model_fits": 15.0,
    "snapshot.segmentation.customers_snapshot": 2.0,
    "test.segmentation.not_null_clv_model_fits_model.1a2b3c4d5e": 0.75,
    "test.segmentation.assert_raw_rows_reconcile": 3.25,
    "model.segmentation.scratch": 0.125,
    "exposure.segmentation.customer_segments_dashboard": 0.0,  # a no-op in a build
}


def test_node_time_is_summed_per_capability_with_the_loader_as_loading() -> None:
    seconds = capability_seconds(RUN_NODES, node_capabilities(MANIFEST), load_seconds=22.0)
    assert list(seconds) == list(Capability)  # every capability, in the table's order
    assert seconds == {
        Capability.LOADING: 22.0,
        Capability.STAGING: 12.5,
        Capability.WINDOWS_AND_SEGMENTS: 21.0,
        Capability.CATALOG: 0.0,
        Capability.HISTORY: 2.0,
        Capability.CAMPAIGNS: 0.0,
        Capability.LIFETIME_VALUE: 15.0,
        Capability.COHORTS: 0.0,
        Capability.BEHAVIOUR: 0.0,
        Capability.TESTS: 4.0,
        Capability.HOOKS: 0.25,
        Capability.EXPOSURES: 0.0,
        Capability.OTHER: 0.125,
    }
    assert sum(seconds.values()) == pytest.approx(22.0 + sum(RUN_NODES.values()))


def test_loading_is_absent_when_the_loader_was_not_timed_and_an_empty_run_costs_nothing() -> None:
    seconds = capability_seconds(RUN_NODES, node_capabilities(MANIFEST), load_seconds=None)
    assert Capability.LOADING not in seconds
    assert capability_seconds({}, {}, load_seconds=None) == {
        capability: 0.0 for capability in Capability if capability is not Capability.LOADING
    }


def test_nodes_are_counted_per_capability() -> None:
    counts = capability_nodes(RUN_NODES, node_capabilities(MANIFEST))
    assert counts[Capability.TESTS] == 2
    assert counts[Capability.STAGING] == 2  # the seed and base_transactions
    assert counts[Capability.OTHER] == 1
    assert counts[Capability.CATALOG] == 0
    assert Capability.LOADING not in counts
    assert sum(counts.values()) == len(RUN_NODES)


def repeat(scale: float, load_seconds: float | None) -> stats.Repeat:
    nodes = {node: seconds * scale for node, seconds in RUN_NODES.items()}
    return stats.Repeat(
        60.0,
        10**9,
        stats.RunResults(50.0, nodes),
        None,
        None,
        None,
        load_seconds=load_seconds,
        node_capabilities=node_capabilities(MANIFEST),
    )


# RUN_NODES sums to 54.875 s; with the loader's 22.0 s the first repeat totals 76.875 s, the second (its nodes
# twice as slow, the loader not) 2 x 54.875 + 22.0 = 131.75 s.
def test_each_capability_gets_its_time_in_every_repeat_and_its_share_of_each_repeats_total() -> None:
    costs = {cost.capability: cost for cost in stats.capability_costs([repeat(1.0, 22.0), repeat(2.0, 22.0)])}
    assert list(costs) == list(Capability)
    assert costs[Capability.LOADING].nodes is None
    assert costs[Capability.LOADING].seconds == [22.0, 22.0]
    assert costs[Capability.LOADING].shares == pytest.approx([22.0 / 76.875, 22.0 / 131.75])
    assert costs[Capability.WINDOWS_AND_SEGMENTS].nodes == 2
    assert costs[Capability.WINDOWS_AND_SEGMENTS].seconds == [21.0, 42.0]
    assert costs[Capability.WINDOWS_AND_SEGMENTS].shares == pytest.approx([21.0 / 76.875, 42.0 / 131.75])
    assert costs[Capability.CATALOG].seconds == [0.0, 0.0] and costs[Capability.CATALOG].shares == [0.0, 0.0]
    for index in range(2):
        assert sum(cost.shares[index] for cost in costs.values()) == pytest.approx(1.0)


def test_without_the_loader_there_is_no_loading_row_and_shares_are_of_node_time() -> None:
    costs = {cost.capability: cost for cost in stats.capability_costs([repeat(1.0, None)])}
    assert Capability.LOADING not in costs
    assert costs[Capability.LIFETIME_VALUE].shares == pytest.approx([15.0 / 54.875])


def test_a_run_with_no_node_time_has_zero_shares_not_a_division_error() -> None:
    empty = stats.Repeat(1.0, 1, stats.RunResults(0.0, {}), None, None, None)
    costs = stats.capability_costs([empty])
    assert {cost.capability for cost in costs} == set(Capability) - {Capability.LOADING}
    assert all(cost.shares == [0.0] for cost in costs)


def test_the_capability_table_shows_nodes_median_range_and_share() -> None:
    table = report.format_capabilities(stats.capability_costs([repeat(1.0, 22.0), repeat(2.0, 22.0)]))
    lines = {line.split("   ")[0].strip(): " ".join(line.split()) for line in table.splitlines()}
    assert table.splitlines()[0].split() == ["capability", "nodes", "median", "min", "-", "max", "share"]
    # loading: 22.0 s both times; shares 28.62 % and 16.70 %, median 22.66 %
    assert lines["loading"] == "loading loader, wall 22.0 s 22.0 - 22.0 s 22.7%"
    # windows and segments: 21.0 and 42.0 s, median 31.5; shares 27.32 % and 31.88 %, median 29.60 %
    assert lines["windows and segments"] == "windows and segments 2 31.5 s 21.0 - 42.0 s 29.6%"
    assert lines["catalog"] == "catalog 0 0.0 s 0.0 - 0.0 s 0.0%"
    # other: 0.125 and 0.25 s; shares 0.163 % and 0.190 %
    assert lines["other"] == "other 1 0.2 s 0.1 - 0.2 s 0.2%"


def test_the_capability_json_keeps_every_value_and_the_share_summary() -> None:
    entries = {
        entry["capability"]: entry
        for entry in report.capabilities_json(stats.capability_costs([repeat(1.0, 22.0), repeat(2.0, 22.0)]))
    }
    assert entries["lifetime value"] == {
        "capability": "lifetime value",
        "nodes": 1,
        "unit": "seconds",
        "values": [15.0, 30.0],
        "median": 22.5,
        "min": 15.0,
        "max": 30.0,
        # 15 / 76.875 and 30 / 131.75
        "share": {"values": [0.1951, 0.2277], "median": 0.2114, "min": 0.1951, "max": 0.2277},
    }
    assert entries["loading"]["nodes"] is None


def test_the_record_holds_the_capabilities_and_where_each_node_went(tmp_path: Path) -> None:
    repeats = [repeat(1.0, 22.0)]
    args = argparse.Namespace(
        customers=500, transactions=5000, repeat=1, seed=42, as_of=dt.date(2026, 10, 31), target=None
    )
    out = report.write_record(
        tmp_path, args, {}, {}, None, stats.figures(1.0, repeats), repeats, stats.capability_costs(repeats)
    )
    record = json.loads(out.read_text())
    assert [entry["capability"] for entry in record["capabilities"]] == [capability.value for capability in Capability]
    assert record["node_capabilities"]["test.segmentation.not_null_clv_model_fits_model.1a2b3c4d5e"] == "tests"
    assert record["node_capabilities"]["model.segmentation.clv_model_fits"] == "lifetime value"


# --- the project's own manifest


@pytest.fixture(scope="module")
def project_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The manifest of a `dbt parse` of this checkout into a temporary target (target/ and logs/ left alone)."""
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


def project_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every model of the project, the ones this target disables included (they run on other engines)."""
    disabled = [node for versions in manifest.get("disabled", {}).values() for node in versions]
    return [
        node
        for node in [*manifest["nodes"].values(), *disabled]
        if node["resource_type"] == "model" and node["package_name"] == "segmentation"
    ]


def test_the_projects_manifest_leaves_no_model_in_other(project_manifest: dict[str, Any]) -> None:
    models = project_models(project_manifest)
    assert len(models) > 50
    assert [node["unique_id"] for node in models if capability_of(node) is Capability.OTHER] == []


def test_every_node_the_build_runs_is_placed_outside_other(project_manifest: dict[str, Any]) -> None:
    placed = node_capabilities(project_manifest)
    assert [node for node, capability in placed.items() if capability is Capability.OTHER] == []
    # every capability the benchmark names has nodes in this project, so none is a name without content
    assert set(placed.values()) == set(Capability) - {Capability.LOADING, Capability.OTHER}


def test_every_model_named_in_the_rule_exists_in_a_shared_folder(project_manifest: dict[str, Any]) -> None:
    shared = {
        node["name"]
        for node in project_models(project_manifest)
        if Path(node["original_file_path"]).parent in (Path("models/intermediate"), Path("models/marts"))
    }
    assert sorted(set(SHARED_FOLDER_MODELS) - shared) == []
    marts = {
        Path(node["original_file_path"]).parts[2]
        for node in project_models(project_manifest)
        if len(Path(node["original_file_path"]).parts) > 3 and Path(node["original_file_path"]).parts[1] == "marts"
    }
    assert marts == set(MART_FOLDERS)
