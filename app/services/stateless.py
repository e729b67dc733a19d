"""Stateless requests: an interview and its events sent whole, nothing stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from app.domain.events import EventRejected, check_event
from app.domain.model import Event, Interview
from app.services.errors import InvalidInput
from app.services.interviews import build_interview, contact_from

INLINE_INTERVIEW_ID = "inline"


def inline_interview(fields: Mapping[str, Any]) -> Interview:
    """Build the interview, giving contacts without an id a local one (`#1`, `#2`...)."""
    entries = fields.get("interviewers") or ()
    taken = {e["id"] for e in entries if e.get("id")}
    if len(taken) != len([e for e in entries if e.get("id")]):
        raise InvalidInput("Two contacts share one id.", errors=[("body.interview.interviewers", "duplicate contact id")])
    contacts = []
    for index, entry in enumerate(entries):
        contact_id = entry.get("id") or _unused(f"#{index + 1}", taken)
        taken.add(contact_id)
        contacts.append(contact_from(entry, contact_id))
    return build_interview(fields.get("id") or INLINE_INTERVIEW_ID, fields, tuple(contacts))


def _unused(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... : the first no client id (nor an earlier local one) uses."""
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def inline_events(interview: Interview, entries: Sequence[Mapping[str, Any]], *, now: datetime) -> list[Event]:
    events = []
    for index, entry in enumerate(entries):
        event = Event(
            type=entry["type"],
            occurred_at=entry.get("occurred_at") or now,
            contact_id=entry.get("contact_id"),
            timeline_days=entry.get("timeline_days"),
            note=entry.get("note"),
        )
        try:
            check_event(interview, event, now)
        except EventRejected as rejected:
            raise InvalidInput(f"events[{index}]: {rejected}", errors=[(rejected.loc(f"body.events.{index}"), str(rejected))]) from rejected
        events.append(event)
    return events
