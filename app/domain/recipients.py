"""Who receives what: rule 9 (follow-up recipient) and rule 7 (rejection reply).

Shared by the planner and the message renderer so that an action and the
message rendered for it always name the same person.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.model import Contact, ContactRole, Event, EventType, Interview, Recipient, event_order


def human_contacts(interview: Interview) -> tuple[Contact, ...]:
    """The contacts a person can write to (never an AI interviewer, rule 2)."""
    return tuple(c for c in interview.interviewers if c.is_human and c.role is not ContactRole.AI)


def follow_up_contact(interview: Interview) -> Contact | None:
    """Rule 9: first human hiring manager, else recruiter, else interviewer."""
    humans = human_contacts(interview)
    for role in (ContactRole.HIRING_MANAGER, ContactRole.RECRUITER, ContactRole.INTERVIEWER):
        for contact in humans:
            if contact.role is role:
                return contact
    return None


def follows_up_through_agency(interview: Interview, *, to_agency: bool) -> bool:
    """Rule 9: an agency contact, when set and the policy allows, gets the follow-ups."""
    agency = interview.agency
    return to_agency and agency is not None and bool(agency.contact_name or agency.contact_email)


def follow_up_recipient(interview: Interview, *, to_agency: bool) -> tuple[Recipient | None, Contact | None]:
    """The recipient of follow-ups and the contact it is (None for the agency).

    Returns `(None, None)` when nobody human is known.
    """
    if follows_up_through_agency(interview, to_agency=to_agency):
        agency = interview.agency
        assert agency is not None
        return Recipient(name=agency.contact_name or agency.name, email=agency.contact_email), None
    contact = follow_up_contact(interview)
    if contact is None:
        return None, None
    return recipient_of(contact), contact


def recipient_of(contact: Contact) -> Recipient:
    return Recipient(name=contact.name, email=contact.email)


def first_rejection(events: Iterable[Event]) -> Event | None:
    """The rejection that ended the chain, if any: the earliest, and of two at one
    moment the first in `event_order`, so the plan and a render reply to the same one
    whatever order the events were stored or sent in."""
    return min((e for e in events if e.type is EventType.REJECTION_RECEIVED), key=event_order, default=None)


def rejection_reply_recipient(
    interview: Interview, events: Iterable[Event], *, to_agency: bool
) -> tuple[Recipient | None, Contact | None]:
    """Rule 7: the contact named on the rejection, else the follow-up recipient."""
    rejection = first_rejection(events)
    if rejection is not None:
        named = interview.contact(rejection.contact_id)
        if named is not None and named.is_human and named.role is not ContactRole.AI:
            return recipient_of(named), named
    return follow_up_recipient(interview, to_agency=to_agency)
