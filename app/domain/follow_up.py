"""Rules 3, 4, 5 and 9: follow-ups after silence, never pestering, and close-out.

Walks the chain once, in time order, keeping what the rules need in a
`Walk` (app.domain.opening, which says when the next follow-up opens), and
turns it into steps with their reasons.
"""

from __future__ import annotations

from datetime import datetime

from app.domain import reasons
from app.domain.facts import Facts, is_human, who_replied
from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    Event,
    EventType,
    MessageKind,
    Priority,
    Rule,
)
from app.domain.opening import APART, DECISION, RESPONSE, SILENCE, SPACING, THANKS, Walk
from app.domain.steps import Step, new_step
from app.domain.timecalc import to_utc

#: What set a done follow-up's opening when an answer had ended the chain: its own sending (rule 4).
_SENT_ANYWAY = "sent anyway"

_KIND, _EMAIL, _MESSAGE, _NORMAL = ActionKind.SEND_FOLLOW_UP, Channel.EMAIL, MessageKind.FOLLOW_UP, Priority.NORMAL
_DONE, _CANCELLED = ActionState.DONE, ActionState.CANCELLED
_THANK_YOU_SENT, _FOLLOW_UP_SENT = EventType.THANK_YOU_SENT, EventType.FOLLOW_UP_SENT
_RESPONSE, _CLOSED = EventType.RESPONSE_RECEIVED, EventType.CLOSED
_DECISION_RULE, _PESTER_RULE, _AGENCY_RULE, _FOLLOW_UP_RULE, _THANK_YOU_RULE = (
    Rule.DECISION_TIMELINE, Rule.NEVER_PESTER, Rule.AGENCY, Rule.FOLLOW_UP, Rule.THANK_YOU
)  # read once: an enum member lookup is slow


def follow_up_steps(f: Facts) -> tuple[list[Step], datetime | None, Event | None]:
    """The follow-ups done, the next one (or the close-out), when thank-yous are missed, and why.

    Rule 5: only the next follow-up is listed, never a queue; after the cap a
    `close_out` opens `close_out_after_days` after the last follow-up. A latest
    response without a timeline ends the chain (rule 4). The second value is
    when the first follow-up opens (rule 1: a late thank-you is missed then),
    or None when none ever will (a cap of 0, or a chain a response ended
    before any follow-up opened): no follow-up takes over, so a late
    thank-you stays recommended. A follow-up open before an answer came
    took over then, whatever the answer does to the next one; one sent
    after an answer ended the chain took over as it was sent, and that is
    when it is listed as available (or when one would have opened, if
    that is later, as for any follow-up sent early). The third
    value is that answer when it ended the chain at or after the takeover,
    else None: a missed thank-you's reason names it, since the ended chain
    lists no pending follow-up to show the takeover.
    """
    p = f.policy
    recipient, contact = f.follow_up_to, f.follow_up_contact
    via_agency = recipient is not None and contact is None
    contact_id = contact.id if contact is not None else None
    position = f.positions[contact_id] if contact_id is not None else -1
    label = _recipient_label(f, via_agency)

    walk = Walk(f)
    steps: list[Step] = []
    first_open: datetime | None = None
    last_sent: datetime | None = None
    for event in f.chain:
        kind = event.type
        sent = kind is _FOLLOW_UP_SENT
        # Rule 4: while the latest response has no timeline the chain is over, and no
        # follow-up can be open before this event; a later one with a timeline reopens it.
        ended = walk.response is not None and walk.response.timeline_days is None
        if sent or (first_open is None and p.max_follow_ups and not ended):
            opens, source = walk.opening(walk.response)  # the next follow-up's, before this event
            at = to_utc(event.occurred_at)
            if ended and at > opens:
                # Rule 4: no follow-up was open (a plan made since the answer showed none); this one,
                # sent anyway, opened and took over as it went out, not when one would have opened.
                opens, source = at, _SENT_ANYWAY
            if first_open is None and (sent or opens <= at):
                # Rule 1: a follow-up sent, or open before this event (an answer, a late
                # thank-you to someone else), took over from a late thank-you then,
                # whatever the event does to the next follow-up's opening.
                first_open = min(opens, at)
        if kind is _THANK_YOU_SENT:
            walk.outreach = event
            if contact_id is not None and (event.contact_id == contact_id or event.contact_id is None):
                walk.last_email = event.occurred_at  # rule 5: an email to the follow-up's person
        elif sent:
            named = f.contacts.get(event.contact_id)  # type: ignore[arg-type]
            if named is not None and not is_human(named):
                named = None  # rule 2: an AI is never written to; it went to the usual recipient
            if named is None:
                to, to_id, to_position, to_label = recipient, contact_id, position, label
            else:
                to, to_id, to_position, to_label = f.recipient(named), named.id, f.positions[named.id], named.name
            steps.append(
                new_step(Step, (
                    _KIND, to_id, to, _EMAIL, opens, opens, None, f.send_at(opens, None), _NORMAL,
                    _rule(source, via_agency and named is None),
                    reasons.follow_up_done(to_label, f.day(event.occurred_at)),
                    _MESSAGE, _DONE, None, None, to_position,
                ))
            )
            walk.outreach, last_sent = event, event.occurred_at
            walk.last_follow_up, walk.last_follow_up_to = event.occurred_at, to_label
            if named is None or named.id == contact_id:
                walk.last_email = event.occurred_at
        elif kind is _RESPONSE:
            walk.response = event

    response = walk.response
    if response is not None and response.timeline_days is None:
        # Rule 4 ended the chain: only the follow-ups sent are listed; one open before the answer
        # still took over from a late thank-you then (rule 1, `first_open`).
        ended_by = response if first_open is not None and response.occurred_at >= first_open else None
        return steps, first_open, ended_by
    opens, source = walk.opening(response)
    if first_open is None and p.max_follow_ups:
        first_open = opens
    outcome = f.outcome
    if len(steps) < p.max_follow_ups:
        number = len(steps) + 1
        if outcome is not None:
            resolution: ActionState | None = _CANCELLED
            reason = reasons.cancelled(f"the follow-up to {label}", outcome.type, f.day(outcome.occurred_at))
        else:
            resolution = None
            reason = _reason(f, walk, source, opens, label, number, number == p.max_follow_ups, via_agency)
            if recipient is None:
                reason = reasons.no_recipient_hint(reason)
        steps.append(
            new_step(Step, (
                _KIND, contact_id, recipient, _EMAIL, opens, opens, None, f.send_at(opens, None), _NORMAL,
                _rule(source, via_agency), reason, _MESSAGE, resolution, None, None, position,
            ))
        )
    else:
        steps.append(_close_out(f, walk, opens, source, last_sent, label))
    return steps, first_open, None


def _close_out(
    f: Facts, walk: Walk, silence_ends: datetime, source: str, last_sent: datetime | None, label: str
) -> Step:
    """Rule 5: after the last follow-up, wait `close_out_after_days`, then close out.

    With a cap of 0 there is no follow-up to wait after: the close-out opens
    when the first follow-up would have (`silence_ends`, set by `source`),
    and the reason names what set that day, as the follow-up's would. A newer response
    with a timeline pushes it back, so the candidate never closes out inside
    a promised wait (counted from the end if it came during the interview,
    as rule 4 counts it), and the reason then says so: that reply is why.
    A reply since the last follow-up (or with none sent) is named even when
    the close-out day comes later: "no answer came" would not be true.
    Like every action but `wait` (rule 10), its suggested time is rule 11's.
    """
    opens = silence_ends if last_sent is None else f.add_days(last_sent, f.policy.close_out_after_days)
    response = walk.response
    replied = None
    if response is not None and response.timeline_days is not None:
        replied = f.add_days(max(response.occurred_at, f.end), response.timeline_days)
        opens = max(opens, replied)
    outcome = f.outcome
    resolution: ActionState | None
    if outcome is None:
        resolution = None
        if replied is not None and (replied == opens or last_sent is None or response.occurred_at >= last_sent):
            assert response is not None and response.timeline_days is not None
            reason = reasons.close_out_reply(
                who_replied(f, response), f.day(response.occurred_at), response.timeline_days, f.day(opens),
                sets_the_day=replied == opens,
            )  # fmt: skip
        elif last_sent is None and source is DECISION:
            reason = reasons.close_out_decision(_decided_by(f), f.interview.decision_timeline_days, f.day(opens))
        elif last_sent is None:
            what, since = ("interview", f.end) if source is THANKS else _since(f, walk)
            reason = reasons.close_out_silence(what, f.day(since), f.day(opens))
        else:
            # the last follow-up's own recipient: it may have named someone other than rule 9's
            reason = reasons.close_out(walk.last_follow_up_to or label, f.day(last_sent), f.day(opens))
    elif outcome.type is _CLOSED:
        resolution = _DONE
        reason = reasons.close_out_done(f.day(outcome.occurred_at))
    else:
        resolution = _CANCELLED
        reason = reasons.cancelled("closing out", outcome.type, f.day(outcome.occurred_at))
    return new_step(Step, (
        ActionKind.CLOSE_OUT, None, None, None, opens, opens, None, f.send_at(opens, None),
        _NORMAL, _PESTER_RULE, reason, None, resolution, None, None, -1,
    ))


def _rule(source: str, via_agency: bool) -> Rule:
    """The slug that set the timing; rule 9 names a plain silence wait through an agency.

    A follow-up sent anyway after an answer ended the chain (`_SENT_ANYWAY`)
    gets rule 4's: its answer, not a wait, is why none was open before.
    """
    if source is DECISION:
        return _DECISION_RULE
    if source is SPACING or source is APART:
        return _PESTER_RULE
    if source is THANKS:
        return _THANK_YOU_RULE
    if source is SILENCE and via_agency:
        return _AGENCY_RULE
    return _FOLLOW_UP_RULE


def _recipient_label(f: Facts, via_agency: bool) -> str:
    """How reasons name the follow-up recipient (rule 9: the agency says so)."""
    recipient = f.follow_up_to
    if recipient is None:
        return f"someone at {f.interview.company_name}"
    if via_agency:
        agency = f.interview.agency
        assert agency is not None
        if recipient.name and agency.name and recipient.name != agency.name:
            return f"{recipient.name} at {agency.name}"
        return recipient.name or recipient.email or "your agency"
    return recipient.name or recipient.email or "your contact"


def _reason(
    f: Facts, walk: Walk, source: str, opens: datetime, label: str, number: int, last: bool, via_agency: bool
) -> str:
    """Rules 3, 4, 5, 9: the sentence for the next follow-up, naming what set its day.

    Through an agency every variant says so (rule 9), whatever set the day.
    """
    on = f.day(opens)
    if source is SILENCE:
        return _silence_reason(f, walk, label, on, number, last, via_agency)
    to = reasons.agency_contact(label) if via_agency else label
    if source is DECISION:
        timeline = f.interview.decision_timeline_days
        assert timeline is not None
        return reasons.follow_up_decision(_decided_by(f), timeline, on, to if via_agency else None)
    if source is RESPONSE:
        response = walk.response
        assert response is not None and response.timeline_days is not None
        return reasons.follow_up_response(
            who_replied(f, response), f.day(response.occurred_at), response.timeline_days, to, on
        )
    if source is SPACING:
        assert walk.last_email is not None
        return reasons.follow_up_spacing(to, f.day(walk.last_email), f.policy.follow_up_spacing_days, on)
    if source is THANKS:
        return reasons.follow_up_after_thank_you(to, on)
    assert source is APART and walk.last_follow_up is not None
    return reasons.follow_up_apart(
        walk.last_follow_up_to, f.day(walk.last_follow_up), f.policy.follow_up_spacing_days, to, on
    )


def _decided_by(f: Facts) -> str:
    """Rule 3: who the reasons say gave the decision timeline."""
    who = f.follow_up_contact or next((c for _, c in f.humans), None)
    return who.name if who is not None else "Your interviewer"


def _since(f: Facts, walk: Walk) -> tuple[str, datetime]:
    """Rule 4: what the silence counts from, the last outreach or the interview, and when."""
    outreach = walk.outreach
    if outreach is not None and outreach.occurred_at >= f.end:  # a thank-you sent as the interview ended counts
        return ("thank-you" if outreach.type is _THANK_YOU_SENT else "follow-up"), outreach.occurred_at
    return "interview", f.end


def _silence_reason(f: Facts, walk: Walk, label: str, on: str, number: int, last: bool, via_agency: bool) -> str:
    """Rule 4 (rule 9 through an agency): heard nothing since the last outreach, or the interview."""
    what, since = _since(f, walk)
    if via_agency:
        return reasons.follow_up_agency(label, what, f.day(since), on, number, last)
    return reasons.follow_up_silence(label, what, f.day(since), on, number, last)
