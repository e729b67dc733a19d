"""The event timeline of an interview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, tuple_

from app.db.driver import RawSQL, utc
from app.db.tables import Event as EventRow
from app.domain.model import Event, EventType

event_t = EventRow.__table__


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: str
    interview_id: str
    event: Event
    created_at: datetime


def insert_event(session: Connection, *, event_id: str, interview_id: str, event: Event, now: datetime) -> None:
    with RawSQL(session) as raw:
        raw.execute(
            "INSERT INTO event (id, interview_id, type, occurred_at, contact_id, timeline_days, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id, interview_id, event.type.value, raw.param(event.occurred_at), event.contact_id,
                event.timeline_days, event.note, raw.param(now),
            ),
        )  # fmt: skip


_TYPES = {m.value: m for m in EventType}  # a dict lookup is cheaper than EventType(value) on the hot path
TIMELINE_SQL = (
    "SELECT id, interview_id, type, occurred_at, contact_id, timeline_days, note, created_at "
    "FROM event WHERE interview_id = ? ORDER BY occurred_at, id"
)


def timeline(session: Connection, *, interview_id: str) -> list[Event]:
    """Every event of an interview in the order it happened (hot path: driver SQL)."""
    with RawSQL(session) as reader:
        return timeline_of(reader.all(TIMELINE_SQL, (interview_id,)))


def timeline_of(rows: list[tuple]) -> list[Event]:
    """Events from the rows of `TIMELINE_SQL`."""
    return [
        Event(type=_TYPES[r[2]], occurred_at=utc(r[3]), contact_id=r[4], timeline_days=r[5], note=r[6]) for r in rows
    ]


def list_events(
    session: Connection,
    *,
    interview_id: str,
    after: tuple[datetime, str] | None = None,
    limit: int | None = None,
    event_id: str | None = None,
) -> list[StoredEvent]:
    """A page of the timeline in (occurred_at, id) order, with ids (or the one `event_id`)."""
    query = select(event_t).where(event_t.c.interview_id == interview_id)
    if event_id is not None:
        query = query.where(event_t.c.id == event_id)
    if after is not None:
        occurred_at, event_id = after
        # A row comparison starts the index range at the cursor on PostgreSQL; the OR form
        # read every earlier event of the interview again on each page.
        query = query.where(tuple_(event_t.c.occurred_at, event_t.c.id) > tuple_(occurred_at, event_id))
    query = query.order_by(event_t.c.occurred_at, event_t.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        StoredEvent(
            id=r.id,
            interview_id=r.interview_id,
            event=Event(
                type=EventType(r.type),
                occurred_at=r.occurred_at,
                contact_id=r.contact_id,
                timeline_days=r.timeline_days,
                note=r.note,
            ),
            created_at=r.created_at,
        )
        for r in session.execute(query)
    ]


def contacts_named_by_events(session: Connection, *, interview_id: str) -> set[str]:
    return set(
        session.execute(
            select(event_t.c.contact_id).where(event_t.c.interview_id == interview_id, event_t.c.contact_id.is_not(None))
        ).scalars()
    )
