"""The request id on every log line written while a request is answered.

The access line carries the id, but an error logged during the request (a
500's traceback, a database error) did not, so an operator could not tie the
two together. `FollowupAPI.__call__` decides the id once per request
(`assign`) and sets `current` for the request's task; `asyncio.to_thread`
copies the context, so offloaded work logs it too. `RequestIdFilter` stamps
it on the records of the service's log handler (`app.server.log_config`);
outside a request it is "-".
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from starlette.types import Scope

from app.api.middleware import SCOPE_KEY, request_id_of

current: ContextVar[str] = ContextVar("followup_request_id", default="-")


def assign(scope: Scope) -> str:
    """The request's id, decided once and kept in the scope, where the middleware and
    the fast lane read it for the `X-Request-ID` header."""
    request_id = request_id_of(scope)
    scope[SCOPE_KEY] = request_id
    return request_id.decode("ascii")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record a handler emits (the formatter prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
