"""A throwaway PostgreSQL server on loopback, for building the warehouse on Postgres in CI.

The server binaries come from Debian's `postgresql` package, which `make system-deps` installs (docs/engines.md);
nothing here installs them: without them the run stops with PostgresUnavailable naming that command. `initdb`
refuses to run as root, so as root the server runs as the `postgres` user the package creates. The data folder is
temporary and fsync is off: nothing here outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEARCH_ROOT = Path("/usr/lib/postgresql")
DEFAULT_PORT = 54329


class PostgresUnavailable(Exception):
    """No server binaries here, or the server would not start."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    database: str

    def environment(self) -> dict[str, str]:
        """The variables the `postgres` target in profiles.yml reads (and the loader, from it)."""
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGDATABASE": self.database}


def find_bin_dir(search_root: Path = SEARCH_ROOT) -> Path | None:
    """The newest installed server's bin folder (the one holding initdb), if any."""
    candidates = [path.parent for path in search_root.glob("*/bin/initdb")]
    if not candidates:
        return None
    return max(candidates, key=lambda path: _major_version(path.parent.name))


def _major_version(name: str) -> int:
    return int(name) if name.isdigit() else -1


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """`preferred` when nothing listens on it, else any free port."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise PostgresUnavailable("no free TCP port on 127.0.0.1")


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    completed = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if completed.returncode != 0:
        raise PostgresUnavailable(
            f"{Path(command[0]).name} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )


@contextlib.contextmanager
def running_server(
    database: str = "segmentation", port: int = DEFAULT_PORT, search_root: Path = SEARCH_ROOT
) -> Iterator[PostgresServer]:
    """Start a server in a temporary folder, create `database`, and stop and remove it all afterwards."""
    bin_dir = find_bin_dir(search_root)
    if bin_dir is None:
        raise PostgresUnavailable(
            f"no PostgreSQL server binaries under {search_root}: install them with `make system-deps` "
            "(Debian's postgresql package)"
        )
    work = Path(tempfile.mkdtemp(prefix="segmentation-postgres-"))
    data_dir = work / "data"
    if os.geteuid() == 0:
        shutil.chown(work, user="postgres")
    port = free_port(port)
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        settings = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={work} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-l",
                str(work / "server.log"),
                "-o",
                settings,
                "-w",
                "start",
            ]
        )
        try:
            _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database])
            yield PostgresServer("127.0.0.1", port, "postgres", database)
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
