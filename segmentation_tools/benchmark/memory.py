"""Memory of a process tree: the summed resident memory of a process and its descendants, read
from /proc."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def stat_parent_pid(stat_text: str) -> int:
    # Field 2 (the command name) is in parentheses and may itself hold spaces or ')', so the
    # fields are counted from the last ')': state, then the parent pid.
    return int(stat_text.rsplit(")", 1)[1].split()[1])


def status_rss_kb(status_text: str) -> int:
    """VmRSS in kB; 0 for a process that has none (a zombie, a kernel thread)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def descendants(parents: Mapping[int, int], root: int) -> set[int]:
    """`root` and every process below it, from a pid -> parent pid map."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, pending = {root}, [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in tree:
                tree.add(child)
                pending.append(child)
    return tree


def tree_rss_bytes(root: int, proc: Path = Path("/proc")) -> int:
    """The summed resident memory of `root` and its descendants now, from a /proc-like folder.

    Only processes are listed at the top of /proc (threads are under <pid>/task), so a
    multi-threaded dbt is counted once. A process that exits between listing and reading is
    skipped. Shared pages (libraries) count in each process, so this slightly over-counts.
    """
    parents: dict[int, int] = {}
    for entry in os.scandir(proc):
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = stat_parent_pid((proc / entry.name / "stat").read_text())
            except (OSError, ValueError, IndexError):
                continue
    total_kb = 0
    for pid in descendants(parents, root):
        try:
            total_kb += status_rss_kb((proc / str(pid) / "status").read_text())
        except OSError:
            continue
    return total_kb * 1024
