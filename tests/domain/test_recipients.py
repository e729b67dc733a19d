"""Rule 9 and rule 7 recipients (the shared helpers)."""

from __future__ import annotations

from app.domain.model import ActionKind, Agency, Recipient
from app.domain.recipients import (
    first_rejection,
    follow_up_contact,
    follow_up_recipient,
    follows_up_through_agency,
    human_contacts,
    recipient_of,
    rejection_reply_recipient,
)
from tests.domain.domain_builders import (
    END,
    EventType,
    actions,
    bot,
    dana,
    days,
    ev,
    interview,
    kai,
    one,
    sam,
)

AGENCY = Agency("Talent Co", "Ann Agent", "ann@talent.test")


def test_human_contacts_and_follow_up_contact():
    iv = interview(interviewers=(bot(), kai(), sam(), dana(is_human=False)))
    assert human_contacts(iv) == (kai(), sam())
    assert follow_up_contact(iv) == sam()
    assert follow_up_contact(interview(interviewers=(bot(),))) is None


def test_agency_routing():
    assert follows_up_through_agency(interview(agency=AGENCY), to_agency=True)
    assert not follows_up_through_agency(interview(agency=AGENCY), to_agency=False)
    assert not follows_up_through_agency(interview(), to_agency=True)
    assert not follows_up_through_agency(interview(agency=Agency("Talent Co")), to_agency=True)
    assert follow_up_recipient(interview(agency=AGENCY), to_agency=True) == (Recipient("Ann Agent", "ann@talent.test"), None)
    assert follow_up_recipient(interview(), to_agency=True) == (recipient_of(dana()), dana())
    assert follow_up_recipient(interview(interviewers=()), to_agency=True) == (None, None)


def test_first_rejection_is_the_earliest():
    assert first_rejection([]) is None
    assert first_rejection([ev(EventType.OFFER_RECEIVED, END)]) is None
    late, early = ev(EventType.REJECTION_RECEIVED, END + days(2), "sam"), ev(EventType.REJECTION_RECEIVED, END + days(1))
    assert first_rejection([late, early]) is early


def test_two_rejections_at_one_moment_are_replied_to_alike_in_any_order():
    """The plan sorts events (event_order); a render gets them as stored or sent. Both
    must reply to the same person when two rejections share a moment."""
    iv = interview(interviewers=(dana(), sam()))
    by_sam, by_dana = ev(EventType.REJECTION_RECEIVED, END + days(1), "sam"), ev(EventType.REJECTION_RECEIVED, END + days(1), "dana")
    assert first_rejection([by_sam, by_dana]) is first_rejection([by_dana, by_sam])
    replies = {rejection_reply_recipient(iv, order, to_agency=True) for order in ([by_sam, by_dana], [by_dana, by_sam])}
    assert len(replies) == 1
    reply = one(actions(iv, [by_sam, by_dana], END + days(2)), ActionKind.REPLY_TO_REJECTION)
    assert (reply.recipient, reply.contact_id) == next(((r, c.id) for r, c in replies))


def test_rejection_reply_recipient():
    iv = interview(interviewers=(dana(), sam(), bot()))
    named = [ev(EventType.REJECTION_REPLY_SENT, END), ev(EventType.REJECTION_RECEIVED, END + days(1), "sam")]
    assert rejection_reply_recipient(iv, named, to_agency=True) == (recipient_of(sam()), sam())
    by_bot = [ev(EventType.REJECTION_RECEIVED, END + days(1), "bot")]
    assert rejection_reply_recipient(iv, by_bot, to_agency=True) == (recipient_of(dana()), dana())
    assert rejection_reply_recipient(iv, [], to_agency=True) == (recipient_of(dana()), dana())


def test_recipient_values_are_built_from_the_contact():
    from app.domain import facts
    from app.domain.policy import Policy

    facts._RECIPIENTS.clear()  # the cache is shared: start cold
    built = facts.Facts(interview(), [], Policy())
    assert built.recipient(dana()) == Recipient("Dana Lee", "dana@acme.test")
    assert built.recipient(dana(email=None)) == Recipient("Dana Lee", None)
    assert built.recipient(dana()) is built.recipient(dana(id="other"))


def test_the_planner_follows_up_with_the_first_of_two_hiring_managers():
    panel = interview(interviewers=(kai(), dana(id="d1"), dana(id="d2", name="Dee Second"), sam()))
    [follow_up] = [a for a in actions(panel, [], END + days(8)) if a.kind is ActionKind.SEND_FOLLOW_UP]
    assert follow_up.contact_id == "d1" and follow_up.recipient.name == "Dana Lee"
