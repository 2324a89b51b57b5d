"""The service's audit log: one JSON line per write, refresh, export and token change, appended, never rewritten.

Who (the token's name and id), what (the action and the segment), when (UTC) and the segment's definition before and
after. It lives in `service/audit.jsonl` beside the published file, so it survives rebuilds and publishes (see
settings.py), and it is appended exactly as the exports' log is (segmentation/exports/audit.py: one whole line per
write on an O_APPEND descriptor under an exclusive lock).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segmentation.exports.audit import append_json_line


@dataclass(frozen=True)
class Actor:
    """Who made a request: the token's name, id and role (or the command line's user for token changes)."""

    name: str
    token_id: str
    role: str


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    log: Path,
    actor: Actor,
    action: str,
    segment_id: str | None = None,
    before: Any = None,
    after: Any = None,
    **detail: Any,
) -> None:
    """Append one record; `detail` adds what the action needs (a job id, an export's file and row count)."""
    line: dict[str, Any] = {
        "at": now_utc(),
        "who": actor.name,
        "token_id": actor.token_id,
        "role": actor.role,
        "action": action,
        "segment_id": segment_id,
        "before": before,
        "after": after,
        **detail,
    }
    append_json_line(log, line)


def read(log: Path) -> list[Mapping[str, Any]]:
    if not log.exists():
        return []
    with open(log, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]
