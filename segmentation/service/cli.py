"""`python -m segmentation.service --warehouse PUBLISHED --definitions segments.yml --raw-dir RAW [--port 8000]`:
serve the segmentation API with uvicorn (what `make serve` runs; docs/service.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from segmentation.project import default_published_database, from_work_dir
from segmentation.segments.build import DEFAULT_FILE


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
        default=Path(DEFAULT_FILE),
        help="the definitions file the warehouse is built from, which the service edits (default: segments.yml)",
    )
    parser.add_argument("--raw-dir", default=None, help="the warehouse's raw folder, for refreshes (none: refused)")
    parser.add_argument(
        "--working", type=Path, default=None, help="the working file a refresh builds (default: the one published)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warehouse = _absolute(args.warehouse or default_published_database())
    if not warehouse.exists():
        print(f"make serve: no published warehouse at {warehouse}; build one with `make build`", file=sys.stderr)
        return 2
    import uvicorn

    from segmentation.service.app import create_app
    from segmentation.service.settings import Settings

    settings = Settings(
        published=warehouse,
        definitions=_absolute(args.definitions),
        raw_dir=args.raw_dir,
        working=_absolute(args.working) if args.working else None,
    )
    print(
        f"segment service on http://{args.host}:{args.port} (OpenAPI: /openapi.json, docs: /docs) serving {warehouse}, "
        f"definitions {settings.definitions}; tokens: make token ROLE=<viewer|editor|admin> NAME=<who>",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0
