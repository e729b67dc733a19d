"""Whether a message kind can apply at all (followup-rules.md, "Messages").

A message may be rendered whatever the state of its action (a candidate may
re-read a sent thank-you); only one that cannot apply is refused. Kept as one
small function so that it can be swapped for app.domain's own check.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.model import Contact, ContactRole, Event, MessageKind
from app.domain.recipients import first_rejection
from app.messages.errors import MessageNotApplicable


def is_human(contact: Contact) -> bool:
    return contact.is_human and contact.role is not ContactRole.AI


def check_applicable(*, message_kind: MessageKind, contact: Contact | None, events: Sequence[Event]) -> None:
    """Raise `MessageNotApplicable` with the reason when the message cannot apply.

    - rule 2: an AI interviewer (or any non-human contact) gets neither a
      thank-you nor a LinkedIn note;
    - rule 7: a rejection reply needs a recorded rejection.
    """
    if message_kind in (MessageKind.THANK_YOU, MessageKind.LINKEDIN_NOTE) and contact is not None:
        if not is_human(contact):
            what = "thank-you" if message_kind is MessageKind.THANK_YOU else "LinkedIn note"
            raise MessageNotApplicable(
                f"{contact.name} is an AI interviewer, not a person, so no {what} can be sent to them; "
                "write to a human contact instead."
            )
    if message_kind is MessageKind.REJECTION_REPLY and first_rejection(events) is None:
        raise MessageNotApplicable(
            "No rejection has been recorded for this interview, so there is no rejection to reply to."
        )
