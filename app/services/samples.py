"""A sample interview for template previews sent without one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from app.domain.model import Agency, Contact, ContactRole, Event, EventType, Interview, InterviewFormat, MessageKind, Rapport

SAMPLE_CONTACT_ID = "sample-contact"
SAMPLE_RECRUITER_ID = "sample-recruiter"
_SAMPLE_REJECTION_AFTER = timedelta(days=5)


def sample_interview(now: datetime) -> Interview:
    """Dana Lee interviewed Alex Kim a week before `now`, with a recruiter in the loop."""
    return Interview(
        id="sample",
        candidate_name="Alex Kim",
        candidate_email="alex.kim@example.com",
        job_title="Senior Data Engineer",
        company_name="Acme Analytics",
        starts_at=(now - timedelta(days=7)).replace(microsecond=0),
        duration_minutes=45,
        timezone="Europe/Berlin",
        format=InterviewFormat.VIRTUAL,
        interviewers=(
            Contact(
                id=SAMPLE_CONTACT_ID,
                name="Dana Lee",
                email="dana.lee@acme.example",
                role=ContactRole.HIRING_MANAGER,
                rapport=Rapport.GOOD,
            ),
            Contact(id=SAMPLE_RECRUITER_ID, name="Sam Ortiz", email="sam.ortiz@acme.example", role=ContactRole.RECRUITER),
        ),
        topics=("the move from nightly batches to streaming pipelines", "on-call practices"),
        missed_points="I did not mention my experience migrating a 20 TB warehouse.",
        decision_timeline_days=10,
        agency=Agency(name="TalentBridge", contact_name="Jo Becker", contact_email="jo@talentbridge.example"),
    )


def sample_events(interview: Interview, events: Sequence[Event], *, message_kind: MessageKind, at: datetime) -> list[Event]:
    """The events a preview of `message_kind` on the sample interview needs, added to `events`.

    A rejection reply needs a rejection (rule 7), which the sample has not had:
    unless `events` hold one, Sam Ortiz, the recruiter, declined five days after
    the interview (or at `at`, when that is earlier, so that it counts).
    """
    if message_kind is not MessageKind.REJECTION_REPLY or any(e.type is EventType.REJECTION_RECEIVED for e in events):
        return list(events)
    occurred_at = max(min(interview.starts_at + _SAMPLE_REJECTION_AFTER, at), interview.starts_at)
    return [*events, Event(EventType.REJECTION_RECEIVED, occurred_at, contact_id=SAMPLE_RECRUITER_ID)]
