"""Rules 7 and 8: a rejection or another outcome ends the chain."""

from __future__ import annotations

import pytest

from app.domain.model import (
    ActionState,
    Agency,
    Channel,
    MessageKind,
    Priority,
    Recipient,
    Rule,
)
from app.domain.policy import Policy
from tests.domain.domain_builders import (
    END,
    ActionKind,
    EventType,
    actions,
    dana,
    days,
    ev,
    hours,
    interview,
    kai,
    of_kind,
    one,
    sam,
)

REPLY = ActionKind.REPLY_TO_REJECTION
THANKED = ev(EventType.THANK_YOU_SENT, END + hours(3), "dana")
FOLLOWED = ev(EventType.FOLLOW_UP_SENT, END + days(8))


def test_a_rejection_after_a_follow_up():
    iv = interview(interviewers=(dana(), sam()))
    rejected = END + days(10)
    events = [THANKED, FOLLOWED, ev(EventType.REJECTION_RECEIVED, rejected, "sam")]
    acts = actions(iv, events, rejected + hours(1))
    follow_ups = of_kind(acts, ActionKind.SEND_FOLLOW_UP)
    assert [f.state for f in follow_ups] == [ActionState.DONE, ActionState.CANCELLED]
    assert follow_ups[1].reason == (
        "The rejection on Sunday 26 April ended the follow-up chain, so the follow-up to Dana Lee is no longer needed."
    )
    reply = one(acts, REPLY)
    assert reply.available_at == rejected
    assert reply.due_at == rejected + hours(24)
    assert reply.late_after == rejected + hours(72)
    assert (reply.state, reply.priority, reply.rule) == (ActionState.DUE, Priority.NORMAL, Rule.REJECTION)
    assert (reply.channel, reply.message_kind) == (Channel.EMAIL, MessageKind.REJECTION_REPLY)
    assert (reply.contact_id, reply.recipient) == ("sam", Recipient("Sam Reed", "sam@acme.test"))
    assert reply.reason == (
        "Acme turned you down on Sunday 26 April; thank Sam Reed graciously by Monday 27 April "
        "to keep the door open for future roles."
    )
    assert one(acts, ActionKind.CONNECT_ON_LINKEDIN).state is ActionState.DUE  # LinkedIn kept
    assert one(actions(iv, events, rejected + hours(72)), REPLY).state is ActionState.OVERDUE
    assert one(actions(iv, events, rejected + hours(72)), REPLY).priority is Priority.NORMAL


def test_the_reply_goes_to_the_follow_up_recipient_when_nobody_is_named():
    iv = interview(interviewers=(kai(), dana()))
    reply = one(actions(iv, [ev(EventType.REJECTION_RECEIVED, END + days(1))], END + days(1)), REPLY)
    assert reply.contact_id == "dana"
    agency = Agency(name="Talent Co", contact_name="Ann Agent", contact_email="ann@talent.test")
    iv = interview(interviewers=(dana(),), agency=agency)
    reply = one(actions(iv, [ev(EventType.REJECTION_RECEIVED, END + days(1))], END + days(1)), REPLY)
    assert (reply.contact_id, reply.recipient) == (None, Recipient("Ann Agent", "ann@talent.test"))


def test_the_reply_with_nobody_to_thank():
    iv = interview(interviewers=())
    reply = one(actions(iv, [ev(EventType.REJECTION_RECEIVED, END + days(1))], END + days(1)), REPLY)
    assert reply.recipient is None
    assert "find who to thank" in reply.reason


def test_a_rejection_cancels_pending_thank_yous():
    iv = interview(interviewers=(dana(), kai()))
    acts = actions(iv, [THANKED, ev(EventType.REJECTION_RECEIVED, END + hours(20))], END + days(1))
    assert one(acts, ActionKind.SEND_THANK_YOU, "dana").state is ActionState.DONE
    kai_thanks = one(acts, ActionKind.SEND_THANK_YOU, "kai")
    assert kai_thanks.state is ActionState.CANCELLED
    assert kai_thanks.reason == (
        "The rejection on Friday 17 April ended the follow-up chain, so the thank-you to Kai Berg is no longer needed."
    )


def test_a_thank_you_missed_before_the_outcome_stays_missed():
    acts = actions(interview(), [ev(EventType.OFFER_RECEIVED, END + days(9))], END + days(10))
    assert one(acts, ActionKind.SEND_THANK_YOU).state is ActionState.MISSED


def test_reply_done_and_policy_hours():
    policy = Policy(rejection_reply_due_hours=2, rejection_reply_late_hours=4)
    rejected = END + days(1)
    events = [ev(EventType.REJECTION_RECEIVED, rejected, "dana")]
    reply = one(actions(interview(), events, rejected + hours(4), policy), REPLY)
    assert (reply.due_at, reply.late_after, reply.state) == (rejected + hours(2), rejected + hours(4), ActionState.OVERDUE)
    events.append(ev(EventType.REJECTION_REPLY_SENT, rejected + hours(5)))
    reply = one(actions(interview(), events, rejected + hours(6), policy), REPLY)
    assert reply.state is ActionState.DONE
    assert reply.reason == "You replied graciously to Dana Lee on Friday 17 April."


@pytest.mark.parametrize(
    ("outcome", "word"),
    [
        (EventType.OFFER_RECEIVED, "offer"),
        (EventType.WITHDRAWN, "withdrawal"),
        (EventType.NEXT_ROUND_SCHEDULED, "next round"),
        (EventType.CLOSED, "close-out"),
    ],
)
def test_terminal_outcomes(outcome, word):
    iv = interview(interviewers=(dana(), kai(), sam()))
    events = [THANKED, ev(outcome, END + days(2))]
    acts = actions(iv, events, END + days(30))
    states = {(a.kind, a.contact_id): a.state for a in acts}
    assert states[(ActionKind.SEND_THANK_YOU, "dana")] is ActionState.DONE
    assert states[(ActionKind.SEND_THANK_YOU, "kai")] is ActionState.CANCELLED
    assert states[(ActionKind.SEND_THANK_YOU, "sam")] is ActionState.CANCELLED
    assert states[(ActionKind.SEND_FOLLOW_UP, "dana")] is ActionState.CANCELLED
    assert states[(ActionKind.CONNECT_ON_LINKEDIN, "sam")] is ActionState.DUE
    assert of_kind(acts, REPLY) == [] and of_kind(acts, ActionKind.WAIT) == []
    assert of_kind(acts, ActionKind.CLOSE_OUT) == []
    assert f"The {word} on Saturday 18 April ended the follow-up chain" in one(acts, ActionKind.SEND_FOLLOW_UP).reason


def test_an_outcome_cancels_a_pending_close_out():
    events = [THANKED, FOLLOWED, ev(EventType.FOLLOW_UP_SENT, END + days(16)), ev(EventType.OFFER_RECEIVED, END + days(18))]
    close = one(actions(interview(), events, END + days(19)), ActionKind.CLOSE_OUT)
    assert close.state is ActionState.CANCELLED
    assert close.reason.startswith("The offer on Monday 4 May ended the follow-up chain, so closing out")


def test_events_after_an_outcome_do_not_revive_the_chain():
    iv = interview(interviewers=(dana(), kai()))
    events = [
        ev(EventType.OFFER_RECEIVED, END + days(1)),
        ev(EventType.THANK_YOU_SENT, END + days(2), "kai"),
        ev(EventType.FOLLOW_UP_SENT, END + days(3)),
        ev(EventType.RESPONSE_RECEIVED, END + days(4), timeline=3),
        ev(EventType.REJECTION_RECEIVED, END + days(5)),
        ev(EventType.REJECTION_REPLY_SENT, END + days(6)),
    ]
    acts = actions(iv, events, END + days(30))
    assert one(acts, ActionKind.SEND_THANK_YOU, "kai").state is ActionState.CANCELLED
    assert [f.state for f in of_kind(acts, ActionKind.SEND_FOLLOW_UP)] == [ActionState.CANCELLED]
    assert of_kind(acts, REPLY) == []  # the later rejection changes nothing
    assert [a for a in acts if a.state in (ActionState.DUE, ActionState.OVERDUE, ActionState.UPCOMING)] == []


def test_a_reply_sent_before_the_rejection_does_not_count():
    rejected = END + days(2)
    events = [ev(EventType.REJECTION_REPLY_SENT, END + days(1)), ev(EventType.REJECTION_RECEIVED, rejected)]
    assert one(actions(interview(), events, rejected), REPLY).state is ActionState.DUE


def test_a_saturday_night_rejection_reply_goes_out_at_once_when_monday_is_too_late():
    from tests.domain.domain_builders import local

    rejected = local(2026, 4, 18, 20)
    policy = Policy(rejection_reply_due_hours=24, rejection_reply_late_hours=24)
    reply = one(actions(interview(), [ev(EventType.REJECTION_RECEIVED, rejected)], rejected, policy), REPLY)
    assert reply.suggested_send_at == rejected
    reply = one(actions(interview(), [ev(EventType.REJECTION_RECEIVED, rejected)], rejected), REPLY)
    assert reply.suggested_send_at == local(2026, 4, 20, 9)


def test_the_reply_sits_at_its_contact_position():
    from app.domain.planner import schedule

    iv = interview(interviewers=(dana(), sam()))
    steps = schedule(iv, [ev(EventType.REJECTION_RECEIVED, END + days(1), "sam")], Policy())
    assert [(s.contact_id, s.position) for s in steps if s.kind is REPLY] == [("sam", 1)]
