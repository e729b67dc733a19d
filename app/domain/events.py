"""Which events can be recorded (followup-rules.md, "Events").

Events record what happened, so almost anything goes: an event is refused
only if it names a contact of another interview, happened before the
interview started, or lies in the future. An event after an outcome is
accepted; the planner simply does not let it revive the chain.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.model import Event, EventType, Interview

#: `timeline_days` of a response, like an interview's decision timeline.
TIMELINE_DAYS_MAX = 365


class EventRejected(ValueError):
    """An event that cannot be recorded; the message says why, for a human (422)."""

    def __init__(self, message: str, field: str = "") -> None:
        self.message = message
        #: The event's field at fault (`occurred_at`, `contact_id`, `timeline_days`), "" for none.
        self.field = field
        super().__init__(message)

    def loc(self, event_at: str) -> str:
        """Where the fault is, given where the event is (`body`, `body.events.2`)."""
        return f"{event_at}.{self.field}" if self.field else event_at


def check_event(interview: Interview, event: Event, now: datetime) -> None:
    """Raise `EventRejected` if this event cannot belong to this interview at `now`."""
    when = event.occurred_at
    if when.utcoffset() is None:
        raise EventRejected("The event time needs a timezone offset.", "occurred_at")
    if event.contact_id is not None and interview.contact(event.contact_id) is None:
        raise EventRejected(f"The event names contact {event.contact_id!r}, who is not part of this interview.", "contact_id")
    if when < interview.starts_at:
        raise EventRejected("The event happened before the interview started.", "occurred_at")
    if when > now:
        raise EventRejected("The event lies in the future; record it once it has happened.", "occurred_at")
    if event.timeline_days is not None:
        if event.type is not EventType.RESPONSE_RECEIVED:
            raise EventRejected("Only a response_received event can carry timeline_days.", "timeline_days")
        if not 0 <= event.timeline_days <= TIMELINE_DAYS_MAX:
            raise EventRejected(f"timeline_days must be between 0 and {TIMELINE_DAYS_MAX}.", "timeline_days")
