"""`Idempotency-Key` on POST (api-contract "Writes").

The key is claimed and its answer stored in the same transaction as the
write it guards, so a stored answer always matches a stored write, and a
retry after any failure either replays the answer or runs afresh. A
concurrent duplicate waits for the first (the unique key blocks it on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers), then replays.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from sqlalchemy import Connection
from starlette.responses import Response

from app.api.deps import NowDep, TenantDep
from app.api.patterns import readable
from app.db import idempotency as repo
from app.services.errors import IdempotencyMismatch, InvalidInput, Unavailable
from app.services.jobs import IDEMPOTENCY_KEEP

KEEP = IDEMPOTENCY_KEEP
_REPLAYED_HEADERS = ("location", "etag", "content-type")


class Idempotency:
    """The key and body hash of one POST; `replay` and `remember` run in the
    handler's write transaction (`with db.session(write=True) as session`)."""

    def __init__(self, *, tenant_id: str, key: str | None, request_hash: str, now: datetime) -> None:
        self.tenant_id = tenant_id
        self.key = key
        self.request_hash = request_hash
        self.now = now

    def replay(self, session: Connection) -> Response | None:
        """The stored answer to this key, or None when this request is the first."""
        if self.key is None:
            return None
        if repo.claim(session, tenant_id=self.tenant_id, key=self.key, request_hash=self.request_hash, now=self.now):
            return None
        return self.replay_taken(session)

    def claim(self) -> repo.Claim | None:
        """The claim for a caller that sends it along with its own reads (the event
        route: `services.events.prepare_event`), then asks `replay_taken` when it failed."""
        return None if self.key is None else repo.Claim(self.tenant_id, self.key, self.request_hash, self.now)

    def replay_taken(self, session: Connection) -> Response | None:
        """The stored answer, now that the key was found taken; None when its record had
        expired (or its first request rolled back): the key is claimed afresh."""
        args = {"tenant_id": self.tenant_id, "key": self.key}
        for _ in range(3):
            record = repo.find(session, **args)
            if record is not None and record.created_at >= self.now - KEEP:
                return self._answer(record)
            # Only an expired record goes: a concurrent copy of this request may have replaced
            # it with its own since it was read. When that copy claimed the key first, the claim
            # waits for it (PostgreSQL) and fails: its answer is replayed, as to any duplicate.
            repo.forget(session, before=self.now - KEEP, **args)
            if repo.claim(session, request_hash=self.request_hash, now=self.now, **args):
                return None
        raise Unavailable("This Idempotency-Key is being claimed by other requests; retry it.")

    def stored(self, session: Connection) -> Response | None:
        """The stored answer to this key, if a first request completed, without claiming
        the key: a route with slow work before its write transaction (a template's
        sandbox checks) replays before doing that work. A record is stored in the
        transaction of the write it guards, so one that can be read is complete."""
        if self.key is None:
            return None
        record = repo.find(session, tenant_id=self.tenant_id, key=self.key)
        if record is None or record.created_at < self.now - KEEP:
            return None
        return self._answer(record)

    def _answer(self, record: repo.Record) -> Response:
        if record.request_hash != self.request_hash:
            raise IdempotencyMismatch(
                "This Idempotency-Key was already used with a different request; use a new key for a new request.",
                errors=[("header.idempotency-key", "reused with another body")],
            )
        headers = dict(record.headers or {})
        headers["idempotent-replayed"] = "true"
        return Response(
            content=(record.body or "").encode(),
            status_code=record.status_code or 200,
            headers=headers,
        )

    def remember(self, session: Connection, response: Response, *, interview_id: str | None = None) -> Response:
        """Keep the answer for a retry; one that holds an interview's data names it
        (`interview_id`), so that deleting the interview forgets the answer too."""
        if self.key is not None:
            headers = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
            repo.complete(
                session,
                tenant_id=self.tenant_id,
                key=self.key,
                status_code=response.status_code,
                headers=headers,
                body=bytes(response.body).decode(),
                now=self.now,
                interview_id=interview_id,
            )
        return response


#: What an `Idempotency-Key` may be: printable ASCII, not blank, at most 255 characters.
KEY_PATTERN = readable(r"^[ -~]*[!-~][ -~]*$", "must be printable ASCII text, not blank")
KEY_MAX_LENGTH = 255


def request_hash(method: str, path: str, body: bytes) -> str:
    """What a retry must repeat to be a replay: the method, the path and the JSON body
    (keys sorted, so the order a client serialises them in does not matter)."""
    if not body:
        return _digest(method, path, b"")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _digest(method, path, body)
    return parsed_request_hash(method, path, document)


def parsed_request_hash(method: str, path: str, document: Any) -> str:
    """`request_hash` of a body already parsed (the fast lane's event write parses it once)."""
    return _digest(method, path, orjson.dumps(document, option=orjson.OPT_SORT_KEYS))


def _digest(method: str, path: str, canonical: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


async def idempotency(
    request: Request,
    tenant: TenantDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=KEY_MAX_LENGTH,
            pattern=KEY_PATTERN,  # the spec says what is refused
            description="Makes a retried POST safe: the same key and body replays the first answer for 24 h.",
        ),
    ] = None,
) -> Idempotency:
    if idempotency_key is None:
        return Idempotency(tenant_id=tenant.tenant_id, key=None, request_hash="", now=now)
    if not idempotency_key.strip() or not idempotency_key.isprintable():
        raise InvalidInput("Idempotency-Key must be printable text.", errors=[("header.idempotency-key", "not printable")])
    digest = request_hash(request.method, request.url.path, await request.body())
    return Idempotency(tenant_id=tenant.tenant_id, key=idempotency_key, request_hash=digest, now=now)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]


def json_response(model, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialise a response model once, so the same bytes can be stored and sent."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json", headers=headers)
