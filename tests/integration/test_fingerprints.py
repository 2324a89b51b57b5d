"""Every mart of the sample is what it was when the fingerprints were taken
(segmentation_tools/engines/fingerprints.py): a change to how the warehouse is built (loading, layers, the monthly
run) must leave what it builds as it was. After a deliberate change to what the marts hold, take them again:
`UPDATE_FINGERPRINTS=1 pytest tests/integration/test_fingerprints.py`, and say why in the commit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from integration.harness import Warehouse
from segmentation_tools.engines.fingerprints import differences, duckdb_fingerprints

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sample_fingerprints.json"


def test_every_mart_of_the_sample_is_as_fingerprinted(built: Warehouse) -> None:
    found = duckdb_fingerprints(built.database)
    if os.environ.get("UPDATE_FINGERPRINTS") == "1":
        FIXTURE.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(FIXTURE.read_text())
    assert len(expected) >= 28
    assert not differences(expected, found), "\n".join(differences(expected, found))
