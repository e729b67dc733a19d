"""Rule 2: after an AI interview every thank-you is high priority; AI never gets one."""

from __future__ import annotations

from app.domain.facts import is_ai_interview
from app.domain.model import ActionState, Priority, Rule
from tests.domain.domain_builders import (
    END,
    ActionKind,
    ContactRole,
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

THANK = ActionKind.SEND_THANK_YOU


def test_ai_interview_with_a_human_recruiter():
    iv = interview(format=InterviewFormat.AI, interviewers=(bot(rapport=Rapport.GOOD), sam()))
    acts = actions(iv, [], END + hours(1))
    thank_you = one(acts, THANK)
    assert thank_you.contact_id == "sam"
    assert thank_you.priority is Priority.HIGH
    assert thank_you.rule is Rule.AI_INTERVIEW
    assert "no person has met you yet" in thank_you.reason
    assert "Sam Reed" in thank_you.reason
    assert all(a.contact_id != "bot" for a in acts)
    assert [a.contact_id for a in of_kind(acts, ActionKind.CONNECT_ON_LINKEDIN)] == ["sam"]


def test_ai_interview_without_any_human_asks_for_one():
    iv = interview(format=InterviewFormat.AI, interviewers=(bot(),))
    acts = actions(iv, [], END + hours(1))
    thank_you = one(acts, THANK)
    assert (thank_you.contact_id, thank_you.recipient) == (None, None)
    assert thank_you.priority is Priority.HIGH
    assert thank_you.state is ActionState.DUE
    assert "find the name of the recruiter or hiring contact" in thank_you.reason
    assert of_kind(acts, ActionKind.CONNECT_ON_LINKEDIN) == []
    follow_up = one(acts, ActionKind.SEND_FOLLOW_UP)
    assert follow_up.recipient is None and follow_up.contact_id is None
    assert "once you know the recruiter's or hiring manager's email" in follow_up.reason


def test_ai_interview_with_no_contact_at_all():
    iv = interview(format=InterviewFormat.AI, interviewers=())
    assert one(actions(iv, [], END), THANK).recipient is None


def test_contactless_thank_you_is_done_by_any_thank_you():
    iv = interview(format=InterviewFormat.AI, interviewers=(bot(),))
    acts = actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(2))], END + hours(3))
    assert one(acts, THANK).state is ActionState.DONE


def test_contactless_thank_you_overdue_stays_high_then_missed():
    iv = interview(format=InterviewFormat.AI, interviewers=(bot(),))
    assert one(actions(iv, [], END + hours(49)), THANK).state is ActionState.OVERDUE
    assert one(actions(iv, [], END + days(7)), THANK).state is ActionState.MISSED


def test_a_virtual_interview_run_by_an_ai_counts_as_ai():
    iv = interview(format=InterviewFormat.VIRTUAL, interviewers=(bot(), sam()))
    assert is_ai_interview(iv) is True
    assert one(actions(iv, [], END), THANK).priority is Priority.HIGH
    not_human = interview(interviewers=(kai(is_human=False), sam()))
    assert is_ai_interview(not_human) is True
    assert [t.contact_id for t in of_kind(actions(not_human, [], END), THANK)] == ["sam"]


def test_human_interviews_are_not_ai():
    assert is_ai_interview(interview(interviewers=(dana(), bot()))) is False
    assert is_ai_interview(interview(interviewers=(sam(),))) is False  # only a recruiter: no runner
    assert is_ai_interview(interview(interviewers=())) is False
    assert is_ai_interview(interview(format=InterviewFormat.PHONE, interviewers=(kai(),))) is False
    assert is_ai_interview(interview(format=InterviewFormat.AI, interviewers=(kai(),))) is True
    assert one(actions(interview(interviewers=(dana(), bot())), [], END), THANK).priority is Priority.NORMAL


def test_an_ai_contact_is_never_addressed_even_with_role_interviewer():
    iv = interview(interviewers=(kai(is_human=False, rapport=Rapport.GOOD), dana()))
    acts = actions(iv, [], END + hours(30))
    assert {a.contact_id for a in acts if a.contact_id} == {"dana"}
    iv2 = interview(interviewers=(dana(role=ContactRole.AI, is_human=True),))
    assert [a for a in actions(iv2, [], END) if a.contact_id == "dana"] == []


def test_a_follow_up_event_naming_an_ai_counts_for_the_usual_recipient():
    iv = interview(interviewers=(bot(), dana()))
    acts = actions(iv, [ev(EventType.FOLLOW_UP_SENT, END + days(8), "bot")], END + days(9))
    done = of_kind(acts, ActionKind.SEND_FOLLOW_UP)[0]
    assert (done.state, done.contact_id) == (ActionState.DONE, "dana")
    assert done.reason == "You followed up with Dana Lee on Friday 24 April."


def test_a_rejection_naming_an_ai_is_answered_to_the_usual_recipient():
    iv = interview(interviewers=(dana(role=ContactRole.AI), sam()))
    reply = one(actions(iv, [ev(EventType.REJECTION_RECEIVED, END + days(1), "dana")], END + days(1)),
                ActionKind.REPLY_TO_REJECTION)  # fmt: skip
    assert reply.contact_id == "sam"


def test_ai_reasons_word_for_word_and_contactless_cancellation():
    from app.domain.planner import schedule
    from app.domain.policy import Policy

    iv = interview(format=InterviewFormat.AI, interviewers=(bot(), sam()))
    assert one(actions(iv, [], END), THANK).reason == (
        "Your interview on Thursday 16 April was with an AI and no person has met you yet, so send Sam Reed "
        "a thank-you by Friday 17 April to put a human face on your application."
    )
    alone = interview(format=InterviewFormat.AI, interviewers=(bot(),), decision_timeline_days=10)
    (step,) = [s for s in schedule(alone, [], Policy()) if s.kind is THANK]
    assert step.position == -1
    cancelled = one(actions(alone, [ev(EventType.WITHDRAWN, END + days(1))], END + days(2)), THANK)
    assert cancelled.state is ActionState.CANCELLED
    assert cancelled.reason == (
        "The withdrawal on Friday 17 April ended the follow-up chain, so the thank-you is no longer needed."
    )
    follow_up = one(actions(alone, [], END), ActionKind.SEND_FOLLOW_UP)
    assert follow_up.reason == (
        "Your interviewer said a decision would come within 10 days, so wait until Sunday 26 April before "
        "following up, once you know the recruiter's or hiring manager's email."
    )
