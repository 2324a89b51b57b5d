"""Session fixtures: the sample raw files and one warehouse built from them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integration.harness import (
    SAMPLE_AS_OF,
    SAMPLE_BACKFILL_MONTHS,
    SAMPLE_CUSTOMERS,
    SAMPLE_MEMORY_LIMIT,
    SAMPLE_TRANSACTIONS,
    Warehouse,
    assert_succeeded,
    generate_sample,
)


@pytest.fixture(scope="session")
def sample_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("raw"))


@pytest.fixture(scope="session")
def built(sample_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The sample built once as of SAMPLE_AS_OF with a year of history, as `make build` builds the
    demo, with DuckDB's memory capped low for its size (SAMPLE_MEMORY_LIMIT), so the build spills as a large
    one does; tests that change it work on a copy."""
    work = tmp_path_factory.mktemp("built")
    warehouse = Warehouse(sample_raw_dir, work / "warehouse.duckdb", work)
    run = warehouse.dbt(
        "build",
        as_of=SAMPLE_AS_OF,
        variables={"backfill_months": SAMPLE_BACKFILL_MONTHS},
        label=(
            f"dbt build with a {SAMPLE_BACKFILL_MONTHS}-month backfill, "
            f"{SAMPLE_CUSTOMERS:,} customers / {SAMPLE_TRANSACTIONS:,} transactions, "
            f"DuckDB capped at {SAMPLE_MEMORY_LIMIT}"
        ),
        memory_limit=SAMPLE_MEMORY_LIMIT,
    )
    assert_succeeded(run)
    yield warehouse
