"""The runtime package shows what the warehouse needs: segmentation/ and the dbt Python models never import the tools
package (segmentation_tools/, which may import the runtime), nor the generator's or the tests' libraries; and no
file of the repository puts anything on sys.path (the packages are installed, `make install`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from segmentation.project import PROJECT_DIR

# Imported only by the tools and the tests; declared as the `tools` and `test` extras, not as dependencies.
NOT_RUNTIME = ("segmentation_tools", "faker", "pytest")
SKIPPED_FOLDERS = {".venv", ".git", "data", "target", "logs", "build", "dbt_packages", "__pycache__"}


def imported_modules(source: str) -> Iterator[str]:
    """Every module an absolute import statement names, wherever it stands (a function's lazy import too)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def forbidden_imports(source: str) -> list[str]:
    return sorted(name for name in imported_modules(source) if name.split(".")[0] in NOT_RUNTIME)


def touches_sys_path(source: str) -> bool:
    """`sys.path` read or changed, or `path` taken from sys by name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "path" and ast.unparse(node.value) == "sys":
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "sys" and any(a.name == "path" for a in node.names):
            return True
    return False


def python_files(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.rglob("*.py") if not SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts)
    )


def test_the_scan_finds_every_form_of_import() -> None:
    source = (
        "import segmentation_tools\n"
        "from segmentation_tools.datagen import cli\n"
        "def later():\n    import faker\n    from pytest import approx\n"
        "import segmentation_toolsmith\nfrom segmentation import project\n"
    )
    assert forbidden_imports(source) == ["faker", "pytest", "segmentation_tools", "segmentation_tools.datagen"]
    assert touches_sys_path("import sys\nsys.path.insert(0, '.')\n")
    assert touches_sys_path("from sys import path\n")
    assert not touches_sys_path("import os\nos.path.join('a', 'b')\n")


def test_runtime_package_and_dbt_models_never_import_the_tools() -> None:
    runtime = python_files(PROJECT_DIR / "segmentation") + python_files(PROJECT_DIR / "models")
    assert len(runtime) > 50  # the scan reads the package, not an empty folder
    found = {
        str(path.relative_to(PROJECT_DIR)): names
        for path in runtime
        if (names := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_tools_import_the_runtime() -> None:
    """The direction is one way, and the tools do use the runtime (so the check above has a counterpart)."""
    tools = python_files(PROJECT_DIR / "segmentation_tools")
    imports = {module for path in tools for module in imported_modules(path.read_text())}
    assert {"segmentation.project", "segmentation.run_month"} <= imports


def test_no_file_of_the_repository_touches_sys_path() -> None:
    files = python_files(PROJECT_DIR)
    assert any(path.name == "run_month.py" for path in files)
    assert [str(path.relative_to(PROJECT_DIR)) for path in files if touches_sys_path(path.read_text("utf-8"))] == []
