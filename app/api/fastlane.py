"""A fast lane for the three hottest routes, in front of FastAPI's per-request machinery.

`GET /v1/interviews/{interview_id}/actions` and
`GET /v1/interviews/{interview_id}/messages/{message_kind}` are what career
sites poll; `POST /v1/interviews/{interview_id}/events` is what every
integration writes. Through FastAPI, dependency solving, parameter
validation and nested routing cost more than the query and the planning of
a read (measured with bench/actions_route.py: ~60% of the request), and
about 0.2 ms of a write's 1.3 ms (bench/load.py, one connection). The app
(`FollowupAPI`) asks the fast lane first: it answers the *plain case* of
those routes with the very same functions the FastAPI handlers call
(authentication, body model, services, serialisers), so the bytes are the
same, and adds the `X-Request-ID` the middleware would have added.

Anything else goes on to FastAPI untouched, which then answers it in full:
a browser request (an `Origin` header: CORS is the middleware's), a
parameter it does not know or cannot parse, a body that is not a valid
event (or repeats a key in one object) or not declared JSON of a known
small length, a missing or wrong key, an unknown interview, a message that
does not apply, a tenant template (rendered in the sandbox), an `.eml`, a
database error on a read. So every error keeps its one definition
(app.api.problems), with one exception: once a write has begun, its error
is answered right here, through the app's own exception handler for it,
because handing on would run the write a second time.
tests/api/test_fastlane.py proves both paths answer alike.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl

import orjson
from fastapi import FastAPI, Request
from pydantic import TypeAdapter, ValidationError
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.api import access_log, request_context
from app.api.auth import authenticate, bearer_token
from app.api.deps import get_now
from app.api.idempotency import KEY_MAX_LENGTH, KEY_PATTERN, Idempotency, parsed_request_hash
from app.api.middleware import REQUEST_ID, request_id_of
from app.api.presenters import action_dict, json_bytes, message_dict
from app.api.routes import messages
from app.api.routes.events import store_event
from app.api.schemas.common import Timestamp
from app.api.schemas.events import EventCreate
from app.api.unique_keys import check_unique_keys
from app.domain.model import MessageKind
from app.services import actions as actions_service
from app.services import messages as messages_service
from app.services.errors import ServiceError
from app.services.tenancy import TenantContext

#: An id with a NUL is refused by FastAPI's parameter (app.api.params), never looked up here.
_ACTIONS = re.compile(r"/v1/interviews/([^/\x00]{1,100})/actions")
_MESSAGES = re.compile(r"/v1/interviews/([^/\x00]{1,100})/messages/([a-z_]{1,32})")
#: `Vary` as FastAPI's path sends it: CORS adds Origin to every answer, the messages
#: route its own (`messages.VARY`) before it.
_VARY = (b"vary", b"Origin")
_MESSAGE_VARY = (b"vary", f"{messages.VARY['Vary']}, Origin".encode())
_EVENTS = re.compile(r"/v1/interviews/([^/\x00]{1,100})/events")
_KINDS = {kind.value: kind for kind in MessageKind}
#: An event's body is a few hundred bytes; a longer one goes through FastAPI (and its body limit).
_EVENT_BODY_MAX = 64 * 1024
_KEY = re.compile(KEY_PATTERN)
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


def _json_declared(scope: Scope) -> bool:
    content_type = _header(scope, b"content-type")
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isascii() and value.isdigit() and len(value) < 10 else None


def _idempotency_key(scope: Scope) -> str | None:
    """The `Idempotency-Key` header when the dependency would accept it, else _NotPlain."""
    key = _header(scope, b"idempotency-key")
    if key is not None and (len(key) > KEY_MAX_LENGTH or not _KEY.fullmatch(key)):
        raise _NotPlain
    return key


async def _read_body(receive: Receive, limit: int, messages: list[Message]) -> bytes:
    """The body, at most `limit` bytes (else _NotPlain); `messages` keeps what was read, to replay."""
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            raise _NotPlain  # the client went away: FastAPI sees the same
        size += len(message.get("body", b""))
        if size > limit:
            raise _NotPlain
        if not message.get("more_body", False):
            return b"".join(m.get("body", b"") for m in messages)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """`receive` with the messages already read from it played back first."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class FastLane:
    def __init__(self, fastapi: FastAPI) -> None:
        self.fastapi = fastapi

    async def record(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Record an event if the request is the plain case: None when answered,
        else the `receive` FastAPI reads the same body from."""
        match = _EVENTS.fullmatch(scope["path"])
        if match is None or _header(scope, b"origin") is not None or not _json_declared(scope):
            return receive
        declared = _declared_length(scope)
        if declared is None or declared > min(_EVENT_BODY_MAX, self.fastapi.state.settings.max_body_bytes):
            return receive
        messages: list[Message] = []
        try:
            body = await _read_body(receive, declared, messages)
            document = orjson.loads(body)
            check_unique_keys(body, document)
            event = EventCreate.model_validate(document)
            key = _idempotency_key(scope)
            tenant = self._tenant(scope)
        except Exception:  # noqa: BLE001 - not the plain case, or no database to authenticate: FastAPI answers it in full
            return _replaying(messages, receive)
        interview_id, now = match.group(1), await self._now()
        # The path as the dependency sees it (with any root path), so a retry through FastAPI replays.
        digest = parsed_request_hash("POST", Request(scope).url.path, document) if key is not None else ""
        idem = Idempotency(tenant_id=tenant.tenant_id, key=key, request_hash=digest, now=now)
        unexpected: Exception | None = None
        try:
            with self.fastapi.state.db.session(write=True) as session:
                response = store_event(session, interview_id=interview_id, body=event, tenant=tenant, now=now, idem=idem)
        except Exception as error:  # noqa: BLE001 - answered by the app's handler for it, never run twice
            response, unexpected = await self._problem(scope, error)
        response.raw_headers.append((REQUEST_ID, request_id_of(scope)))
        if not any(name == b"vary" for name, _ in response.raw_headers):
            response.raw_headers.append(_VARY)  # as FastAPI's path answers it (its CORS middleware)
        await response(scope, receive, send)
        if unexpected is not None:
            raise unexpected  # after the 500 is sent, as Starlette's ServerErrorMiddleware does
        return None

    async def _problem(self, scope: Scope, error: Exception) -> tuple[Response, Exception | None]:
        """The answer the app's exception handlers give `error` (app.api.problems),
        and the error again when only the catch-all handler knew it."""
        handlers = self.fastapi.exception_handlers
        kind = next(kind for kind in type(error).__mro__ if kind in handlers)
        return await handlers[kind](Request(scope), error), error if kind is Exception else None

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Answer the request if it is a plain success case of a hot read; False hands it on."""
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/v1/interviews/"):
            return False
        if _header(scope, b"origin") is not None:
            return False
        try:
            answered = await self._answer(scope)
        except (_NotPlain, ServiceError):
            return False
        except Exception:  # noqa: BLE001 - e.g. a database error: FastAPI answers it in full
            return False
        if answered is None:
            return False
        body, vary = answered
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (REQUEST_ID, request_id_of(scope)),
            vary,
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

    async def _answer(self, scope: Scope) -> tuple[bytes, tuple[bytes, bytes]] | None:
        """The body and the `Vary` header of the answer, or None for another path."""
        path = scope["path"]
        if match := _ACTIONS.fullmatch(path):
            return await self._actions(scope, match.group(1)), _VARY
        if match := _MESSAGES.fullmatch(path):
            return await self._message(scope, match.group(1), match.group(2)), _MESSAGE_VARY
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
        if kind is None or (accept is not None and "message/" in accept.lower()):
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


def as_get(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """A HEAD request served as its GET without the body (RFC 9110 9.3.2: every
    general-purpose server supports HEAD), so load balancers and uptime checks that
    probe with HEAD get the GET's status and headers, Content-Length included."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return {**scope, "method": "GET"}, headers_only


class FollowupAPI(FastAPI):
    """FastAPI that lets the fast lane answer first (when enabled)."""

    fast_lane: FastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = request_context.current.set(request_context.assign(scope))
            try:
                await access_log.logged(self._answer_http, scope, receive, send)
            finally:
                request_context.current.reset(token)
        else:
            await super().__call__(scope, receive, send)

    async def _answer_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD":
            scope, send = as_get(scope, send)
        lane = self.fast_lane
        if lane is not None:
            if scope["method"] == "POST":
                handed_on = await lane.record(scope, receive, send)
                if handed_on is None:
                    return
                receive = handed_on
            elif await lane.answer(scope, send):
                return
        await super().__call__(scope, receive, send)
