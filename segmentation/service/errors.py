"""The error answers: every one a Problem (`detail`, and the `field` it is about), none a 500 for bad input.

Request validation (wrong types, unknown fields, malformed JSON, out-of-range pages) is FastAPI's, re-worded so the
first line names the field; the service's own refusals are DefinitionsProblem (a status and a field); a published
warehouse that cannot answer is 503. An unexpected error is still logged and answered as a Problem, never a stack
trace.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from segmentation.service.definitions import DefinitionsProblem
from segmentation.service.queries import WarehouseUnavailable
from segmentation.service.tokens import TokenStoreUnreadable

log = logging.getLogger("segmentation.service")
LOCATIONS = ("body", "query", "path", "header")


def _field(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def problem(status: int, detail: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, "field": field}
    body.update(extra)
    return JSONResponse(status_code=status, content=body)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if any(item.get("type") == "json_invalid" for item in error.errors()):
        return problem(422, "body: not valid JSON", "body", errors=[{"field": "body", "message": "not valid JSON"}])
    errors = [{"field": _field(item.get("loc", ())), "message": str(item.get("msg", ""))} for item in error.errors()]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    return problem(422, f"{first['field']}: {first['message']}", first["field"], errors=errors)


async def definitions_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DefinitionsProblem)
    return problem(error.status, error.message, error.field)


async def unavailable(request: Request, error: Exception) -> JSONResponse:
    return problem(503, str(error))


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    response = problem(error.status_code, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "an unexpected error; it was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DefinitionsProblem, definitions_problem)
    app.add_exception_handler(WarehouseUnavailable, unavailable)
    app.add_exception_handler(TokenStoreUnreadable, unavailable)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


class BodyLimit:
    """Refuse a request body over `limit` bytes with a 413 Problem before any route reads it: at once when its
    Content-Length says so, else (a chunked body) after reading at most `limit` + 1 bytes of it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                await self._too_large(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"body: larger than {self.limit:,} bytes", "body")
        await response(scope, receive, send)
