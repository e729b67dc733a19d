"""Each reason sentence builder, word for word (the wording is part of the product)."""

from __future__ import annotations

import pytest

from app.domain import reasons
from app.domain.model import EventType

D1, D2, D3 = "Thursday 16 April", "Friday 17 April", "Thursday 23 April"
#: The clause `taken_over_then_ended` builds (its own row below pins it): a reply ended the follow-ups.
THEN = "a follow-up took over from it on Thursday 23 April, and the reply from Acme on Friday 24 April then ended the follow-ups"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            lambda: reasons.thank_you("Dana Lee", D1, D2, 1, D3),
            ("Send Dana Lee a thank-you by Friday 17 April, within 1 hour of your interview on Thursday 16 April; "
            "it stays worth sending until Thursday 23 April, when a follow-up takes over."),
        ),
        (
            lambda: reasons.thank_you("Dana Lee", D1, D2, 2, D3),
            ("Send Dana Lee a thank-you by Friday 17 April, within 2 hours of your interview on Thursday 16 April; "
            "it stays worth sending until Thursday 23 April, when a follow-up takes over."),
        ),
        (
            lambda: reasons.thank_you("Dana Lee", D1, D2, 24, None),  # no follow-up will take over (a cap of 0)
            ("Send Dana Lee a thank-you by Friday 17 April, within 24 hours of your interview on Thursday 16 April; "
            "it stays worth sending even when late."),
        ),
        (
            lambda: reasons.thank_you_ai("Sam Reed", D1, D2),
            ("Your interview on Thursday 16 April was with an AI and no person has met you yet, so send Sam Reed "
            "a thank-you by Friday 17 April to put a human face on your application."),
        ),
        (
            lambda: reasons.thank_you_ai(None, D1, D2),
            ("Your interview on Thursday 16 April was with an AI and no person has met you yet, so find the name "
            "of the recruiter or hiring contact and send them a thank-you by Friday 17 April."),
        ),
        (
            lambda: reasons.taken_over_then_ended(D3, "Acme", "Friday 24 April"),
            ("a follow-up took over from it on Thursday 23 April, and the reply from Acme on Friday 24 April "
            "then ended the follow-ups"),
        ),
        (
            lambda: reasons.thank_you("Dana Lee", D1, D2, 24, D3, THEN),
            ("Send Dana Lee a thank-you by Friday 17 April, within 24 hours of your interview on Thursday 16 April; "
            "a follow-up took over from it on Thursday 23 April, and the reply from Acme on Friday 24 April then "
            "ended the follow-ups."),
        ),
        (
            lambda: reasons.thank_you_ai("Sam Reed", D1, D2, THEN),
            ("Your interview on Thursday 16 April was with an AI and no person has met you yet, so send Sam Reed "
            "a thank-you by Friday 17 April to put a human face on your application; a follow-up took over from it "
            "on Thursday 23 April, and the reply from Acme on Friday 24 April then ended the follow-ups."),
        ),
        (
            lambda: reasons.thank_you_ai(None, D1, D2, THEN),
            ("Your interview on Thursday 16 April was with an AI and no person has met you yet, so find the name "
            "of the recruiter or hiring contact and send them a thank-you by Friday 17 April; a follow-up took over "
            "from it on Thursday 23 April, and the reply from Acme on Friday 24 April then ended the follow-ups."),
        ),
        (
            lambda: reasons.thank_you_nobody_recorded(D1, D2),
            ("Nobody you met at your interview on Thursday 16 April is recorded, so add the interviewer or the "
            "recruiter and send them a thank-you by Friday 17 April; until then no one can be thanked."),
        ),
        (
            lambda: reasons.thank_you_nobody_recorded(D1, D2, THEN),
            ("Nobody you met at your interview on Thursday 16 April is recorded, so add the interviewer or the "
            "recruiter and send them a thank-you by Friday 17 April; a follow-up took over from it on Thursday "
            "23 April, and the reply from Acme on Friday 24 April then ended the follow-ups."),
        ),
        (lambda: reasons.thank_you_done("Sam Reed", D2), "You sent Sam Reed a thank-you on Friday 17 April."),
        (lambda: reasons.thank_you_done(None, D2), "You sent your contact a thank-you on Friday 17 April."),
        (
            lambda: reasons.cancelled("the thank-you", EventType.WITHDRAWN, D2),
            "The withdrawal on Friday 17 April ended the follow-up chain, so the thank-you is no longer needed.",
        ),
        (
            lambda: reasons.follow_up_silence("Dana Lee", "thank-you", D1, D3, 1, False),
            ("You have heard nothing since your thank-you on Thursday 16 April, so send Dana Lee a polite "
            "follow-up on Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_silence("Dana Lee", "follow-up", D1, D3, 1, True),
            ("You have heard nothing since your follow-up on Thursday 16 April, so send Dana Lee one polite "
            "follow-up on Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_silence("Dana Lee", "follow-up", D1, D3, 2, False),
            ("You have heard nothing since your follow-up on Thursday 16 April, so send Dana Lee a second "
            "follow-up on Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_silence("Dana Lee", "follow-up", D1, D3, 4, False),
            ("You have heard nothing since your follow-up on Thursday 16 April, so send Dana Lee a fourth "
            "follow-up on Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_silence("Dana Lee", "follow-up", D1, D3, 5, True),
            ("You have heard nothing since your follow-up on Thursday 16 April, so send Dana Lee a fifth, final, "
            "follow-up on Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_decision("Dana Lee", 1, D3, None),
            "Dana Lee said a decision would come within 1 day, so wait until Thursday 23 April before following up.",
        ),
        (
            lambda: reasons.follow_up_response("Acme", D1, 1, "Dana Lee", D3),
            ("Acme replied on Thursday 16 April that news would come within 1 day, so follow up with Dana Lee on "
            "Thursday 23 April."),
        ),
        (
            lambda: reasons.follow_up_spacing("Dana Lee", D1, 1, D2),
            ("Your last email to Dana Lee went out on Thursday 16 April and emails to one person stay 1 day apart, "
            "so follow up on Friday 17 April."),
        ),
        (
            lambda: reasons.follow_up_apart("Kai Berg", D1, 1, "Dana Lee", D2),
            ("Your last follow-up went to Kai Berg on Thursday 16 April and follow-ups stay 1 day apart, "
            "so follow up with Dana Lee on Friday 17 April."),
        ),
        (
            lambda: reasons.follow_up_agency("Ann Agent at Talent Co", "interview", D1, D3, 2, True),
            ("Your application runs through the agency, so send Ann Agent at Talent Co a second, final, follow-up "
            "on Thursday 23 April, having heard nothing since your interview on Thursday 16 April."),
        ),
        (
            lambda: reasons.follow_up_agency("Ann Agent", "interview", D1, D3, 1, False),
            ("Your application runs through the agency, so send Ann Agent a polite follow-up on Thursday 23 April, "
            "having heard nothing since your interview on Thursday 16 April."),
        ),
        (lambda: reasons.agency_contact("Ann Agent at Talent Co"), "your agency contact Ann Agent at Talent Co"),
        (lambda: reasons.follow_up_done("Dana Lee", D2), "You followed up with Dana Lee on Friday 17 April."),
        (
            lambda: reasons.close_out("someone at Acme", D1, D3),
            ("No answer came from someone at Acme to your last follow-up of Thursday 16 April, so close this "
            "application out on Thursday 23 April."),
        ),
        (
            lambda: reasons.close_out_silence("thank-you", D2, D3),
            "You have heard nothing since your thank-you on Friday 17 April, so close this application out on "
            "Thursday 23 April.",
        ),
        (
            lambda: reasons.close_out_decision("Dana Lee", 1, D3),
            "Dana Lee said a decision would come within 1 day, so close this application out on Thursday 23 April "
            "if none has come by then.",
        ),
        (  # a timeline of 0 days
            lambda: reasons.follow_up_response("Dana Lee", D1, 0, "Sam Reed", D3),
            "Dana Lee replied on Thursday 16 April that news would come the same day, so follow up with Sam Reed on Thursday 23 April.",
        ),
        (
            lambda: reasons.close_out_reply("Dana Lee", D1, 1, D2, sets_the_day=True),
            ("Dana Lee replied on Thursday 16 April that news would come within 1 day, so close this application "
            "out on Friday 17 April if none has come by then."),
        ),
        (
            lambda: reasons.close_out_reply("Dana Lee", D1, 1, D3, sets_the_day=False),
            ("Dana Lee replied on Thursday 16 April that news would come within 1 day; if none has come by "
            "Thursday 23 April, close this application out."),
        ),
        (lambda: reasons.close_out_done(D3), "You closed this application out on Thursday 23 April."),
        (lambda: reasons.linkedin_done("Sam Reed", D2), "You sent Sam Reed a LinkedIn request on Friday 17 April."),
        (
            lambda: reasons.rejection_reply("Acme", None, D1, D2),
            ("Acme turned you down on Thursday 16 April; find who to thank and reply graciously by Friday 17 April "
            "to keep the door open for future roles."),
        ),
        (lambda: reasons.rejection_reply_done(None, D2), "You replied graciously to the rejection on Friday 17 April."),
        (lambda: reasons.rejection_reply_done("Sam Reed", D2), "You replied graciously to Sam Reed on Friday 17 April."),
        (
            lambda: reasons.wait(D3, "you can follow up with Dana Lee"),
            "Nothing is due now, so be patient until Thursday 23 April, when you can follow up with Dana Lee.",
        ),
    ],
)
def test_sentence(text, expected):
    assert text() == expected  # built inside the test, so mutation testing sees the call


def test_outcome_names():
    assert reasons.OUTCOME_NAMES == {
        EventType.REJECTION_RECEIVED: "rejection",
        EventType.OFFER_RECEIVED: "offer",
        EventType.WITHDRAWN: "withdrawal",
        EventType.NEXT_ROUND_SCHEDULED: "next round",
        EventType.CLOSED: "close-out",
    }
