"""The README's way of running: from the project root with the default raw folder and warehouse
file, as `make build` does. Runs in a copy of the project so the user's data/ is untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from integration.harness import DBT, PROJECT_DIR, SAMPLE_AS_OF

COPY_IGNORES = shutil.ignore_patterns(".venv", ".git", "data", "target", "logs", "__pycache__", ".pytest_cache")


def test_default_raw_folder_and_warehouse_file(sample_raw_dir: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=COPY_IGNORES)
    (project / "data" / "raw").mkdir(parents=True)
    for name in ("customers.csv", "transactions.csv"):
        shutil.copy(sample_raw_dir / name, project / "data" / "raw" / name)
    env = {k: v for k, v in os.environ.items() if k != "DUCKDB_PATH"}
    env.update(DBT_PROFILES_DIR=str(project), DBT_SEND_ANONYMOUS_USAGE_STATS="false")

    build = subprocess.run(
        [str(DBT), "build", "--vars", f"{{as_of_date: {SAMPLE_AS_OF.isoformat()}}}"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    assert (project / "data" / "warehouse.duckdb").exists()

    summary = subprocess.run(
        [sys.executable, "scripts/segment_summary.py"], cwd=project, env=env, capture_output=True, text=True
    )
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith(f"Customer segments as of {SAMPLE_AS_OF.isoformat()}")
