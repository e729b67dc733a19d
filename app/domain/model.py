"""Immutable values the rules engine works on.

Frozen, slotted dataclasses (and one named tuple, `Action`) and `StrEnum`s: the API and database layers build
these from their own models, the engine never sees a framework object.
The enum values are the public wire names of api-contract.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo


class InterviewFormat(StrEnum):
    """How the interview was held; `phone` plans like `virtual`, `ai` means an AI ran it (rule 2)."""

    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    PHONE = "phone"
    AI = "ai"


class ContactRole(StrEnum):
    """A contact's part in the hiring; role `ai` is never human and gets no thank-you or LinkedIn request."""

    INTERVIEWER = "interviewer"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    AI = "ai"


class Rapport(StrEnum):
    """How the conversation went with this contact (null: unknown); `good` makes a LinkedIn request fit (rule 6)."""

    GOOD = "good"
    NEUTRAL = "neutral"
    POOR = "poor"


class EventType(StrEnum):
    """What happened: a message the candidate sent (`*_sent`), an answer from the company, or an outcome (`offer_received`, `withdrawn`, `next_round_scheduled`, `closed`) that ends the follow-up chain."""

    THANK_YOU_SENT = "thank_you_sent"
    FOLLOW_UP_SENT = "follow_up_sent"
    LINKEDIN_REQUEST_SENT = "linkedin_request_sent"
    RESPONSE_RECEIVED = "response_received"
    REJECTION_RECEIVED = "rejection_received"
    REJECTION_REPLY_SENT = "rejection_reply_sent"
    OFFER_RECEIVED = "offer_received"
    WITHDRAWN = "withdrawn"
    NEXT_ROUND_SCHEDULED = "next_round_scheduled"
    CLOSED = "closed"


_EVENT_TYPE_RANK = {event_type: rank for rank, event_type in enumerate(EventType)}


def event_order(event: Event) -> tuple:
    """A total order of events: by time, then (for events at one moment) by the order of
    the event types above, then by their other fields.

    The planner's answer must not depend on the order events are stored or sent in:
    a write plans with the new event last, a later read replays the stored order,
    and two outcomes recorded at one moment gave two different statuses.
    """
    return (
        event.occurred_at,
        _EVENT_TYPE_RANK[event.type],
        event.contact_id or "",
        -1 if event.timeline_days is None else event.timeline_days,
        event.note or "",
    )


#: Events that end the follow-up chain (rules 7 and 8).
OUTCOME_EVENTS = frozenset(
    {
        EventType.REJECTION_RECEIVED,
        EventType.OFFER_RECEIVED,
        EventType.WITHDRAWN,
        EventType.NEXT_ROUND_SCHEDULED,
        EventType.CLOSED,
    }
)


class InterviewStatus(StrEnum):
    """`scheduled` until the interview ends, then `active`, then the outcome (`rejected`, `offer_received`, `withdrawn`, `next_round_scheduled`, `closed`)."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    REJECTED = "rejected"
    OFFER_RECEIVED = "offer_received"
    WITHDRAWN = "withdrawn"
    NEXT_ROUND_SCHEDULED = "next_round_scheduled"
    CLOSED = "closed"


class ActionKind(StrEnum):
    """What to do; `wait` says until when nothing opens, `close_out` suggests closing the interview after the last follow-up."""

    SEND_THANK_YOU = "send_thank_you"
    SEND_FOLLOW_UP = "send_follow_up"
    CONNECT_ON_LINKEDIN = "connect_on_linkedin"
    REPLY_TO_REJECTION = "reply_to_rejection"
    WAIT = "wait"
    CLOSE_OUT = "close_out"


class Channel(StrEnum):
    """Where the message goes."""

    EMAIL = "email"
    LINKEDIN = "linkedin"


class ActionState(StrEnum):
    """At the moment asked about: `upcoming` before `available_at`, `due` from then, `overdue` from `late_after`; `done` once its event is recorded, `missed` (a thank-you overtaken by the follow-up), `cancelled` (overtaken by an outcome)."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


#: States in which an action still asks something of the candidate.
OPEN_STATES = frozenset({ActionState.UPCOMING, ActionState.DUE, ActionState.OVERDUE})


class Priority(StrEnum):
    """How much it matters: `high` for an overdue thank-you and every thank-you of an AI interview, `low` for a LinkedIn request and the `wait`."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Rule(StrEnum):
    """The slug of the rule that set an action's timing (followup-rules.md)."""

    THANK_YOU = "thank_you"
    AI_INTERVIEW = "ai_interview"
    DECISION_TIMELINE = "decision_timeline"
    FOLLOW_UP = "follow_up"
    NEVER_PESTER = "never_pester"
    LINKEDIN = "linkedin"
    REJECTION = "rejection"
    OUTCOME = "outcome"
    AGENCY = "agency"
    WAIT = "wait"
    SEND_WINDOW = "send_window"


class MessageKind(StrEnum):
    """A message the service renders."""

    THANK_YOU = "thank_you"
    FOLLOW_UP = "follow_up"
    LINKEDIN_NOTE = "linkedin_note"
    REJECTION_REPLY = "rejection_reply"


@dataclass(frozen=True, slots=True)
class Contact:
    """A person (or AI) met in the interview process."""

    id: str
    name: str
    email: str | None = None
    role: ContactRole = ContactRole.INTERVIEWER
    is_human: bool = True
    rapport: Rapport | None = None
    linkedin_url: str | None = None


@dataclass(frozen=True, slots=True)
class Agency:
    """A recruitment agency acting between the candidate and the employer (rule 9)."""

    name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True, slots=True)
class Interview:
    """What the candidate told us about one interview.

    `starts_at` is timezone-aware; `timezone` is the candidate's IANA zone, used
    for calendar-day arithmetic and the send window.
    """

    id: str
    candidate_name: str
    job_title: str
    company_name: str
    starts_at: datetime
    duration_minutes: int = 60
    timezone: str = "UTC"
    format: InterviewFormat = InterviewFormat.VIRTUAL
    interviewers: tuple[Contact, ...] = ()
    topics: tuple[str, ...] = ()
    missed_points: str | None = None
    decision_timeline_days: int | None = None
    agency: Agency | None = None
    candidate_email: str | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def contact(self, contact_id: str | None) -> Contact | None:
        for contact in self.interviewers:
            if contact.id == contact_id:
                return contact
        return None


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, at a timezone-aware moment."""

    type: EventType
    occurred_at: datetime
    contact_id: str | None = None
    timeline_days: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str | None
    email: str | None


class Action(NamedTuple):
    """One step of the plan, as the API shows it (followup-rules.md, "Output").

    A named tuple rather than a frozen dataclass like the other values:
    `plan()` builds one per action on every call (50 µs budget,
    bench/plan_bench.py), and `tuple.__new__` builds it in one C call, about
    seven times faster than setting fourteen slots. Immutable and compared by
    value all the same; presenters read it by name.
    """

    interview_id: str
    kind: ActionKind
    contact_id: str | None
    recipient: Recipient | None
    channel: Channel | None
    state: ActionState
    available_at: datetime
    due_at: datetime
    late_after: datetime | None
    suggested_send_at: datetime
    priority: Priority
    rule: Rule
    reason: str
    message_kind: MessageKind | None


class PlannedStep(NamedTuple):
    """One step of a schedule, independent of the clock.

    The schedule is what the rules decide from the interview, its events and
    the policy; the *state* of each step at a moment is derived from these
    times alone (`planner.state_at`), which is what lets the service store
    schedules and answer "what is due at T" with an indexed query.

    - `resolution` is DONE or CANCELLED when a recorded event settled the step,
      else None.
    - `missed_at`: a thank-you turns `missed` at this moment (rule 1: when the
      follow-up would become available); None for every other step, and for a
      thank-you no follow-up will ever take over (a cap of 0).
    - `shown_from` (wait steps only): the wait is the answer from this moment
      (None: from the very beginning) until `available_at`, when the next step
      opens (rule 10).
    - `position`: the contact's position in the interview (for ordering), -1
      when the step concerns no contact.

    A named tuple, like `Action`: every stored plan read (the hottest route,
    bench/actions_route.py) builds one per row, and `tuple.__new__` does it
    in one C call where a frozen dataclass sets sixteen slots one by one.
    """

    kind: ActionKind
    contact_id: str | None
    recipient: Recipient | None
    channel: Channel | None
    available_at: datetime
    due_at: datetime
    late_after: datetime | None
    suggested_send_at: datetime
    priority: Priority
    rule: Rule
    reason: str
    message_kind: MessageKind | None
    resolution: ActionState | None = None
    missed_at: datetime | None = None
    shown_from: datetime | None = None
    position: int = -1
