"""`python -m segmentation.service --warehouse PUBLISHED [--definitions segments.yml] --raw-dir RAW [--port 8000]`:
serve the segmentation API with uvicorn (what `make serve` runs; docs/service.md).

The service edits the segments file the served warehouse was built from, which the warehouse's publication records
(segmentation/build_definitions.py), and refreshes with it and the campaigns file recorded beside it. --definitions
names another: a warehouse built without a segments file has none to edit until one is named.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from segmentation.build_definitions import DefinitionFiles, recorded
from segmentation.project import default_published_database, from_work_dir


def _absolute(path: Path) -> Path:
    return from_work_dir(path)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m segmentation.service", description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=None, help=f"the published file (default: {default_published_database()})"
    )
    parser.add_argument(
        "--definitions",
        type=Path,
        default=None,
        help="the segments file the service edits and refreshes with (default: the one the warehouse was built from, "
        "as its publication records it)",
    )
    parser.add_argument("--raw-dir", default=None, help="the warehouse's raw folder, for refreshes (none: refused)")
    parser.add_argument(
        "--working", type=Path, default=None, help="the working file a refresh builds (default: the one published)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    return parser


class NoDefinitionsFile(Exception):
    """Neither named nor recorded: nothing for the service to edit."""


def definitions_files(warehouse: Path, named: Path | None) -> DefinitionFiles:
    """The segments file the service edits (`named`, else the recorded one) and the campaigns file the warehouse was
    built from (recorded, or none)."""
    built_from = recorded(warehouse) or DefinitionFiles()
    segments = _absolute(named) if named is not None else built_from.segments
    if segments is None:
        raise NoDefinitionsFile(
            f"make serve: {warehouse} records no segments file its build read (built without one, or published "
            "without the monthly cycle); name the file the service is to edit and refresh with: "
            "make serve SEGMENTS_FILE=<segments.yml> (python -m segmentation.service --definitions <file>)"
        )
    return DefinitionFiles(segments, built_from.campaigns)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warehouse = _absolute(args.warehouse or default_published_database())
    if not warehouse.exists():
        print(f"make serve: no published warehouse at {warehouse}; build one with `make build`", file=sys.stderr)
        return 2
    try:
        files = definitions_files(warehouse, args.definitions)
    except NoDefinitionsFile as missing:
        print(str(missing), file=sys.stderr)
        return 2
    assert files.segments is not None
    import uvicorn

    from segmentation.service.app import create_app
    from segmentation.service.settings import Settings

    settings = Settings(
        published=warehouse,
        definitions=files.segments,
        raw_dir=args.raw_dir,
        working=_absolute(args.working) if args.working else None,
        campaigns=files.campaigns,
    )
    print(
        f"segment service on http://{args.host}:{args.port} (OpenAPI: /openapi.json, docs: /docs) serving {warehouse}, "
        f"definitions {settings.definitions}, campaigns {settings.campaigns or 'none'}; "
        "tokens: make token ROLE=<viewer|editor|admin> NAME=<who>",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0
