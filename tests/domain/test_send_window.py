"""Rule 11: send at a humane hour, from available_at and late_after only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.domain.policy import Policy
from app.domain.send_time import suggested_send_at
from app.domain.timecalc import zone
from tests.domain.domain_builders import UTC, local

BERLIN = zone("Europe/Berlin")
NY = zone("America/New_York")


def send(available, late=None, policy=None, tz=BERLIN):
    return suggested_send_at(available, late, tz, policy or Policy())


@pytest.mark.parametrize(
    ("available", "late", "expected"),
    [
        # inside the window on a weekday: right away
        (local(2026, 4, 16, 11), None, local(2026, 4, 16, 11)),
        (local(2026, 4, 16, 9), None, local(2026, 4, 16, 9)),  # start is inclusive
        (local(2026, 4, 16, 16, 59), None, local(2026, 4, 16, 16, 59)),
        # before the window: 09:00 the same day
        (local(2026, 4, 16, 6, 15), None, local(2026, 4, 16, 9)),
        # at or after the end: next weekday 09:00 (end is exclusive)
        (local(2026, 4, 16, 17), None, local(2026, 4, 17, 9)),
        (local(2026, 4, 16, 22), None, local(2026, 4, 17, 9)),
        # Friday evening: Monday 09:00 when nothing turns late before
        (local(2026, 4, 17, 19), None, local(2026, 4, 20, 9)),
        (local(2026, 4, 18, 12), None, local(2026, 4, 20, 9)),  # Saturday
        (local(2026, 4, 19, 8), None, local(2026, 4, 20, 9)),  # Sunday
        # Friday-evening interview thank-you: late Sunday evening, so send Friday night
        (local(2026, 4, 17, 19), local(2026, 4, 19, 19), local(2026, 4, 17, 19)),
        # late exactly at the next window start: too late, send on availability
        (local(2026, 4, 17, 19), local(2026, 4, 20, 9), local(2026, 4, 17, 19)),
        # late a minute after the window opens: still fine
        (local(2026, 4, 17, 19), local(2026, 4, 20, 9, 1), local(2026, 4, 20, 9)),
    ],
)
def test_default_window(available, late, expected):
    assert send(available, late) == expected


def test_dst_weekend_spring_forward_keeps_nine_local():
    # Friday 27 March 2026 evening (CET); Monday 30 March is CEST: 09:00 local is 07:00 UTC.
    result = send(local(2026, 3, 27, 20))
    assert result == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert result.astimezone(BERLIN).hour == 9


def test_dst_weekend_fall_back_keeps_nine_local():
    # Friday 23 October 2026 evening (CEST); Monday 26 October is CET: 09:00 local is 08:00 UTC.
    result = send(local(2026, 10, 23, 20))
    assert result == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert result.astimezone(BERLIN).hour == 9


def test_window_in_a_dst_gap_moves_forward():
    policy = Policy(send_window_start=time(2, 30), send_window_end=time(4, 0), send_days=(7,))
    # Sunday 29 March 2026: 02:30 does not exist; the window opens at 03:30 CEST.
    result = send(local(2026, 3, 28, 12), policy=policy)
    assert result == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_other_timezone():
    available = datetime(2026, 4, 16, 23, 30, tzinfo=UTC)  # 19:30 in New York
    assert send(available, tz=NY) == datetime(2026, 4, 17, 13, tzinfo=UTC)  # 09:00 EDT


def test_custom_window_and_days():
    policy = Policy(send_window_start=time(7, 30), send_window_end=time(8, 0), send_days=(6, 7))
    assert send(local(2026, 4, 16, 11), policy=policy) == local(2026, 4, 18, 7, 30)  # Thursday -> Saturday
    assert send(local(2026, 4, 18, 7, 45), policy=policy) == local(2026, 4, 18, 7, 45)
    assert send(local(2026, 4, 18, 8), policy=policy) == local(2026, 4, 19, 7, 30)
    assert send(local(2026, 4, 19, 8), policy=policy) == local(2026, 4, 25, 7, 30)  # Sunday -> next Saturday


def test_single_send_day_wraps_the_week():
    policy = Policy(send_days=(1,))
    assert send(local(2026, 4, 20, 18), policy=policy) == local(2026, 4, 27, 9)
    assert send(local(2026, 4, 20, 8), policy=policy) == local(2026, 4, 20, 9)


def test_result_does_not_depend_on_input_offset():
    moment = local(2026, 4, 17, 19)
    assert send(moment.astimezone(NY)) == send(moment)


def test_never_before_available():
    start = local(2026, 4, 13, 0)
    for step in range(24 * 14):
        available = start + timedelta(minutes=37 * step)
        result = send(available)
        assert result >= available
        wall = result.astimezone(BERLIN)
        assert wall.isoweekday() <= 5 and time(9) <= wall.time() < time(17)


def test_the_window_opens_on_the_minute():
    available = local(2026, 4, 16, 6, 15) + timedelta(seconds=30, microseconds=5)
    assert send(available) == local(2026, 4, 16, 9)
    assert send(local(2026, 4, 17, 20) + timedelta(seconds=7)) == local(2026, 4, 20, 9)


def test_seconds_into_the_first_minute_of_the_window_send_right_away():
    available = local(2026, 4, 16, 9) + timedelta(seconds=30)
    assert send(available) == available


def test_a_window_in_the_fall_back_hour():
    policy = Policy(send_window_start=time(2, 30), send_window_end=time(4, 0), send_days=(7,))
    # Sunday 25 October 2026: 02:30 happens twice in Berlin; the first time is 00:30 UTC
    assert send(local(2026, 10, 24, 12), policy=policy) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # at 02:10 of the second pass the first 02:30 is gone: the second one, 01:30 UTC
    second_pass = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    assert second_pass.astimezone(BERLIN).strftime("%H:%M") == "02:10"
    assert send(second_pass, policy=policy) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("window", "available", "expected"),
    [
        ((time(9), time(17)), local(2026, 4, 18, 10), local(2026, 4, 20, 9)),  # Saturday
        ((time(9), time(17)), local(2026, 4, 16, 17), local(2026, 4, 17, 9)),
        ((time(9), time(17)), local(2026, 4, 16, 17, 10), local(2026, 4, 17, 9)),
        ((time(9), time(17)), local(2026, 4, 16, 9), local(2026, 4, 16, 9)),
        ((time(9), time(17)), local(2026, 4, 16, 16, 59), local(2026, 4, 16, 16, 59)),
        ((time(8, 30), time(17, 30)), local(2026, 4, 20, 7, 40), local(2026, 4, 20, 8, 30)),
        ((time(8, 30), time(17, 30)), local(2026, 4, 20, 8, 45), local(2026, 4, 20, 8, 45)),
        ((time(8, 30), time(17, 30)), local(2026, 4, 20, 17, 15), local(2026, 4, 20, 17, 15)),
        ((time(8, 30), time(17, 30)), local(2026, 4, 20, 17, 35), local(2026, 4, 21, 8, 30)),
    ],
)
def test_the_planners_fast_path_agrees(window, available, expected):
    from app.domain.facts import Facts
    from tests.domain.domain_builders import interview

    policy = Policy(send_window_start=window[0], send_window_end=window[1])
    assert Facts(interview(), [], policy).send_at(available, None) == expected == send(available, policy=policy)
