"""The README's way of running your own data with the defaults: from the project root with the default
raw folder (data/raw) and warehouse file (data/warehouse.duckdb, published to data/published/), as
`make warehouse` uses them (`make build` has its own, data/demo/): the loader, then a bare `dbt build`.
Runs in a copy of the project so the user's data/ is untouched.

The copied transactions file also carries an extra first column and a header in other case,
which the spec says to ignore and match: the mart must equal the one built from the original."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from integration.harness import DBT, PROJECT_DIR, SAMPLE_AS_OF, Warehouse

COPY_IGNORES = shutil.ignore_patterns(".venv", ".git", "data", "target", "logs", "__pycache__", ".pytest_cache")


def copy_with_extra_column(source: Path, target: Path) -> None:
    """The file with a leading `channel` column and its header's first letters upper-cased."""
    with source.open(newline="") as src, target.open("w", newline="") as dst:
        rows = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(rows)
        writer.writerow(["channel", *(name.title() for name in header)])
        writer.writerows(["online", *row] for row in rows)


def test_default_raw_folder_and_warehouse_file(sample_raw_dir: Path, built: Warehouse, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=COPY_IGNORES)
    (project / "data" / "raw").mkdir(parents=True)
    shutil.copy(sample_raw_dir / "customers.csv", project / "data" / "raw" / "customers.csv")
    copy_with_extra_column(sample_raw_dir / "transactions.csv", project / "data" / "raw" / "transactions.csv")
    env = {k: v for k, v in os.environ.items() if k != "DUCKDB_PATH"}
    env.update(DBT_PROFILES_DIR=str(project), DBT_SEND_ANONYMOUS_USAGE_STATS="false")

    loaded = subprocess.run(
        [sys.executable, "-m", "segmentation.ingest"], cwd=project, env=env, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "raw.transactions: " in loaded.stdout and "from data/raw/transactions.csv" in loaded.stdout
    build = subprocess.run(
        [str(DBT), "build", "--vars", f"{{as_of_date: {SAMPLE_AS_OF.isoformat()}}}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    database = project / "data" / "warehouse.duckdb"
    content = "select * exclude (customer_key) from customer_segments order by customer_id"
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.sql(content).fetchall() == built.query(content)

    summary = subprocess.run(
        [sys.executable, "-m", "segmentation.summary"], cwd=project, env=env, capture_output=True, text=True
    )
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith(f"Customer segments as of {SAMPLE_AS_OF.isoformat()}")

    # Readers open the published copy the README names, made by the publish step's defaults.
    published = subprocess.run(
        [sys.executable, "-m", "segmentation.publish"], cwd=project, env=env, capture_output=True, text=True
    )
    assert published.returncode == 0, published.stderr
    with duckdb.connect(str(project / "data" / "published" / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql(content).fetchall() == built.query(content)
