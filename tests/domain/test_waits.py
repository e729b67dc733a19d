"""Rule 10: when nothing is due, one wait pointing at the next opening."""

from __future__ import annotations

from app.domain.model import ActionState, Priority, Rule
from app.domain.planner import materialize, schedule
from app.domain.policy import Policy
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
    of_kind,
    one,
    sam,
)

WAIT = ActionKind.WAIT
THANKED = ev(EventType.THANK_YOU_SENT, END + hours(3), "dana")


def test_before_the_interview_ends_wait_for_it():
    wait = one(actions(interview(), [], END - hours(2)), WAIT)
    assert wait.available_at == wait.due_at == wait.suggested_send_at == END
    assert wait.late_after is None
    assert (wait.state, wait.priority, wait.rule) == (ActionState.UPCOMING, Priority.LOW, Rule.WAIT)
    assert (wait.contact_id, wait.recipient, wait.channel, wait.message_kind) == (None, None, None, None)
    assert wait.reason == "Nothing is due now, so be patient until Thursday 16 April, when you can thank Dana Lee."


def test_after_the_thank_you_wait_for_the_follow_up():
    acts = actions(interview(), [THANKED], END + days(2))
    wait = one(acts, WAIT)
    assert wait.available_at == END + hours(3) + days(7)
    assert wait.reason == (
        "Nothing is due now, so be patient until Thursday 23 April, when you can follow up with Dana Lee."
    )
    assert of_kind(actions(interview(), [THANKED], END + hours(3) + days(7)), WAIT) == []


def test_no_wait_while_something_is_due():
    assert of_kind(actions(interview(), [], END + hours(1)), WAIT) == []
    iv = interview(interviewers=(sam(),))
    assert of_kind(actions(iv, [ev(EventType.THANK_YOU_SENT, END + hours(3), "sam")], END + days(2)), WAIT) == []


def test_wait_points_at_the_linkedin_request_when_it_opens_first():
    iv = interview(interviewers=(dana(rapport=Rapport.GOOD), kai()))
    events = [ev(EventType.THANK_YOU_SENT, END + hours(1), "kai"), ev(EventType.THANK_YOU_SENT, END + hours(1), "dana")]
    events.append(ev(EventType.LINKEDIN_REQUEST_SENT, END + hours(2), "dana"))
    acts = actions(iv, events, END + hours(2))
    assert one(acts, WAIT).available_at == END + hours(1) + days(7)


def test_no_wait_when_nothing_will_ever_open_again():
    events = [THANKED, ev(EventType.RESPONSE_RECEIVED, END + days(1))]
    assert of_kind(actions(interview(), events, END + days(2)), WAIT) == []
    closed = [THANKED, ev(EventType.WITHDRAWN, END + days(1))]
    assert of_kind(actions(interview(), closed, END + days(2)), WAIT) == []


def test_wait_windows_in_the_schedule():
    # a follow-up sent two hours after the end: the thank-you is busy [END, END + 2 h), then missed
    steps = schedule(interview(), [ev(EventType.FOLLOW_UP_SENT, END + hours(2))], Policy())
    waits = [s for s in steps if s.kind is WAIT]
    second = END + hours(2) + days(7)
    assert [(w.shown_from, w.available_at) for w in waits] == [(None, END), (END + hours(2), second)]
    # ordered by available_at, then rule (wait is rule 10), like every step
    assert [s.kind for s in steps] == [
        ActionKind.SEND_THANK_YOU, WAIT, ActionKind.SEND_FOLLOW_UP, ActionKind.SEND_FOLLOW_UP, WAIT,
    ]  # fmt: skip
    shown = [a for a in materialize("iv1", steps, END + hours(3)) if a.kind is WAIT]
    assert [a.available_at for a in shown] == [second]
    assert [a for a in materialize("iv1", steps, END + hours(1)) if a.kind is WAIT] == []
    assert [a.available_at for a in materialize("iv1", steps, END - hours(1)) if a.kind is WAIT] == [END]
    assert [a for a in materialize("iv1", steps, second) if a.kind is WAIT] == []


def test_a_step_missed_before_it_opens_is_never_waited_for():
    # a follow-up sent during the interview: the thank-you is missed before it opens
    steps = schedule(interview(), [ev(EventType.FOLLOW_UP_SENT, END - hours(1))], Policy())
    waits = [s for s in steps if s.kind is WAIT]
    assert [(w.shown_from, w.available_at) for w in waits] == [(None, END + days(7))]


def test_overlapping_busy_stretches_merge():
    iv = interview(interviewers=(dana(), kai(rapport=Rapport.GOOD), sam()))
    waits = [s for s in schedule(iv, [], Policy()) if s.kind is WAIT]
    assert [(w.shown_from, w.available_at) for w in waits] == [(None, END)]
    resolved = [ev(EventType.THANK_YOU_SENT, END), ev(EventType.LINKEDIN_REQUEST_SENT, END)]
    waits = [s for s in schedule(iv, resolved, Policy()) if s.kind is WAIT]
    assert [(w.shown_from, w.available_at) for w in waits] == [(None, END + days(7))]


def test_a_wait_shows_from_exactly_its_start_and_has_no_contact():
    steps = schedule(interview(), [ev(EventType.FOLLOW_UP_SENT, END + hours(2))], Policy())
    shown = [a for a in materialize("iv1", steps, END + hours(2)) if a.kind is WAIT]
    assert [a.available_at for a in shown] == [END + hours(2) + days(7)]
    assert {s.position for s in steps if s.kind is WAIT} == {-1}


def test_a_step_missed_exactly_when_it_opens_is_not_waited_for():
    steps = schedule(interview(), [ev(EventType.FOLLOW_UP_SENT, END)], Policy())
    waits = [s for s in steps if s.kind is WAIT]
    assert [(w.shown_from, w.available_at) for w in waits] == [(None, END + days(7))]


def test_contiguous_busy_stretches_need_no_wait_between_them():
    iv = interview(interviewers=(dana(), kai()))
    steps = schedule(iv, [ev(EventType.THANK_YOU_SENT, END + hours(1), "kai")], Policy())
    # Dana's thank-you is busy until the follow-up opens, which is busy for ever
    assert [(w.shown_from, w.available_at) for w in steps if w.kind is WAIT] == [(None, END)]


def test_wait_names_a_contact_without_a_name_generically():
    iv = interview(interviewers=(dana(name=""),))
    assert one(actions(iv, [], END - hours(1)), WAIT).reason.endswith("when you can thank your contact.")


def test_wait_windows_over_synthetic_steps():
    from app.domain.facts import Facts
    from app.domain.model import Priority, Rule
    from app.domain.steps import Step
    from app.domain.waits import wait_steps

    def step(opens, missed=None):
        at = END + days(opens)
        return Step(ActionKind.SEND_THANK_YOU, None, None, None, at, at, None, at, Priority.NORMAL, Rule.THANK_YOU,
                    "r", None, None, None if missed is None else END + days(missed))  # fmt: skip

    f = Facts(interview(), [], Policy())
    a, b, c, d = step(0, 1), step(2, 3), step(2.5, 4), step(5)
    waits = wait_steps(f, [a, b, c, d])
    assert [(w.shown_from, w.available_at) for w in waits] == [
        (None, END), (END + days(1), END + days(2)), (END + days(4), END + days(5)),
    ]  # fmt: skip
    inside = step(2.2, 2.8)  # busy inside b's stretch: changes nothing
    waits = wait_steps(f, [a, b, inside, c, d])
    assert [w.shown_from for w in waits] == [None, END + days(1), END + days(4)]
    forever = step(2.6)  # busy for ever from 2.6: no wait after it
    assert [w.shown_from for w in wait_steps(f, [a, b, forever, c, d])] == [None, END + days(1)]
    assert wait_steps(f, []) == []
