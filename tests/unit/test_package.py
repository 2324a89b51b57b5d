"""The installable package (pyproject.toml, setup.py; docs/operations.md#installing-the-package): a wheel built from
a copy of the checkout carries the whole dbt project and declares the console scripts, its dependencies leave out
the tools' and the tests' libraries, and installed into a new virtual environment (without its dependencies: the
test stays offline) it runs the copy it carries from any directory. Where the dbt project is found, in a checkout
and in an installed package, is checked on folders made for it."""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from segmentation.project import PACKAGED_PROJECT_NAME, PROJECT_DIR, find_project_dir

COPY_IGNORES = shutil.ignore_patterns(
    ".venv", ".git", "data", "target", "logs", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache"
)
PACKAGED = f"segmentation/{PACKAGED_PROJECT_NAME}"
# The commands the README and the Makefile name, each a console script of the wheel.
SCRIPTS = {
    "segmentation-demo": "segmentation_tools.demo:main",
    "segmentation-run-month": "segmentation.run_month:main",
    "segmentation-export": "segmentation.exports.cli:main",
    "segmentation-preview": "segmentation.segments.preview:main",
    "segmentation-dashboard": "dashboard.serve:main",
    "segmentation-serve": "segmentation.service.cli:main",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by the installed setuptools (requirements-dev.lock) from a copy of the checkout."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(PROJECT_DIR, source, ignore=COPY_IGNORES)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out)]
    run = subprocess.run([*command, str(source)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def dist_info_text(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (member,) = [entry for entry in archive.namelist() if entry.endswith(f".dist-info/{name}")]
        return archive.read(member).decode()


def checkout_files(*patterns: str) -> set[str]:
    return {
        path.relative_to(PROJECT_DIR).as_posix()
        for pattern in patterns
        for path in PROJECT_DIR.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_carries_the_dbt_project(wheel: Path) -> None:
    names = names_in(wheel)
    project = checkout_files(
        "dbt_project.yml", "profiles.yml", "models/**/*", "macros/**/*", "seeds/**/*",
        "snapshots/**/*", "tests/*.sql", "tests/*.yml", "tests/generic/**/*",
    )  # fmt: skip
    assert {"dbt_project.yml", "models/marts/clv/customer_lifetime_value.py", "tests/generic/accepted_range.sql"} <= (
        project
    )
    assert {f"{PACKAGED}/{name}" for name in project} - names == set()
    # the Python suite is not part of the dbt project, and no build artefact is
    shipped = {name for name in names if name.startswith(f"{PACKAGED}/")}
    assert not {name for name in shipped if "/tests/unit/" in name or "/tests/integration/" in name}
    assert not {name for name in shipped if name.endswith((".pyc", "conftest.py")) or "/target/" in name}


def test_the_wheel_holds_the_three_packages_and_no_tests(wheel: Path) -> None:
    tops = {name.split("/")[0] for name in names_in(wheel) if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"segmentation", "segmentation_tools", "dashboard"}


def test_the_console_scripts_are_declared_and_exist(wheel: Path) -> None:
    entry_points = configparser.ConfigParser()
    entry_points.read_string(dist_info_text(wheel, "entry_points.txt"))
    declared = dict(entry_points["console_scripts"])
    assert {name: declared.get(name) for name in SCRIPTS} == SCRIPTS
    for target in declared.values():
        module, function = target.split(":")
        path = PROJECT_DIR / (module.replace(".", "/") + ".py")
        defined = {node.name for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)}
        assert function in defined, target


def test_runtime_dependencies_leave_out_the_tools_and_the_tests(wheel: Path) -> None:
    metadata = Parser().parsestr(dist_info_text(wheel, "METADATA"))
    requires = metadata.get_all("Requires-Dist") or []
    runtime = {line.split(";")[0].split("=")[0].split("[")[0].strip().lower() for line in requires if ";" not in line}
    assert {"dbt-core", "dbt-duckdb", "duckdb"} <= runtime
    assert not runtime & {"faker", "pytest", "streamlit", "fastapi", "pyspark"}
    assert any(line.startswith("Faker") and 'extra == "tools"' in line for line in requires)
    assert any(line.startswith("pytest") and 'extra == "test"' in line for line in requires)


def test_installed_it_runs_its_own_copy_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)]
    run = subprocess.run(install, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "from segmentation.project import PROJECT_DIR, IS_CHECKOUT, work_dir, from_work_dir\n"
        "print(PROJECT_DIR, IS_CHECKOUT, work_dir(), from_work_dir('data/raw'), sep='\\n')"
    )
    run = subprocess.run([str(python), "-c", probe], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    project, is_checkout, work, raw = run.stdout.splitlines()
    assert Path(project).relative_to(environment) and Path(project).name == PACKAGED_PROJECT_NAME
    assert (Path(project) / "dbt_project.yml").read_text() == (PROJECT_DIR / "dbt_project.yml").read_text()
    assert (is_checkout, Path(work), Path(raw)) == ("False", elsewhere, elsewhere / "data" / "raw")
    assert {name for name in SCRIPTS if (environment / "bin" / name).is_file()} == set(SCRIPTS)


def test_a_checkout_runs_its_own_project(tmp_path: Path) -> None:
    (tmp_path / "segmentation").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: segmentation\n")
    (tmp_path / "segmentation" / PACKAGED_PROJECT_NAME).mkdir()
    (tmp_path / "segmentation" / PACKAGED_PROJECT_NAME / "dbt_project.yml").write_text("name: segmentation\n")

    assert find_project_dir(tmp_path / "segmentation") == tmp_path


def test_an_installed_package_runs_the_copy_it_carries(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "segmentation"
    (package / PACKAGED_PROJECT_NAME).mkdir(parents=True)
    (package / PACKAGED_PROJECT_NAME / "dbt_project.yml").write_text("name: segmentation\n")

    assert find_project_dir(package) == package / PACKAGED_PROJECT_NAME


def test_a_package_without_a_project_says_so(tmp_path: Path) -> None:
    (tmp_path / "segmentation").mkdir()
    with pytest.raises(FileNotFoundError, match="reinstall the package"):
        find_project_dir(tmp_path / "segmentation")
