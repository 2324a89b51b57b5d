"""The wheel's one build step: copy the dbt project into the package, so the installed console scripts run it from
any directory (segmentation/project.py finds the copy). Everything else about the package is in pyproject.toml.

The dbt project stays at the repository root, where dbt, the Makefile and the tests use it; the copy goes to
segmentation/dbt_project/ inside the wheel only. An editable install copies nothing: it runs the checkout's project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGED_PROJECT = Path("segmentation") / "dbt_project"

# What `dbt build` reads (dbt_project.yml's paths). Definitions are not among them: a build reads the files it is
# given (the demo's are written beside its raw files by the generator).
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PROJECT_FOLDERS = ("models", "macros", "seeds", "snapshots", "analyses")
# tests/ holds the dbt data tests beside the Python suite: only the former ship.
DATA_TEST_PATTERNS = ("tests/*.sql", "tests/*.yml", "tests/generic/**/*")
SKIPPED_PARTS = ("__pycache__",)


def project_files(root: Path = ROOT) -> list[Path]:
    """The dbt project's files, relative to the repository root."""
    found = [root / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        found += (root / folder).rglob("*")
    for pattern in DATA_TEST_PATTERNS:
        found += root.glob(pattern)
    return sorted(
        path.relative_to(root)
        for path in found
        if path.is_file() and not any(part in SKIPPED_PARTS for part in path.parts) and path.suffix != ".pyc"
    )


class BuildWithDbtProject(build_py):
    """build_py, then the dbt project copied under the package in the build folder."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / PACKAGED_PROJECT
        shutil.rmtree(target, ignore_errors=True)
        for relative in project_files():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, destination)


setup(cmdclass={"build_py": BuildWithDbtProject})
