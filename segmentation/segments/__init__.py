"""User-defined segments (docs/rules/user-segments.md): segments.yml read, validated and compiled to SQL.

- `definitions`: reading the file and the CSV files of ids it names, and validating every
  definition (errors name the file, the segment and the key);
- `compiler`: each segment as a SQL predicate over one row of the criteria fields, values as
  typed, escaped literals;
- `fields`: what a criterion may name and the column it reads;
- `preview` (`python -m segmentation.segments`): validate a file and count a segment's members in
  the published warehouse, without a build.
"""

from __future__ import annotations

from segmentation.segments.compiler import compile_segments, literal
from segmentation.segments.definitions import DefinitionError, DefinitionErrors, load_segments, validate_document
from segmentation.segments.rules import Segment

__all__ = [
    "DefinitionError",
    "DefinitionErrors",
    "Segment",
    "compile_segments",
    "literal",
    "load_segments",
    "validate_document",
]
