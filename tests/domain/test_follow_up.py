"""Rules 3, 4 and 5: decision timeline, silence, responses, spacing, cap, close-out."""

from __future__ import annotations

import pytest

from app.domain.model import ActionState, Priority, Recipient, Rule
from app.domain.policy import Policy
from tests.domain.domain_builders import (
    END,
    ActionKind,
    EventType,
    actions,
    bot,
    dana,
    days,
    ev,
    hours,
    interview,
    kai,
    local,
    of_kind,
    one,
    sam,
)

FOLLOW = ActionKind.SEND_FOLLOW_UP
CLOSE = ActionKind.CLOSE_OUT
THANKED = ev(EventType.THANK_YOU_SENT, END + hours(3), "dana")


def follow_ups(acts):
    return of_kind(acts, FOLLOW)


def test_silence_after_the_thank_you():
    acts = actions(interview(), [THANKED], END + days(2))
    follow_up = one(acts, FOLLOW)
    assert follow_up.available_at == follow_up.due_at == END + hours(3) + days(7)
    assert follow_up.late_after is None
    assert follow_up.state is ActionState.UPCOMING
    assert follow_up.priority is Priority.NORMAL
    assert follow_up.rule is Rule.FOLLOW_UP
    assert follow_up.recipient == Recipient("Dana Lee", "dana@acme.test")
    assert follow_up.reason == (
        "You have heard nothing since your thank-you on Thursday 16 April, "
        "so send Dana Lee a polite follow-up on Thursday 23 April."
    )


def test_no_thank_you_counts_from_the_end():
    follow_up = one(actions(interview(), [], END + days(1)), FOLLOW)
    assert follow_up.available_at == END + days(7)
    assert "since your interview on Thursday 16 April" in follow_up.reason


def test_a_thank_you_during_the_interview_still_counts_from_the_end():
    during = ev(EventType.THANK_YOU_SENT, END - hours(1), "dana")
    assert one(actions(interview(), [during], END + days(1)), FOLLOW).available_at == END + days(7)


@pytest.mark.parametrize(
    ("timeline", "opens", "rule"),
    [
        (10, END + days(10), Rule.DECISION_TIMELINE),  # longer than the 7-day wait
        (5, END + hours(3) + days(7), Rule.FOLLOW_UP),  # shorter: the wait wins
        (7, END + hours(3) + days(7), Rule.FOLLOW_UP),
        (0, END + hours(3) + days(7), Rule.FOLLOW_UP),
    ],
)
def test_decision_timeline(timeline, opens, rule):
    iv = interview(decision_timeline_days=timeline)
    follow_up = one(actions(iv, [THANKED], END + days(1)), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (opens, rule)


def test_decision_timeline_reason_is_the_rulebook_sentence():
    iv = interview(decision_timeline_days=10)
    follow_up = one(actions(iv, [THANKED], END + days(1)), FOLLOW)
    assert follow_up.reason == (
        "Dana Lee said a decision would come within 10 days, so wait until Sunday 26 April before following up."
    )


def test_a_response_without_a_timeline_ends_the_chain():
    events = [THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(2), "dana")]
    acts = actions(interview(), events, END + days(30))
    assert follow_ups(acts) == [] and of_kind(acts, CLOSE) == [] and of_kind(acts, ActionKind.WAIT) == []


ANSWERED = ev(EventType.RESPONSE_RECEIVED, END + days(1))  # "thanks, we will be in touch": no timeline


@pytest.mark.parametrize(
    ("events", "now", "state", "priority"),
    [
        ([THANKED, ANSWERED], END + days(3), ActionState.OVERDUE, Priority.HIGH),
        # no follow-up will ever take over (rule 4 ended the chain), so the late thank-you stays recommended
        ([THANKED, ANSWERED], END + days(8), ActionState.OVERDUE, Priority.HIGH),
        ([THANKED, ANSWERED], END + days(60), ActionState.OVERDUE, Priority.HIGH),
        # a follow-up actually sent took over, response or not
        ([THANKED, ev(EventType.FOLLOW_UP_SENT, END + hours(5)), ANSWERED], END + days(8), ActionState.MISSED,
         Priority.NORMAL),
        # a later response with a timeline revives the chain, and its follow-up takes over again
        ([THANKED, ANSWERED, ev(EventType.RESPONSE_RECEIVED, END + days(2), timeline=3)], END + days(8),
         ActionState.MISSED, Priority.NORMAL),
        # a follow-up was open (THANKED + 7 days) before the answer came: the thank-you was missed
        # then, and an answer after it does not make it recommended again
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(9))], END + days(10), ActionState.MISSED, Priority.NORMAL),
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(9), timeline=20)], END + days(10), ActionState.MISSED,
         Priority.NORMAL),
        # ...and an answer just before it opened still does
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(7))], END + days(10), ActionState.OVERDUE, Priority.HIGH),
        # nor does a late thank-you to someone else, which restarts the silence wait
        ([ev(EventType.THANK_YOU_SENT, END + days(9), "dana")], END + days(10), ActionState.MISSED, Priority.NORMAL),
        # an answer at the very moment it opened comes too late: the follow-up had taken over
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + hours(3) + days(7))], END + days(10), ActionState.MISSED,
         Priority.NORMAL),
        # an earlier answer's timeline still held the follow-up back when the last answer came (rule 4:
        # the silence after the thank-you was not what counted), so none ever opened
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=20), ev(EventType.RESPONSE_RECEIVED, END + days(9))],
         END + days(10), ActionState.OVERDUE, Priority.HIGH),
        # the chain an answer ended stays ended: a second answer at the moment a follow-up would have
        # opened finds none open (a property found this; the thank-you was missed with no follow-up shown)
        ([THANKED, ANSWERED, ev(EventType.RESPONSE_RECEIVED, END + hours(3) + days(7))], END + days(10),
         ActionState.OVERDUE, Priority.HIGH),
    ],
)  # fmt: skip
def test_a_response_without_a_timeline_leaves_a_late_thank_you_recommended(events, now, state, priority):
    thank_you = one(actions(interview(interviewers=(dana(), kai())), events, now), ActionKind.SEND_THANK_YOU, "kai")
    assert (thank_you.state, thank_you.priority) == (state, priority)


def test_a_response_without_a_timeline_promises_no_follow_up():
    acts = actions(interview(interviewers=(dana(), kai())), [THANKED, ANSWERED], END + days(8))
    assert one(acts, ActionKind.SEND_THANK_YOU, "kai").reason == (
        "Send Kai Berg a thank-you by Friday 17 April, within 24 hours of your interview on "
        "Thursday 16 April; it stays worth sending even when late."
    )


def test_a_response_with_a_new_timeline():
    events = [THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(5), "dana", timeline=14)]
    follow_up = one(actions(interview(), events, END + days(6)), FOLLOW)
    assert follow_up.available_at == END + days(19)
    assert follow_up.rule is Rule.FOLLOW_UP
    assert follow_up.reason == (
        "Dana Lee replied on Tuesday 21 April that news would come within 14 days, "
        "so follow up with Dana Lee on Tuesday 5 May."
    )


SLOW = Policy(follow_up_wait_days=14, follow_up_spacing_days=7)


@pytest.mark.parametrize(
    ("events", "policy", "opens", "rule"),
    [
        # a thank-you to someone else after the response restarts no wait
        ([ev(EventType.RESPONSE_RECEIVED, END + hours(2), "dana", timeline=3),
          ev(EventType.THANK_YOU_SENT, END + hours(3), "kai")], Policy(), END + hours(2) + days(3), Rule.FOLLOW_UP),
        ([ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=3),
          ev(EventType.THANK_YOU_SENT, END + days(2), "kai")], SLOW, END + days(4), Rule.FOLLOW_UP),
        # one to the follow-up's own person: its spacing window (7 days), not the silence wait (14)
        ([ev(EventType.RESPONSE_RECEIVED, END + days(1), "dana", timeline=3),
          ev(EventType.THANK_YOU_SENT, END + days(1) + hours(12), "dana")], SLOW, END + days(8) + hours(12),
         Rule.NEVER_PESTER),
        # a long timeline outlasts the spacing window
        ([ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=20),
          ev(EventType.THANK_YOU_SENT, END + days(2), "dana")], SLOW, END + days(21), Rule.FOLLOW_UP),
    ],
)  # fmt: skip
def test_outreach_after_a_response_with_a_timeline_is_held_back_only_by_spacing(events, policy, opens, rule):
    follow_up = one(actions(interview(interviewers=(dana(), kai())), events, END + days(3), policy), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (opens, rule)


def test_a_short_response_timeline_never_beats_the_original_decision_timeline():
    iv = interview(decision_timeline_days=20)
    events = [THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(2), timeline=3)]
    follow_up = one(actions(iv, events, END + days(3)), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (END + days(20), Rule.DECISION_TIMELINE)


def test_a_short_response_timeline_never_lands_inside_the_spacing_window():
    events = [THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=2)]
    follow_up = one(actions(interview(), events, END + days(2)), FOLLOW)
    assert follow_up.available_at == END + hours(3) + days(7)
    assert follow_up.rule is Rule.NEVER_PESTER
    assert "emails to one person stay 7 days apart" in follow_up.reason


def test_only_the_latest_response_counts():
    timed = ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=20)
    untimed = ev(EventType.RESPONSE_RECEIVED, END + days(2))
    retimed = ev(EventType.RESPONSE_RECEIVED, END + days(3), timeline=10)
    assert follow_ups(actions(interview(), [THANKED, timed, untimed], END + days(4))) == []
    follow_up = one(actions(interview(), [THANKED, untimed, retimed], END + days(4)), FOLLOW)
    assert follow_up.available_at == END + days(13)
    follow_up = one(actions(interview(), [retimed, THANKED, untimed, timed], END + days(4)), FOLLOW)
    assert follow_up.available_at == END + days(13)  # input order does not matter, time does


def test_the_second_follow_up_and_never_a_third_with_the_default_cap():
    first = ev(EventType.FOLLOW_UP_SENT, END + days(7) + hours(5))
    second = ev(EventType.FOLLOW_UP_SENT, END + days(15))
    acts = actions(interview(), [THANKED, first], END + days(8))
    done, pending = follow_ups(acts)
    assert done.state is ActionState.DONE and done.available_at == END + hours(3) + days(7)
    assert pending.state is ActionState.UPCOMING
    assert pending.available_at == END + days(14) + hours(5)
    assert "a second, final, follow-up" in pending.reason
    # after the second: no third, a close-out 7 days later and a wait pointing at it
    acts = actions(interview(), [THANKED, first, second], END + days(16))
    assert [f.state for f in follow_ups(acts)] == [ActionState.DONE, ActionState.DONE]
    close = one(acts, CLOSE)
    assert close.available_at == close.due_at == close.suggested_send_at == END + days(22)
    assert close.rule is Rule.NEVER_PESTER and close.late_after is None
    assert close.recipient is None and close.channel is None and close.message_kind is None
    wait = one(acts, ActionKind.WAIT)
    assert wait.available_at == END + days(22)
    assert "close this application out" in wait.reason
    assert one(actions(interview(), [THANKED, first, second], END + days(22)), CLOSE).state is ActionState.DUE


def test_a_third_follow_up_with_a_cap_of_three():
    events = [THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, END + days(16))]
    acts = actions(interview(), events, END + days(17), Policy(max_follow_ups=3))
    third = follow_ups(acts)[-1]
    assert third.state is ActionState.UPCOMING and third.available_at == END + days(23)
    assert "a third, final, follow-up" in third.reason
    assert of_kind(acts, CLOSE) == []


def test_a_cap_of_zero_closes_out_when_the_follow_up_would_have_opened():
    acts = actions(interview(), [THANKED], END + days(8), Policy(max_follow_ups=0))
    assert follow_ups(acts) == []
    close = one(acts, CLOSE)
    assert close.available_at == END + hours(3) + days(7)
    assert close.reason.startswith("You have heard nothing since your thank-you on Thursday 16 April")


@pytest.mark.parametrize(
    ("last", "send"),
    [
        (local(2026, 5, 2, 23), local(2026, 5, 11, 9)),  # opens Saturday 9 May 23:00: Monday 09:00
        (local(2026, 5, 1, 18), local(2026, 5, 11, 9)),  # opens Friday 8 May 18:00, after the window
        (local(2026, 5, 4, 7), local(2026, 5, 11, 9)),  # opens Monday 11 May 07:00, before it
        (local(2026, 5, 5, 12), local(2026, 5, 12, 12)),  # opens Tuesday 12 May 12:00, inside it
    ],
)
def test_the_close_out_is_suggested_inside_the_send_window(last, send):
    events = [ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, last)]
    close = one(actions(interview(), events, last + hours(1)), CLOSE)
    assert (close.available_at, close.suggested_send_at) == (last + days(7), send)


def test_closed_event_settles_the_close_out():
    events = [THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, END + days(16))]
    acts = actions(interview(), [*events, ev(EventType.CLOSED, END + days(24))], END + days(25))
    close = one(acts, CLOSE)
    assert close.state is ActionState.DONE
    assert close.reason == "You closed this application out on Sunday 10 May."
    assert of_kind(acts, ActionKind.WAIT) == []


def test_a_response_after_the_last_follow_up_pushes_the_close_out_back():
    events = [
        THANKED,
        ev(EventType.FOLLOW_UP_SENT, END + days(8)),
        ev(EventType.FOLLOW_UP_SENT, END + days(16)),
        ev(EventType.RESPONSE_RECEIVED, END + days(17), timeline=14),
    ]
    assert one(actions(interview(), events, END + days(18)), CLOSE).available_at == END + days(31)


TWO_SENT = [THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, END + days(15))]


@pytest.mark.parametrize(
    ("events", "policy", "opens", "reason"),
    [
        # the cap reached, then Dana promises news within 14 days: her reply sets the day
        ([*TWO_SENT, ev(EventType.RESPONSE_RECEIVED, END + days(17), "dana", timeline=14)], Policy(), END + days(31),
         "Dana Lee replied on Sunday 3 May that news would come within 14 days, so close this application out on "
         "Sunday 17 May if none has come by then."),
        # a cap of 0: the reply (from the company) sets it too
        ([ev(EventType.RESPONSE_RECEIVED, END + days(2), timeline=20)], Policy(max_follow_ups=0), END + days(22),
         "Acme replied on Saturday 18 April that news would come within 20 days, so close this application out on "
         "Friday 8 May if none has come by then."),
        # a reply before the last follow-up, its timeline long past: no answer came to that follow-up
        ([THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.RESPONSE_RECEIVED, END + days(9), timeline=3),
          ev(EventType.FOLLOW_UP_SENT, END + days(16))], Policy(), END + days(23),
         "No answer came from Dana Lee to your last follow-up of Saturday 2 May, so close this application out on "
         "Saturday 9 May."),
        # a reply since the last follow-up whose news was due before the close-out: an answer did come
        ([*TWO_SENT, ev(EventType.RESPONSE_RECEIVED, END + days(17), "dana", timeline=2)], Policy(), END + days(22),
         "Dana Lee replied on Sunday 3 May that news would come within 2 days; if none has come by Friday 8 May, "
         "close this application out."),
        # a reply at the very moment of the last follow-up is the later word (event_order: the follow-up first)
        ([*TWO_SENT, ev(EventType.RESPONSE_RECEIVED, END + days(15), "dana", timeline=2)], Policy(), END + days(22),
         "Dana Lee replied on Friday 1 May that news would come within 2 days; if none has come by Friday 8 May, "
         "close this application out."),
        # a cap of 0 and a reply whose news was due before the follow-up would have opened
        ([THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=2)], Policy(max_follow_ups=0), END + days(7) + hours(3),
         "Acme replied on Friday 17 April that news would come within 2 days; if none has come by Thursday 23 April, "
         "close this application out."),
    ],
)  # fmt: skip
def test_the_close_out_reason_names_the_latest_word(events, policy, opens, reason):
    close = one(actions(interview(), events, END + days(18), policy), CLOSE)
    assert (close.available_at, close.reason) == (opens, reason)


def test_spacing_between_emails_to_one_person():
    policy = Policy(follow_up_wait_days=2, follow_up_spacing_days=10)
    follow_up = one(actions(interview(), [THANKED], END + days(1), policy), FOLLOW)
    assert follow_up.available_at == END + hours(3) + days(10)
    assert follow_up.rule is Rule.NEVER_PESTER
    # a thank-you to another person does not count against the follow-up recipient
    iv = interview(interviewers=(dana(), kai()))
    follow_up = one(actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(3), "kai")], END + days(1), policy), FOLLOW)
    assert follow_up.available_at == END + hours(3) + days(2)
    assert follow_up.rule is Rule.FOLLOW_UP


def test_follow_ups_stay_apart_whoever_they_went_to():
    iv = interview(interviewers=(dana(), kai()))
    policy = Policy(follow_up_wait_days=2, follow_up_spacing_days=10, max_follow_ups=3)
    events = [ev(EventType.FOLLOW_UP_SENT, END + days(3), "kai")]
    acts = actions(iv, events, END + days(4), policy)
    done, pending = follow_ups(acts)
    assert (done.contact_id, done.recipient.name) == ("kai", "Kai Berg")
    assert done.reason == "You followed up with Kai Berg on Sunday 19 April."
    assert (pending.contact_id, pending.available_at, pending.rule) == ("dana", END + days(13), Rule.NEVER_PESTER)
    assert pending.reason == (
        "Your last follow-up went to Kai Berg on Sunday 19 April and follow-ups stay 10 days apart, "
        "so follow up with Dana Lee on Wednesday 29 April."
    )


@pytest.mark.parametrize(
    ("events", "policy", "opens", "rule"),
    [
        # rule 5: at least `follow_up_spacing_days` between follow-ups, whoever got the last one
        ([ev(EventType.FOLLOW_UP_SENT, END + days(2), "kai")], Policy(follow_up_wait_days=1),
         END + days(9), Rule.NEVER_PESTER),
        # a response with a short timeline after it does not bring the next one forward
        ([ev(EventType.FOLLOW_UP_SENT, END + days(8), "kai"), ev(EventType.RESPONSE_RECEIVED, END + days(9), timeline=1)],
         Policy(), END + days(15), Rule.NEVER_PESTER),
        # a shorter spacing, the same way
        ([ev(EventType.FOLLOW_UP_SENT, END + days(3), "kai")], Policy(follow_up_wait_days=1, follow_up_spacing_days=5),
         END + days(8), Rule.NEVER_PESTER),
        # when the wait is longer, the wait still sets it
        ([ev(EventType.FOLLOW_UP_SENT, END + days(2), "kai")], Policy(follow_up_wait_days=9),
         END + days(11), Rule.FOLLOW_UP),
    ],
)  # fmt: skip
def test_the_next_follow_up_keeps_its_distance_from_one_sent_to_someone_else(events, policy, opens, rule):
    acts = actions(interview(interviewers=(dana(), kai())), events, END + days(10), policy)
    pending = follow_ups(acts)[-1]
    assert (pending.contact_id, pending.available_at, pending.rule) == ("dana", opens, rule)


def test_follow_up_goes_to_hiring_manager_then_recruiter_then_interviewer():
    iv = interview(interviewers=(kai(), sam(), dana()))
    assert one(actions(iv, [], END), FOLLOW).contact_id == "dana"
    iv = interview(interviewers=(kai(), sam()))
    assert one(actions(iv, [], END), FOLLOW).contact_id == "sam"
    iv = interview(interviewers=(kai(),))
    assert one(actions(iv, [], END), FOLLOW).contact_id == "kai"


def test_policy_wait_and_close_out_days():
    policy = Policy(follow_up_wait_days=3, follow_up_spacing_days=3, close_out_after_days=4, max_follow_ups=1)
    acts = actions(interview(), [THANKED], END + days(1), policy)
    assert one(acts, FOLLOW).available_at == END + hours(3) + days(3)
    assert "one polite follow-up" in one(acts, FOLLOW).reason
    acts = actions(interview(), [THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(4))], END + days(5), policy)
    assert one(acts, CLOSE).available_at == END + days(8)
    assert one(acts, CLOSE).reason == (
        "No answer came from Dana Lee to your last follow-up of Monday 20 April, so close this application out on "
        "Friday 24 April."
    )


def test_a_response_during_the_interview_counts_from_the_end():
    # The one thank-you sent (nobody recorded, no one to space from), so none holds the follow-up back (rule 1).
    events = [ev(EventType.THANK_YOU_SENT, END - hours(2)), ev(EventType.RESPONSE_RECEIVED, END - hours(1), timeline=0)]
    follow_up = one(actions(interview(interviewers=()), events, END), FOLLOW)
    assert follow_up.available_at == END


EXTREME = Policy(thank_you_due_hours=168, thank_you_late_hours=336, follow_up_wait_days=1)


@pytest.mark.parametrize(
    ("iv", "events", "policy", "opens", "rule"),
    [
        # rule 1: the thank-you is due a week after the end; the first follow-up takes over then, not before
        (interview(), [], EXTREME, END + hours(168), Rule.THANK_YOU),
        (interview(), [ev(EventType.RESPONSE_RECEIVED, END + hours(2), timeline=0)], Policy(), END + hours(24),
         Rule.THANK_YOU),
        # one thank-you still unsent (Kai's) is enough
        (interview(interviewers=(dana(), kai())), [THANKED], Policy(thank_you_due_hours=72, thank_you_late_hours=72, follow_up_wait_days=1,
         follow_up_spacing_days=1), END + hours(72), Rule.THANK_YOU),
        # every thank-you sent: rule 4 alone
        (interview(), [THANKED], Policy(thank_you_due_hours=168, thank_you_late_hours=168, follow_up_wait_days=1,
         follow_up_spacing_days=1), END + hours(3) + days(1), Rule.FOLLOW_UP),
        # rule 2: nobody recorded, or an AI interview with no human contact: the one thank-you is pending...
        (interview(interviewers=()), [], EXTREME, END + hours(168), Rule.THANK_YOU),
        (interview(interviewers=(bot(),)), [], EXTREME, END + hours(168), Rule.THANK_YOU),
        # ...until a thank-you is recorded (to no one in particular)
        (interview(interviewers=(bot(),)), [ev(EventType.THANK_YOU_SENT, END + hours(3))], EXTREME,
         END + hours(3) + days(1), Rule.FOLLOW_UP),
    ],
)  # fmt: skip
def test_the_first_follow_up_never_opens_before_a_pending_thank_you_is_due(iv, events, policy, opens, rule):
    follow_up = one(actions(iv, events, END + hours(5), policy), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (opens, rule)


@pytest.mark.parametrize(
    ("now", "state"),
    [(END + days(2), ActionState.DUE), (END + hours(168) - hours(1), ActionState.DUE),
     (END + hours(168), ActionState.MISSED)],
)  # fmt: skip
def test_a_thank_you_is_never_missed_before_it_is_due(now, state):
    acts = actions(interview(), [], now, EXTREME)
    thank_you = one(acts, ActionKind.SEND_THANK_YOU)
    assert thank_you.state is state
    assert thank_you.reason == (
        "Send Dana Lee a thank-you by Thursday 23 April, within 168 hours of your interview on Thursday 16 April; "
        "it stays worth sending until Thursday 23 April, when a follow-up takes over."
    )
    assert one(acts, FOLLOW).reason == (
        "Your thank-you stays due until Thursday 23 April, so follow up with Dana Lee then, not before."
    )


def test_close_out_days_are_calendar_days_across_dst():
    # Berlin falls back on Sunday 25 October 2026: 7 days after 10:00 CEST is 10:00 CET (169 hours).
    from tests.domain.domain_builders import local

    iv = interview(starts_at=local(2026, 9, 28, 10), decision_timeline_days=None)
    end = iv.ends_at
    events = [ev(EventType.FOLLOW_UP_SENT, local(2026, 10, 10, 10)), ev(EventType.FOLLOW_UP_SENT, local(2026, 10, 20, 10))]
    close = one(actions(iv, events, local(2026, 10, 21, 10)), CLOSE)
    assert close.available_at == local(2026, 10, 27, 10)
    events.append(ev(EventType.RESPONSE_RECEIVED, local(2026, 10, 21, 10), timeline=7))
    close = one(actions(iv, events, local(2026, 10, 22, 10)), CLOSE)
    assert close.available_at == local(2026, 10, 28, 10)
    assert end < close.available_at


def test_close_out_is_about_no_contact():
    from app.domain.planner import schedule

    events = [ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, END + days(16))]
    (close,) = [s for s in schedule(interview(), events, Policy()) if s.kind is CLOSE]
    assert (close.position, close.contact_id, close.missed_at, close.shown_from) == (-1, None, None, None)


def test_spacing_and_response_reasons_word_for_word():
    policy = Policy(follow_up_wait_days=2, follow_up_spacing_days=10)
    follow_up = one(actions(interview(), [THANKED], END + days(1), policy), FOLLOW)
    assert follow_up.reason == (
        "Your last email to Dana Lee went out on Thursday 16 April and emails to one person stay 10 days apart, "
        "so follow up on Sunday 26 April."
    )
    events = [ev(EventType.RESPONSE_RECEIVED, END + days(10), timeline=0)]
    follow_up = one(actions(interview(), events, END + days(10)), FOLLOW)
    assert follow_up.available_at == END + days(10)
    assert follow_up.reason == (
        "Acme replied on Sunday 26 April that news would come the same day, so follow up with Dana Lee on "
        "Sunday 26 April."
    )


def test_a_thank_you_sent_as_the_interview_ends_is_the_last_outreach():
    follow_up = one(actions(interview(), [ev(EventType.THANK_YOU_SENT, END, "dana")], END), FOLLOW)
    assert follow_up.reason.startswith("You have heard nothing since your thank-you on Thursday 16 April")


def test_ties_go_to_the_earlier_rule():
    # decision timeline equal to the silence: rule 4 (follow_up) set it
    follow_up = one(actions(interview(decision_timeline_days=7), [], END), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (END + days(7), Rule.FOLLOW_UP)
    # a thank-you due exactly when the silence ends: rule 4 set it, not rule 1
    follow_up = one(actions(interview(), [], END, Policy(follow_up_wait_days=1, thank_you_due_hours=24)), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (END + hours(24), Rule.FOLLOW_UP)
    assert follow_up.reason.startswith("You have heard nothing since your interview")
    # a thank-you after a response, its spacing ending with the response's timeline: the response's reason
    iv = interview(interviewers=(dana(), kai()))
    events = [ev(EventType.RESPONSE_RECEIVED, END + days(2), timeline=8), ev(EventType.THANK_YOU_SENT, END + days(3), "dana")]
    follow_up = one(actions(iv, events, END + days(3)), FOLLOW)
    assert follow_up.available_at == END + days(10)
    assert follow_up.reason.startswith("Acme replied on Saturday 18 April")
    # outreach at the very moment of the response does not count as after it
    events = [ev(EventType.RESPONSE_RECEIVED, END + days(2), timeline=2), ev(EventType.THANK_YOU_SENT, END + days(2), "kai")]
    assert one(actions(iv, events, END + days(3)), FOLLOW).available_at == END + days(4)


def test_a_done_follow_up_opened_after_the_response_timeline():
    events = [ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=12), ev(EventType.FOLLOW_UP_SENT, END + days(14))]
    done = of_kind(actions(interview(), events, END + days(15)), FOLLOW)[0]
    assert done.available_at == END + days(13)


def test_a_late_follow_up_does_not_move_when_the_thank_you_was_missed():
    from app.domain.planner import schedule

    iv = interview(interviewers=(dana(), kai()))
    events = [ev(EventType.THANK_YOU_SENT, END + hours(1), "dana"), ev(EventType.FOLLOW_UP_SENT, END + days(10))]
    (kai_thanks,) = [s for s in schedule(iv, events, Policy()) if s.contact_id == "kai" and s.kind is ActionKind.SEND_THANK_YOU]
    assert kai_thanks.missed_at == END + hours(1) + days(7)
    early = [ev(EventType.FOLLOW_UP_SENT, END + days(2))]
    (kai_thanks,) = [s for s in schedule(iv, early, Policy()) if s.contact_id == "kai" and s.kind is ActionKind.SEND_THANK_YOU]
    assert kai_thanks.missed_at == END + days(2)


def test_done_follow_ups_keep_the_rule_that_timed_them():
    from app.domain.model import Agency

    iv = interview(decision_timeline_days=10)
    done = of_kind(actions(iv, [ev(EventType.FOLLOW_UP_SENT, END + days(11))], END + days(12)), FOLLOW)[0]
    assert (done.state, done.rule) == (ActionState.DONE, Rule.DECISION_TIMELINE)
    plain = of_kind(actions(interview(), [ev(EventType.FOLLOW_UP_SENT, END + days(8))], END + days(9)), FOLLOW)[0]
    assert plain.rule is Rule.FOLLOW_UP
    agency = interview(agency=Agency("Talent Co", "Ann Agent", "ann@talent.test"))
    sent = [ev(EventType.FOLLOW_UP_SENT, END + days(8))]
    assert of_kind(actions(agency, sent, END + days(9)), FOLLOW)[0].rule is Rule.AGENCY
    named = [ev(EventType.FOLLOW_UP_SENT, END + days(8), "dana")]
    assert of_kind(actions(agency, named, END + days(9)), FOLLOW)[0].rule is Rule.FOLLOW_UP


@pytest.mark.parametrize(
    ("events", "opens", "send", "rule", "sent"),
    [
        # An answer without a timeline ended the chain (rule 4); the follow-up sent anyway, after one
        # would have opened had no answer come (Thursday 23 April), opened as it went out: no plan
        # before it showed a follow-up.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(10))],
         END + days(10), local(2026, 4, 27, 9), Rule.FOLLOW_UP, "Sunday 26 April"),  # rule 11: Monday's window
        ([ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(12))],
         END + days(12), END + days(12), Rule.FOLLOW_UP, "Tuesday 28 April"),
        # Sent before that day, it is listed as opening then, as any follow-up sent early is.
        ([ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(3))],
         END + days(7), END + days(7), Rule.FOLLOW_UP, "Sunday 19 April"),
        # Without the answer, the follow-up opened when the silence ended, whenever it went out.
        ([ev(EventType.FOLLOW_UP_SENT, END + days(10))], END + days(7), END + days(7), Rule.FOLLOW_UP, "Sunday 26 April"),
    ],
)  # fmt: skip
def test_a_follow_up_sent_after_an_answer_ended_the_chain_opened_when_sent(events, opens, send, rule, sent):
    done = of_kind(actions(interview(), events, END + days(30)), FOLLOW)[0]
    assert (done.state, done.available_at, done.due_at, done.suggested_send_at, done.rule, done.reason) == (
        ActionState.DONE, opens, opens, send, rule, f"You followed up with Dana Lee on {sent}."
    )


def test_a_follow_up_sent_after_an_answer_ended_the_chain_keeps_a_later_timeline_and_its_rule():
    from app.domain.model import Agency

    events = [ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(10))]
    # Sent before rule 3's day, it is listed from that day, as any follow-up sent early is.
    done = of_kind(actions(interview(decision_timeline_days=14), events, END + days(11)), FOLLOW)[0]
    assert (done.available_at, done.rule) == (END + days(14), Rule.DECISION_TIMELINE)
    # Through an agency no silence wait timed it (rule 9's slug names one): the answer of rule 4 did.
    agency = interview(agency=Agency("Talent Co", "Ann Agent", "ann@talent.test"))
    done = of_kind(actions(agency, events, END + days(11)), FOLLOW)[0]
    assert (done.available_at, done.rule) == (END + days(10), Rule.FOLLOW_UP)
    # Sent at the very moment one would have opened, it opened then, as if no answer had come.
    at_opening = [ev(EventType.RESPONSE_RECEIVED, END + days(2)), ev(EventType.FOLLOW_UP_SENT, END + days(7))]
    done = of_kind(actions(agency, at_opening, END + days(11)), FOLLOW)[0]
    assert (done.available_at, done.rule) == (END + days(7), Rule.AGENCY)


def test_a_response_after_a_follow_up_times_the_next_one():
    events = [ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.RESPONSE_RECEIVED, END + days(9), timeline=20)]
    pending = of_kind(actions(interview(), events, END + days(10)), FOLLOW)[-1]
    assert pending.available_at == END + days(29)


def test_the_second_follow_up_says_since_your_follow_up():
    events = [ev(EventType.FOLLOW_UP_SENT, END + days(8))]
    pending = of_kind(actions(interview(), events, END + days(9)), FOLLOW)[-1]
    assert pending.reason == (
        "You have heard nothing since your follow-up on Friday 24 April, so send Dana Lee a second, final, "
        "follow-up on Friday 1 May."
    )


def test_the_follow_up_sits_at_its_contact_position():
    from app.domain.planner import schedule

    iv = interview(interviewers=(kai(), sam(), dana()))
    assert [s.position for s in schedule(iv, [], Policy()) if s.kind is FOLLOW] == [2]


def test_the_close_out_names_whoever_the_last_follow_up_went_to():
    # The last follow-up went to Kai, not to rule 9's Dana: "no answer came from Dana" would be false.
    iv = interview(interviewers=(dana(), kai()))
    events = [ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.FOLLOW_UP_SENT, END + days(16), "kai")]
    close = one(actions(iv, events, END + days(17)), CLOSE)
    assert close.available_at == END + days(23)
    assert close.reason == (
        "No answer came from Kai Berg to your last follow-up of Saturday 2 May, so close this application out on "
        "Saturday 9 May."
    )


@pytest.mark.parametrize(
    ("timeline", "opens", "reason"),
    [
        # the silence counted from the thank-you of Saturday 18 April, as the follow-up would have
        (None, END + days(9), "You have heard nothing since your thank-you on Saturday 18 April, so close this "
                              "application out on Saturday 25 April."),
        # the decision timeline set the day, not the interview seven days before it
        (20, END + days(20), "Dana Lee said a decision would come within 20 days, so close this application out on "
                             "Wednesday 6 May if none has come by then."),
    ],
)
def test_a_cap_of_zero_close_out_names_what_set_its_day(timeline, opens, reason):
    events = [ev(EventType.THANK_YOU_SENT, END + days(2), "dana")]
    acts = actions(interview(decision_timeline_days=timeline), events, END + days(3), Policy(max_follow_ups=0))
    close = one(acts, CLOSE)
    assert (close.available_at, close.reason) == (opens, reason)


def test_a_cap_of_zero_close_out_waits_for_a_pending_thank_you_and_says_since_the_interview():
    # Kai's thank-you is still due when the silence would end: the close-out waits for it, as the
    # first follow-up would (rule 1), and counts from the interview, not from Dana's thank-you.
    policy = Policy(max_follow_ups=0, thank_you_due_hours=72, thank_you_late_hours=72, follow_up_wait_days=1, follow_up_spacing_days=1)
    close = one(actions(interview(interviewers=(dana(), kai())), [THANKED], END + hours(5), policy), CLOSE)
    assert (close.available_at, close.reason) == (
        END + hours(72),
        "You have heard nothing since your interview on Thursday 16 April, so close this application out on Sunday 19 April.",
    )
