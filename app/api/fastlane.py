"""A fast lane for the two hottest reads, in front of FastAPI's per-request machinery.

`GET /v1/interviews/{interview_id}/actions` and
`GET /v1/interviews/{interview_id}/messages/{message_kind}` are what career
sites poll. Through FastAPI, dependency solving, parameter validation and
nested routing cost more than the query and the planning themselves
(measured with bench/actions_route.py: ~60% of the request). The app
(`FollowupAPI`) asks the fast lane first: it answers the *plain success
case* of those two routes with the very same functions the FastAPI handlers
call (authentication, services, serialisers), so the bytes are the same, and
adds the `X-Request-ID` the middleware would have added.

Anything else goes on to FastAPI untouched, which then answers it in full:
a browser request (an `Origin` header: CORS is the middleware's), a
parameter it does not know or cannot parse, a missing or wrong key, an
unknown interview, a message that does not apply, a tenant template (rendered
in the sandbox), an `.eml`, a database error. The fast lane never answers an
error itself, so every error keeps its one definition (app.api.problems).
tests/api/test_fastlane.py proves both paths answer alike.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError
from starlette.types import Receive, Scope, Send

from app.api.auth import authenticate, bearer_token
from app.api.deps import get_now
from app.api.middleware import REQUEST_ID, request_id_of
from app.api.presenters import action_dict, json_bytes, message_dict
from app.api.schemas.common import Timestamp
from app.domain.model import MessageKind
from app.services import actions as actions_service
from app.services import messages as messages_service
from app.services.errors import ServiceError
from app.services.tenancy import TenantContext

_ACTIONS = re.compile(r"/v1/interviews/([^/]{1,100})/actions")
_MESSAGES = re.compile(r"/v1/interviews/([^/]{1,100})/messages/([a-z_]{1,32})")
_KINDS = {kind.value: kind for kind in MessageKind}
_TIMESTAMP = TypeAdapter(Timestamp)
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


class _NotPlain(Exception):
    """The request is not the plain success case: FastAPI answers it."""


def _query(scope: Scope, allowed: dict[str, int]) -> dict[str, str]:
    """Known, single-valued, printable ASCII query parameters within their length, else _NotPlain."""
    raw = scope["query_string"]
    if not raw:
        return {}
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise _NotPlain from None
    values: dict[str, str] = {}
    for name, value in pairs:
        limit = allowed.get(name)
        if limit is None or name in values or not value or len(value) > limit or not _PRINTABLE.fullmatch(value):
            raise _NotPlain
        values[name] = value
    return values


def _moment(values: dict[str, str]) -> datetime | None:
    if "at" not in values:
        return None
    try:
        return _TIMESTAMP.validate_python(values["at"])
    except ValidationError:
        raise _NotPlain from None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class FastLane:
    def __init__(self, fastapi: FastAPI) -> None:
        self.fastapi = fastapi

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Answer the request if it is a plain success case of a hot read; False hands it on."""
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/v1/interviews/"):
            return False
        if _header(scope, b"origin") is not None:
            return False
        try:
            body = await self._answer(scope)
        except (_NotPlain, ServiceError):
            return False
        except Exception:  # noqa: BLE001 - e.g. a database error: FastAPI answers it in full
            return False
        if body is None:
            return False
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (REQUEST_ID, request_id_of(scope)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _now(self) -> datetime:
        """The request clock, honouring a dependency override (sync or async) as FastAPI would."""
        clock: Callable = self.fastapi.dependency_overrides.get(get_now, get_now)
        moment = clock()
        return await moment if inspect.isawaitable(moment) else moment

    def _tenant(self, scope: Scope) -> TenantContext:
        state = self.fastapi.state
        return authenticate(state.db, state.key_cache, bearer_token(_header(scope, b"authorization")))

    async def _answer(self, scope: Scope) -> bytes | None:
        path = scope["path"]
        if match := _ACTIONS.fullmatch(path):
            return await self._actions(scope, match.group(1))
        if match := _MESSAGES.fullmatch(path):
            return await self._message(scope, match.group(1), match.group(2))
        return None

    async def _actions(self, scope: Scope, interview_id: str) -> bytes:
        at = _moment(_query(scope, {"at": 64}))
        tenant = self._tenant(scope)
        now = await self._now()
        moment = at or now
        with self.fastapi.state.db.session(write=False) as session:
            actions = actions_service.interview_actions(
                session=session, tenant=tenant, interview_id=interview_id, at=moment, now=now
            )
        return json_bytes({"interview_id": interview_id, "at": moment, "actions": [action_dict(a) for a in actions]})

    async def _message(self, scope: Scope, interview_id: str, kind_name: str) -> bytes:
        kind = _KINDS.get(kind_name)
        accept = _header(scope, b"accept")
        if kind is None or (accept is not None and "rfc822" in accept.lower()):
            raise _NotPlain
        values = _query(scope, {"contact_id": 100, "at": 64, "locale": 35})
        at = _moment(values)
        tenant = self._tenant(scope)
        moment = at or await self._now()
        locale, accept_language = values.get("locale"), _header(scope, b"accept-language")
        with self.fastapi.state.db.session(write=False) as session:
            source = messages_service.load_render_input(
                session=session, tenant=tenant, interview_id=interview_id, kind=kind, locale=locale, accept_language=accept_language
            )
        if source.custom is not None:
            raise _NotPlain  # tenant templates wait on the sandbox: the FastAPI route does that off the loop
        message = messages_service.render(
            tenant=tenant, source=source, kind=kind, contact_id=values.get("contact_id"), at=moment, locale=locale,
            accept_language=accept_language,
        )
        return json_bytes(message_dict(message))


class FollowupAPI(FastAPI):
    """FastAPI that lets the fast lane answer first (when enabled)."""

    fast_lane: FastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fast_lane is not None and await self.fast_lane.answer(scope, send):
            return
        await super().__call__(scope, receive, send)
