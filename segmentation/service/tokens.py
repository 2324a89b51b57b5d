"""Bearer tokens: issued, listed and revoked on the command line only (`make token`), stored hashed.

`python -m segmentation.service.tokens [--warehouse PUBLISHED] issue --role viewer|editor|admin --name WHO` prints the
new token on its last line, once: the store keeps its SHA-256 only (a token is 32 random bytes, so a plain hash is
as good as a slow one and checking it costs nothing), so it can never be shown again. `list` shows each token's id,
name, role and dates; `revoke TOKEN_ID` ends one. Every change is appended to the service's audit log. The store is
`service/tokens.json` beside the published file, rewritten by rename under an exclusive lock, so the running service
(which re-reads it when it changes) sees a revocation on its next request.
"""

from __future__ import annotations

import argparse
import fcntl
import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from segmentation.project import default_published_database, from_work_dir
from segmentation.service import audit
from segmentation.service.settings import AUDIT_FILE, TOKENS_FILE, state_dir

ROLES = ("viewer", "editor", "admin")
PREFIX = "sst"  # segment service token
NAME_LIMIT = 100


@dataclass(frozen=True)
class Token:
    token_id: str
    name: str
    role: str
    sha256: str
    created_at: str
    revoked_at: str | None = None


class TokenError(Exception):
    """A refused command: an unknown role or token id, an empty name."""


class TokenStoreUnreadable(Exception):
    """The token store is not what this module writes (edited by hand?): every request is refused (503)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_id_of(presented: str) -> str | None:
    """`sst_<id>_<secret>` -> id; None for anything else."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int, int], dict[str, Token]] | None = None

    def read(self) -> dict[str, Token]:
        """Every token by id; re-read only when the file changed (mtime, size, inode)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._cache is None or self._cache[0] != key:
            try:
                rows = json.loads(self.path.read_text(encoding="utf-8") or "[]")
                tokens = {row["token_id"]: Token(**row) for row in rows}
            except (OSError, ValueError, TypeError, KeyError) as error:
                raise TokenStoreUnreadable(f"the token store {self.path} cannot be read: {error}") from None
            self._cache = (key, tokens)
        return self._cache[1]

    def check(self, presented: str) -> Token | None:
        """The live token `presented` is, or None; the comparison takes the same time for any wrong secret."""
        token_id = token_id_of(presented)
        token = self.read().get(token_id) if token_id else None
        candidate = digest(presented)
        if token is None:
            hmac.compare_digest(candidate, candidate)
            return None
        if not hmac.compare_digest(candidate, token.sha256) or token.revoked_at is not None:
            return None
        return token

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Token]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._cache = None
            tokens = dict(self.read())
            yield tokens
            staging = self.path.with_name(self.path.name + ".writing")
            descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                json.dump([asdict(token) for token in tokens.values()], out, indent=2)
                out.write("\n")
            os.replace(staging, self.path)

    def issue(self, role: str, name: str) -> tuple[Token, str]:
        """A new token: the stored record and the token itself, which exists nowhere else."""
        if role not in ROLES:
            raise TokenError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        name = name.strip()
        if not name or len(name) > NAME_LIMIT or any(not char.isprintable() for char in name):
            raise TokenError(f"NAME must be 1 to {NAME_LIMIT} printable characters (who uses the token)")
        token_id = secrets.token_hex(4)
        presented = f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
        record = Token(token_id, name, role, digest(presented), audit.now_utc())
        with self._locked() as tokens:
            tokens[token_id] = record
        return record, presented

    def revoke(self, token_id: str) -> Token:
        with self._locked() as tokens:
            if token_id not in tokens:
                raise TokenError(f"no token {token_id!r} (make token LIST=1 lists them)")
            if tokens[token_id].revoked_at is None:
                tokens[token_id] = replace(tokens[token_id], revoked_at=audit.now_utc())
            return tokens[token_id]


def _operator() -> audit.Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return audit.Actor(name=f"{user} (command line)", token_id="", role="operator")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m segmentation.service.tokens", description="Issue, list and revoke the segment service's tokens."
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help=f"the published warehouse the service serves (default: {default_published_database()})",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="a new token; printed once, on the last line")
    issue.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    issue.add_argument("--name", required=True, help="who uses it (shown in the audit log)")
    commands.add_parser("list", help="every token's id, name, role and dates (never the token)")
    revoke = commands.add_parser("revoke", help="end a token")
    revoke.add_argument("token_id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warehouse = args.warehouse or default_published_database()
    warehouse = from_work_dir(warehouse)
    folder = state_dir(warehouse)
    store = TokenStore(folder / TOKENS_FILE)
    try:
        if args.command == "list":
            for token in sorted(store.read().values(), key=lambda token: token.created_at):
                state = f"revoked {token.revoked_at}" if token.revoked_at else "active"
                print(f"{token.token_id}  {token.role:<6}  {token.name}  created {token.created_at}  {state}")
            print(f"{len(store.read())} token(s) in {store.path}")
        elif args.command == "revoke":
            token = store.revoke(args.token_id)
            audit.record(folder / AUDIT_FILE, _operator(), "token.revoke", after={"token_id": token.token_id})
            print(f"revoked {token.token_id} ({token.role}, {token.name}) at {token.revoked_at}")
        else:
            token, presented = store.issue(args.role, args.name)
            audit.record(
                folder / AUDIT_FILE,
                _operator(),
                "token.issue",
                after={"token_id": token.token_id, "name": token.name, "role": token.role},
            )
            print(f"token {token.token_id} for {token.name}, role {token.role}, for the service on {warehouse}")
            print("it is shown once and stored hashed; send it as `Authorization: Bearer <token>`:")
            print(presented)
    except TokenError as error:
        print(f"make token: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
