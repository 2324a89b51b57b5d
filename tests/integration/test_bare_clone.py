"""The suite on a bare clone: no test fails merely because `../shared` is missing beside the checkout.

The user's design notes live outside the repository. Every test that reads them must go through
tests/integration/design_notes.py and skip, naming the missing file, where they are absent.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from integration.design_notes import GUIDE_IN_SHARED_DIR, MARKER, SHARED_DIR_VARIABLE
from integration.harness import PROJECT_DIR

TESTS_DIR = PROJECT_DIR / "tests"
HELPER = TESTS_DIR / "integration" / "design_notes.py"
# What reading the shared folder directly looks like: its name as a path part, the guide's file
# name, or the variable that moves it.
DIRECT_READ = re.compile(
    r"""["'/]shared["'/]|shared/seeds|""" + re.escape(GUIDE_IN_SHARED_DIR.name) + "|" + SHARED_DIR_VARIABLE
)
HELPER_NAMES = {"guide_queries", "GUIDE"}


def python_files() -> list[Path]:
    return sorted(path for path in TESTS_DIR.rglob("*.py") if path not in (HELPER, Path(__file__).resolve()))


def test_only_the_helper_reads_the_shared_folder() -> None:
    direct = [
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for path in python_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DIRECT_READ.search(line)
    ]
    assert not direct, f"read the shared folder through {HELPER.relative_to(PROJECT_DIR)} instead: {direct}"


def test_every_test_that_reads_the_guide_is_marked_to_skip_without_it() -> None:
    unmarked = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            reads_guide = any(isinstance(name, ast.Name) and name.id in HELPER_NAMES for name in ast.walk(node))
            marked = any(isinstance(d, ast.Name) and d.id == "needs_design_notes" for d in node.decorator_list)
            if reads_guide and not marked:
                unmarked.append(f"{path.relative_to(PROJECT_DIR)}::{node.name}")
    assert not unmarked, f"these tests read the guide without @needs_design_notes: {unmarked}"


def test_tests_needing_the_design_notes_skip_where_they_are_absent(tmp_path: Path) -> None:
    """The marked tests, run with an empty shared folder, all skip with the reason naming the file:
    none fails or errors. A skip is decided before fixtures, so this builds nothing."""
    empty = tmp_path / "shared"
    empty.mkdir()
    report = tmp_path / "report.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests",
        "-m",
        MARKER,
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={report}",
    ]
    env = {**os.environ, SHARED_DIR_VARIABLE: str(empty)}
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    cases = list(ElementTree.parse(report).getroot().iter("testcase"))
    assert len(cases) >= 2, completed.stdout[-3000:]
    missing = str(empty / GUIDE_IN_SHARED_DIR)
    for case in cases:
        name = f"{case.get('classname')}.{case.get('name')}"
        assert case.find("failure") is None and case.find("error") is None, name
        skipped = case.find("skipped")
        assert skipped is not None, f"{name} ran without the design notes"
        assert missing in (skipped.get("message") or ""), f"{name}: {skipped.get('message')}"
