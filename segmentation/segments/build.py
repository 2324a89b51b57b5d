"""What the build's Python model (models/intermediate/int_user_segments_compiled.py) calls."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from segmentation.segments.compiler import compile_segments
from segmentation.segments.definitions import DefinitionError, DefinitionErrors, load_segments
from segmentation.segments.fields import DEFAULT_ENGINE
from segmentation.segments.rules import CustomerIds, Segment


def segments_path(project_dir: Path, segments_file: str | None) -> Path | None:
    """The var `segments_file`, relative to the project root unless absolute; None when no file is named (the
    default: a build reads the definitions it is pointed at, or none)."""
    if not segments_file:
        return None
    path = Path(segments_file)
    return path if path.is_absolute() else project_dir / path


def read_segments(
    project_dir: Path, segments_file: str | None, builtin_ids: Iterable[str] | None, engine: str = DEFAULT_ENGINE
) -> list[Segment]:
    """The file's segments, validated for the dbt adapter type `engine`; none when no file is named, and an error
    when the file named is missing."""
    path = segments_path(project_dir, segments_file)
    if path is None:
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
    """One row per segment (none without a file, so `segments_file` is set wherever there is a row)."""
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
            segments_file,
        )
        for segment in segments
    ]
