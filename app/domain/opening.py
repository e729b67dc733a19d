"""Rules 1, 3, 4 and 5: when the next follow-up opens, and which rule set the time.

`Walk` is the chain at one moment, kept up to date by app.domain.follow_up as
it walks the events in time order: the last outreach (rule 4), the latest
response (rule 4: only the latest counts), the last email to the follow-up's
person and the last follow-up to anyone (rule 5), and whether a thank-you is
still pending (rule 1).
"""

from __future__ import annotations

from datetime import datetime

from app.domain.facts import Facts, first_of
from app.domain.model import Event
from app.domain.timecalc import hours

# What set an opening time (app.domain.follow_up chooses the rule slug from it).
SILENCE, RESPONSE, DECISION, SPACING, APART, THANKS = "silence", "response", "decision", "spacing", "apart", "thanks"


class Walk:
    """The chain at one moment: what the next follow-up's opening depends on."""

    __slots__ = (
        "decided", "f", "last_email", "last_follow_up", "last_follow_up_to", "outreach", "response", "thanks_due"
    )  # fmt: skip

    def __init__(self, f: Facts) -> None:
        self.f = f
        timeline = f.interview.decision_timeline_days
        self.decided = f.add_days(f.end, timeline) if timeline is not None else None
        self.outreach: Event | None = None  # the last thank-you or follow-up sent
        self.response: Event | None = None
        self.last_email: datetime | None = None
        self.last_follow_up: datetime | None = None  # to anyone: follow-ups stay apart (rule 5)
        self.last_follow_up_to = ""
        self.thanks_due = _thanks_due(f)

    def opening(self, response: Event | None) -> tuple[datetime, str]:
        """When the next follow-up opens, and which rule set it.

        Rule 4: the later of the last outreach (else the interview end) plus
        the wait, and rule 3's decision timeline. A latest `response` with a
        new timeline counts from the response (or the end, if it came during
        the interview) instead: the candidate is no longer waiting out a
        silence, so outreach after it does not restart the wait; only rule
        5's spacing holds it back. Rule 5 keeps it out of the spacing window
        of the last email to the same person, and the follow-ups apart
        whoever they went to. The first never opens before a pending
        thank-you is due (rule 1: it takes over from the thank-you). Ties go
        to the earlier-listed rule.
        """
        f = self.f
        if response is not None and response.timeline_days is not None:
            heard = max(response.occurred_at, f.end)  # a response during the interview counts from its end
            at, source = f.add_days(heard, response.timeline_days), RESPONSE
        else:
            outreach = f.end if self.outreach is None else max(self.outreach.occurred_at, f.end)
            at, source = f.add_days(outreach, f.policy.follow_up_wait_days), SILENCE
        if self.decided is not None and self.decided > at:
            at, source = self.decided, DECISION
        if self.last_email is not None:
            spaced = f.add_days(self.last_email, f.policy.follow_up_spacing_days)
            if spaced > at:
                at, source = spaced, SPACING
        if self.last_follow_up is not None:
            apart = f.add_days(self.last_follow_up, f.policy.follow_up_spacing_days)
            if apart > at:
                at, source = apart, APART
        elif self.thanks_due is not None and self.thanks_due > at:
            at, source = self.thanks_due, THANKS
        return at, source


def _thanks_due(f: Facts) -> datetime | None:
    """When the thank-yous are due, if one is still unsent (rule 1), else None.

    Rule 1 gives a thank-you until its due moment; the first follow-up takes
    over from it, so it must not open before then (a policy may set a silence
    wait shorter than the thank-you's due hours).
    """
    if f.humans:
        pending = any(first_of(f.thank_you_at, c.id) is None for _, c in f.humans)
    else:
        pending = not f.thank_you_at  # rule 2: the one thank-you that asks for a contact
    return f.end + hours(f.policy.thank_you_due_hours) if pending else None
