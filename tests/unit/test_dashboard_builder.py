"""The segment builder's logic (dashboard/builder.py) without Streamlit: the form's definition, the file it would
save (the current text untouched, the entry appended), and the build's own validation of that file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dashboard import builder
from segmentation.segments import DefinitionErrors, load_segments

EXISTING = """# A comment the builder keeps.
segments:
  - id: lapsed
    type: dynamic
    criteria:
      days_inactive: 30
"""


def test_the_form_becomes_a_definition_in_the_segment_language() -> None:
    entry = builder.definition(
        builder.Form(
            slug="big_spenders",
            name="Big spenders",
            behavioral_segments=("Declining",),
            in_segments=("rfm/champions", "dynamic/lapsed"),
            countries=("US",),
            min_monetary=20000,
            min_frequency=3,
            recency_days=30,
            extra_criteria="total_orders: {gte: 5}\nmin_frequency: 4",
        )
    )
    assert entry == {
        "id": "big_spenders",
        "name": "Big spenders",
        "type": "dynamic",
        "criteria": {
            "customer_segment": {"in": ["Declining"]},
            "in_segment": ["rfm/champions", "dynamic/lapsed"],
            "location": {"countries": ["US"]},
            "min_monetary": 20000,
            "min_frequency": 4,  # the YAML box has the last word
            "recency_days": 30,
            "total_orders": {"gte": 5},
        },
    }


def test_a_static_segment_lists_ids_and_a_draft_says_so() -> None:
    entry = builder.definition(
        builder.Form(slug="vip", name="VIP", segment_type="static", status="draft", customer_ids=(3, 1))
    )
    assert entry == {"id": "vip", "name": "VIP", "type": "static", "status": "draft", "customer_ids": [3, 1]}


@pytest.mark.parametrize("extra", ["- a list", "just text", "42"])
def test_the_yaml_box_must_hold_a_mapping(extra: str) -> None:
    with pytest.raises(ValueError, match="mapping"):
        builder.definition(builder.Form(slug="x", name="X", extra_criteria=extra))


def test_the_saved_file_keeps_the_current_text_and_appends_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "segments.yml"
    path.write_text(EXISTING)
    entry = builder.definition(builder.Form(slug="recent", name="Recent: O'Brien's", recency_days=7))
    result = builder.save(entry, path, None)
    saved = path.read_text()
    assert saved.startswith(EXISTING)
    assert result.text == saved
    assert [segment.segment_id for segment in load_segments(path)] == ["dynamic/lapsed", "dynamic/recent"]
    assert yaml.safe_load(saved)["segments"][1] == entry
    assert "recency_days" in result.predicate


@pytest.mark.parametrize("current", ["", "# only a comment\n"])
def test_a_file_without_segments_gets_its_list(tmp_path: Path, current: str) -> None:
    path = tmp_path / "segments.yml"
    path.write_text(current)
    builder.save(builder.definition(builder.Form(slug="recent", name="Recent", recency_days=7)), path, None)
    assert path.read_text().startswith(current)
    assert [segment.segment_id for segment in load_segments(path)] == ["dynamic/recent"]


def test_an_invalid_entry_is_refused_with_the_builds_errors_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "segments.yml"
    path.write_text(EXISTING)
    duplicate = builder.definition(builder.Form(slug="lapsed", name="Again", recency_days=7))
    with pytest.raises(DefinitionErrors) as refused:
        builder.save(duplicate, path, None)
    assert str(refused.value) == f"{path}: segment 'lapsed', key 'id': duplicate id 'lapsed' (segment #2)"
    unknown = builder.definition(builder.Form(slug="other", name="Other", in_segments=("rfm/nope",)))
    with pytest.raises(DefinitionErrors, match="rfm/nope"):
        builder.check(unknown, path, ["rfm/champions"])
    assert path.read_text() == EXISTING
    assert not list(tmp_path.glob("*.dashboard"))
