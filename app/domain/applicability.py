"""When a message kind cannot apply at all (followup-rules.md, "Messages").

A message can be rendered whatever the state of its action (a candidate may
re-read a sent thank-you); only one that cannot apply is refused, with a
sentence saying why.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.facts import is_human
from app.domain.model import Contact, Event, EventType, Interview, MessageKind


def message_refusal(
    message_kind: MessageKind, interview: Interview, contact: Contact | None, events: Iterable[Event]
) -> str | None:
    """Why `message_kind` cannot be written for this contact, or None when it can."""
    if message_kind is MessageKind.THANK_YOU or message_kind is MessageKind.LINKEDIN_NOTE:
        noun = "thank-you" if message_kind is MessageKind.THANK_YOU else "LinkedIn note"
        if contact is None:
            return f"A {noun} is written to one person: choose the contact it is for."
        if contact not in interview.interviewers:
            return f"{contact.name} is not a contact of this interview."
        if not is_human(contact):
            return f"{contact.name} is an AI interviewer, and a {noun} only goes to a person (rule 2)."
        return None
    if message_kind is MessageKind.REJECTION_REPLY and not any(e.type is EventType.REJECTION_RECEIVED for e in events):
        return "There is no rejection to reply to: record the rejection_received event first."
    return None
