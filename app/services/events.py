"""Recording what happened: events change the status and the plan."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import Connection

from app.db import events as events_repo
from app.db import interviews as interviews_repo
from app.db.driver import batched
from app.db.events import StoredEvent
from app.db.idempotency import Claim
from app.db.interviews import StoredInterview
from app.domain.events import EventRejected, check_event
from app.domain.model import Event, PlannedStep
from app.echo import clipped
from app.services import planning
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.interviews import get_interview, interview_not_found
from app.services.preconditions import etag
from app.services.tenancy import TenantContext

#: What a caller answers a retry with (the API: the stored response).
Earlier = TypeVar("Earlier")

#: A bound on one interview's timeline: every write re-plans from all of it.
MAX_EVENTS = 1000


@dataclass(frozen=True, slots=True)
class EventPage:
    items: list[StoredEvent]
    has_more: bool


class PendingEvent(NamedTuple):
    """An event checked against its locked interview, not yet written."""

    recorded: StoredEvent
    tenant: TenantContext
    stored: StoredInterview
    events: list[Event]
    plan: list[PlannedStep]

    def write(self, session: Connection) -> None:
        """Re-plan, then queue the event, the steps that changed and the interview's new version.

        Inside the caller's `batched` block: the writes go out in one round trip,
        with whatever else the caller adds (the answer to an Idempotency-Key,
        the COMMIT).
        """
        event, now = self.recorded.event, self.recorded.created_at
        events_repo.insert_event(session, event_id=self.recorded.id, interview_id=self.recorded.interview_id, event=event, now=now)
        planning.record_event_outcome(
            session, tenant=self.tenant, stored=self.stored, events=self.events, plan=self.plan, now=now
        )


def prepare_event(
    *,
    session: Connection,
    tenant: TenantContext,
    interview_id: str,
    event: Event,
    now: datetime,
    claim: Claim | None = None,
    when_taken: Callable[[], Earlier | None] | None = None,
) -> PendingEvent | Earlier:
    """Check an event against its interview, read in one round trip.

    The locked interview, its timeline and its stored plan come back
    together (round trips are the cost of a write on PostgreSQL); planning
    and the writes wait for `PendingEvent.write`, so the caller can send the
    writes with its own.

    With a `claim`, the request's Idempotency-Key is claimed in that same
    round trip. When the key was taken, `when_taken()` is asked before any
    check, as a retry must get the first answer whatever the interview has
    become since: what it returns (the stored answer) is returned as it is;
    None (the key claimed afresh, its record having expired) goes on.
    """
    found, claimed = interviews_repo.load_for_event(session, tenant_id=tenant.tenant_id, interview_id=interview_id, claim=claim)
    if not claimed and when_taken is not None and (earlier := when_taken()) is not None:
        return earlier
    if found is None:
        raise interview_not_found(interview_id)
    stored, events, plan = found
    try:
        check_event(stored.interview, event, now)
    except EventRejected as rejected:
        raise InvalidInput(str(rejected), errors=[(rejected.loc("body"), str(rejected))]) from rejected
    if len(events) >= MAX_EVENTS:
        raise Conflict(f"This interview already holds {MAX_EVENTS} events, the most one interview keeps.")
    events.append(event)  # the planner orders events itself
    recorded = StoredEvent(id=str(uuid.uuid4()), interview_id=interview_id, event=event, created_at=now)
    return PendingEvent(recorded, tenant, stored, events, plan)


def record_event(
    *, session: Connection, tenant: TenantContext, interview_id: str, event: Event, now: datetime
) -> StoredEvent:
    """Store an event and re-plan the interview, for a caller with nothing else
    to write (bench/seed.py); the API route sends its own writes along."""
    pending = prepare_event(session=session, tenant=tenant, interview_id=interview_id, event=event, now=now)
    assert isinstance(pending, PendingEvent)  # no claim, hence no earlier answer
    with batched(session):
        pending.write(session)
    return pending.recorded


def list_events(
    *,
    session: Connection,
    tenant: TenantContext,
    interview_id: str,
    after: tuple[datetime, str] | None,
    limit: int,
) -> EventPage:
    get_interview(session=session, tenant=tenant, interview_id=interview_id)
    rows = events_repo.list_events(session, interview_id=interview_id, after=after, limit=limit + 1)
    return EventPage(items=rows[:limit], has_more=len(rows) > limit)


#: Resources carry an ETag (api-contract "Writes"). An event records what happened and is never
#: changed, so every event is at its first and only version.
EVENT_ETAG = etag(1)


def get_event(*, session: Connection, tenant: TenantContext, interview_id: str, event_id: str) -> StoredEvent:
    """One event of one of the tenant's interviews (the `Location` of a created event)."""
    get_interview(session=session, tenant=tenant, interview_id=interview_id)
    rows = events_repo.list_events(session, interview_id=interview_id, event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"No event with id {clipped(event_id)!r} on this interview.")
    return rows[0]
