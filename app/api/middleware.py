"""Pure ASGI middleware (performance-notes.md: BaseHTTPMiddleware costs ~3x).

- RequestIdMiddleware: echoes or assigns `X-Request-ID`.
- BodyLimitMiddleware: refuses bodies over the limit with 413 problem+json,
  by Content-Length up front and by counting the bytes of a streamed body.
- ProblemCORSMiddleware: Starlette's CORS, with a refused preflight answered
  as problem+json like every other error.
- UnexpectedErrorMiddleware: answers an unforeseen exception's 500 inside
  the two above, so it carries CORS headers and the request id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from random import getrandbits

import orjson
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID = b"x-request-id"


#: A client's id is kept when it is 1-200 visible ASCII characters: it is echoed in a header
#: and written in the access log, where a space or a control character would forge a field.
_SANE_ID = re.compile(rb"[\x21-\x7e]{1,200}")


#: Where the id decided for a request is kept (app.api.request_context.assign).
SCOPE_KEY = "followup.request_id"


def request_id_of(scope: Scope) -> bytes:
    """The request's id: the one already decided for it, else the client's `X-Request-ID`
    when it is sane, else a new one."""
    decided = scope.get(SCOPE_KEY)
    if decided is not None:
        return decided
    for name, value in scope["headers"]:
        if name == REQUEST_ID and _SANE_ID.fullmatch(value):
            return value
    # 128 random bits as 32 hex digits, like uuid4().hex, at a fifth of its cost:
    # an id to correlate logs needs no system entropy per request. `random`
    # reseeds itself in every new or forked worker.
    return b"%032x" % getrandbits(128)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (REQUEST_ID, request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyTooLarge(HTTPException):
    """Raised while the app reads the body; FastAPI re-raises HTTPExceptions as is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


def _too_large_body(limit: int) -> bytes:
    return orjson.dumps(
        {
            "type": "https://followup.invalid/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request body is larger than the limit of {limit} bytes.",
            "errors": None,
        }
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        body = _too_large_body(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
                break

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._refuse(send)


class ProblemCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        body = orjson.dumps(
            {
                "type": "https://followup.invalid/problems/cors-preflight-refused",
                "title": "CORS preflight refused",
                "status": response.status_code,
                "detail": bytes(response.body).decode() + ": this origin, method or header is not allowed.",
                "errors": None,
            }
        )
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return Response(body, status_code=response.status_code, media_type="application/problem+json", headers=headers)


class UnexpectedErrorMiddleware:
    """An exception no handler took becomes the 500 problem here, inside the CORS and
    request-id middleware: Starlette answers it in ServerErrorMiddleware, outside every
    user middleware, so a browser saw a CORS failure instead of the error and the one
    answer worth tracing had no `X-Request-ID`. The exception is raised again once
    answered, as ServerErrorMiddleware does (which then sends nothing more), so the
    server logs it and tests that want it still get it."""

    def __init__(self, app: ASGIApp, answer: Callable[[BaseException], Response]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if not started:
                await self.answer(exc)(scope, receive, send)
            raise
