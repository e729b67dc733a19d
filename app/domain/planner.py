"""The planner: composes the rule modules into a schedule, and a schedule into actions.

`schedule` is clock-free: every step the rules produce from the recorded
events, with the times that decide its state. `materialize` reads a schedule
at a moment. `plan` is the engine's contract (followup-rules.md): planning at
`now` uses only the events that occurred at or before `now`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter

from app.domain.facts import Facts
from app.domain.follow_up import follow_up_steps
from app.domain.linkedin import linkedin_steps
from app.domain.model import (
    Action,
    ActionKind,
    ActionState,
    Event,
    Interview,
    PlannedStep,
    Priority,
)
from app.domain.outcomes import rejection_reply_steps
from app.domain.policy import Policy
from app.domain.steps import Step, step_order
from app.domain.thank_you import thank_you_steps
from app.domain.waits import wait_steps

_PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
_WAIT, _THANK_YOU = ActionKind.WAIT, ActionKind.SEND_THANK_YOU
_DUE, _OVERDUE, _MISSED, _UPCOMING = ActionState.DUE, ActionState.OVERDUE, ActionState.MISSED, ActionState.UPCOMING
_HIGH = Priority.HIGH
_OPEN = frozenset((_UPCOMING, _DUE, _OVERDUE))
_available_at = attrgetter("available_at")
#: `Action` is a named tuple: built in one C call, without the constructor's argument binding.
_new_tuple = tuple.__new__


def _steps(interview: Interview, events: Iterable[Event], policy: Policy, now: datetime | None = None) -> list[Step]:
    """The schedule as cheap `Step` tuples, in the rulebook's order.

    Given `now` (`plan`), the waits not shown at `now` are left out (`wait_steps`).
    """
    f = Facts(interview, events, policy)
    follow_ups, first_follow_up, ended_by = follow_up_steps(f)
    steps = thank_you_steps(f, first_follow_up, ended_by)
    steps += follow_ups
    steps += linkedin_steps(f)
    steps += rejection_reply_steps(f)
    steps.sort(key=step_order)
    for wait in wait_steps(f, steps, now):  # pragma: no mutate (`now` only spares building unshown waits)
        # a wait sorts after every other step opening at the same time (rule 10 is ranked last)
        steps.insert(bisect_right(steps, wait.available_at, key=_available_at), wait)
    return steps


def schedule(interview: Interview, events: Iterable[Event], policy: Policy) -> tuple[PlannedStep, ...]:
    """Every step the rules produce from these events, in the rulebook's order.

    Clock-free: done and cancelled steps carry their `resolution`, a pending
    thank-you its `missed_at` (rule 1), and the `wait` steps the stretch of
    time when each is the answer (rule 10). Pass only the events up to the
    moment being planned (`plan` does).
    """
    return tuple(_steps(interview, events, policy))


def state_at(step: PlannedStep, now: datetime) -> ActionState:
    """The state of a step at `now` ("Times and states").

    A recorded resolution wins; then a thank-you overtaken by the follow-up is
    missed (rule 1); else upcoming before `available_at`, overdue from
    `late_after`, due in between.
    """
    if step.resolution is not None:
        return step.resolution
    if step.missed_at is not None and now >= step.missed_at:
        return ActionState.MISSED
    if now < step.available_at:
        return ActionState.UPCOMING
    if step.late_after is not None and now >= step.late_after:
        return ActionState.OVERDUE
    return _DUE


def priority_at(step: PlannedStep, state: ActionState) -> Priority:
    """Rule 1: a late (overdue) thank-you is high priority; otherwise the step's own."""
    if state is _OVERDUE and step.kind is ActionKind.SEND_THANK_YOU:
        return Priority.HIGH
    return step.priority


def materialize(interview_id: str, steps: Sequence[PlannedStep], now: datetime) -> list[Action]:
    """The actions of a schedule at `now`, in the schedule's (rulebook) order.

    A `wait` is included only while it is the answer: `now` in
    [`shown_from`, `available_at`).
    """
    return _actions(interview_id, steps, now)


def _actions(interview_id: str, steps: Iterable[Step], now: datetime) -> list[Action]:
    """`materialize` over `Step` tuples: the hot loop of `plan`.

    States and priorities are `state_at` and `priority_at`, inlined (a test
    pins the equivalence); the tuples are unpacked in one go.
    """
    actions = []
    append = actions.append
    for (
        kind, contact_id, recipient, channel, available_at, due_at, late_after, suggested_send_at,
        priority, rule, reason, message_kind, resolution, missed_at, shown_from, _,
    ) in steps:  # fmt: skip
        if kind is _WAIT and (now >= available_at or (shown_from is not None and now < shown_from)):
            continue
        if resolution is not None:
            state = resolution
        elif missed_at is not None and now >= missed_at:
            state = _MISSED
        elif now < available_at:
            state = _UPCOMING
        elif late_after is not None and now >= late_after:
            state = _OVERDUE
            if kind is _THANK_YOU:
                priority = _HIGH
        else:
            state = _DUE
        append(
            _new_tuple(Action, (
                interview_id, kind, contact_id, recipient, channel, state, available_at, due_at,
                late_after, suggested_send_at, priority, rule, reason, message_kind,
            ))
        )  # fmt: skip
    return actions


def plan(interview: Interview, events: Iterable[Event], policy: Policy, now: datetime) -> list[Action]:
    """The engine: every action at `now`, from the events at or before `now` only.

    Equal to `materialize(interview.id, schedule(interview, events up to now,
    policy), now)`, building only the wait shown at `now`.
    """
    known = [e for e in events if e.occurred_at <= now]
    steps = _steps(interview, known, policy, now)  # pragma: no mutate (`now` only spares building unshown waits)
    return _actions(interview.id, steps, now)


def next_action(actions: Iterable[Action]) -> Action | None:
    """api-contract `next_action`: what the candidate should do next.

    The open action (not `wait`) with the earliest `due_at`, ties by priority
    (high first), then list order; else the `wait`; None when nothing remains.
    "Open" is the contract's word for `upcoming`, `due` and `overdue` (the
    states `GET /v1/actions` lists by default), so an action that has not
    opened yet but is due first wins over one that is open and due later: the
    field answers "what is due next", and the `wait` is the answer only when
    nothing else is left to do.
    """
    best: Action | None = None
    best_key: tuple[datetime, int] | None = None
    wait: Action | None = None
    for action in actions:
        if action.kind is _WAIT:
            if wait is None:
                wait = action
        elif action.state in _OPEN:
            key = (action.due_at, _PRIORITY_RANK[action.priority])
            if best_key is None or key < best_key:
                best, best_key = action, key
    return best if best is not None else wait
