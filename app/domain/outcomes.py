"""Rules 7 (`rejection`) and 8 (`outcome`): how an outcome ends the chain.

The cancellations themselves happen where each step is built (thank_you,
follow_up): a step pending when `Facts.outcome` occurred is cancelled. Here
lives what an outcome adds: the gracious reply to a rejection.
"""

from __future__ import annotations

from app.domain import reasons
from app.domain.facts import Facts
from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    EventType,
    MessageKind,
    Priority,
    Rule,
)
from app.domain.recipients import rejection_reply_recipient
from app.domain.steps import Step, new_step
from app.domain.timecalc import hours, to_utc

_REJECTION, _DONE = EventType.REJECTION_RECEIVED, ActionState.DONE  # read once: an enum member lookup is slow


def rejection_reply_steps(f: Facts) -> list[Step]:
    """Rule 7: a brief reply, due and late counted in hours from the rejection.

    Only when the rejection is the outcome that ended the chain; a rejection
    after another outcome is recorded but changes nothing. Addressed to the
    contact named on the rejection, else the follow-up recipient (rule 9).
    Spacing (rule 5) does not apply to it.
    """
    outcome = f.outcome
    if outcome is None or outcome.type is not _REJECTION:
        return []
    p = f.policy
    rejected = to_utc(outcome.occurred_at)
    due = rejected + hours(p.rejection_reply_due_hours)
    late = rejected + hours(p.rejection_reply_late_hours)
    recipient, contact = rejection_reply_recipient(f.interview, f.events, to_agency=p.follow_ups_to_agency)
    name = recipient.name if recipient is not None else None
    if f.reply_at is not None:
        resolution = _DONE
        reason = reasons.rejection_reply_done(name, f.day(f.reply_at))
    else:
        resolution = None
        reason = reasons.rejection_reply(f.interview.company_name, name, f.day(rejected), f.day(due))
    return [
        new_step(Step, (
            ActionKind.REPLY_TO_REJECTION,
            contact.id if contact is not None else None,
            recipient,
            Channel.EMAIL,
            rejected,
            due,
            late,
            f.send_at(rejected, late),
            Priority.NORMAL,
            Rule.REJECTION,
            reason,
            MessageKind.REJECTION_REPLY,
            resolution,
            None,
            None,
            f.positions[contact.id] if contact is not None else -1,
        ))
    ]
