"""Rule 1: one thank-you per human contact, due 24 h and late 48 h after the end."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.domain.model import (
    ActionState,
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
    InterviewFormat,
    Rapport,
    actions,
    bot,
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

TINY = timedelta(microseconds=1)
THANK = ActionKind.SEND_THANK_YOU


@pytest.mark.parametrize(
    ("now", "state", "priority"),
    [
        (END - TINY, ActionState.UPCOMING, Priority.NORMAL),
        (END, ActionState.DUE, Priority.NORMAL),
        (END + hours(24) - TINY, ActionState.DUE, Priority.NORMAL),
        (END + hours(24), ActionState.DUE, Priority.NORMAL),  # past due_at, not yet late
        (END + hours(48) - TINY, ActionState.DUE, Priority.NORMAL),
        (END + hours(48), ActionState.OVERDUE, Priority.HIGH),  # late: high priority
        (END + days(7) - TINY, ActionState.OVERDUE, Priority.HIGH),
        (END + days(7), ActionState.MISSED, Priority.NORMAL),  # the follow-up takes over
        (END + days(60), ActionState.MISSED, Priority.NORMAL),
    ],
)
def test_due_late_missed_boundaries(now, state, priority):
    thank_you = one(actions(interview(), [], now), THANK)
    assert (thank_you.state, thank_you.priority) == (state, priority)
    assert thank_you.available_at == END
    assert thank_you.due_at == END + hours(24)
    assert thank_you.late_after == END + hours(48)
    assert thank_you.rule is Rule.THANK_YOU
    assert thank_you.channel is Channel.EMAIL
    assert thank_you.message_kind is MessageKind.THANK_YOU
    assert thank_you.recipient == Recipient("Dana Lee", "dana@acme.test")
    assert thank_you.contact_id == "dana"
    assert thank_you.interview_id == "iv1"


def test_the_follow_up_opens_exactly_when_the_thank_you_is_missed():
    acts = actions(interview(), [], END + days(7))
    assert one(acts, THANK).state is ActionState.MISSED
    follow_up = one(acts, ActionKind.SEND_FOLLOW_UP)
    assert (follow_up.available_at, follow_up.state) == (END + days(7), ActionState.DUE)


def test_a_panel_of_three_gets_three_thank_yous_by_name():
    iv = interview(interviewers=(kai(), dana(), sam()))
    thanks = of_kind(actions(iv, [], END + hours(1)), THANK)
    assert [t.contact_id for t in thanks] == ["kai", "dana", "sam"]  # the interview's order
    assert [t.recipient.name for t in thanks] == ["Kai Berg", "Dana Lee", "Sam Reed"]
    assert all(t.state is ActionState.DUE for t in thanks)
    for thank_you in thanks:
        assert thank_you.recipient.name in thank_you.reason


def test_each_thank_you_is_settled_by_its_own_event():
    iv = interview(interviewers=(kai(), dana(), sam()))
    acts = actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(2), "dana")], END + hours(50))
    states = {t.contact_id: t.state for t in of_kind(acts, THANK)}
    assert states == {"kai": ActionState.OVERDUE, "dana": ActionState.DONE, "sam": ActionState.OVERDUE}


def test_a_thank_you_naming_nobody_settles_every_thank_you():
    iv = interview(interviewers=(kai(), dana()))
    acts = actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(2))], END + hours(3))
    assert {t.state for t in of_kind(acts, THANK)} == {ActionState.DONE}


def test_a_contact_without_email_still_gets_its_thank_you():
    iv = interview(interviewers=(dana(email=None),))
    thank_you = one(actions(iv, [], END), THANK)
    assert thank_you.recipient == Recipient("Dana Lee", None)


def test_a_late_thank_you_sent_is_done_even_after_it_was_missed():
    acts = actions(interview(), [ev(EventType.THANK_YOU_SENT, END + days(8))], END + days(9))
    assert one(acts, THANK).state is ActionState.DONE
    # the follow-up now counts from that thank-you (rule 4)
    assert one(acts, ActionKind.SEND_FOLLOW_UP).available_at == END + days(15)


@pytest.mark.parametrize("fmt", [InterviewFormat.VIRTUAL, InterviewFormat.IN_PERSON, InterviewFormat.PHONE])
def test_nobody_recorded_gets_rule_2s_one_thank_you_asking_for_a_contact(fmt):
    """Rule 2, "(or no interviewer was human)": with no contact recorded, one contactless thank-you asks for one."""
    iv = interview(format=fmt, interviewers=())
    thank_you = one(actions(iv, [], END + hours(1)), THANK)
    assert (thank_you.contact_id, thank_you.recipient, thank_you.channel) == (None, None, Channel.EMAIL)
    assert (thank_you.rule, thank_you.priority, thank_you.state) == (Rule.AI_INTERVIEW, Priority.HIGH, ActionState.DUE)
    assert (thank_you.due_at, thank_you.late_after) == (END + hours(24), END + hours(48))
    # It does not claim that an AI ran the interview: nobody said so.
    assert thank_you.reason == (
        "Nobody you met at your interview on Thursday 16 April is recorded, so add the interviewer or the "
        "recruiter and send them a thank-you by Friday 17 April; until then no one can be thanked."
    )
    sent = [ev(EventType.THANK_YOU_SENT, END + hours(3))]
    assert one(actions(iv, sent, END + hours(4)), THANK).state is ActionState.DONE
    assert one(actions(iv, [], END + days(7)), THANK).state is ActionState.MISSED


def test_a_recorded_human_who_did_not_run_the_interview_is_thanked_as_usual():
    iv = interview(interviewers=(sam(),))  # only the recruiter: a human is known, so rule 1 alone
    thank_you = one(actions(iv, [], END + hours(1)), THANK)
    assert (thank_you.contact_id, thank_you.rule, thank_you.priority) == ("sam", Rule.THANK_YOU, Priority.NORMAL)


def test_policy_hours_change_due_and_late():
    policy = Policy(thank_you_due_hours=2, thank_you_late_hours=5)
    thank_you = one(actions(interview(), [], END + hours(5), policy), THANK)
    assert thank_you.due_at == END + hours(2)
    assert thank_you.late_after == END + hours(5)
    assert (thank_you.state, thank_you.priority) == (ActionState.OVERDUE, Priority.HIGH)
    assert "within 2 hours of your interview" in thank_you.reason


def test_missed_follows_the_follow_up_wait_policy():
    policy = Policy(follow_up_wait_days=3)
    assert one(actions(interview(), [], END + days(3) - hours(1), policy), THANK).state is ActionState.OVERDUE
    assert one(actions(interview(), [], END + days(3), policy), THANK).state is ActionState.MISSED


def test_a_follow_up_sent_early_overtakes_the_thank_you():
    acts = actions(interview(), [ev(EventType.FOLLOW_UP_SENT, END + hours(3))], END + hours(4))
    assert one(acts, THANK).state is ActionState.MISSED


def test_thank_you_reason_names_person_and_days():
    thank_you = one(actions(interview(interviewers=(kai(rapport=Rapport.GOOD),)), [], END), THANK)
    assert thank_you.reason == (
        "Send Kai Berg a thank-you by Friday 17 April, within 24 hours of your interview on "
        "Thursday 16 April; it stays worth sending until Thursday 23 April, when a follow-up takes over."
    )
    done = one(actions(interview(), [ev(EventType.THANK_YOU_SENT, END + hours(30))], END + hours(31)), THANK)
    assert done.reason == "You sent Dana Lee a thank-you on Friday 17 April."


def test_a_friday_evening_interview_thank_you_goes_out_friday_night():
    # Friday 17 April 2026, 18:00-19:00 Berlin: late on Sunday evening, before Monday's window
    from tests.domain.domain_builders import local

    iv = interview(starts_at=local(2026, 4, 17, 18))
    thank_you = one(actions(iv, [], local(2026, 4, 17, 19)), THANK)
    assert thank_you.suggested_send_at == thank_you.available_at == local(2026, 4, 17, 19)
    # with a late threshold after Monday 09:00 it waits for Monday morning
    policy = Policy(thank_you_due_hours=24, thank_you_late_hours=72)
    thank_you = one(actions(iv, [], local(2026, 4, 17, 19), policy), THANK)
    assert thank_you.suggested_send_at == local(2026, 4, 20, 9)


def test_an_outcome_exactly_when_the_thank_you_is_missed_leaves_it_missed():
    acts = actions(interview(), [ev(EventType.OFFER_RECEIVED, END + days(7))], END + days(7))
    assert one(acts, THANK).state is ActionState.MISSED
    acts = actions(interview(), [ev(EventType.OFFER_RECEIVED, END + days(7) - TINY)], END + days(7))
    assert one(acts, THANK).state is ActionState.CANCELLED


NO_FOLLOW_UPS = Policy(max_follow_ups=0)


@pytest.mark.parametrize(
    ("events", "now", "state", "priority"),
    [
        ([], END + hours(48), ActionState.OVERDUE, Priority.HIGH),
        # no follow-up ever comes to take over, so the late thank-you stays recommended
        ([], END + days(7), ActionState.OVERDUE, Priority.HIGH),
        ([], END + days(60), ActionState.OVERDUE, Priority.HIGH),
        # an outcome still ends it (rule 8), closing out included
        ([ev(EventType.CLOSED, END + days(9))], END + days(10), ActionState.CANCELLED, Priority.NORMAL),
        ([ev(EventType.OFFER_RECEIVED, END + days(30))], END + days(30), ActionState.CANCELLED, Priority.NORMAL),
        # an answer after the follow-up would have opened: still none came to take over
        ([ev(EventType.RESPONSE_RECEIVED, END + days(9))], END + days(10), ActionState.OVERDUE, Priority.HIGH),
        ([ev(EventType.RESPONSE_RECEIVED, END + days(9), timeline=3)], END + days(10), ActionState.OVERDUE, Priority.HIGH),
        # a follow-up sent anyway takes over, as under any cap
        ([ev(EventType.FOLLOW_UP_SENT, END + days(3))], END + days(3), ActionState.MISSED, Priority.NORMAL),
    ],
)
def test_with_a_cap_of_zero_a_late_thank_you_stays_recommended(events, now, state, priority):
    thank_you = one(actions(interview(), events, now, NO_FOLLOW_UPS), THANK)
    assert (thank_you.state, thank_you.priority) == (state, priority)


@pytest.mark.parametrize(
    ("answered", "state"),
    [
        # An answer before the follow-up opens ends the chain first: no follow-up ever takes over.
        (END + days(7) - TINY, ActionState.OVERDUE),
        # One at or after that moment comes after the follow-up took over (rule 1), which then
        # is not listed: the answer ended the chain (rule 4).
        (END + days(7), ActionState.MISSED),
        (END + days(8), ActionState.MISSED),
    ],
)
def test_an_answer_ending_the_chain_leaves_a_late_thank_you_as_it_stood_then(answered, state):
    acts = actions(interview(), [ev(EventType.RESPONSE_RECEIVED, answered)], END + days(9))
    assert one(acts, THANK).state is state
    assert of_kind(acts, ActionKind.SEND_FOLLOW_UP) == []


PROMISE = "Send Dana Lee a thank-you by Friday 17 April, within 24 hours of your interview on Thursday 16 April; "
TOOK_OVER = "a follow-up took over from it on Thursday 23 April, and the reply from "


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        # The chain ended before a follow-up opened: none ever takes over, and the reason promises none.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(7) - TINY, "dana")], PROMISE + "it stays worth sending even when late."),
        # After the follow-up took over, the answer ended the chain and no follow-up is listed: the
        # missed thank-you says both, or it would point at a follow-up the plan does not show.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(7), "dana")],
         PROMISE + TOOK_OVER + "Dana Lee on Thursday 23 April then ended the follow-ups."),
        ([ev(EventType.RESPONSE_RECEIVED, END + days(8))], PROMISE + TOOK_OVER + "Acme on Friday 24 April then ended the follow-ups."),
        # The same with the follow-up sent (and listed as done), and with an outcome after the answer.
        ([ev(EventType.FOLLOW_UP_SENT, END + days(7)), ev(EventType.RESPONSE_RECEIVED, END + days(8))],
         PROMISE + TOOK_OVER + "Acme on Friday 24 April then ended the follow-ups."),
        ([ev(EventType.RESPONSE_RECEIVED, END + days(8)), ev(EventType.OFFER_RECEIVED, END + days(8) + hours(1))],
         PROMISE + TOOK_OVER + "Acme on Friday 24 April then ended the follow-ups."),
        # A later answer with a timeline reopens the chain: its follow-up is listed, the promise stands.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(8)), ev(EventType.RESPONSE_RECEIVED, END + days(8), timeline=3)],
         PROMISE + "it stays worth sending until Thursday 23 April, when a follow-up takes over."),
        # An answer that ended the chain before a follow-up sent anyway took over is not what ended it then.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(3))],
         PROMISE + "it stays worth sending until Sunday 19 April, when a follow-up takes over."),
    ],
)  # fmt: skip
def test_a_thank_you_missed_before_an_answer_ended_the_chain_says_so(events, reason):
    """Rules 1 and 4: the reason of a thank-you a follow-up took over from names the reply that then
    ended the follow-ups, with both days; the plan itself (states, times, actions) is unchanged."""
    acts = actions(interview(), events, END + days(9))
    assert one(acts, THANK).reason == reason


#: An answer without a timeline ends the chain (rule 4) before a follow-up opens; one is sent anyway later.
ENDED_THEN_SENT = [ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(10))]


@pytest.mark.parametrize(
    ("now", "state", "missed_at", "lasts"),
    [
        # No follow-up was open after the answer: the late thank-you stayed recommended...
        (END + days(8), ActionState.OVERDUE, None, "even when late."),
        (END + days(10) - TINY, ActionState.OVERDUE, None, "even when late."),
        # ...until the follow-up sent anyway took over, as it went out: not from the day one would have
        # opened had no answer come (Thursday 23 April), when the plans of those days said overdue.
        (END + days(10), ActionState.MISSED, END + days(10), "until Sunday 26 April, when a follow-up takes over."),
        (END + days(20), ActionState.MISSED, END + days(10), "until Sunday 26 April, when a follow-up takes over."),
    ],
)
def test_a_follow_up_sent_after_an_answer_ended_the_chain_takes_over_when_sent(now, state, missed_at, lasts):
    """Rules 1 and 4: planning at an earlier moment gives the plan of that moment, so the thank-you
    is missed from the follow-up's sending, and its reason names that day."""
    from app.domain.planner import schedule

    thank_you = one(actions(interview(), ENDED_THEN_SENT, now), THANK)
    assert (thank_you.state, thank_you.reason) == (state, PROMISE + "it stays worth sending " + lasts)
    past = [e for e in ENDED_THEN_SENT if e.occurred_at <= now]
    assert [s.missed_at for s in schedule(interview(), past, Policy()) if s.kind is THANK] == [missed_at]


@pytest.mark.parametrize(
    ("interviewers", "reason"),
    [
        ((bot(), sam()),
         "Your interview on Thursday 16 April was with an AI and no person has met you yet, so send Sam Reed a "
         "thank-you by Friday 17 April to put a human face on your application; " + TOOK_OVER
         + "HireBot on Friday 24 April then ended the follow-ups."),
        ((bot(),),
         "Your interview on Thursday 16 April was with an AI and no person has met you yet, so find the name of the "
         "recruiter or hiring contact and send them a thank-you by Friday 17 April; " + TOOK_OVER
         + "HireBot on Friday 24 April then ended the follow-ups."),
        ((),
         "Nobody you met at your interview on Thursday 16 April is recorded, so add the interviewer or the recruiter "
         "and send them a thank-you by Friday 17 April; " + TOOK_OVER + "Acme on Friday 24 April then ended the follow-ups."),
    ],
)  # fmt: skip
def test_rule_2s_missed_thank_you_names_the_answer_that_ended_the_chain(interviewers, reason):
    events = [ev(EventType.RESPONSE_RECEIVED, END + days(8), "bot" if interviewers else None)]
    acts = actions(interview(interviewers=interviewers), events, END + days(9))
    thank_you = one(acts, THANK)
    assert (thank_you.state, thank_you.reason) == (ActionState.MISSED, reason)
    assert of_kind(acts, ActionKind.SEND_FOLLOW_UP) == []


def test_with_a_cap_of_zero_the_reason_promises_no_follow_up():
    acts = actions(interview(), [], END + days(8), NO_FOLLOW_UPS)
    assert one(acts, THANK).reason == (
        "Send Dana Lee a thank-you by Friday 17 April, within 24 hours of your interview on "
        "Thursday 16 April; it stays worth sending even when late."
    )
    assert one(acts, ActionKind.CLOSE_OUT).available_at == END + days(7)  # closing out is still suggested


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # Late after two weeks, but a follow-up takes over on Friday 17 April at 11:00 (a 1-day wait
        # after the 1-hour due): the only send day, Sunday 19 April, comes after that, so at once.
        (Policy(thank_you_due_hours=1, thank_you_late_hours=336, follow_up_wait_days=1, send_days=(7,)), END),
        # The window opens on Friday 17 April at 09:00 (Berlin), before the follow-up takes over at 11:00.
        (Policy(thank_you_due_hours=1, thank_you_late_hours=336, follow_up_wait_days=1, send_days=(5,)), END + hours(22)),
        # The window opens on Friday 17 April at 11:00, the very moment the follow-up takes over:
        # missed by then, so at once.
        (Policy(thank_you_due_hours=1, thank_you_late_hours=336, follow_up_wait_days=1, send_days=(5,),
                send_window_start=time(11, 0)), END),
        # No follow-up ever takes over (a cap of 0): the late moment alone bounds the suggestion.
        (Policy(thank_you_due_hours=1, thank_you_late_hours=336, max_follow_ups=0, send_days=(7,)), END + hours(70)),
    ],
)
def test_a_thank_you_is_never_suggested_after_a_follow_up_takes_over(policy, expected):
    """Rules 1 and 11: a thank-you a follow-up overtakes before it turns late is suggested no later
    than that moment, else at once; never on a day its own reason says it is no longer worth sending."""
    acts = actions(interview(), [], END + hours(2), policy)
    thank_you = one(acts, THANK, "dana")
    assert thank_you.suggested_send_at == expected
    follow_ups = of_kind(acts, ActionKind.SEND_FOLLOW_UP)
    if follow_ups:
        assert thank_you.suggested_send_at < follow_ups[0].available_at
