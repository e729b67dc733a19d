"""Rule 9: with an agency contact the follow-ups go to the agency, and the reason says so."""

from __future__ import annotations

import pytest

from app.domain.model import ActionState, Agency, Recipient, Rule
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
    of_kind,
    one,
)

AGENCY = Agency(name="Talent Co", contact_name="Ann Agent", contact_email="ann@talent.test")
THANKED = ev(EventType.THANK_YOU_SENT, END + hours(3), "dana")


def test_an_agency_contact_receives_the_follow_up():
    acts = actions(interview(agency=AGENCY), [THANKED], END + days(1))
    follow_up = one(acts, ActionKind.SEND_FOLLOW_UP)
    assert follow_up.contact_id is None
    assert follow_up.recipient == Recipient("Ann Agent", "ann@talent.test")
    assert follow_up.rule is Rule.AGENCY
    assert follow_up.available_at == END + hours(3) + days(7)
    assert follow_up.reason == (
        "Your application runs through the agency, so send Ann Agent at Talent Co a polite follow-up on "
        "Thursday 23 April, having heard nothing since your thank-you on Thursday 16 April."
    )
    # thank-yous still go to the people met
    assert one(acts, ActionKind.SEND_THANK_YOU).contact_id == "dana"


def test_agency_follow_ups_are_spaced_between_themselves():
    policy = Policy(follow_up_wait_days=2, follow_up_spacing_days=9)
    events = [THANKED, ev(EventType.FOLLOW_UP_SENT, END + days(3))]
    acts = actions(interview(agency=AGENCY), events, END + days(4), policy)
    done, pending = of_kind(acts, ActionKind.SEND_FOLLOW_UP)
    assert done.state is ActionState.DONE and done.recipient.name == "Ann Agent"
    assert done.reason == "You followed up with Ann Agent at Talent Co on Sunday 19 April."
    assert pending.available_at == END + days(12) and pending.rule is Rule.NEVER_PESTER
    # the thank-you to Dana is not an email to the agency: with a short spacing only the wait counts
    acts = actions(interview(agency=AGENCY), [THANKED], END + days(1), policy)
    assert one(acts, ActionKind.SEND_FOLLOW_UP).available_at == END + hours(3) + days(2)


def test_agency_with_a_decision_timeline_says_through_whom():
    follow_up = one(actions(interview(agency=AGENCY, decision_timeline_days=12), [THANKED], END), ActionKind.SEND_FOLLOW_UP)
    assert follow_up.rule is Rule.DECISION_TIMELINE
    assert follow_up.reason.endswith("before following up through your agency contact Ann Agent at Talent Co.")


ONLY_PERSON = Agency(name=None, contact_name="Ann Agent", contact_email="ann@talent.test")
ONLY_EMAIL = Agency(name=None, contact_name=None, contact_email="desk@talent.test")


@pytest.mark.parametrize(
    ("agency", "timeline", "events", "policy", "rule", "reason"),
    [
        (ONLY_PERSON, 10, [], Policy(), Rule.DECISION_TIMELINE,
         "Dana Lee said a decision would come within 10 days, so wait until Sunday 26 April before following up "
         "through your agency contact Ann Agent."),
        (ONLY_PERSON, None, [ev(EventType.RESPONSE_RECEIVED, END + days(1), timeline=10)], Policy(), Rule.FOLLOW_UP,
         "Acme replied on Friday 17 April that news would come within 10 days, so follow up with your agency "
         "contact Ann Agent on Monday 27 April."),
        (AGENCY, None, [ev(EventType.RESPONSE_RECEIVED, END + days(1), "dana", timeline=10)], Policy(), Rule.FOLLOW_UP,
         "Dana Lee replied on Friday 17 April that news would come within 10 days, so follow up with your agency "
         "contact Ann Agent at Talent Co on Monday 27 April."),
        (ONLY_EMAIL, None, [ev(EventType.FOLLOW_UP_SENT, END + days(8)), ev(EventType.RESPONSE_RECEIVED, END + days(9),
         timeline=1)], Policy(), Rule.NEVER_PESTER,
         "Your last email to your agency contact desk@talent.test went out on Friday 24 April and emails to one "
         "person stay 7 days apart, so follow up on Friday 1 May."),
        (AGENCY, None, [ev(EventType.FOLLOW_UP_SENT, END + days(8), "dana")], Policy(follow_up_wait_days=1),
         Rule.NEVER_PESTER,
         "Your last follow-up went to Dana Lee on Friday 24 April and follow-ups stay 7 days apart, so follow up "
         "with your agency contact Ann Agent at Talent Co on Friday 1 May."),
    ],
)  # fmt: skip
def test_every_follow_up_reason_through_an_agency_says_so(agency, timeline, events, policy, rule, reason):
    iv = interview(agency=agency, decision_timeline_days=timeline)
    follow_up = [a for a in actions(iv, events, END + days(10), policy) if a.kind is ActionKind.SEND_FOLLOW_UP][-1]
    assert (follow_up.contact_id, follow_up.rule, follow_up.reason) == (None, rule, reason)


def test_the_policy_can_keep_follow_ups_with_the_employer():
    acts = actions(interview(agency=AGENCY), [THANKED], END + days(1), Policy(follow_ups_to_agency=False))
    follow_up = one(acts, ActionKind.SEND_FOLLOW_UP)
    assert (follow_up.contact_id, follow_up.rule) == ("dana", Rule.FOLLOW_UP)


def test_agency_names():
    only_name = Agency(name="Talent Co", contact_name=None, contact_email="desk@talent.test")
    follow_up = one(actions(interview(agency=only_name), [], END), ActionKind.SEND_FOLLOW_UP)
    assert follow_up.recipient == Recipient("Talent Co", "desk@talent.test")
    assert "send Talent Co a polite follow-up" in follow_up.reason
    only_email = Agency(name=None, contact_name=None, contact_email="desk@talent.test")
    follow_up = one(actions(interview(agency=only_email), [], END), ActionKind.SEND_FOLLOW_UP)
    assert "send desk@talent.test a polite follow-up" in follow_up.reason
    only_person = Agency(name=None, contact_name="Ann Agent", contact_email=None)
    follow_up = one(actions(interview(agency=only_person), [], END), ActionKind.SEND_FOLLOW_UP)
    assert "send Ann Agent a polite follow-up" in follow_up.reason
    empty = Agency(name="Talent Co")  # no contact: rule 9 falls back to the employer
    assert one(actions(interview(agency=empty), [], END), ActionKind.SEND_FOLLOW_UP).contact_id == "dana"


def test_no_agency_and_no_human_follow_up_asks_for_a_contact():
    iv = interview(interviewers=())
    follow_up = one(actions(iv, [], END), ActionKind.SEND_FOLLOW_UP)
    assert follow_up.recipient is None
    assert follow_up.reason == (
        "You have heard nothing since your interview on Thursday 16 April, so send someone at Acme a polite "
        "follow-up on Thursday 23 April, once you know the recruiter's or hiring manager's email."
    )
    # Rule 2, "no interviewer was human": the one contactless thank-you asks for a contact (tests/domain/test_thank_you.py).
    assert [(a.contact_id, a.recipient) for a in of_kind(actions(iv, [], END), ActionKind.SEND_THANK_YOU)] == [(None, None)]


def test_a_contact_with_only_an_email_is_named_by_it():
    iv = interview(interviewers=(dana(name=""),))
    assert "send dana@acme.test a polite follow-up" in one(actions(iv, [], END), ActionKind.SEND_FOLLOW_UP).reason
    iv = interview(interviewers=(dana(name="", email=None),))
    assert "send your contact a polite follow-up" in one(actions(iv, [], END), ActionKind.SEND_FOLLOW_UP).reason


def test_agency_decision_names_who_said_it_and_the_last_follow_up():
    follow_up = one(actions(interview(agency=AGENCY, decision_timeline_days=12), [THANKED], END), ActionKind.SEND_FOLLOW_UP)
    assert follow_up.reason == (
        "Dana Lee said a decision would come within 12 days, so wait until Tuesday 28 April before following up "
        "through your agency contact Ann Agent at Talent Co."
    )
    only = one(actions(interview(agency=AGENCY), [THANKED], END, Policy(max_follow_ups=1)), ActionKind.SEND_FOLLOW_UP)
    assert "send Ann Agent at Talent Co one polite follow-up" in only.reason
