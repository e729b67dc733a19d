"""Rule 1 (`thank_you`) and rule 2 (`ai_interview`): one thank-you per human contact."""

from __future__ import annotations

from datetime import datetime

from app.domain import reasons
from app.domain.facts import Facts, first_of, who_replied
from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    Event,
    MessageKind,
    Priority,
    Rule,
)
from app.domain.steps import Step, new_step
from app.domain.timecalc import hours

_KIND, _EMAIL, _MESSAGE = ActionKind.SEND_THANK_YOU, Channel.EMAIL, MessageKind.THANK_YOU
_DONE, _CANCELLED = ActionState.DONE, ActionState.CANCELLED
_AI_RULE, _HUMAN_RULE = (Rule.AI_INTERVIEW, Priority.HIGH), (Rule.THANK_YOU, Priority.NORMAL)


def thank_you_steps(f: Facts, missed_at: datetime | None, ended_by: Event | None) -> list[Step]:
    """Every human contact gets their own thank-you, addressed by name (rule 1).

    Available at the interview end, due and late after the policy's hours; a
    late one stays open until `missed_at`, when a follow-up would become
    available and takes over, or for good if none ever will (None: a cap of
    0). After an AI interview every thank-you is high priority, and with no
    human contact known one contactless thank-you asks for one (rule 2). An
    interview with no human contact recorded at all falls under rule 2 too
    ("no interviewer was human"): its one thank-you says that nobody is
    recorded, not that an AI ran the interview, which nobody said. An outcome
    cancels the thank-yous still pending (rules 7, 8); one already missed
    stays missed. A pending one's suggested send time (rule 11) comes before
    it is late or missed, whichever is first, else it is the end itself.
    `ended_by` is the reply that ended the follow-ups after one took over
    (rule 4 after rule 1): the reason then says both, as no pending
    follow-up is left to show why the thank-you is missed.
    """
    targets = f.humans or ((-1, None),)
    p = f.policy
    end = f.end
    due = end + hours(p.thank_you_due_hours)
    late = end + hours(p.thank_you_late_hours)
    settled_send_at = pending_send_at = f.send_at(end, late)
    if missed_at is not None and missed_at < late and pending_send_at >= missed_at:
        # Rule 11 sends at once when no window comes before the thank-you turns late, and a
        # follow-up taking over (`missed_at`) ends a pending one sooner: never suggest a day its
        # own reason says it is no longer worth sending (the follow-up's own moment, at the earliest).
        pending_send_at = f.send_at(end, missed_at)
    outcome = f.outcome
    cancels = outcome is not None and (missed_at is None or missed_at > outcome.occurred_at)
    rule, priority = _AI_RULE if f.ai or not f.humans else _HUMAN_RULE
    steps = []
    days: tuple[str, str, str | None] | None = None  # the dates a pending thank-you's reason names, built once
    then = None  # how a reply ended the follow-ups after one took over, said once for every thank-you
    for position, contact in targets:
        if contact is None:
            sent = min(f.thank_you_at.values(), default=None)
            name = contact_id = recipient = None
        else:
            sent = first_of(f.thank_you_at, contact.id)
            name, contact_id, recipient = contact.name, contact.id, f.recipient(contact)
        resolution = missed = None
        send_at = settled_send_at
        if sent is not None:
            resolution = _DONE
            reason = reasons.thank_you_done(name, f.day(sent))
        elif cancels:
            resolution = _CANCELLED
            what = f"the thank-you to {name}" if name else "the thank-you"
            reason = reasons.cancelled(what, outcome.type, f.day(outcome.occurred_at))  # type: ignore[union-attr]
        else:
            missed, send_at = missed_at, pending_send_at
            if days is None:
                days = f.day(end), f.day(due), f.day(missed_at) if missed_at is not None else None
                if ended_by is not None and days[2] is not None:
                    then = reasons.taken_over_then_ended(days[2], who_replied(f, ended_by), f.day(ended_by.occurred_at))
            if f.ai:
                reason = reasons.thank_you_ai(name, days[0], days[1], then)
            elif contact is None:
                reason = reasons.thank_you_nobody_recorded(days[0], days[1], then)
            else:
                reason = reasons.thank_you(name, days[0], days[1], p.thank_you_due_hours, days[2], then)
        steps.append(
            new_step(Step, (
                _KIND, contact_id, recipient, _EMAIL, end, due, late, send_at,
                priority, rule, reason, _MESSAGE, resolution, missed, None, position,
            ))
        )
    return steps
