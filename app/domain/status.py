"""An interview's status (api-contract "Interviews": `status`).

`scheduled` until the interview ends, `active` after, then the outcome of the
first chain-ending event. The outcome wins over the clock: an interview
withdrawn before it even ended is `withdrawn`, not `scheduled` (rules 7, 8:
events after the first outcome do not revive the chain, so they do not
change the status either).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.domain.model import (
    OUTCOME_EVENTS,
    Event,
    EventType,
    Interview,
    InterviewStatus,
    event_order,
)

_STATUS_OF = {
    EventType.REJECTION_RECEIVED: InterviewStatus.REJECTED,
    EventType.OFFER_RECEIVED: InterviewStatus.OFFER_RECEIVED,
    EventType.WITHDRAWN: InterviewStatus.WITHDRAWN,
    EventType.NEXT_ROUND_SCHEDULED: InterviewStatus.NEXT_ROUND_SCHEDULED,
    EventType.CLOSED: InterviewStatus.CLOSED,
}


def outcome_of(events: Iterable[Event]) -> InterviewStatus | None:
    """The status named by the earliest chain-ending event (`event_order` breaks ties), or None."""
    first = min((event for event in events if event.type in OUTCOME_EVENTS), key=event_order, default=None)
    return _STATUS_OF[first.type] if first is not None else None


def status_at(interview: Interview, events: Iterable[Event], now: datetime) -> InterviewStatus:
    """The status at `now`, from the events that occurred at or before `now`."""
    outcome = outcome_of(e for e in events if e.occurred_at <= now)
    if outcome is not None:
        return outcome
    if now < interview.ends_at:
        return InterviewStatus.SCHEDULED
    return InterviewStatus.ACTIVE
