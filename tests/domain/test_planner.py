"""The planner: states, priorities, order, replay at a moment, next_action."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from app.domain.model import Action, ActionState, PlannedStep, Priority, Recipient, Rule
from app.domain.planner import (
    materialize,
    next_action,
    plan,
    priority_at,
    schedule,
    state_at,
)
from app.domain.policy import Policy
from app.domain.steps import Step
from tests.domain.domain_builders import (
    END,
    ActionKind,
    EventType,
    Rapport,
    actions,
    dana,
    days,
    ev,
    hours,
    interview,
    kai,
    sam,
)

STEP = PlannedStep(
    kind=ActionKind.SEND_THANK_YOU,
    contact_id="dana",
    recipient=Recipient("Dana Lee", None),
    channel=None,
    available_at=END,
    due_at=END + hours(24),
    late_after=END + hours(48),
    suggested_send_at=END,
    priority=Priority.NORMAL,
    rule=Rule.THANK_YOU,
    reason="r",
    message_kind=None,
    missed_at=END + days(7),
)
TINY = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("step", "now", "state"),
    [
        (STEP, END - TINY, ActionState.UPCOMING),
        (STEP, END, ActionState.DUE),
        (STEP, END + hours(48), ActionState.OVERDUE),
        (STEP, END + days(7), ActionState.MISSED),
        (STEP._replace(resolution=ActionState.DONE), END - hours(1), ActionState.DONE),
        (STEP._replace(resolution=ActionState.CANCELLED), END + days(9), ActionState.CANCELLED),
        (STEP._replace(late_after=None), END + days(6), ActionState.DUE),
        (STEP._replace(missed_at=None), END + days(99), ActionState.OVERDUE),
        (STEP._replace(missed_at=END - hours(1)), END - hours(1), ActionState.MISSED),
    ],
)
def test_state_at(step, now, state):
    assert state_at(step, now) is state
    assert materialize("iv1", [step], now)[0].state is state


@pytest.mark.parametrize(
    ("kind", "state", "base", "expected"),
    [
        (ActionKind.SEND_THANK_YOU, ActionState.OVERDUE, Priority.NORMAL, Priority.HIGH),
        (ActionKind.SEND_THANK_YOU, ActionState.DUE, Priority.NORMAL, Priority.NORMAL),
        (ActionKind.SEND_THANK_YOU, ActionState.MISSED, Priority.NORMAL, Priority.NORMAL),
        (ActionKind.SEND_THANK_YOU, ActionState.DUE, Priority.HIGH, Priority.HIGH),
        (ActionKind.REPLY_TO_REJECTION, ActionState.OVERDUE, Priority.NORMAL, Priority.NORMAL),
        (ActionKind.CONNECT_ON_LINKEDIN, ActionState.DUE, Priority.LOW, Priority.LOW),
    ],
)
def test_priority_at(kind, state, base, expected):
    step = STEP._replace(kind=kind, priority=base)
    assert priority_at(step, state) is expected


def test_materialize_equals_state_at_and_priority_at_for_every_step():
    iv = interview(interviewers=(dana(), kai(rapport=Rapport.GOOD), sam()), decision_timeline_days=9)
    steps = schedule(iv, [ev(EventType.THANK_YOU_SENT, END + hours(4), "kai")], Policy())
    for offset in range(-2, 24 * 12, 5):
        now = END + hours(offset)
        acts = materialize("iv1", steps, now)
        visible = [s for s in steps if s.kind is not ActionKind.WAIT or (
            (s.shown_from is None or s.shown_from <= now) and now < s.available_at)]
        assert len(acts) == len(visible)
        for action, step in zip(acts, visible, strict=True):
            assert action.state is state_at(step, now)
            assert action.priority is priority_at(step, action.state)
            assert (action.kind, action.contact_id, action.reason) == (step.kind, step.contact_id, step.reason)


def test_plan_uses_only_the_events_up_to_now():
    events = [ev(EventType.THANK_YOU_SENT, END + hours(5), "dana"), ev(EventType.REJECTION_RECEIVED, END + days(3))]
    early = actions(interview(), events, END + hours(4))
    assert [a.state for a in early if a.kind is ActionKind.SEND_THANK_YOU] == [ActionState.DUE]
    at_event = actions(interview(), events, END + hours(5))
    assert [a.state for a in at_event if a.kind is ActionKind.SEND_THANK_YOU] == [ActionState.DONE]
    assert plan(interview(), events, Policy(), END + hours(4)) == materialize(
        "iv1", schedule(interview(), events[:0], Policy()), END + hours(4)
    )


def test_order_is_available_at_then_rule_then_position():
    iv = interview(interviewers=(sam(), kai(rapport=Rapport.GOOD), dana()))
    acts = actions(iv, [ev(EventType.THANK_YOU_SENT, END)], END + days(1))
    assert [(a.kind, a.contact_id) for a in acts] == [
        (ActionKind.SEND_THANK_YOU, "sam"),
        (ActionKind.SEND_THANK_YOU, "kai"),
        (ActionKind.SEND_THANK_YOU, "dana"),
        (ActionKind.CONNECT_ON_LINKEDIN, "sam"),
        (ActionKind.CONNECT_ON_LINKEDIN, "kai"),
        (ActionKind.SEND_FOLLOW_UP, "dana"),
    ]
    assert [a.available_at for a in acts] == sorted(a.available_at for a in acts)


def test_schedule_is_clock_free_and_deterministic():
    iv = interview(interviewers=(dana(), sam()))
    events = [ev(EventType.THANK_YOU_SENT, END + hours(1), "sam"), ev(EventType.FOLLOW_UP_SENT, END + days(8))]
    assert schedule(iv, events, Policy()) == schedule(iv, list(reversed(events)), Policy())
    assert all(isinstance(s, PlannedStep) for s in schedule(iv, events, Policy()))


def test_rule_modules_build_planned_steps():
    """`schedule` returns the rules' steps as they are and `materialize` reads stored ones alike: one type."""
    assert Step is PlannedStep
    iv = interview(interviewers=(dana(),))
    assert all(type(step) is PlannedStep for step in schedule(iv, [], Policy()))


def test_stored_and_fresh_steps_are_planned_steps_with_every_field_by_name():
    """`schedule` and the plan loader build PlannedSteps with `tuple.__new__`: each value lands in its field."""
    [first, *_] = schedule(interview(interviewers=(dana(),)), [], Policy())
    assert type(first) is PlannedStep
    assert first.kind is ActionKind.SEND_THANK_YOU and first.contact_id == "dana" and first.rule is Rule.THANK_YOU
    assert first.recipient == Recipient("Dana Lee", "dana@acme.test") and first.available_at == END


def test_planned_actions_are_immutable_actions_with_every_field_by_name():
    """`_actions` builds `Action`s with `tuple.__new__`: the values must land in the right fields."""
    step = STEP._replace(reason="why", late_after=END + days(2))
    [built] = materialize("iv-1", [step], END + hours(1))
    assert type(built) is Action
    assert built == Action(
        interview_id="iv-1", kind=step.kind, contact_id=step.contact_id, recipient=step.recipient,
        channel=step.channel, state=ActionState.DUE, available_at=step.available_at, due_at=step.due_at,
        late_after=step.late_after, suggested_send_at=step.suggested_send_at, priority=step.priority,
        rule=step.rule, reason="why", message_kind=step.message_kind,
    )  # fmt: skip
    assert hash(built) == hash(Action(*built))
    with pytest.raises(AttributeError):
        built.reason = "x"  # type: ignore[misc]


def action(kind, state, due, priority=Priority.NORMAL):
    return Action("iv", kind, None, None, None, state, due, due, None, due, priority, Rule.THANK_YOU, "r", None)


def test_next_action_earliest_due_then_priority():
    low = action(ActionKind.CONNECT_ON_LINKEDIN, ActionState.DUE, END, Priority.LOW)
    high = action(ActionKind.SEND_THANK_YOU, ActionState.OVERDUE, END, Priority.HIGH)
    later = action(ActionKind.SEND_FOLLOW_UP, ActionState.DUE, END - hours(1) + days(1))
    wait = action(ActionKind.WAIT, ActionState.UPCOMING, END + days(1))
    assert next_action([low, later, high, wait]) is high
    assert next_action([later, low]) is low
    normal = action(ActionKind.SEND_FOLLOW_UP, ActionState.DUE, END)
    assert next_action([low, normal]) is normal
    assert next_action([normal, normal._replace(kind=ActionKind.CLOSE_OUT)]) is normal  # list order last


def test_next_action_counts_upcoming_as_open_and_falls_back_to_the_wait():
    """api-contract: the open action (upcoming, due, overdue; not `wait`) with the earliest due_at, else the wait."""
    wait = action(ActionKind.WAIT, ActionState.UPCOMING, END + days(1))
    second_wait = action(ActionKind.WAIT, ActionState.UPCOMING, END + days(2))
    upcoming = action(ActionKind.SEND_FOLLOW_UP, ActionState.UPCOMING, END + days(3))
    sooner = action(ActionKind.SEND_FOLLOW_UP, ActionState.UPCOMING, END + days(2))
    done = action(ActionKind.SEND_THANK_YOU, ActionState.DONE, END)
    missed = action(ActionKind.SEND_THANK_YOU, ActionState.MISSED, END)
    cancelled = action(ActionKind.SEND_THANK_YOU, ActionState.CANCELLED, END)
    assert next_action([done, upcoming, wait, second_wait]) is upcoming
    assert next_action([done, upcoming, sooner, missed]) is sooner
    assert next_action([upcoming, sooner]) is sooner
    assert next_action([done, missed, cancelled, wait, second_wait]) is wait
    assert next_action([done, missed, cancelled]) is None
    assert next_action([]) is None


def test_next_action_an_upcoming_action_due_first_beats_an_open_one_due_later():
    linkedin = action(ActionKind.CONNECT_ON_LINKEDIN, ActionState.DUE, END + days(8), Priority.LOW)
    follow_up = action(ActionKind.SEND_FOLLOW_UP, ActionState.UPCOMING, END + days(7))
    assert next_action([linkedin, follow_up]) is follow_up
    same_moment = follow_up._replace(due_at=linkedin.due_at)
    assert next_action([linkedin, same_moment]) is same_moment  # tie: normal before low priority


def test_next_action_upcoming_ties_keep_list_order():
    first = action(ActionKind.SEND_FOLLOW_UP, ActionState.UPCOMING, END + days(2))
    second = action(ActionKind.CONNECT_ON_LINKEDIN, ActionState.UPCOMING, END + days(2))
    assert next_action([first, second]) is first


def test_every_time_is_utc():
    iv = interview(interviewers=(dana(), sam()), decision_timeline_days=9)
    events = [ev(EventType.THANK_YOU_SENT, END + hours(4)), ev(EventType.REJECTION_RECEIVED, END + days(3))]
    for step in schedule(iv, events, Policy()) + schedule(iv, [], Policy()):
        for moment in (step.available_at, step.due_at, step.late_after, step.suggested_send_at, step.missed_at,
                       step.shown_from):  # fmt: skip
            assert moment is None or moment.tzinfo is UTC, step
