"""What one schedule call knows about an interview, indexed once.

The rule modules read these indexes instead of re-scanning the events, which
keeps `plan()` within its 50 µs budget (bench/plan_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import pairwise
from operator import attrgetter
from zoneinfo import ZoneInfo

from app.domain.model import (
    OUTCOME_EVENTS,
    Contact,
    ContactRole,
    Event,
    EventType,
    Interview,
    InterviewFormat,
    Recipient,
    event_order,
)
from app.domain.policy import Policy
from app.domain.reasons import MONTHS, WEEKDAYS
from app.domain.recipients import follow_up_recipient, follows_up_through_agency
from app.domain.send_time import minutes_to_window, next_window, unless_late
from app.domain.timecalc import MINUTE, UTC, add_days, days, minutes, steady_offsets, to_utc, zone

_by_time = attrgetter("occurred_at")
_RULE_9_RANK = {ContactRole.HIRING_MANAGER: 0, ContactRole.RECRUITER: 1, ContactRole.INTERVIEWER: 2}
#: Recipient values shared across calls, keyed by (name, email); cleared when it grows past the bound.
_RECIPIENTS: dict[tuple[str, str | None], Recipient] = {}
_RECIPIENTS_MAX = 4096
_RUNS_CONVERSATION = (ContactRole.INTERVIEWER, ContactRole.HIRING_MANAGER, ContactRole.AI)
_AI_ROLE, _AI_FORMAT = ContactRole.AI, InterviewFormat.AI
_THANK_YOU_SENT = EventType.THANK_YOU_SENT
_LINKEDIN_SENT = EventType.LINKEDIN_REQUEST_SENT
_REPLY_SENT = EventType.REJECTION_REPLY_SENT
_REJECTION = EventType.REJECTION_RECEIVED


def is_human(contact: Contact) -> bool:
    """Rule 2: an AI interviewer is never written to."""
    return contact.is_human and contact.role is not _AI_ROLE


def is_ai_interview(interview: Interview) -> bool:
    """Rule 2: the format is `ai`, or nobody who ran the conversation was human.

    Only contacts who ran the conversation (interviewers, hiring managers, AI)
    count: a human recruiter listed beside an AI interviewer does not make the
    interview human. An interview with no such contact is not an AI interview.
    """
    if interview.format is _AI_FORMAT:
        return True
    ran_by_ai = False
    for contact in interview.interviewers:
        if contact.role in _RUNS_CONVERSATION:
            if contact.is_human and contact.role is not _AI_ROLE:
                return False
            ran_by_ai = True
    return ran_by_ai


class Facts:
    """Indexes over one interview's events, built once per `schedule` call.

    - `outcome`: the first chain-ending event (rules 7 and 8), or None;
      `chain` the events before it: events after an outcome are recorded but
      do not revive the chain.
    - `thank_you_at[contact_id]`: first thank-you in the chain (None key: a
      thank-you naming nobody, which settles every thank-you).
    - `thank_you_ever`, `linkedin_at`: the same over all events (rule 6
      survives every outcome); `reply_at`: the first reply after a rejection.
    - `follow_up_to`, `follow_up_contact`: rule 9's recipient (the agency has
      no contact); `positions`: each contact's index in the interview.
    """

    __slots__ = (
        "_closes",
        "_days",
        "_offsets",
        "_opens",
        "_send_days",
        "ai",
        "chain",
        "contacts",
        "end",
        "events",
        "follow_up_contact",
        "follow_up_to",
        "humans",
        "interview",
        "linkedin_at",
        "outcome",
        "policy",
        "positions",
        "reply_at",
        "thank_you_at",
        "thank_you_ever",
        "zone",
    )  # fmt: skip

    def __init__(self, interview: Interview, events: Iterable[Event], policy: Policy) -> None:
        self.interview = interview
        self.policy = policy
        self.zone: ZoneInfo = zone(interview.timezone)
        self._offsets = steady_offsets(self.zone)
        self.end: datetime = to_utc(interview.starts_at) + minutes(interview.duration_minutes)
        self.positions = positions = {}
        self.contacts = contacts = {}
        self.humans = humans = []
        # One pass over the contacts for the indexes and rule 9's recipient
        # (`recipients.follow_up_contact`; a test compares the two).
        best: Contact | None = None
        best_rank = len(_RULE_9_RANK)
        for i, c in enumerate(interview.interviewers):
            if c.id not in positions:  # like Interview.contact: the first with an id wins
                positions[c.id] = i
                contacts[c.id] = c
            if c.is_human and c.role is not _AI_ROLE:
                humans.append((i, c))
                rank = _RULE_9_RANK[c.role]
                if rank < best_rank:  # the first of the best role
                    best, best_rank = c, rank
        self.ai = is_ai_interview(interview)
        if follows_up_through_agency(interview, to_agency=policy.follow_ups_to_agency):
            self.follow_up_to, self.follow_up_contact = follow_up_recipient(interview, to_agency=True)
        elif best is not None:
            self.follow_up_to, self.follow_up_contact = self.recipient(best), best
        else:
            self.follow_up_to = self.follow_up_contact = None
        self.events = ordered = sorted(events, key=_by_time)
        if any(a.occurred_at == b.occurred_at for a, b in pairwise(ordered)):
            ordered.sort(key=event_order)  # events at one moment: an order that does not depend on the input's
        self._days: dict[int, tuple[datetime, str]] = {}
        self._send_days = policy.send_days
        self._opens, self._closes = policy.send_window_minutes()
        outcome: Event | None = None
        chain: list[Event] = []
        thank_you_at: dict[str | None, datetime] = {}
        thank_you_ever: dict[str | None, datetime] = {}
        linkedin_at: dict[str | None, datetime] = {}
        reply_at = None
        for event in ordered:
            kind = event.type
            if outcome is None:
                if kind in OUTCOME_EVENTS:
                    outcome = event
                else:
                    chain.append(event)
                    if kind is _THANK_YOU_SENT and event.contact_id not in thank_you_at:
                        thank_you_at[event.contact_id] = event.occurred_at
            if kind is _THANK_YOU_SENT:
                if event.contact_id not in thank_you_ever:
                    thank_you_ever[event.contact_id] = event.occurred_at
            elif kind is _LINKEDIN_SENT:
                if event.contact_id not in linkedin_at:
                    linkedin_at[event.contact_id] = event.occurred_at
            elif kind is _REPLY_SENT and reply_at is None and outcome is not None and outcome.type is _REJECTION:
                reply_at = event.occurred_at
        self.outcome = outcome
        self.chain = chain
        self.thank_you_at = thank_you_at
        self.thank_you_ever = thank_you_ever
        self.linkedin_at = linkedin_at
        self.reply_at = reply_at

    def day(self, moment: datetime) -> str:
        """`format_day` in the interview's timezone, memoised: reasons name the same days often.

        Keyed by identity, because the repeats are the same objects (the end,
        an opening) and hashing an aware datetime costs more than the
        conversion it saves. The cache holds each moment, so no id is reused
        while it lives.
        """
        hit = self._days.get(id(moment))  # pragma: no mutate (a cache: misses are equal)
        if hit is not None:
            return hit[1]
        # (`pragma: no mutate` below and in send_at/add_days: a fast path whose
        # mutants only fall back to the exact conversion, which gives the same answer.)
        offset = self._offsets[moment.toordinal()] if moment.tzinfo is UTC else None  # pragma: no mutate
        local = moment.astimezone(self.zone) if offset is None else moment + offset  # pragma: no mutate
        text = f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"
        self._days[id(moment)] = (moment, text)  # pragma: no mutate (a cache: misses are equal)
        return text

    def send_at(self, available_at: datetime, late_after: datetime | None) -> datetime:
        """Rule 11's suggested send time in this interview's timezone (`suggested_send_at`).

        Checks the common case (already inside a window) in whole minutes (the
        window's bounds are whole minutes). Where the zone's offset is steady,
        the local time is `available_at` plus that offset (labelled UTC: only
        its fields are read), and the window's start is the same shift in UTC
        when the offset there is the same (a steady day has no DST gap, so its
        start exists); elsewhere `next_window` converts exactly.
        """
        offsets = self._offsets
        offset = offsets[available_at.toordinal()] if available_at.tzinfo is UTC else None  # pragma: no mutate
        local = available_at.astimezone(self.zone) if offset is None else available_at + offset  # pragma: no mutate
        minute = local.hour * 60 + local.minute
        weekday = local.isoweekday()
        if self._opens <= minute < self._closes and weekday in self._send_days:
            return available_at
        if offset is not None:
            # The window's start, as an instant, if the offset there is the same
            # steady one: the wall-time shift is then the same shift in UTC.
            opens = available_at + MINUTE * minutes_to_window(weekday, minute, self._send_days, self._opens, self._closes)
            if local.second or local.microsecond:
                opens -= timedelta(0, local.second, local.microsecond)
            if offsets[opens.toordinal()] == offset:
                return unless_late(available_at, opens, late_after)
            local = available_at.astimezone(self.zone)  # `next_window` converts back: a real local time
        return next_window(available_at, local, late_after, self._send_days, self._opens, self._closes)

    def add_days(self, moment: datetime, n: int) -> datetime:
        """`timecalc.add_days` in the interview's timezone, by UTC arithmetic where it can.

        Wall-clock arithmetic depends only on the offsets at the two ends:
        with the same steady offset there, n calendar days are n x 24 hours
        (whatever changes lie in between).
        """
        if moment.tzinfo is UTC:
            later = moment + days(n)
            offsets = self._offsets
            offset = offsets[moment.toordinal()]  # pragma: no mutate
            if offset is not None and offset == offsets[later.toordinal()]:
                return later
        return add_days(moment, n, self.zone)

    def recipient(self, contact: Contact) -> Recipient:
        """`{name, email}` of a contact, shared by equal contacts (values are immutable)."""
        key = (contact.name, contact.email)
        recipient = _RECIPIENTS.get(key)  # pragma: no mutate (a cache: misses are equal)
        if recipient is None:
            if len(_RECIPIENTS) >= _RECIPIENTS_MAX:  # pragma: no mutate (bounds the cache)
                _RECIPIENTS.clear()
            recipient = _RECIPIENTS[key] = Recipient(contact.name, contact.email)
        return recipient


def first_of(index: dict[str | None, datetime], contact_id: str | None) -> datetime | None:
    """The earliest event for a contact, counting events that name nobody."""
    named = index.get(contact_id)
    anyone = index.get(None)
    if named is None:
        return anyone
    return named if anyone is None else min(named, anyone)


def who_replied(f: Facts, response: Event) -> str:
    """Who a response came from, for a reason: the contact it names, else the company."""
    named = f.contacts.get(response.contact_id)  # type: ignore[arg-type]
    return named.name if named is not None else f.interview.company_name
