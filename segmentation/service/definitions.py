"""The definitions file the served warehouse is built from (segments.yml), read and edited by the service.

One source of truth: a segment created or changed through the service is an entry of the same file people edit by
hand, readable and diffable in git. Four rules keep it so:

- **Only the entry changes.** The file is parsed with ruamel.yaml's round-trip loader to find where each entry
  starts; a write replaces the lines of that one entry (or appends a new entry after the last), so every other byte of
  the file stays as it was, comments and order included. Inside the entry, ruamel.yaml keeps its comments and the
  style of every value that did not change.
- **Validated as the build validates.** The whole file as it would be written is checked with
  `segmentation.segments.definitions.load_segments_text`, the code the build and the monthly cycle run; an error in
  the entry written is a 422 naming its key.
- **Never a lost change.** Writes take an exclusive lock beside the file, re-read it under the lock, and require the
  entry's ETag (a hash of its content, so a hand edit of the entry changes it): a stale one is refused, not merged.
  The new file is written beside the old one and renamed over it (atomic); just before the rename the file is read
  again, and if a hand edit saved in between, the write starts over on the new text.
- **Built-in segments are not in the file** and cannot be written (409).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from segmentation.segments.definitions import SLUG, DefinitionErrors, load_segments_text
from segmentation.segments.rules import Segment

USER_TYPES = ("static", "dynamic")
ENTRY_ORDER = ("id", "name", "description", "type", "status", "criteria", "customer_ids", "customer_ids_file")
RETRIES = 5


class DefinitionsProblem(Exception):
    """A write that cannot be done; `status` is the HTTP status, `field` the request field it is about."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Entry:
    """One segment of the file, as written there."""

    slug: str
    segment_type: str
    data: dict[str, Any]  # the entry's keys and values, JSON-ready (dates as ISO text)
    etag: str
    start: int  # the entry's first line (its `- `), 0-based
    end: int  # the line after its last, before the next entry or the end of the file

    @property
    def segment_id(self) -> str:
        return f"{self.segment_type}/{self.slug}"


@dataclass(frozen=True)
class Snapshot:
    """The file as read: its text, its entries by segment id and the validated segments (None when invalid)."""

    text: str
    entries: dict[str, Entry]
    segments: dict[str, Segment] | None
    problem: str | None  # why the file as it is does not validate


def plain(value: Any) -> Any:
    """ruamel.yaml's round-trip values as plain JSON-ready ones (mappings, lists, text, numbers, ISO dates)."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def etag_of(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32] + '"'


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long description onto two lines
    yaml.indent(mapping=2, sequence=4, offset=2)  # the file's own style: `  - id: ...`, keys under the id
    return yaml


# ruamel.yaml counts these as line breaks too (YAML 1.1); a file holding one cannot be edited line by line.
OTHER_LINE_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def _lines(text: str) -> list[str]:
    """The file's lines, each with its line feed: split on line feeds only (str.splitlines splits on more)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


class DefinitionsFile:
    """The file at `path`; `builtin_ids` gives the catalog's built-in ids in_segment may name (None: not known)."""

    def __init__(self, path: Path, builtin_ids: Callable[[], Iterable[str] | None]) -> None:
        self.path = path
        self.builtin_ids = builtin_ids
        self._thread_lock = threading.Lock()
        self._cache: tuple[tuple[Any, ...], Snapshot] | None = None

    # reading

    def _read_text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as error:
            raise DefinitionsProblem(503, f"cannot read the definitions file {self.path}: {error}") from None

    def _parse(self, text: str) -> tuple[Any, list[str]]:
        try:
            document = _yaml().load(text) if text.strip() else None
        except YAMLError as error:
            raise DefinitionsProblem(
                409, f"the definitions file {self.path} is not valid YAML; fix it by hand first: {error}"
            ) from None
        return document, _lines(text)

    def _entries(self, document: Any, lines: list[str]) -> dict[str, Entry]:
        items = document.get("segments") if isinstance(document, Mapping) else None
        if not isinstance(items, CommentedSeq) or not items:
            return {}
        starts = [self._item_start(items, index, lines) for index in range(len(items))]
        entries: dict[str, Entry] = {}
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            slug, kind = item.get("id"), item.get("type")
            if not isinstance(slug, str) or kind not in USER_TYPES:
                continue
            data = plain(item)
            end = starts[index + 1] if index + 1 < len(starts) else len(lines)
            entries.setdefault(f"{kind}/{slug}", Entry(slug, str(kind), data, etag_of(data), starts[index], end))
        return entries

    @staticmethod
    def _item_start(items: CommentedSeq, index: int, lines: list[str]) -> int:
        """The line of the item's dash: its first key's line, or the nearest line above with the dash."""
        line, _ = items.lc.item(index)
        while line > 0 and not lines[line].lstrip().startswith("-"):
            line -= 1
        return int(line)

    def snapshot(self, builtin_ids: Iterable[str] | None = None) -> Snapshot:
        """The file now; `builtin_ids` (default: asked for) are the ids in_segment may name. Reads that find the file
        as it was (same size, time and inode) and the same ids reuse the last parse."""
        ids = tuple(builtin_ids) if builtin_ids is not None else self._builtin_ids()
        key = (self._stat(), ids)
        cached = self._cache
        if cached is not None and cached[0] == key and key[0] is not None:
            return cached[1]
        text = self._read_text()
        document, lines = self._parse(text)
        entries = self._entries(document, lines)
        try:
            segments = {s.segment_id: s for s in load_segments_text(text, self.path, ids)}
            problem = None
        except DefinitionErrors as errors:
            segments, problem = None, str(errors)
        snapshot = Snapshot(text, entries, segments, problem)
        if key[0] is not None and key[0] == self._stat():
            self._cache = (key, snapshot)
        return snapshot

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def _builtin_ids(self) -> tuple[str, ...] | None:
        ids = self.builtin_ids()
        return None if ids is None else tuple(ids)

    # writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time: threads of this process, and any other process using the same lock file."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._thread_lock, open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def write(self, change: Callable[[Snapshot], tuple[str, str]]) -> tuple[Entry | None, Entry | None]:
        """Apply `change` (the current file -> (segment id, the new text)) under the lock, validate the result with
        the build's code, and rename it into place; returns the entry before and after."""
        with self._locked():
            for _ in range(RETRIES):
                current = self.snapshot()
                if OTHER_LINE_BREAKS.search(current.text):
                    raise DefinitionsProblem(
                        409,
                        f"{self.path} holds a line break other than a line feed (CR, NEL, LS or PS); the service edits "
                        "only files with plain line feeds: fix it by hand first",
                    )
                segment_id, text = change(current)
                self._validate(text, segment_id, current)
                if self._replace(current.text, text):
                    after = self._entries(*self._parse(text)).get(segment_id)
                    return current.entries.get(segment_id), after
        raise DefinitionsProblem(409, f"{self.path} kept changing while it was written; try again")

    def _validate(self, text: str, segment_id: str, current: Snapshot) -> None:
        try:
            load_segments_text(text, self.path, self._builtin_ids())
        except DefinitionErrors as errors:
            slug = segment_id.split("/", 1)[1]
            own = [error for error in errors.errors if error.segment == slug]
            if own:
                first = own[0]
                field = _request_field(first.key)
                raise DefinitionsProblem(422, f"{field}: {first.message}", field) from None
            raise DefinitionsProblem(
                409,
                "the definitions file has errors in other segments; fix them by hand first: "
                f"{current.problem or errors}",
            ) from None

    def _replace(self, expected: str, text: str) -> bool:
        """Write `text` beside the file and rename it over the file, unless the file no longer holds `expected`."""
        staging = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.writing")
        try:
            with open(staging, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            if self._read_text() != expected:
                return False
            os.replace(staging, self.path)
        finally:
            staging.unlink(missing_ok=True)
        return True

    # the edits

    def create(self, entry: Mapping[str, Any]) -> Entry:
        segment_id = f"{entry['type']}/{entry['id']}"

        def change(current: Snapshot) -> tuple[str, str]:
            taken = [known for known in current.entries.values() if known.slug == entry["id"]]
            if taken:
                raise DefinitionsProblem(409, f"the id {entry['id']} is taken by segment {taken[0].segment_id}", "slug")
            return segment_id, _append(current.text, _ordered(entry), self)

        _, after = self.write(change)
        assert after is not None
        return after

    def update(self, segment_id: str, if_match: str, updates: Mapping[str, Any]) -> tuple[Entry, Entry]:
        """Set (or, with None, remove) the keys of `updates` in the entry."""

        def change(current: Snapshot) -> tuple[str, str]:
            entry = _matching(current, segment_id, if_match)
            document, lines = self._parse(current.text)
            item = _item(document, entry)
            for key, value in updates.items():
                if value is None:
                    item.pop(key, None)
                elif key not in item:
                    item.insert(_position(item, key), key, _styled(key, value))
                elif plain(item[key]) != plain(value):
                    item[key] = _styled(key, value)
            return segment_id, _splice(lines, entry, _dump_item(item))

        before, after = self.write(change)
        assert before is not None and after is not None
        return before, after

    def change_members(
        self, segment_id: str, if_match: str, add: Iterable[int] = (), remove: Iterable[int] = ()
    ) -> tuple[Entry, Entry]:
        """Add or remove ids in a static segment's inline `customer_ids` (source `manual`)."""
        adding, removing = list(dict.fromkeys(add)), set(remove)

        def change(current: Snapshot) -> tuple[str, str]:
            entry = _matching(current, segment_id, if_match)
            if entry.segment_type != "static":
                raise DefinitionsProblem(409, f"{segment_id} is dynamic: its members follow its criteria")
            if "customer_ids_file" in entry.data:
                raise DefinitionsProblem(
                    409,
                    f"{segment_id} lists its members in {entry.data['customer_ids_file']} (source import); edit that "
                    "file, or list the ids inline",
                )
            document, lines = self._parse(current.text)
            item = _item(document, entry)
            ids = item.get("customer_ids")
            if not isinstance(ids, CommentedSeq):
                ids = _flow([])
                item["customer_ids"] = ids
            present = set(plain(ids))
            for customer_id in adding:
                if customer_id not in present:
                    ids.append(customer_id)
                    present.add(customer_id)
            for index in reversed(range(len(ids))):
                if plain(ids[index]) in removing:
                    del ids[index]
            return segment_id, _splice(lines, entry, _dump_item(item))

        before, after = self.write(change)
        assert before is not None and after is not None
        return before, after


def _request_field(key: str) -> str:
    """A definition key as the request names it: `name` is `segment_name`, the rest as written."""
    return "segment_name" if key == "name" else ("slug" if key == "id" else key or "body")


def _matching(current: Snapshot, segment_id: str, if_match: str) -> Entry:
    entry = current.entries.get(segment_id)
    if entry is None:
        raise DefinitionsProblem(404, f"no segment {segment_id} in the definitions file")
    tags = {tag.strip() for tag in if_match.split(",")}
    if entry.etag not in tags and "*" not in tags:
        raise DefinitionsProblem(
            412, f"If-Match {if_match!r} is not the segment's current ETag {entry.etag}: read it again", "If-Match"
        )
    return entry


def _item(document: Any, entry: Entry) -> CommentedMap:
    for item in document["segments"]:
        if isinstance(item, CommentedMap) and item.get("id") == entry.slug and item.get("type") == entry.segment_type:
            return item
    raise DefinitionsProblem(409, f"segment {entry.segment_id} moved while it was written; try again")


def _position(item: CommentedMap, key: str) -> int:
    """Where a new key goes: after the keys that come before it in the usual order (id, name, description, type,
    status, criteria), so an added description sits under the name, as people write it."""
    rank = ENTRY_ORDER.index(key) if key in ENTRY_ORDER else len(ENTRY_ORDER)
    keys = list(item.keys())
    before = [index for index, existing in enumerate(keys) if existing in ENTRY_ORDER[:rank]]
    return before[-1] + 1 if before else len(keys)


def _flow(values: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _styled(key: str, value: Any) -> Any:
    """A new value in the file's style: lists of plain values on one line (`states: [CA, NY]`, the ids), mappings as
    blocks."""
    if isinstance(value, Mapping):
        block = CommentedMap()
        for name, item in value.items():
            block[name] = _styled(str(name), item)
        return block
    if isinstance(value, list):
        items = [_styled(key, item) for item in value]
        plain_values = all(not isinstance(item, Mapping | list) for item in value)
        return _flow(items) if plain_values else CommentedSeq(items)
    return value


def _ordered(entry: Mapping[str, Any]) -> CommentedMap:
    item = CommentedMap()
    for key in ENTRY_ORDER:
        if key in entry and entry[key] is not None:
            item[key] = _styled(key, entry[key])
    return item


def _dump_item(item: CommentedMap) -> list[str]:
    """The entry as list-item lines (`- id: ...` at column 0), without the comments that follow its last value (they
    belong to what comes after it and stay where they are)."""
    out = io.StringIO()
    _yaml().dump([item], out)
    lines = out.getvalue().splitlines(keepends=True)
    while lines and not _is_content(lines[-1]):
        lines.pop()
    indent = len(lines[0]) - len(lines[0].lstrip(" "))
    return [line[indent:] if line.startswith(" " * indent) else line for line in lines]


def _indented(lines: list[str], column: int) -> str:
    return "".join((" " * column + line) if line.strip() else line for line in lines)


def _splice(lines: list[str], entry: Entry, new_lines: list[str]) -> str:
    """The file with the entry's lines replaced, from its dash to its last value; what follows it stays."""
    span = lines[entry.start : entry.end]
    last = max(index for index, line in enumerate(span) if _is_content(line))
    column = len(span[0]) - len(span[0].lstrip(" "))
    replaced = _indented(new_lines, column)
    if not replaced.endswith("\n"):
        replaced += "\n"
    tail = span[last + 1 :]
    if not span[last].endswith("\n") and not tail and entry.end == len(lines):
        replaced = replaced[:-1]  # the file ended without a line break; keep it so
    return "".join([*lines[: entry.start], replaced, *tail, *lines[entry.end :]])


def _append(text: str, item: CommentedMap, file: DefinitionsFile) -> str:
    """The file with a new entry after the last one, indented like the others; a file without entries gets a
    `segments:` list (a file that is empty, or only comments, keeps them above it)."""
    document, lines = file._parse(text)
    items = document.get("segments") if isinstance(document, Mapping) else None
    entry_lines = _dump_item(item)
    if isinstance(items, CommentedSeq) and items:
        column = len(lines[file._item_start(items, 0, lines)]) - len(lines[file._item_start(items, 0, lines)].lstrip())
        base = text if text.endswith("\n") else text + "\n"
        return base + "\n" + _indented(entry_lines, column)
    if document is None:
        base = text if not text or text.endswith("\n") else text + "\n"
        return base + "segments:\n" + _indented(entry_lines, 2)
    if not isinstance(document, CommentedMap) or not (items is None or isinstance(items, list)):
        raise DefinitionsProblem(409, "the definitions file is not a mapping with a `segments` list; fix it first")
    # `segments:` with no entries (null or []): the only case where the file is re-dumped as a whole.
    document["segments"] = CommentedSeq([item])
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def slug_from_name(name: str) -> str:
    """A definition id from a segment name: lower case, words joined by `_`, starting with a letter."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    slug = "_".join(words)[:63].strip("_")
    if not slug or not slug[0].isalpha():
        slug = ("segment_" + slug)[:63].strip("_")
    return slug if SLUG.fullmatch(slug) else "segment"
