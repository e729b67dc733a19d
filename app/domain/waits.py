"""Rule 10 (`wait`): waiting is an answer.

The wait windows are the stretches of time when no step is due or overdue but
some step will still open; each window's wait points at the moment the next
step opens. Computed from the schedule's own times, so `state_at` and the
windows always agree, whatever `now` is asked about.
"""

from __future__ import annotations

from datetime import datetime

from app.domain import reasons
from app.domain.facts import Facts
from app.domain.model import ActionKind, Priority, Rule
from app.domain.steps import Step, new_step

_WAIT, _LOW, _RULE = ActionKind.WAIT, Priority.LOW, Rule.WAIT  # read once: an enum member lookup is slow


def wait_steps(f: Facts, steps: list[Step], now: datetime | None = None) -> list[Step]:
    """One `wait` per free stretch of time, pointing at the step that ends it.

    A pending step that will open is busy (due or overdue) from `available_at`
    until it is missed, forever if never. Between busy stretches nothing is
    due, and the next step to open is the one that ends the stretch. Resolved
    steps, and steps missed before they open, never open: no wait points at
    them, and there is no wait when nothing will ever open again. `steps`
    come in the rulebook's order, so among steps opening together the wait
    names the first.

    Given `now` (`plan`), only the wait shown at `now` is built, if any: a wait
    is shown only inside its stretch, and building the others (their reasons
    above all) would be work thrown away.
    """
    opening = [s for s in steps if s.resolution is None and (s.missed_at is None or s.missed_at > s.available_at)]
    if not opening:
        return []
    stretches: list[tuple[datetime | None, Step]] = [(None, opening[0])]  # free from forever ago
    free_from = opening[0].missed_at  # the end of the busy stretch so far (None: never)
    for step in opening[1:]:
        if free_from is None:
            break  # busy for ever: nothing is waited for again
        if step.available_at > free_from:
            stretches.append((free_from, step))
            free_from = step.missed_at
        else:
            free_from = None if step.missed_at is None else max(free_from, step.missed_at)
    if now is not None:  # (no mutate: `planner._actions` drops the waits not shown anyway; this only saves the work)
        stretches = [(start, step) for start, step in stretches if now < step.available_at and (start is None or now >= start)]  # pragma: no mutate
    return [_wait(f, start, step) for start, step in stretches]


_WHAT = {
    ActionKind.SEND_THANK_YOU: "you can thank {name}",
    ActionKind.SEND_FOLLOW_UP: "you can follow up with {name}",
    ActionKind.CONNECT_ON_LINKEDIN: "you can connect with {name} on LinkedIn",
    ActionKind.REPLY_TO_REJECTION: "you can reply to {name}",
    ActionKind.CLOSE_OUT: "you can close this application out",
}


def _wait(f: Facts, shown_from: datetime | None, target: Step) -> Step:
    opens = target.available_at
    name = target.recipient.name if target.recipient is not None and target.recipient.name else None
    what = _WHAT[target.kind].format(name=name or "your contact")
    return new_step(Step, (
        _WAIT,
        None,
        None,
        None,
        opens,
        opens,
        None,
        opens,
        _LOW,
        _RULE,
        reasons.wait(f.day(opens), what),
        None,
        None,
        None,
        shown_from,
        -1,
    ))
