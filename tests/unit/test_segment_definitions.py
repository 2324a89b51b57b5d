"""Definition errors of docs/rules/user-segments.md, one per kind: each names the file, the segment and the key.

The same function validates for the build's Python model, the monthly cycle and the preview command
(segmentation.segments.load_segments), so these are the errors all three print.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from segmentation.segments import DefinitionError, DefinitionErrors, load_segments
from segmentation.segments.definitions import load_segments_text
from segmentation_tools.datagen.demo_segments import write_segments_file

BUILTIN_IDS = ["rfm/champions", "value/vip"]
GOOD = """
  - id: good
    type: dynamic
    criteria: {total_spent: {operator: gt, value: 1000}}
"""


def errors_of(tmp_path: Path, segments: str, builtin_ids: list[str] | None = BUILTIN_IDS) -> list[DefinitionError]:
    path = tmp_path / "my_segments.yml"
    path.write_text("segments:\n" + textwrap.dedent(segments).strip("\n").replace("\n", "\n  ").join(["  ", ""]) + GOOD)
    with pytest.raises(DefinitionErrors) as raised:
        load_segments(path, builtin_ids)
    return raised.value.errors


@pytest.mark.parametrize(
    ("kind", "definition", "segment", "key", "message"),
    [
        (
            "unknown key",
            "- id: s\n  type: dynamic\n  criteria: {total_spend: {operator: gt, value: 1}}",
            "s",
            "criteria.total_spend",
            "unknown key 'total_spend'",
        ),
        (
            "unknown key of a segment",
            "- id: s\n  type: dynamic\n  critera: {min_frequency: 1}",
            "s",
            "critera",
            "unknown key 'critera'",
        ),
        (
            "unknown operator",
            "- id: s\n  type: dynamic\n  criteria: {total_orders: {operator: greater, value: 1}}",
            "s",
            "criteria.total_orders.operator",
            "unknown operator 'greater'",
        ),
        (
            "date operator on a number",
            "- id: s\n  type: dynamic\n  criteria: {total_orders: {operator: before, date: 2024-01-01}}",
            "s",
            "criteria.total_orders.operator",
            "unknown operator 'before' for a number",
        ),
        (
            "unknown segment id",
            "- id: s\n  type: dynamic\n  criteria: {in_segment: rfm/champs}",
            "s",
            "criteria.in_segment",
            "unknown segment id 'rfm/champs'",
        ),
        (
            "wrong value type",
            "- id: s\n  type: dynamic\n  criteria: {total_spent: {operator: gt, value: '1000'}}",
            "s",
            "criteria.total_spent.value",
            "must be a number, got '1000'",
        ),
        (
            "wrong value type in a date",
            "- id: s\n  type: dynamic\n  criteria: {registration_date: {operator: after, date: 31/12/2024}}",
            "s",
            "criteria.registration_date.date",
            "must be a date",
        ),
        (
            "wrong value type in a list",
            "- id: s\n  type: dynamic\n  criteria: {location: {states: [CA, 5]}}",
            "s",
            "criteria.location.states[1]",
            "must be a text",
        ),
        (
            "between with min > max",
            "- id: s\n  type: dynamic\n  criteria: {total_orders: {operator: between, min_value: 5, max_value: 4}}",
            "s",
            "criteria.total_orders",
            "min_value 5 is greater than max_value 4",
        ),
        (
            "between of dates with start > end",
            "- id: s\n  type: dynamic\n  criteria:\n    any:\n"
            "      - last_order_date: {between: [2025-02-01, 2025-01-31]}",
            "s",
            "criteria.any[0].last_order_date",
            "start_date 2025-02-01 is greater than end_date 2025-01-31",
        ),
        (
            "duplicate id",
            "- id: good\n  type: static\n  customer_ids: [1]",
            "good",
            "id",
            "duplicate id 'good'",
        ),
        (
            "depth over 5",
            "- id: s\n  type: dynamic\n  criteria: {not: {all: [{any: [{not: {not: {not: {min_frequency: 1}}}}]}]}}",
            "s",
            "criteria.not.all[0].any[0].not.not.not",
            "nest at most 5 deep",
        ),
        (
            "a static id that is not a whole number",
            "- id: s\n  type: static\n  customer_ids: [1, '2; drop table customers']",
            "s",
            "customer_ids[1]",
            "must be a whole number",
        ),
        (
            "unknown operand",
            "- id: s\n  type: dynamic\n  criteria: {total_orders: {operator: gt, val: 1}}",
            "s",
            "criteria.total_orders.val",
            "unknown key 'val' for operator gt",
        ),
    ],
)
def test_each_kind_of_error_names_file_segment_and_key(
    tmp_path: Path, kind: str, definition: str, segment: str, key: str, message: str
) -> None:
    errors = errors_of(tmp_path, definition)
    assert len(errors) == 1, kind
    (error,) = errors
    assert (Path(error.file).name, error.segment, error.key) == ("my_segments.yml", segment, key), kind
    assert message in error.message, kind
    assert str(error).startswith(f"{error.file}: segment '{segment}', key '{key}': "), kind


def test_depth_5_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "segments.yml"
    path.write_text(
        "segments:\n  - id: s\n    type: dynamic\n"
        "    criteria: {not: {all: [{any: [{not: {not: {min_frequency: 1}}}]}]}}\n"
    )
    assert [s.segment_id for s in load_segments(path, [])] == ["dynamic/s"]


def test_a_cycle_names_every_segment_on_it(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        """
        - id: a
          type: dynamic
          criteria: {in_segment: dynamic/b}
        - id: b
          type: dynamic
          criteria: {any: [{min_frequency: 3}, {not_in_segment: dynamic/a}]}
        - id: self
          type: dynamic
          criteria: {in_segment: dynamic/self}
        """,
    )
    found = {(error.segment, error.key, error.message) for error in errors}
    assert found == {
        ("a", "criteria.in_segment", "in_segment makes a cycle: dynamic/a -> dynamic/b -> dynamic/a"),
        ("b", "criteria.any[1].not_in_segment", "in_segment makes a cycle: dynamic/b -> dynamic/a -> dynamic/b"),
        ("self", "criteria.in_segment", "in_segment makes a cycle: dynamic/self -> dynamic/self"),
    }


def test_every_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        """
        - id: one
          type: dynamic
          criteria: {total_orders: {operator: gt, value: x}}
        - id: two
          type: dynamic
          criteria: {in_segment: value/platinum}
        """,
    )
    assert [(error.segment, error.key) for error in errors] == [
        ("one", "criteria.total_orders.value"),
        ("two", "criteria.in_segment"),
    ]


def test_a_key_named_twice_in_one_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "segments.yml"
    path.write_text(
        "segments:\n  - id: s\n    type: dynamic\n    criteria:\n      min_frequency: 1\n      min_frequency: 2\n"
    )
    with pytest.raises(DefinitionErrors, match="key 'min_frequency' appears twice"):
        load_segments(path, [])


def test_built_in_ids_unknown_before_a_build_are_left_to_the_build(tmp_path: Path) -> None:
    """The monthly cycle validates before dbt starts, without the catalog: any built-in type's id passes
    there, a user-defined id must still exist."""
    path = tmp_path / "segments.yml"
    path.write_text("segments:\n  - id: s\n    type: dynamic\n    criteria: {in_segment: rfm/anything}\n")
    assert len(load_segments(path, None)) == 1
    path.write_text("segments:\n  - id: s\n    type: dynamic\n    criteria: {in_segment: dynamic/missing}\n")
    with pytest.raises(DefinitionErrors, match="unknown segment id 'dynamic/missing'"):
        load_segments(path, None)


def test_a_csv_of_ids_with_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ids.csv").write_text("customer_id\n1\n2 or 1=1\n")
    path = tmp_path / "segments.yml"
    path.write_text("segments:\n  - id: s\n    type: static\n    customer_ids_file: ids.csv\n")
    with pytest.raises(DefinitionErrors) as raised:
        load_segments(path, [])
    (error,) = raised.value.errors
    assert (error.segment, error.key) == ("s", "customer_ids_file")
    assert "ids.csv line 3: not a customer id: '2 or 1=1'" in error.message


def test_the_demo_s_file_is_valid(tmp_path: Path) -> None:
    segments = load_segments(write_segments_file(tmp_path), None)
    assert {s.segment_type for s in segments} == {"static", "dynamic"}
    assert any(s.source == "import" for s in segments)


def test_the_guide_s_first_example_is_a_valid_file() -> None:
    """docs/segment-authors.md shows a whole file first (the repository keeps none): it must be one the build takes."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "segment-authors.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    (segment,) = load_segments_text(example, Path("segments.yml"), None)
    assert segment.segment_id == "dynamic/lapsed_travellers"
