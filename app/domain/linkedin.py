"""Rule 6 (`linkedin`): a LinkedIn connection, only where it fits."""

from __future__ import annotations

from app.domain import reasons
from app.domain.facts import Facts, first_of
from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    ContactRole,
    MessageKind,
    Priority,
    Rapport,
    Rule,
)
from app.domain.steps import Step, new_step
from app.domain.timecalc import hours, to_utc

_KIND, _CHANNEL, _MESSAGE = ActionKind.CONNECT_ON_LINKEDIN, Channel.LINKEDIN, MessageKind.LINKEDIN_NOTE
_LOW, _RULE, _DONE = Priority.LOW, Rule.LINKEDIN, ActionState.DONE
_RECRUITER, _GOOD = ContactRole.RECRUITER, Rapport.GOOD


def linkedin_steps(f: Facts) -> list[Step]:
    """A low-priority connection request for each human with good rapport or who recruits.

    Rule 6: opens at the earlier of the thank-you to that person being sent
    and `linkedin_delay_hours` after the end (never before the end), due
    `linkedin_due_days` later. It survives every outcome, so it is never
    cancelled; an AI interviewer never gets one (only humans are considered).
    """
    p, end = f.policy, f.end
    latest_open = end + hours(p.linkedin_delay_hours)
    latest_due = latest_send_at = None
    steps = []
    for position, contact in f.humans:
        recruiter = contact.role is _RECRUITER
        if not recruiter and contact.rapport is not _GOOD:
            continue
        thanked = first_of(f.thank_you_ever, contact.id)
        opens = latest_open if thanked is None else min(latest_open, max(to_utc(thanked), end))
        if opens is not latest_open:
            due, send_at = f.add_days(opens, p.linkedin_due_days), f.send_at(opens, None)
        else:  # the usual case, shared by every contact not thanked yet
            if latest_due is None:
                latest_due = f.add_days(opens, p.linkedin_due_days)
                latest_send_at = f.send_at(opens, None)
            due, send_at = latest_due, latest_send_at
        sent = first_of(f.linkedin_at, contact.id)
        if sent is not None:
            resolution = _DONE
            reason = reasons.linkedin_done(contact.name, f.day(sent))
        else:
            resolution = None
            reason = reasons.linkedin(contact.name, recruiter, f.day(due))
        steps.append(
            new_step(Step, (
                _KIND, contact.id, f.recipient(contact), _CHANNEL, opens, due, None, send_at,
                _LOW, _RULE, reason, _MESSAGE, resolution, None, None, position,
            ))
        )
    return steps
