"""Building one model and its parents on a fresh warehouse, as an analyst who needs only that model
would: the tests dbt runs with it are those whose parents were all built, so none fails for a
model that was not selected (dbt_project.yml sets `indirect_selection`)."""

from __future__ import annotations

from pathlib import Path

from integration.harness import SAMPLE_AS_OF, Warehouse, assert_succeeded


def test_a_model_and_its_parents_build_and_test_on_a_fresh_warehouse(sample_raw_dir: Path, tmp_path: Path) -> None:
    warehouse = Warehouse(sample_raw_dir, tmp_path / "warehouse.duckdb", tmp_path)
    assert not warehouse.database.exists()

    build = warehouse.dbt("build", "--select", "+customer_segments", as_of=SAMPLE_AS_OF)
    assert_succeeded(build)
    ran = set(build.statuses())
    # the model's own tests ran; tests that also read models outside the selection did not
    assert "model.segmentation.customer_segments" in ran
    assert any(node.startswith("test.segmentation.") and "customer_segments" in node for node in ran)
    assert "test.segmentation.assert_raw_rows_reconcile" not in ran

    # the guide's command, after that build
    assert_succeeded(warehouse.dbt("test", "--models", "customer_segments", as_of=SAMPLE_AS_OF))
