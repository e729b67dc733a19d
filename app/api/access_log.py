"""One line per request, for operators: method, path, status, duration, request id.

It replaces uvicorn's access log (`app.server.serve` turns that off), which
wrote the query string (`?external_ref=...&company_name=...` names a
candidate in a recruiter's system) and neither the duration nor the
`X-Request-ID` an operator follows a request by (decided before the
request is answered, app.api.request_context). Written from
`FollowupAPI.__call__`, so the fast lane's answers are logged too, and only
when the `followup.access` logger is enabled (`serve --log-level info`, the
default): tests and `--log-level warning` pay one level check.
"""

from __future__ import annotations

import logging
from time import perf_counter
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import request_context

log = logging.getLogger("followup.access")
_INFO = logging.INFO
#: A path is the client's own text on a 404; keep a line a line.
PATH_LIMIT = 200


async def logged(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `app` and log its answer; a request the client left before any answer is logged as 499."""
    if not log.isEnabledFor(_INFO):
        await app(scope, receive, send)
        return
    started = perf_counter()
    status = 499

    async def watched(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, watched)
    except Exception:
        status = 500 if status == 499 else status
        raise
    finally:
        log.info(
            "%s %s %d %.1f ms %s",
            scope["method"],
            loggable(scope["path"]),
            status,
            (perf_counter() - started) * 1000,
            request_context.current.get(),  # the id the answer's X-Request-ID carries
        )


def loggable(path: str) -> str:
    """The path as one field of one line, at most PATH_LIMIT characters.

    `scope["path"]` is percent-decoded: `/v1/%0AGET%20/x%20200` would write a line
    break and spaces, forging a line or a field. Such a path is logged
    percent-encoded again, as uvicorn's access log wrote every path; a plain one
    as it is (the common case pays for three string checks, not a `quote`).
    """
    if path.isascii() and path.isprintable() and " " not in path:
        return path[:PATH_LIMIT]
    return quote(path[:PATH_LIMIT], safe="/")[:PATH_LIMIT]
