"""The user's design notes, read by the tests that check the guide's queries, found in one place.

The notes live outside the repository, in `../shared/seeds/` beside the checkout (CI has them);
SEGMENTATION_SHARED_DIR points at another shared folder. A bare clone has none: every test that
reads them carries `needs_design_notes`, which skips it with a reason naming the missing file.
The skip is a skipif marker, decided before any fixture is set up, so a skipped test builds
nothing. tests/integration/test_bare_clone.py checks that every such test goes through here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from integration.harness import PROJECT_DIR

SHARED_DIR_VARIABLE = "SEGMENTATION_SHARED_DIR"
GUIDE_IN_SHARED_DIR = Path("seeds") / "001_e89e2e2fcca574b1.txt"
MARKER = "design_notes"


def shared_dir() -> Path:
    """$SEGMENTATION_SHARED_DIR, else the `shared` folder beside the checkout."""
    override = os.environ.get(SHARED_DIR_VARIABLE)
    return Path(override) if override else PROJECT_DIR.parent / "shared"


GUIDE = shared_dir() / GUIDE_IN_SHARED_DIR
MISSING_REASON = f"the customer segmentation guide (the user's design notes) is not at {GUIDE}"

Test = TypeVar("Test", bound=Callable[..., object])


def needs_design_notes(test: Test) -> Test:
    """Mark a test that reads the guide: it runs where the guide is, and skips, naming its path,
    where it is not."""
    marked = getattr(pytest.mark, MARKER)(test)
    return pytest.mark.skipif(not GUIDE.exists(), reason=MISSING_REASON)(marked)


def guide_queries() -> list[str]:
    """The analyst SELECTs of the guide that read the marts, exactly as written there; none when
    the guide is absent."""
    if not GUIDE.exists():
        return []
    blocks = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(), flags=re.S)
    return [
        block
        for block in blocks
        if re.match(r"\s*(--[^\n]*\n\s*)*(select|with)\b", block, flags=re.I)
        and re.search(r"\bfrom\s+customer_segments\b", block, flags=re.I)
    ]
