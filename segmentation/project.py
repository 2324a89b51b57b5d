"""Where the dbt project is: the folder holding dbt_project.yml, the parent of this package."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
