"""Rule 6: LinkedIn for good rapport or a human recruiter, low priority, survives outcomes."""

from __future__ import annotations

import pytest

from app.domain.model import ActionState, Channel, MessageKind, Priority, Rule
from app.domain.policy import Policy
from tests.domain.domain_builders import (
    END,
    ActionKind,
    ContactRole,
    EventType,
    Rapport,
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

LINK = ActionKind.CONNECT_ON_LINKEDIN


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        (kai(rapport=Rapport.GOOD), True),
        (kai(rapport=Rapport.NEUTRAL), False),
        (kai(rapport=Rapport.POOR), False),
        (kai(rapport=None), False),
        (sam(), True),  # a human recruiter
        (sam(rapport=Rapport.POOR), True),
        (dana(), False),
        (dana(rapport=Rapport.GOOD), True),
        (sam(is_human=False), False),
        (kai(rapport=Rapport.GOOD, role=ContactRole.AI, is_human=False), False),
    ],
)
def test_who_gets_a_linkedin_suggestion(contact, expected):
    found = of_kind(actions(interview(interviewers=(contact,)), [], END + days(2)), LINK)
    assert bool(found) is expected


def test_opens_24_hours_after_the_end_due_7_days_later():
    link = one(actions(interview(interviewers=(sam(),)), [], END + hours(23)), LINK)
    assert link.available_at == END + hours(24)
    assert link.due_at == END + hours(24) + days(7)
    assert link.late_after is None
    assert (link.state, link.priority, link.rule) == (ActionState.UPCOMING, Priority.LOW, Rule.LINKEDIN)
    assert (link.channel, link.message_kind) == (Channel.LINKEDIN, MessageKind.LINKEDIN_NOTE)
    assert link.reason == (
        "Sam Reed is a recruiter, so connect on LinkedIn by Friday 24 April to stay in touch whatever the outcome."
    )


def test_opens_when_the_thank_you_is_sent_if_earlier():
    iv = interview(interviewers=(kai(rapport=Rapport.GOOD), sam()))
    acts = actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(2), "kai")], END + hours(3))
    kai_link, sam_link = one(acts, LINK, "kai"), one(acts, LINK, "sam")
    assert kai_link.available_at == END + hours(2) and kai_link.state is ActionState.DUE
    assert kai_link.reason == (
        "You had a good rapport with Kai Berg, so connect on LinkedIn by Thursday 23 April "
        "to stay in touch whatever the outcome."
    )
    assert sam_link.available_at == END + hours(24)
    later = actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(30), "kai")], END + hours(31))
    assert one(later, LINK, "kai").available_at == END + hours(24)


def test_a_thank_you_sent_during_the_interview_opens_it_at_the_end():
    early = ev(EventType.THANK_YOU_SENT, END - hours(1), "sam")
    assert one(actions(interview(interviewers=(sam(),)), [early], END), LINK).available_at == END


def test_done_by_its_request_event():
    iv = interview(interviewers=(kai(rapport=Rapport.GOOD), sam()))
    acts = actions(iv, [ev(EventType.LINKEDIN_REQUEST_SENT, END + days(2), "sam")], END + days(3))
    assert one(acts, LINK, "sam").state is ActionState.DONE
    assert one(acts, LINK, "sam").reason == "You sent Sam Reed a LinkedIn request on Saturday 18 April."
    assert one(acts, LINK, "kai").state is ActionState.DUE
    everyone = actions(iv, [ev(EventType.LINKEDIN_REQUEST_SENT, END + days(2))], END + days(3))
    assert {a.state for a in of_kind(everyone, LINK)} == {ActionState.DONE}


@pytest.mark.parametrize(
    "outcome",
    [
        EventType.REJECTION_RECEIVED,
        EventType.OFFER_RECEIVED,
        EventType.WITHDRAWN,
        EventType.NEXT_ROUND_SCHEDULED,
        EventType.CLOSED,
    ],
)
def test_survives_every_outcome(outcome):
    iv = interview(interviewers=(sam(),))
    acts = actions(iv, [ev(outcome, END + hours(5))], END + days(2))
    assert one(acts, LINK).state is ActionState.DUE
    acts = actions(iv, [ev(outcome, END + hours(5)), ev(EventType.LINKEDIN_REQUEST_SENT, END + days(3))], END + days(4))
    assert one(acts, LINK).state is ActionState.DONE


def test_policy_delay_and_due_days():
    policy = Policy(linkedin_delay_hours=0, linkedin_due_days=3)
    link = one(actions(interview(interviewers=(sam(),)), [], END, policy), LINK)
    assert (link.available_at, link.due_at, link.state) == (END, END + days(3), ActionState.DUE)


def test_each_thanked_contact_opens_at_its_own_thank_you():
    iv = interview(interviewers=(kai(rapport=Rapport.GOOD), dana(rapport=Rapport.GOOD), sam()))
    events = [ev(EventType.THANK_YOU_SENT, END + hours(2), "kai"), ev(EventType.THANK_YOU_SENT, END + hours(5), "dana")]
    acts = actions(iv, events, END + hours(6))
    assert [(a.contact_id, a.available_at, a.due_at) for a in of_kind(acts, LINK)] == [
        ("kai", END + hours(2), END + hours(2) + days(7)),
        ("dana", END + hours(5), END + hours(5) + days(7)),
        ("sam", END + hours(24), END + hours(24) + days(7)),
    ]


def test_due_days_are_calendar_days_across_dst():
    from tests.domain.domain_builders import local

    iv = interview(starts_at=local(2026, 10, 22, 10), interviewers=(sam(), kai(rapport=Rapport.GOOD)))
    events = [ev(EventType.THANK_YOU_SENT, local(2026, 10, 22, 12), "kai")]
    acts = actions(iv, events, local(2026, 10, 22, 13))
    assert one(acts, LINK, "sam").due_at == local(2026, 10, 30, 11)  # 11:00 CET, 169 hours later
    assert one(acts, LINK, "kai").due_at == local(2026, 10, 29, 12)


def test_an_earlier_thank_you_naming_nobody_counts_for_everyone():
    iv = interview(interviewers=(sam(),))
    events = [ev(EventType.THANK_YOU_SENT, END + hours(2)), ev(EventType.THANK_YOU_SENT, END + hours(6), "sam")]
    assert one(actions(iv, events, END + hours(7)), LINK).available_at == END + hours(2)
    events = [ev(EventType.THANK_YOU_SENT, END + hours(2), "sam"), ev(EventType.THANK_YOU_SENT, END + hours(6))]
    assert one(actions(iv, events, END + hours(7)), LINK).available_at == END + hours(2)
