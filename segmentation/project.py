"""Where the dbt project is, where relative paths point, and the published file the readers' tools open by default.

Two layouts (docs/operations.md#installing-the-package):
- a checkout (or an editable install of one): the dbt project is the repository root, the parent of this package,
  and relative paths (data/, logs/, target/, --raw-dir) are read from there, wherever the command runs;
- an installed package (`pip install .`): the dbt project is the copy the wheel carries in segmentation/dbt_project/
  (setup.py copies it in), and relative paths are read from the directory the command runs in, which also receives
  dbt's target/ and logs/, so the installed copy is only read.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The folder name the wheel's copy of the dbt project has inside the package (setup.py writes it there).
PACKAGED_PROJECT_NAME = "dbt_project"
# An installed package's work directory, handed to the commands it starts in the project's folder (dbt_output_env).
WORK_DIR_VARIABLE = "SEGMENTATION_WORK_DIR"


def find_project_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """The checkout's dbt project when this package sits in one, else the copy installed with it."""
    checkout = package_dir.parent
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    packaged = package_dir / PACKAGED_PROJECT_NAME
    if (packaged / "dbt_project.yml").is_file():
        return packaged
    raise FileNotFoundError(
        f"no dbt project beside {package_dir} nor in it ({packaged}): reinstall the package (`pip install .`) "
        "or run from a checkout of the repository"
    )


PROJECT_DIR = find_project_dir()
IS_CHECKOUT = PACKAGE_DIR.parent == PROJECT_DIR


def work_dir() -> Path:
    """The base of relative paths and the home of data/, logs/ and dbt's target/: the checkout, or when the package
    is installed where the command runs, or where the command that started this one ran ($SEGMENTATION_WORK_DIR)."""
    if IS_CHECKOUT:
        return PROJECT_DIR
    return Path(os.environ.get(WORK_DIR_VARIABLE) or Path.cwd())


def from_work_dir(path: Path | str) -> Path:
    """`path` as given when absolute, else under work_dir()."""
    given = Path(path)
    return given if given.is_absolute() else work_dir() / given


def dbt_output_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment of a command started in the project's folder: for an installed package, dbt's target/ and
    logs/ in work_dir() unless the environment already names them, and work_dir() itself for the package's own
    commands; a checkout's dbt writes them in the project, as dbt does by default."""
    if IS_CHECKOUT:
        return dict(environ)
    return {
        **environ,
        WORK_DIR_VARIABLE: str(work_dir()),
        "DBT_TARGET_PATH": environ.get("DBT_TARGET_PATH") or str(work_dir() / "target"),
        "DBT_LOG_PATH": environ.get("DBT_LOG_PATH") or str(work_dir() / "logs"),
    }


def default_published_database() -> Path:
    """The published file readers open: beside $DUCKDB_PATH, else the own-data one, else the demo's."""
    working = os.environ.get("DUCKDB_PATH")
    candidates = (
        [Path(working)]
        if working
        else [from_work_dir("data/warehouse.duckdb"), from_work_dir("data/demo/warehouse.duckdb")]
    )
    published = [path.parent / "published" / path.name for path in candidates]
    return next((path for path in published if path.exists()), published[0])
