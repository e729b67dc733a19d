"""Status, event validity and which messages can apply."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.domain.applicability import message_refusal
from app.domain.events import EventRejected, check_event
from app.domain.model import Event, InterviewStatus, MessageKind, event_order
from app.domain.status import outcome_of, status_at
from tests.domain.domain_builders import (
    END,
    START,
    EventType,
    bot,
    dana,
    days,
    ev,
    hours,
    interview,
    sam,
)

NOW = END + days(3)


@pytest.mark.parametrize(
    ("events", "now", "status"),
    [
        ([], START - hours(1), InterviewStatus.SCHEDULED),
        ([], END - timedelta(microseconds=1), InterviewStatus.SCHEDULED),
        ([], END, InterviewStatus.ACTIVE),
        ([ev(EventType.THANK_YOU_SENT, END + hours(1))], NOW, InterviewStatus.ACTIVE),
        ([ev(EventType.REJECTION_RECEIVED, END + days(1))], NOW, InterviewStatus.REJECTED),
        ([ev(EventType.OFFER_RECEIVED, END + days(1))], NOW, InterviewStatus.OFFER_RECEIVED),
        ([ev(EventType.WITHDRAWN, END + days(1))], NOW, InterviewStatus.WITHDRAWN),
        ([ev(EventType.NEXT_ROUND_SCHEDULED, END + days(1))], NOW, InterviewStatus.NEXT_ROUND_SCHEDULED),
        ([ev(EventType.CLOSED, END + days(1))], NOW, InterviewStatus.CLOSED),
        ([ev(EventType.OFFER_RECEIVED, END + days(4))], NOW, InterviewStatus.ACTIVE),  # not yet
        ([ev(EventType.WITHDRAWN, START + hours(0.5))], START + hours(0.6), InterviewStatus.WITHDRAWN),
        (
            [ev(EventType.CLOSED, END + days(2)), ev(EventType.OFFER_RECEIVED, END + days(1))],
            NOW,
            InterviewStatus.OFFER_RECEIVED,
        ),
    ],
)
def test_status_at(events, now, status):
    assert status_at(interview(), events, now) is status


def test_outcome_of_the_first_ending_event():
    assert outcome_of([]) is None
    assert outcome_of([ev(EventType.RESPONSE_RECEIVED, END)]) is None
    first = ev(EventType.REJECTION_RECEIVED, END + days(1))
    tie = ev(EventType.OFFER_RECEIVED, END + days(1))
    assert outcome_of([ev(EventType.CLOSED, END + days(2)), first, tie]) is InterviewStatus.REJECTED
    # Outcomes at one moment: the order of the event types decides, not the input's (a write
    # plans with the new event last, a read replays the stored order: they must agree).
    assert outcome_of([tie, first]) is InterviewStatus.REJECTED


AT = END + days(1)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        pytest.param(ev(EventType.CLOSED, AT), ev(EventType.THANK_YOU_SENT, AT + timedelta(microseconds=1)),
                     id="time first"),
        pytest.param(ev(EventType.THANK_YOU_SENT, AT, "dana"), ev(EventType.FOLLOW_UP_SENT, AT), id="then the type"),
        pytest.param(ev(EventType.REJECTION_RECEIVED, AT), ev(EventType.OFFER_RECEIVED, AT), id="rejection before offer"),
        pytest.param(ev(EventType.NEXT_ROUND_SCHEDULED, AT), ev(EventType.CLOSED, AT), id="closed last"),
        pytest.param(ev(EventType.FOLLOW_UP_SENT, AT), ev(EventType.FOLLOW_UP_SENT, AT, "Ann"), id="no contact first"),
        pytest.param(ev(EventType.FOLLOW_UP_SENT, AT, "Ann"), ev(EventType.FOLLOW_UP_SENT, AT, "dana"), id="contacts by id"),
        pytest.param(ev(EventType.RESPONSE_RECEIVED, AT), ev(EventType.RESPONSE_RECEIVED, AT, timeline=0),
                     id="no timeline before timeline 0"),
        pytest.param(ev(EventType.RESPONSE_RECEIVED, AT, timeline=3), ev(EventType.RESPONSE_RECEIVED, AT, timeline=10),
                     id="timelines by length"),
        pytest.param(Event(EventType.CLOSED, AT), Event(EventType.CLOSED, AT, note="Called them"), id="no note first"),
        pytest.param(Event(EventType.CLOSED, AT, note="Called them"), Event(EventType.CLOSED, AT, note="called"),
                     id="notes as text"),
    ],
)  # fmt: skip
def test_event_order_at_one_moment(earlier, later):
    """Time, then the order of the event types, then the other fields, a missing one first:
    events at one moment sort the same whatever order they came in."""
    assert event_order(earlier) < event_order(later)
    assert sorted([later, earlier], key=event_order) == [earlier, later]


def test_event_order_ties_only_equal_events():
    assert event_order(ev(EventType.CLOSED, AT, "dana")) == event_order(ev(EventType.CLOSED, AT, "dana"))


def test_the_plan_does_not_depend_on_the_order_events_come_in():
    from itertools import permutations

    from app.domain.planner import plan
    from app.domain.policy import Policy

    iv = interview()
    moment = END + days(1)
    events = [ev(EventType.OFFER_RECEIVED, moment), ev(EventType.REJECTION_RECEIVED, moment),
              ev(EventType.THANK_YOU_SENT, moment, contact="dana"), ev(EventType.FOLLOW_UP_SENT, moment)]  # fmt: skip
    answers = {repr(plan(iv, list(order), Policy(), NOW)) for order in permutations(events)}
    assert len(answers) == 1


def rejected(event: Event, iv=None) -> str:
    with pytest.raises(EventRejected) as caught:
        check_event(iv or interview(), event, NOW)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.message
    return caught.value.message


def test_valid_events_pass():
    for kind in EventType:
        timeline = 5 if kind is EventType.RESPONSE_RECEIVED else None
        assert check_event(interview(), ev(kind, END + days(1), "dana", timeline), NOW) is None
    assert check_event(interview(), ev(EventType.CLOSED, START), NOW) is None
    assert check_event(interview(), ev(EventType.CLOSED, NOW), NOW) is None
    assert check_event(interview(), ev(EventType.RESPONSE_RECEIVED, NOW, timeline=0), NOW) is None
    assert check_event(interview(), ev(EventType.RESPONSE_RECEIVED, NOW, timeline=365), NOW) is None
    after_outcome = [ev(EventType.OFFER_RECEIVED, END)]
    assert after_outcome and check_event(interview(), ev(EventType.FOLLOW_UP_SENT, NOW), NOW) is None


@pytest.mark.parametrize(
    ("event", "message", "field"),
    [
        pytest.param(ev(EventType.CLOSED, datetime(2026, 4, 17, 12)), "The event time needs a timezone offset.",
                     "occurred_at", id="naive time"),
        pytest.param(ev(EventType.THANK_YOU_SENT, END, "zoe"),
                     "The event names contact 'zoe', who is not part of this interview.", "contact_id",
                     id="contact of another interview"),
        pytest.param(ev(EventType.THANK_YOU_SENT, START - timedelta(seconds=1)),
                     "The event happened before the interview started.", "occurred_at", id="before the start"),
        pytest.param(ev(EventType.THANK_YOU_SENT, NOW + timedelta(seconds=1)),
                     "The event lies in the future; record it once it has happened.", "occurred_at", id="in the future"),
        pytest.param(ev(EventType.FOLLOW_UP_SENT, END, timeline=3),
                     "Only a response_received event can carry timeline_days.", "timeline_days",
                     id="timeline on a follow-up"),
        pytest.param(ev(EventType.RESPONSE_RECEIVED, END, timeline=-1),
                     "timeline_days must be between 0 and 365.", "timeline_days", id="negative timeline"),
        pytest.param(ev(EventType.RESPONSE_RECEIVED, END, timeline=366),
                     "timeline_days must be between 0 and 365.", "timeline_days", id="timeline over a year"),
    ],
)  # fmt: skip
def test_refused_events(event, message, field):
    """The message says why, for a human; the field at fault is where a 422 points (`loc`)."""
    with pytest.raises(EventRejected) as caught:
        check_event(interview(), event, NOW)
    assert caught.value.message == str(caught.value) == message
    assert caught.value.field == field
    assert caught.value.loc("body") == f"body.{field}"
    assert caught.value.loc("body.events.2") == f"body.events.2.{field}"


def test_a_refusal_without_a_field_points_at_the_event():
    refusal = EventRejected("Not this one.")
    assert refusal.field == ""
    assert refusal.loc("body") == "body"
    assert refusal.loc("body.events.0") == "body.events.0"


def test_offsets_compare_as_instants():
    other_offset = (START - timedelta(minutes=1)).astimezone(timezone(timedelta(hours=-7)))
    assert rejected(ev(EventType.CLOSED, other_offset)) == "The event happened before the interview started."


def test_message_refusals():
    iv = interview(interviewers=(dana(), bot(), sam()))
    rejection = [ev(EventType.REJECTION_RECEIVED, END + days(1))]
    for kind in (MessageKind.THANK_YOU, MessageKind.LINKEDIN_NOTE, MessageKind.FOLLOW_UP):
        assert message_refusal(kind, iv, dana(), []) is None
    assert message_refusal(MessageKind.FOLLOW_UP, iv, None, []) is None
    assert message_refusal(MessageKind.REJECTION_REPLY, iv, None, rejection) is None
    assert message_refusal(MessageKind.REJECTION_REPLY, iv, sam(), rejection) is None
    assert message_refusal(MessageKind.REJECTION_REPLY, iv, None, []) == (
        "There is no rejection to reply to: record the rejection_received event first."
    )
    assert message_refusal(MessageKind.LINKEDIN_NOTE, iv, bot(), []) == (
        "HireBot is an AI interviewer, and a LinkedIn note only goes to a person (rule 2)."
    )
    assert message_refusal(MessageKind.THANK_YOU, iv, bot(), []) == (
        "HireBot is an AI interviewer, and a thank-you only goes to a person (rule 2)."
    )
    assert message_refusal(MessageKind.THANK_YOU, iv, None, []) == (
        "A thank-you is written to one person: choose the contact it is for."
    )
    assert message_refusal(MessageKind.LINKEDIN_NOTE, iv, None, []) == (
        "A LinkedIn note is written to one person: choose the contact it is for."
    )
    stranger = sam(id="zoe", name="Zoe Stone")
    assert message_refusal(MessageKind.THANK_YOU, iv, stranger, []) == "Zoe Stone is not a contact of this interview."


def test_an_outcome_at_exactly_now_counts():
    assert status_at(interview(), [ev(EventType.OFFER_RECEIVED, NOW)], NOW) is InterviewStatus.OFFER_RECEIVED
