"""The segment service as its users run it: `python -m segmentation.service` (what `make serve` runs) in a subprocess
on a free port of 127.0.0.1, on a published copy of the sample warehouse and a copy of the definitions file, with
tokens issued by `python -m segmentation.service.tokens` (what `make token` runs), read from its last line.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from integration.harness import PROJECT_DIR, Warehouse, commands_env
from segmentation.build_definitions import DefinitionFiles
from segmentation.publish import publish
from segmentation_tools.datagen.demo_campaigns import CAMPAIGNS_FILE
from segmentation_tools.datagen.demo_segments import LISTS_DIR, SEGMENTS_FILE

STARTUP_SECONDS = 60
TOKENS = (sys.executable, "-m", "segmentation.service.tokens")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def issue_token(published: Path, role: str, name: str) -> str:
    """`make token ROLE=... NAME=...`: the token is the last line of what it prints."""
    completed = subprocess.run(
        [*TOKENS, "--warehouse", str(published), "issue", "--role", role, "--name", name],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip().splitlines()[-1]


@dataclass
class Service:
    url: str
    published: Path
    definitions: Path
    work: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token

    def client(self, role: str | None = "admin", timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return (self.work / "server.log").read_text(encoding="utf-8", errors="replace")


def published_copy(built: Warehouse, work: Path) -> Path:
    """The sample's marts published into `work/published/`, as `make build` publishes the demo, recording the
    sample's definitions files as the build's."""
    path = work / "published" / "warehouse.duckdb"
    publish(built.database, path, DefinitionFiles(built.raw_dir / SEGMENTS_FILE, built.raw_dir / CAMPAIGNS_FILE))
    return path


def definitions_copy(built: Warehouse, work: Path) -> Path:
    """The sample's segments file (the demo's), with the CSV of ids it names, in `work`: the service edits the copy."""
    shutil.copytree(built.raw_dir / LISTS_DIR, work / LISTS_DIR, dirs_exist_ok=True)
    path = work / SEGMENTS_FILE
    shutil.copy(built.raw_dir / SEGMENTS_FILE, path)
    return path


@contextmanager
def running_service(
    published: Path,
    definitions: Path,
    work: Path,
    raw_dir: Path | None = None,
    working: Path | None = None,
    roles: tuple[str, ...] = ("viewer", "editor", "admin"),
) -> Iterator[Service]:
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "segmentation.service", "--warehouse", str(published)]
    command += ["--definitions", str(definitions), "--port", str(port)]
    command += ["--raw-dir", str(raw_dir)] if raw_dir else []
    command += ["--working", str(working)] if working else []
    env = {**commands_env(work), "PYTHONUNBUFFERED": "1"}
    with open(work / "server.log", "wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    service = Service(f"http://127.0.0.1:{port}", published, definitions, work, process)
    try:
        service.tokens = {role: issue_token(published, role, f"test {role}") for role in roles}
        _wait_until_up(service)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(service: Service) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"the service exited with {service.process.returncode}:\n{service.log()}")
        try:
            if httpx.get(service.url + "/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the service did not answer within {STARTUP_SECONDS} s:\n{service.log()}")
