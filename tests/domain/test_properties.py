"""Properties over hundreds of generated interviews and timelines (hypothesis).

Deterministic (`derandomize=True`, no example database) so CI stays stable;
`pytest --hypothesis-show-statistics tests/domain` shows which event types and
cases were generated.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.domain.facts import Facts
from app.domain.model import (
    OPEN_STATES,
    OUTCOME_EVENTS,
    ActionKind,
    ActionState,
    Agency,
    Contact,
    ContactRole,
    Event,
    EventType,
    Interview,
    InterviewFormat,
    Rapport,
    event_order,
)
from app.domain.planner import materialize, plan, schedule
from app.domain.policy import Policy
from app.domain.reasons import format_day
from app.domain.recipients import follow_up_recipient, recipient_of
from app.domain.send_time import suggested_send_at
from app.domain.steps import step_order
from tests.domain.domain_builders import first_moment_inside

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns")
#: 300 examples each; fewer under mutmut (it runs the tests from its `mutants/` copy), where the
#: example tables do most of the killing and each mutant reruns every test that reaches it.
EXAMPLES = 25 if os.environ.get("MUTANT_UNDER_TEST") or Path.cwd().name == "mutants" else 300
PROPERTIES = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EMAILS = (ActionKind.SEND_THANK_YOU, ActionKind.SEND_FOLLOW_UP)
#: Every event type, the chain's own more often than the outcomes that end it.
EVENT_MIX = [
    *[EventType.THANK_YOU_SENT] * 4, *[EventType.FOLLOW_UP_SENT] * 4, *[EventType.RESPONSE_RECEIVED] * 2,
    EventType.LINKEDIN_REQUEST_SENT, EventType.REJECTION_RECEIVED, EventType.REJECTION_REPLY_SENT,
    EventType.OFFER_RECEIVED, EventType.WITHDRAWN, EventType.NEXT_ROUND_SCHEDULED, EventType.CLOSED,
]  # fmt: skip
#: Only the chain's events: open follow-ups with earlier emails to the same person.
CHAIN_MIX = [EventType.THANK_YOU_SENT, EventType.FOLLOW_UP_SENT, EventType.FOLLOW_UP_SENT, EventType.RESPONSE_RECEIVED]
#: Replies, with or without a timeline, between thank-yous: how the chain ends or moves without a follow-up.
THANKS_MIX = [EventType.THANK_YOU_SENT, EventType.THANK_YOU_SENT, EventType.RESPONSE_RECEIVED]  # late thank-yous
REPLY_MIX = [EventType.RESPONSE_RECEIVED, EventType.RESPONSE_RECEIVED, EventType.THANK_YOU_SENT]

contacts = st.lists(
    st.builds(
        Contact,
        id=st.sampled_from(["c0", "c1", "c2", "c3"]),
        name=st.sampled_from(["Dana Lee", "Sam Reed", "Kai Berg", "Mei Chen"]),
        email=st.one_of(st.none(), st.just("x@acme.test")),
        role=st.sampled_from(list(ContactRole)),
        is_human=st.booleans(),
        rapport=st.one_of(st.none(), st.sampled_from(list(Rapport))),
    ),
    max_size=4,
    unique_by=lambda c: c.id,
)

policies = st.one_of(
    st.just(Policy()),
    st.builds(
        Policy,
        thank_you_due_hours=st.integers(1, 72),
        thank_you_late_hours=st.integers(72, 200),
        follow_up_wait_days=st.integers(1, 14),
        follow_up_spacing_days=st.integers(1, 14),
        max_follow_ups=st.integers(0, 4),
        close_out_after_days=st.integers(1, 14),
        linkedin_delay_hours=st.integers(0, 72),
        linkedin_due_days=st.integers(1, 14),
        rejection_reply_due_hours=st.integers(1, 48),
        rejection_reply_late_hours=st.integers(48, 120),
        follow_ups_to_agency=st.booleans(),
        send_window_start=st.sampled_from([time(8), time(9), time(2, 30)]),
        send_window_end=st.sampled_from([time(17), time(20, 15)]),
        send_days=st.sampled_from([(1, 2, 3, 4, 5), (6, 7), (3,), (1, 2, 3, 4, 5, 6, 7)]),
    ),
)


@st.composite
def cases(draw, mix=None):
    people = tuple(draw(contacts))
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 730)))
    iv = Interview(
        id="iv",
        candidate_name="Alex Kim",
        job_title="Engineer",
        company_name="Acme",
        starts_at=start,
        duration_minutes=draw(st.sampled_from([30, 60, 90, 240])),
        timezone=draw(st.sampled_from(ZONES)),
        format=draw(st.sampled_from(list(InterviewFormat))),
        interviewers=people,
        decision_timeline_days=draw(st.one_of(st.none(), st.integers(0, 30))),
        agency=draw(st.one_of(st.none(), st.just(Agency("Talent Co", "Ann Agent", "ann@talent.test")))),
    )
    end = iv.ends_at
    ids = [c.id for c in people]
    events = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(mix or EVENT_MIX))
        at = end + timedelta(minutes=draw(st.integers(-iv.duration_minutes, 60 * 24 * 45)))
        timeline = draw(st.one_of(st.none(), st.integers(0, 30))) if kind is EventType.RESPONSE_RECEIVED else None
        contact = draw(st.one_of(st.none(), st.sampled_from(ids))) if ids else None
        events.append(Event(type=kind, occurred_at=at, contact_id=contact, timeline_days=timeline))
    now = end + timedelta(minutes=draw(st.integers(-60 * 24 * 2, 60 * 24 * 70)))
    policy = draw(policies)
    for e in events:
        event(f"event type: {e.type}")
    event(f"format: {iv.format}")
    event(f"agency: {iv.agency is not None}")
    event(f"policy: {'default' if policy == Policy() else 'custom'}")
    first_outcome = min((e for e in events if e.type in OUTCOME_EVENTS and e.occurred_at <= now),
                        key=lambda e: e.occurred_at, default=None)  # fmt: skip
    event(f"outcome at now: {first_outcome.type if first_outcome else 'none'}")
    return iv, events, policy, now


def day_later(moment: datetime, days: int, tz: str) -> datetime:
    """An independent oracle for calendar days (same wall time, first occurrence)."""
    wall = moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def known(events, now):
    """The events up to `now` in the planner's order: events at one moment by `event_order`
    (a follow-up sent at the moment of a rejection belongs to the chain), whatever order they came in."""
    return sorted((e for e in events if e.occurred_at <= now), key=event_order)


def chain(events):
    out = []
    for e in events:
        if e.type in OUTCOME_EVENTS:
            break
        out.append(e)
    return out


@st.composite
def answered_then_followed_up(draw):
    """A reply without a timeline (rule 4 ends the chain), then follow-ups sent anyway, before or after
    one would have opened; thank-yous unsent, or sent late, so one is pending when the follow-ups go out."""
    people = (Contact(id="c0", name="Dana Lee", email="d@acme.test", role=ContactRole.HIRING_MANAGER),
              Contact(id="c1", name="Kai Berg", email="k@acme.test", role=ContactRole.INTERVIEWER))  # fmt: skip
    iv = Interview(id="iv", candidate_name="Alex Kim", job_title="Engineer", company_name="Acme",
                   starts_at=datetime(2026, 3, 20, 9, tzinfo=UTC), timezone=draw(st.sampled_from(ZONES)),
                   interviewers=people[: draw(st.integers(1, 2))],
                   decision_timeline_days=draw(st.one_of(st.none(), st.integers(0, 20))))  # fmt: skip
    minutes = st.integers(0, 60 * 24 * 30)
    at = [iv.ends_at + timedelta(minutes=draw(minutes)) for _ in range(4)]
    events = [Event(type=EventType.RESPONSE_RECEIVED, occurred_at=min(at[:2])),
              Event(type=EventType.FOLLOW_UP_SENT, occurred_at=max(at[:2]))]  # fmt: skip
    for moment in at[2:]:
        kind = draw(st.sampled_from([None, EventType.FOLLOW_UP_SENT, EventType.THANK_YOU_SENT]))
        if kind is not None:
            events.append(Event(type=kind, occurred_at=moment, contact_id=draw(st.sampled_from([None, "c0", "c1"]))))
    return iv, events, draw(policies), max(at) + timedelta(minutes=draw(minutes))


@PROPERTIES
@given(cases())
def test_same_input_same_output(case):
    iv, events, policy, now = case
    assert plan(iv, events, policy, now) == plan(iv, list(events), policy, now)
    steps = schedule(iv, events, policy)
    assert steps == schedule(iv, events, policy)
    assert list(steps) == sorted(steps, key=step_order)  # the rulebook's order, waits included


@PROPERTIES
@given(cases())
def test_times_are_ordered(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    for a in acts:
        for moment in (a.available_at, a.due_at, a.late_after, a.suggested_send_at):
            assert moment is None or moment.tzinfo is UTC
        assert a.available_at <= a.due_at
        if a.late_after is not None:
            assert a.due_at <= a.late_after
        assert a.suggested_send_at >= a.available_at
        if a.suggested_send_at != a.available_at:
            assert a.late_after is None or a.suggested_send_at < a.late_after
            wall = a.suggested_send_at.astimezone(ZoneInfo(iv.timezone))
            assert wall.isoweekday() in policy.send_days
            assert wall.time() < policy.send_window_end
        if a.kind in (ActionKind.SEND_FOLLOW_UP, ActionKind.CONNECT_ON_LINKEDIN, ActionKind.WAIT, ActionKind.CLOSE_OUT):
            assert a.late_after is None
    assert [a.available_at for a in acts] == sorted(a.available_at for a in acts)


@PROPERTIES
@given(st.one_of(cases(), cases(CHAIN_MIX), answered_then_followed_up()))
def test_no_thank_you_before_the_end_no_follow_up_before_the_timelines(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    end = iv.ends_at
    past = chain(known(events, now))
    responses = [e for e in past if e.type is EventType.RESPONSE_RECEIVED]
    for a in acts:
        if a.kind is ActionKind.SEND_THANK_YOU:
            assert a.available_at == end
        if a.kind is ActionKind.SEND_FOLLOW_UP:
            assert a.available_at >= end
            if iv.decision_timeline_days is not None:
                assert a.available_at >= day_later(end, iv.decision_timeline_days, iv.timezone)
            if a.state in OPEN_STATES and responses and responses[-1].timeline_days is not None:
                event("open follow-up after a response with a timeline")
                latest = responses[-1]
                assert a.available_at >= day_later(max(latest.occurred_at, end), latest.timeline_days, iv.timezone)


@PROPERTIES
@given(st.one_of(cases(), cases(CHAIN_MIX)))
def test_never_two_emails_to_one_person_inside_the_spacing_window(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    opened = [a for a in acts if a.kind in EMAILS and a.state in OPEN_STATES and a.recipient is not None]
    actionable = [(a.contact_id or "agency") for a in opened if a.state is not ActionState.UPCOMING]
    assert len(actionable) == len(set(actionable)), "two emails to one person suggested at once"
    recipient, contact = follow_up_recipient(iv, to_agency=policy.follow_ups_to_agency)
    default = contact.id if contact is not None else ("agency" if recipient is not None else None)
    ids = {c.id for c in iv.interviewers}
    for a in opened:
        if a.kind is not ActionKind.SEND_FOLLOW_UP:
            continue
        person = a.contact_id or "agency"
        for e in chain(known(events, now)):
            named = e.contact_id if e.contact_id in ids else None
            to_person = (
                (e.type is EventType.THANK_YOU_SENT and (named == person or (named is None and person != "agency")))
                or (e.type is EventType.FOLLOW_UP_SENT and (named or default) == person)
            )
            if to_person:
                event("spacing checked against an earlier email")
                assert a.available_at >= day_later(e.occurred_at, policy.follow_up_spacing_days, iv.timezone)


@PROPERTIES
@given(st.one_of(cases(), cases(CHAIN_MIX)))
def test_never_more_follow_ups_than_the_cap(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    follow_ups = [a for a in acts if a.kind is ActionKind.SEND_FOLLOW_UP]
    done = [a for a in follow_ups if a.state is ActionState.DONE]
    pending = [a for a in follow_ups if a.state is not ActionState.DONE]
    assert len(pending) <= 1
    if pending:
        assert len(done) < policy.max_follow_ups
    sent = [e for e in chain(known(events, now)) if e.type is EventType.FOLLOW_UP_SENT]
    assert len(done) == len(sent)
    assert len(follow_ups) <= max(policy.max_follow_ups, len(sent))
    assert len([a for a in acts if a.kind is ActionKind.CLOSE_OUT]) <= 1
    if any(a.kind is ActionKind.CLOSE_OUT for a in acts):
        assert len(sent) >= policy.max_follow_ups and not pending


@PROPERTIES
@given(cases())
def test_after_a_rejection_only_the_reply_linkedin_and_wait_stay_open(case):
    iv, events, policy, now = case
    past = known(events, now)
    outcomes = [e for e in past if e.type in OUTCOME_EVENTS]
    acts = plan(iv, events, policy, now)
    if outcomes:
        allowed = {ActionKind.CONNECT_ON_LINKEDIN, ActionKind.WAIT}
        if outcomes[0].type is EventType.REJECTION_RECEIVED:
            allowed.add(ActionKind.REPLY_TO_REJECTION)
            event("rejection checked")
        for a in acts:
            if a.state in OPEN_STATES:
                assert a.kind in allowed, a
        assert len([a for a in acts if a.kind is ActionKind.REPLY_TO_REJECTION]) == (
            1 if outcomes[0].type is EventType.REJECTION_RECEIVED else 0
        )
    else:
        assert not any(a.state is ActionState.CANCELLED for a in acts)


@PROPERTIES
@given(cases())
def test_no_action_is_addressed_to_an_ai(case):
    iv, events, policy, now = case
    ai = {c.id for c in iv.interviewers if not c.is_human or c.role is ContactRole.AI}
    ai_recipients = {(c.name, c.email) for c in iv.interviewers if c.id in ai}
    for a in plan(iv, events, policy, now):
        assert a.contact_id not in ai
        if a.contact_id is None and a.recipient is not None:
            assert (a.recipient.name, a.recipient.email) not in ai_recipients or a.recipient.name == "Ann Agent"


@PROPERTIES
@given(cases())
def test_materialized_schedule_agrees_with_plan_until_the_next_event(case):
    iv, events, policy, now = case
    past = [e for e in events if e.occurred_at <= now]
    steps = schedule(iv, past, policy)
    assert plan(iv, events, policy, now) == materialize(iv.id, steps, now)
    later = sorted(e.occurred_at for e in events if e.occurred_at > now)
    horizon = later[0] if later else now + timedelta(days=90)
    for fraction in (0.0, 0.25, 0.5, 0.999):
        moment = now + (horizon - now) * fraction
        if moment < horizon:
            assert plan(iv, events, policy, moment) == materialize(iv.id, steps, moment)


@PROPERTIES
@given(cases())
def test_a_wait_exactly_when_nothing_is_due_and_something_will_open(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    waits = [a for a in acts if a.kind is ActionKind.WAIT]
    busy = [a for a in acts if a.kind is not ActionKind.WAIT and a.state in (ActionState.DUE, ActionState.OVERDUE)]
    steps = {(s.kind, s.contact_id, s.available_at): s for s in schedule(iv, known(events, now), policy)}
    opening = [
        a for a in acts
        if a.state is ActionState.UPCOMING and a.kind is not ActionKind.WAIT
        and (steps[(a.kind, a.contact_id, a.available_at)].missed_at is None
             or steps[(a.kind, a.contact_id, a.available_at)].missed_at > a.available_at)
    ]  # fmt: skip
    assert len(waits) <= 1
    if busy or not opening:
        assert waits == []
    else:
        event("wait generated")
        (wait,) = waits
        assert wait.available_at == wait.due_at == wait.suggested_send_at == min(a.available_at for a in opening)
        assert wait.state is ActionState.UPCOMING and wait.available_at > now


@PROPERTIES
@given(cases())
def test_the_planner_picks_the_shared_rule_9_recipient(case):
    iv, events, policy, _ = case
    facts = Facts(iv, events, policy)
    assert (facts.follow_up_to, facts.follow_up_contact) == follow_up_recipient(
        iv, to_agency=policy.follow_ups_to_agency
    )
    for contact in iv.interviewers:
        assert facts.recipient(contact) == recipient_of(contact)


@PROPERTIES
@given(cases(), st.integers(0, 60 * 24 * 21), st.one_of(st.none(), st.integers(0, 60 * 24 * 5)))
def test_the_planners_send_time_is_rule_11(case, offset, late_in):
    iv, events, policy, _ = case
    facts = Facts(iv, events, policy)
    available = iv.ends_at + timedelta(minutes=offset, seconds=offset % 7)
    late = available + timedelta(minutes=late_in) if late_in is not None else None
    assert facts.send_at(available, late) == suggested_send_at(available, late, ZoneInfo(iv.timezone), policy)


#: Offset changes of several kinds (UTC): an hour forward and back at 02:00-03:00, back at
#: midnight (Santiago), half an hour (Lord Howe), a whole day skipped (Apia, 2011).
OFFSET_CHANGES = (
    ("Europe/Berlin", datetime(2026, 3, 29, 1, tzinfo=UTC)), ("Europe/Berlin", datetime(2026, 10, 25, 1, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 11, 1, 6, tzinfo=UTC)), ("America/Santiago", datetime(2026, 4, 5, 3, tzinfo=UTC)),
    ("America/Santiago", datetime(2026, 9, 6, 4, tzinfo=UTC)), ("Australia/Lord_Howe", datetime(2026, 4, 4, 15, tzinfo=UTC)),
    ("Australia/Lord_Howe", datetime(2026, 10, 3, 15, 30, tzinfo=UTC)), ("Pacific/Apia", datetime(2011, 12, 30, 10, tzinfo=UTC)),
)  # fmt: skip


def _near(minute: int) -> st.SearchStrategy[int]:
    """A minute of the day anywhere, or within an hour of `minute` (where the rare cases are)."""
    return st.one_of(st.integers(0, 1439), st.integers(max(0, minute - 60), min(1439, minute + 60)))


@PROPERTIES
@given(st.sampled_from(OFFSET_CHANGES), st.data())
def test_the_send_time_around_an_offset_change_is_the_first_moment_inside_the_window(change, data):
    name, at = change
    tz = ZoneInfo(name)
    before, after = (at - timedelta(seconds=1)).astimezone(tz), at.astimezone(tz)
    bounds = data.draw(st.lists(st.one_of(_near(before.hour * 60 + before.minute), _near(after.hour * 60 + after.minute)),
                                min_size=2, max_size=2, unique=True).map(sorted))  # fmt: skip
    opens, closes = bounds
    days = data.draw(st.one_of(st.just(frozenset(range(1, 8))), st.frozensets(st.integers(1, 7), min_size=1)))
    # Mostly within the hour before or after the change: the wall clock repeats or skips there.
    minutes = data.draw(st.one_of(st.integers(-60, 0), st.integers(0, 60), st.integers(-36 * 60, 36 * 60)))
    available = at + timedelta(minutes=minutes, seconds=data.draw(st.integers(0, 59)))
    policy = Policy(
        send_window_start=time(opens // 60, opens % 60), send_window_end=time(closes // 60, closes % 60), send_days=tuple(sorted(days))
    )
    expected = first_moment_inside(available, tz, policy)
    assert suggested_send_at(available, None, tz, policy) == expected
    later = available + timedelta(minutes=data.draw(st.integers(0, 180)))
    assert suggested_send_at(later, None, tz, policy) >= expected  # never earlier for a later start


@PROPERTIES
@given(st.one_of(cases(REPLY_MIX), cases(CHAIN_MIX), answered_then_followed_up(), cases()))
def test_a_thank_you_is_missed_only_when_a_follow_up_takes_over(case):
    """Rule 1: missed means a follow-up took over, so the checklist shows one (done, open or
    cancelled), unless an answer without a timeline has since ended the chain (rule 4): a
    follow-up open when it came took over, and is not listed after it (follow_up_steps). The
    missed thank-you's reason then says so, naming that answer's day: it must not leave the
    reader looking for a follow-up the checklist does not show."""
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    missed = [a for a in acts if a.kind is ActionKind.SEND_THANK_YOU and a.state is ActionState.MISSED]
    if missed:
        event("missed thank-you")
        answers = [e for e in events if e.type is EventType.RESPONSE_RECEIVED and e.occurred_at <= now]
        latest = max(answers, key=lambda e: e.occurred_at, default=None)
        listed = any(a.kind is ActionKind.SEND_FOLLOW_UP for a in acts)
        if latest is not None and latest.timeline_days is None:
            event("missed thank-you, chain ended by an answer")
            if not listed:
                event("missed thank-you, chain ended by an answer, no follow-up listed")
                ended = f"on {format_day(latest.occurred_at, iv.timezone)} then ended the follow-ups."
                assert all(a.reason.endswith(ended) and "a follow-up took over from it on " in a.reason for a in missed)
        else:
            assert listed


@PROPERTIES
@given(st.one_of(answered_then_followed_up(), cases(CHAIN_MIX), cases()))
def test_a_thank_you_missed_now_was_missed_when_planned_at_its_missed_at(case):
    """Rule 1 and "planning at `at` gives the plan of that moment": the moment a plan says a
    follow-up took over from a thank-you is one whose own plan said so, not a day when a plan
    made then, an answer having ended the chain, still recommended the thank-you."""
    iv, events, policy, now = case
    states = {a.contact_id: a.state for a in plan(iv, events, policy, now) if a.kind is ActionKind.SEND_THANK_YOU}
    for s in schedule(iv, known(events, now), policy):
        if s.kind is ActionKind.SEND_THANK_YOU and states[s.contact_id] is ActionState.MISSED:
            event("missed thank-you, planned again at its missed_at")
            then = {a.contact_id: a.state for a in plan(iv, events, policy, s.missed_at)
                    if a.kind is ActionKind.SEND_THANK_YOU}  # fmt: skip
            assert then[s.contact_id] is ActionState.MISSED


def emails_to(iv, policy, past, person):
    """When the chain's thank-yous and follow-ups went to `person` (a contact id, or "agency"), as rule 5 counts them.

    A thank-you naming nobody thanks everyone met (not the agency); a follow-up
    naming nobody, or an AI, went to rule 9's recipient.
    """
    contact = follow_up_recipient(iv, to_agency=policy.follow_ups_to_agency)[1]
    default = contact.id if contact is not None else "agency"  # (or nobody known: no contact either)
    humans = {c.id for c in iv.interviewers if c.is_human and c.role is not ContactRole.AI}
    sent = []
    for e in past:
        if e.type is EventType.THANK_YOU_SENT:
            if e.contact_id == person or (e.contact_id is None and person != "agency"):
                sent.append(e.occurred_at)
        elif e.type is EventType.FOLLOW_UP_SENT and (e.contact_id if e.contact_id in humans else default) == person:
            sent.append(e.occurred_at)
    return sent


@PROPERTIES
@given(st.one_of(cases(CHAIN_MIX), cases(REPLY_MIX), cases()))
def test_after_a_response_with_a_timeline_the_follow_up_opens_at_the_latest_bound(case):
    """Rule 4: response + timeline, never before rule 3's timeline nor inside rule 5's spacing; nothing else."""
    iv, events, policy, now = case
    past = chain(known(events, now))
    responses = [e for e in past if e.type is EventType.RESPONSE_RECEIVED]
    if not responses or responses[-1].timeline_days is None:
        return
    latest, end, tz = responses[-1], iv.ends_at, iv.timezone
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.SEND_FOLLOW_UP and a.state in OPEN_STATES:
            event("open follow-up after a response with a timeline: exact")
            bounds = [day_later(max(latest.occurred_at, end), latest.timeline_days, tz)]
            if iv.decision_timeline_days is not None:
                bounds.append(day_later(end, iv.decision_timeline_days, tz))
            for sent in emails_to(iv, policy, past, a.contact_id or "agency"):
                bounds.append(day_later(sent, policy.follow_up_spacing_days, tz))
            for e in past:
                if e.type is EventType.FOLLOW_UP_SENT:
                    bounds.append(day_later(e.occurred_at, policy.follow_up_spacing_days, tz))
            if not any(e.type is EventType.FOLLOW_UP_SENT for e in past) and thank_you_pending(iv, past):
                bounds.append(end + timedelta(hours=policy.thank_you_due_hours))
            assert a.available_at == max(bounds)


def thank_you_pending(iv, past):
    """Rule 1: some human met is not thanked yet (a thank-you naming nobody thanks all); else rule 2's
    contactless one (an AI interview, or nobody human recorded), until any thank-you is sent."""
    thanked = {e.contact_id for e in past if e.type is EventType.THANK_YOU_SENT}
    humans = [c.id for c in iv.interviewers if c.is_human and c.role is not ContactRole.AI]
    if humans:
        return None not in thanked and any(h not in thanked for h in humans)
    return not thanked


@PROPERTIES
@given(st.one_of(cases(), cases(CHAIN_MIX), cases(REPLY_MIX)))
def test_a_thank_you_is_never_missed_before_it_is_due_unless_a_follow_up_went_out(case):
    """Rule 1: the follow-up takes over from the thank-you, never before its due moment."""
    iv, events, policy, now = case
    followed_up = any(e.type is EventType.FOLLOW_UP_SENT for e in chain(known(events, now)))
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.SEND_THANK_YOU and a.state is ActionState.MISSED and not followed_up:
            event("missed thank-you, no follow-up sent")
            assert now >= a.due_at


@st.composite
def follow_ups_to_anyone(draw):
    """Two people met, follow-ups sent to either or to nobody in particular, waits shorter or longer than the spacing."""
    people = (
        Contact(id="c0", name="Dana Lee", email="d@acme.test", role=ContactRole.HIRING_MANAGER),
        Contact(id="c1", name="Kai Berg", email="k@acme.test", role=ContactRole.INTERVIEWER),
    )
    iv = Interview(id="iv", candidate_name="Alex Kim", job_title="Engineer", company_name="Acme",
                   starts_at=datetime(2026, 3, 20, 9, tzinfo=UTC), timezone=draw(st.sampled_from(ZONES)),
                   interviewers=people)  # fmt: skip
    policy = Policy(follow_up_wait_days=draw(st.integers(1, 14)), follow_up_spacing_days=draw(st.integers(1, 14)),
                    max_follow_ups=draw(st.integers(2, 5)))  # fmt: skip
    minutes = st.integers(0, 60 * 24 * 30)
    events = [Event(type=EventType.FOLLOW_UP_SENT, occurred_at=iv.ends_at + timedelta(minutes=draw(minutes)),
                    contact_id=draw(st.sampled_from([None, "c0", "c1"])))
              for _ in range(draw(st.integers(1, 2)))]  # fmt: skip
    return iv, events, policy, max(e.occurred_at for e in events) + timedelta(minutes=draw(minutes))


@PROPERTIES
@given(st.one_of(follow_ups_to_anyone(), cases(CHAIN_MIX), cases()))
def test_follow_ups_stay_apart_whoever_they_went_to(case):
    """Rule 5: at least `follow_up_spacing_days` between follow-ups, to anyone."""
    iv, events, policy, now = case
    sent = [e.occurred_at for e in chain(known(events, now)) if e.type is EventType.FOLLOW_UP_SENT]
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.SEND_FOLLOW_UP and a.state in OPEN_STATES and sent:
            event("open follow-up after one sent")
            assert a.available_at >= day_later(max(sent), policy.follow_up_spacing_days, iv.timezone)


@PROPERTIES
@given(st.one_of(cases(CHAIN_MIX), cases(REPLY_MIX), cases()))
def test_a_close_out_set_by_a_reply_never_claims_silence(case):
    """Rules 4 and 5: the close-out's reason names what set its day; a reply is not silence,
    nor is one that came after the last follow-up, whatever day it promised news by."""
    iv, events, policy, now = case
    known_chain = chain(known(events, now))
    responses = [e for e in known_chain if e.type is EventType.RESPONSE_RECEIVED]
    if not responses or responses[-1].timeline_days is None:
        return
    latest = responses[-1]
    replied = day_later(max(latest.occurred_at, iv.ends_at), latest.timeline_days, iv.timezone)
    follow_ups = [e.occurred_at for e in known_chain if e.type is EventType.FOLLOW_UP_SENT]
    answered_last = not follow_ups or latest.occurred_at >= max(follow_ups)
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.CLOSE_OUT and a.state in OPEN_STATES:
            assert a.available_at >= replied
            if a.available_at == replied or answered_last:
                event("close-out after a reply")
                assert " replied on " in a.reason and "heard nothing" not in a.reason and "No answer" not in a.reason


@PROPERTIES
@given(st.one_of(cases(CHAIN_MIX), cases()))
def test_a_follow_up_through_an_agency_says_so(case):
    """Rule 9: whatever set its day, the open follow-up's reason says it goes through the agency."""
    iv, events, policy, now = case
    recipient, contact = follow_up_recipient(iv, to_agency=policy.follow_ups_to_agency)
    if recipient is None or contact is not None:
        return
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.SEND_FOLLOW_UP and a.state in OPEN_STATES:
            event(f"follow-up through an agency, rule {a.rule}")
            assert "agency" in a.reason


@PROPERTIES
@given(st.one_of(cases(), cases(CHAIN_MIX)))
def test_every_action_but_wait_is_suggested_at_rule_11s_time(case):
    """Rule 11 for every action, close-out included; rule 10's wait points at the opening itself.
    A thank-you a follow-up takes over before it turns late is sent no later than that (rule 1)."""
    iv, events, policy, now = case
    deadlines = send_deadlines(iv, events, policy, now)
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.WAIT:
            assert a.suggested_send_at == a.available_at
        else:
            event(f"send time of {a.kind}")
            deadline = deadlines[(a.kind, a.contact_id, a.available_at)]
            assert a.suggested_send_at == suggested_send_at(a.available_at, deadline, ZoneInfo(iv.timezone), policy)


def send_deadlines(iv, events, policy, now):
    """Rule 11's deadline of each step, by (kind, contact, available_at): `late_after`, or a
    thank-you's `missed_at` when a follow-up takes over before it turns late (rule 1)."""
    deadlines = {}
    for s in schedule(iv, known(events, now), policy):
        deadline = s.late_after
        if s.missed_at is not None and (deadline is None or s.missed_at < deadline):
            event("a follow-up takes over before the thank-you turns late")
            deadline = s.missed_at
        deadlines[(s.kind, s.contact_id, s.available_at)] = deadline
    return deadlines


@PROPERTIES
@given(st.one_of(cases(THANKS_MIX), cases(REPLY_MIX), answered_then_followed_up(), cases()))
def test_a_missed_thank_you_stays_missed(case):
    """Rule 1: once a follow-up took over from a late thank-you, nothing that happens
    later (an answer, a late thank-you to someone else) makes it recommended again.
    Checked day by day over the six weeks after the interview."""
    iv, events, policy, _ = case
    missed: set[str | None] = set()
    for day in range(1, 46):
        states = {a.contact_id: a.state for a in plan(iv, events, policy, iv.ends_at + timedelta(days=day))
                  if a.kind is ActionKind.SEND_THANK_YOU}  # fmt: skip
        for contact in missed:
            assert states[contact] in (ActionState.MISSED, ActionState.DONE, ActionState.CANCELLED), (day, contact)
        missed |= {contact for contact, state in states.items() if state is ActionState.MISSED}
    if missed:
        event("a thank-you missed")
