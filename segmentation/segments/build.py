"""What the build's Python model (models/intermediate/int_user_segments_compiled.py) calls."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from segmentation.segments.compiler import compile_segments
from segmentation.segments.definitions import DefinitionError, DefinitionErrors, load_segments
from segmentation.segments.fields import DEFAULT_ENGINE
from segmentation.segments.rules import CustomerIds, Segment

DEFAULT_FILE = "segments.yml"


def segments_path(project_dir: Path, segments_file: str | None) -> Path:
    """The var `segments_file`, relative to the project root unless absolute."""
    path = Path(segments_file or DEFAULT_FILE)
    return path if path.is_absolute() else project_dir / path


def read_segments(
    project_dir: Path, segments_file: str | None, builtin_ids: Iterable[str] | None, engine: str = DEFAULT_ENGINE
) -> list[Segment]:
    """The file's segments, validated for the dbt adapter type `engine`; no file at the default path means no
    user-defined segments, a file named by the var that is missing is an error."""
    path = segments_path(project_dir, segments_file)
    if not path.exists() and (segments_file or DEFAULT_FILE) == DEFAULT_FILE:
        return []
    try:
        return load_segments(path, builtin_ids, engine)
    except DefinitionErrors as errors:
        count = len(errors.errors)
        header = DefinitionError(
            str(path),
            "",
            "",
            f"{count} definition error(s) (the first of each segment); nothing is built from the file",
        )
        raise DefinitionErrors([header, *errors.errors]) from None


def compiled_rows(segments: list[Segment], segments_file: str | None) -> list[tuple[Any, ...]]:
    predicates = compile_segments(segments)
    return [
        (
            segment.segment_id,
            segment.name,
            segment.segment_type,
            segment.description,
            segment.criteria_json,
            segment.status,
            segment.source,
            predicates[segment.segment_id],
            list(segment.rule.ids) if isinstance(segment.rule, CustomerIds) else [],
            segments_file or DEFAULT_FILE,
        )
        for segment in segments
    ]
