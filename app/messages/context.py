"""Build the flat template context (see `variables.VARIABLES`) from domain values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.domain.facts import is_ai_interview
from app.domain.model import (
    Contact,
    Event,
    EventType,
    Interview,
    MessageKind,
    Recipient,
)
from app.messages.locales import join_phrase, long_date, time_since

_MAX_TOPICS_IN_PHRASE = 3
#: A topic is written into the middle of a sentence ("our conversation about {topic}. It ..."):
#: the full stop, comma, colon or semicolon a note typed as a sentence ends with would be doubled.
_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:]+$")


def as_phrase(topic: str) -> str:
    """`topic` as a phrase to write mid-sentence: trimmed, without trailing . , ; or :."""
    return _TRAILING_PUNCTUATION.sub("", topic.strip())


def days_between(interview: Interview, at: datetime) -> int:
    """Calendar days from the interview's date to `at`'s date, in the interview's zone."""
    zone = interview.zone
    days = (at.astimezone(zone).date() - interview.starts_at.astimezone(zone).date()).days
    return max(days, 0)


def build_context(
    *,
    interview: Interview,
    contact: Contact | None,
    recipient: Recipient | None,
    events: Iterable[Event],
    message_kind: MessageKind,
    at: datetime,
    locale: str,
    linkedin_max_chars: int,
) -> dict[str, Any]:
    """The variables of `variables.VARIABLES`, as plain values (str, int, bool, None, list).

    `contact` is the contact the message concerns (None for the agency contact or
    nobody); `recipient` whom it goes to. Only events at or before `at` count.
    """
    topics = [phrase for phrase in (as_phrase(t) for t in interview.topics if t) if phrase]
    days = days_between(interview, at)
    agency = interview.agency
    missed = (interview.missed_points or "").strip() or None
    follow_ups = sum(1 for e in events if e.type is EventType.FOLLOW_UP_SENT and e.occurred_at <= at)
    return {
        "candidate_name": interview.candidate_name,
        "candidate_email": interview.candidate_email,
        "job_title": interview.job_title,
        "company_name": interview.company_name,
        "interviewer_name": contact.name if contact is not None else None,
        "recipient_name": recipient.name if recipient is not None else None,
        "recipient_email": recipient.email if recipient is not None else None,
        "topics": topics,
        "topic": topics[0] if topics else None,
        "topics_phrase": join_phrase(topics[:_MAX_TOPICS_IN_PHRASE], locale) if topics else None,
        "missed_points": missed,
        "interview_date": long_date(interview.starts_at.astimezone(interview.zone).date(), locale),
        "interview_format": str(interview.format),
        "is_ai_interview": is_ai_interview(interview),
        "days_since_interview": days,
        "weeks_since_interview": days // 7,
        "time_since_interview": time_since(days, locale),
        "decision_timeline_days": interview.decision_timeline_days,
        "agency_name": agency.name if agency is not None else None,
        "agency_contact_name": agency.contact_name if agency is not None else None,
        "is_agency": contact is None and recipient is not None and agency is not None,
        "follow_ups_sent": follow_ups,
        "linkedin_max_chars": linkedin_max_chars,
        "locale": locale,
        "message_kind": str(message_kind),
    }
