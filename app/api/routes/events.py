"""Events: record what happened, read the timeline."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from sqlalchemy import Connection

from app.api import cursors
from app.api.deps import DbDep, NowDep, TenantDep
from app.api.idempotency import Idempotency, IdempotencyDep, json_response
from app.api.params import EventId, InterviewId
from app.api.presenters import event_public
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.common import Cursor, Limit, Page
from app.api.schemas.events import EventCreate, EventPublic
from app.db.driver import batched
from app.domain.model import Event
from app.services import events as service
from app.services.tenancy import TenantContext

router = APIRouter(prefix="/v1/interviews/{interview_id}/events", tags=["events"], route_class=CheckedRoute)


@router.post("", status_code=201, response_model=EventPublic, responses=problems(400, 404, 409, 413))
async def create_event(
    interview_id: InterviewId, body: EventCreate, db: DbDep, tenant: TenantDep, now: NowDep, idem: IdempotencyDep
) -> Response:
    """Record an event (a message sent, a response, an outcome)."""
    with db.session(write=True) as session:
        return store_event(session, interview_id=interview_id, body=body, tenant=tenant, now=now, idem=idem)


def store_event(
    session: Connection, *, interview_id: str, body: EventCreate, tenant: TenantContext, now: datetime, idem: Idempotency
) -> Response:
    """The answer to `create_event` (the fast lane answers with this too).

    On PostgreSQL a write is two round trips, with or without an
    Idempotency-Key: the BEGIN, the key's claim, the locked interview with
    its timeline and plan; then the event, the changed steps, the
    interview's new version, the answer kept for the key and the COMMIT.
    """
    event = Event(
        type=body.type,
        occurred_at=body.occurred_at or now,
        contact_id=body.contact_id,
        timeline_days=body.timeline_days,
        note=body.note,
    )
    pending = service.prepare_event(
        session=session, tenant=tenant, interview_id=interview_id, event=event, now=now,
        claim=idem.claim(), when_taken=lambda: idem.replay_taken(session),
    )
    if not isinstance(pending, service.PendingEvent):
        return pending  # the stored answer to this Idempotency-Key
    headers = {"Location": f"/v1/interviews/{interview_id}/events/{pending.recorded.id}", "ETag": service.EVENT_ETAG}
    response = json_response(event_public(pending.recorded), status_code=201, headers=headers)
    with batched(session, commit=True):
        pending.write(session)
        idem.remember(session, response, interview_id=interview_id)
    return response


@router.get("", response_model=Page[EventPublic], responses=problems(404))
async def list_events(
    interview_id: InterviewId,
    db: DbDep,
    tenant: TenantDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventPublic]:
    """List an interview's events in the order they happened."""
    with db.session(write=False) as session:
        after = cursors.decode(cursor, (datetime, str)) if cursor else None
        page = service.list_events(session=session, tenant=tenant, interview_id=interview_id, after=after, limit=limit)
        last = page.items[-1] if page.items else None
        next_cursor = cursors.encode(last.event.occurred_at, last.id) if page.has_more and last else None
        return Page[EventPublic](items=[event_public(e) for e in page.items], next_cursor=next_cursor)


@router.get("/{event_id}", response_model=EventPublic, responses=problems(404))
async def get_event(interview_id: InterviewId, event_id: EventId, db: DbDep, tenant: TenantDep) -> Response:
    """Read one event (where a created event's `Location` points)."""
    with db.session(write=False) as session:
        stored = service.get_event(session=session, tenant=tenant, interview_id=interview_id, event_id=event_id)
    return json_response(event_public(stored), headers={"ETag": service.EVENT_ETAG})
