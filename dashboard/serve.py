"""`make dashboard`: check the published warehouse is there, print the address, and serve the app headless.

python -m dashboard.serve [--database <published warehouse.duckdb>] [--port 8501] [--address 127.0.0.1]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from segmentation.project import from_work_dir, work_dir

# `make dashboard` passes the file with --database; the app reads it from this variable. Default: the demo's.
DATABASE_VARIABLE = "DASHBOARD_DATABASE"
DEMO_PUBLISHED = from_work_dir("data/demo/published/warehouse.duckdb")

# The app beside this module, in a checkout or an installed package alike.
APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_PORT = 8501


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """Headless, no usage statistics sent, no file watcher, no deploy button."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", type=Path, default=DEMO_PUBLISHED, help=f"default: {DEMO_PUBLISHED}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--address", default="127.0.0.1", help="0.0.0.0 to serve other machines")
    args = parser.parse_args(argv)
    database = args.database.expanduser().resolve()
    if not database.exists():
        print(
            f"dashboard: no published warehouse at {database}. Build the demo first with `make build`, or point it "
            "at yours: `make dashboard PUBLISHED_PATH=<your published warehouse.duckdb>`.",
            file=sys.stderr,
        )
        return 1
    host = "localhost" if args.address in ("127.0.0.1", "0.0.0.0") else args.address
    print(f"dashboard: reading {database} (read-only); open http://{host}:{args.port} (Ctrl-C stops it)", flush=True)
    os.environ[DATABASE_VARIABLE] = str(database)
    os.chdir(work_dir())
    os.execv(sys.executable, streamlit_command(args.port, args.address))


if __name__ == "__main__":
    sys.exit(main())
