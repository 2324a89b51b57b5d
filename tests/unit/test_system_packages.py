"""System packages are installed by `make system-deps` alone (docs/testing.md): the code and the tests find
Chromium, Java and PostgreSQL, and say which command installs them when they are missing; none installs them."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from dashboard import browser
from segmentation_tools.engines import portability, postgres_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
# A package manager run: the word, not in a sentence about it (so this file's own pattern does not count).
PACKAGE_MANAGER = re.compile(r"[\"'](apt-get|apt|dpkg|yum|dnf|brew)[\"']")


def executable(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_chromium_is_found_on_path_under_either_name(tmp_path: Path) -> None:
    first = executable(tmp_path / "first", "chromium-browser")
    second = executable(tmp_path / "second", "chromium")
    # chromium is preferred wherever it is on PATH; chromium-browser is taken when it is the only one
    assert browser.find_chromium(os.pathsep.join([str(first.parent), str(second.parent)])) == second
    assert browser.find_chromium(str(first.parent)) == first


def test_no_chromium_names_the_command_that_installs_it(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(browser.BrowserUnavailable, match=r"no Chromium on PATH .*`make system-deps`"):
        browser.find_chromium(str(tmp_path / "empty"))


def test_a_file_named_chromium_that_cannot_run_is_not_a_browser(tmp_path: Path) -> None:
    (tmp_path / "chromium").write_text("not a program")
    with pytest.raises(browser.BrowserUnavailable):
        browser.find_chromium(str(tmp_path))


def test_java_is_java_home_s_when_set_else_the_one_on_path(tmp_path: Path) -> None:
    home_java = executable(tmp_path / "jdk" / "bin", "java")
    path_java = executable(tmp_path / "bin", "java")
    assert portability.find_java({"JAVA_HOME": str(tmp_path / "jdk"), "PATH": str(path_java.parent)}) == home_java
    assert portability.find_java({"PATH": str(path_java.parent)}) == path_java
    # a JAVA_HOME without a java is what pyspark's launcher would fail on: no falling back to PATH
    assert portability.find_java({"JAVA_HOME": str(tmp_path / "nothing"), "PATH": str(path_java.parent)}) is None
    assert portability.find_java({"PATH": str(tmp_path / "jdk")}) is None


def test_spark_without_java_stops_naming_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark", reason="the Spark adapter is installed by make install-engines")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    run = portability.build_spark(tmp_path / "spark", tmp_path / "raw", portability.SAMPLE.as_of, 0)
    assert not run.built and "make system-deps" in run.error


def test_no_postgres_server_names_the_command_and_installs_nothing(tmp_path: Path) -> None:
    with (
        pytest.raises(postgres_server.PostgresUnavailable, match=r"no PostgreSQL server binaries .*`make system-deps`"),
        postgres_server.running_server(search_root=tmp_path),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_no_python_file_runs_a_package_manager() -> None:
    """Only `make system-deps` installs system packages; a module or a test that ran apt-get would install them
    from inside a test run."""
    runs = [
        f"{path.relative_to(PROJECT_DIR)}:{number}: {line.strip()}"
        for folder in ("segmentation", "dashboard", "tests")
        for path in sorted((PROJECT_DIR / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PACKAGE_MANAGER.search(line) and path != Path(__file__).resolve()
    ]
    assert not runs, runs


def test_ci_installs_the_system_packages_before_the_tests_and_requires_the_browser() -> None:
    steps = [line.strip() for line in (PROJECT_DIR / ".ci" / "run").read_text().splitlines()]
    commands = [step for step in steps if step and not step.startswith("#")]
    assert commands.index("make system-deps") < commands.index("make test") < commands.index("make test-portability")
    assert commands.index("export SEGMENTATION_REQUIRE_BROWSER=1") < commands.index("make test")
