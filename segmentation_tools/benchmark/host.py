"""The machine and the versions a benchmark ran on."""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any


def read_text(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model(cpuinfo_text: str) -> str:
    for line in cpuinfo_text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def mem_total_bytes(meminfo_text: str) -> int:
    for line in meminfo_text.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(read_text("/proc/cpuinfo")),
        "memory_bytes": mem_total_bytes(read_text("/proc/meminfo")),
        # The machine may be shared: a high load at the start explains slow or spread-out figures.
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for package in ("duckdb", "dbt-core", "dbt-duckdb"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
