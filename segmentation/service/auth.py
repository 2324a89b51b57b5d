"""Who is calling and what their role allows: every route depends on `require(permission)`.

No token, a malformed one, an unknown, wrong or revoked one: 401, with the same body whatever the reason, so the
answer never tells which tokens exist. A valid token whose role lacks the permission: 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from segmentation.service.audit import Actor
from segmentation.service.tokens import TokenStore

READ = "read"
CREATE = "create"
UPDATE = "update"
DELETE = "delete"
EXPORT = "export"

PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({READ}),
    "editor": frozenset({READ, CREATE, UPDATE}),
    "admin": frozenset({READ, CREATE, UPDATE, DELETE, EXPORT}),
}
UNAUTHORIZED = "a valid bearer token is required (Authorization: Bearer <token>; `make token` issues one)"

bearer = HTTPBearer(auto_error=False, description="A token from `make token ROLE=<viewer|editor|admin> NAME=<who>`.")


def require(permission: str) -> Callable[..., Actor]:
    def check(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
        store: TokenStore = request.app.state.tokens
        token = store.check(credentials.credentials) if credentials is not None else None
        if token is None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        if permission not in PERMISSIONS.get(token.role, frozenset()):
            raise HTTPException(403, f"the role {token.role} may not {permission} (token {token.token_id})")
        return Actor(name=token.name, token_id=token.token_id, role=token.role)

    return check
