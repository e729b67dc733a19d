"""Rule 11: send at a humane hour, from available_at and late_after only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.domain.policy import Policy
from app.domain.send_time import SECOND, suggested_send_at
from app.domain.timecalc import zone
from tests.domain.domain_builders import UTC, first_moment_inside, local, machine_timezone

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


def test_window_in_a_dst_gap_opens_when_the_clocks_jump():
    policy = Policy(send_window_start=time(2, 30), send_window_end=time(4, 0), send_days=(7,))
    # Sunday 29 March 2026: 02:30 does not exist; 03:00 CEST, the jump, is already inside 02:30-04:00.
    result = send(local(2026, 3, 28, 12), policy=policy)
    assert result == datetime(2026, 3, 29, 1, tzinfo=UTC)


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


# Rule 11 across a spring-forward gap: a window boundary that does not exist that
# day is the moment the clocks jump (the first moment at or after that wall time),
# for the start and the end alike. A window with both ends in one gap is empty.

ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)
#: When the clocks jump: Berlin 02:00 -> 03:00, New York 02:00 -> 03:00, Lord Howe
#: 02:00 -> 02:30, Apia from Thursday 29 to Saturday 31 December 2011 (no Friday 30th).
JUMPS = {
    "Europe/Berlin": datetime(2026, 3, 29, 1, tzinfo=UTC),
    "America/New_York": datetime(2026, 3, 8, 7, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    "Pacific/Apia": datetime(2011, 12, 30, 10, tzinfo=UTC),
}
BERLIN_JUMP = JUMPS["Europe/Berlin"]


@pytest.mark.parametrize(
    ("name", "window", "send_days", "available", "expected"),
    [
        # start in the gap: the window opens at the jump, 03:00 CEST (the reported case)
        ("Europe/Berlin", (time(2, 30), time(17)), ALL_DAYS, local(2026, 3, 28, 20), BERLIN_JUMP),
        ("Europe/Berlin", (time(2, 30), time(17)), ALL_DAYS, local(2026, 3, 29, 1, 30), BERLIN_JUMP),  # same night
        ("Europe/Berlin", (time(2, 30), time(4)), (7,), local(2026, 3, 28, 12), BERLIN_JUMP),
        ("Europe/Berlin", (time(2), time(17)), ALL_DAYS, local(2026, 3, 28, 20), BERLIN_JUMP),  # the gap's first minute
        ("Europe/Berlin", (time(2, 7), time(17)), ALL_DAYS, local(2026, 3, 28, 20), BERLIN_JUMP),  # not a power-of-two share of the gap
        ("Europe/Berlin", (time(2, 30), time(17)), ALL_DAYS, BERLIN_JUMP + timedelta(minutes=10), BERLIN_JUMP + timedelta(minutes=10)),
        # end in the gap: open until the jump, closed from it on
        ("Europe/Berlin", (time(0), time(2, 30)), ALL_DAYS, local(2026, 3, 29, 1, 59), local(2026, 3, 29, 1, 59)),
        ("Europe/Berlin", (time(0), time(2, 30)), ALL_DAYS, BERLIN_JUMP, local(2026, 3, 30, 0)),
        # both ends at the jump: no window that day, the next send day's
        ("Europe/Berlin", (time(2, 15), time(2, 45)), ALL_DAYS, local(2026, 3, 28, 20), local(2026, 3, 30, 2, 15)),
        ("Europe/Berlin", (time(2, 30), time(3)), ALL_DAYS, local(2026, 3, 28, 20), local(2026, 3, 30, 2, 30)),
        ("Europe/Berlin", (time(2, 15), time(2, 45)), (7,), local(2026, 3, 28, 20), local(2026, 4, 5, 2, 15)),
        # other zones: behind UTC, a 30-minute change, a skipped calendar day
        ("America/New_York", (time(2, 30), time(17)), ALL_DAYS, local(2026, 3, 7, 20, tz="America/New_York"),
         JUMPS["America/New_York"]),
        ("Australia/Lord_Howe", (time(2, 15), time(17)), ALL_DAYS, local(2026, 10, 3, 20, tz="Australia/Lord_Howe"),
         JUMPS["Australia/Lord_Howe"]),
        ("Pacific/Apia", (time(9), time(17)), (1, 2, 3, 4, 5), local(2011, 12, 29, 20, tz="Pacific/Apia"),
         local(2012, 1, 2, 9, tz="Pacific/Apia")),  # not Saturday 31st: Friday 30th never happened
        ("Pacific/Apia", (time(9), time(17)), (5,), local(2011, 12, 29, 20, tz="Pacific/Apia"),
         local(2012, 1, 6, 9, tz="Pacific/Apia")),
        ("Pacific/Apia", (time(0), time(17)), ALL_DAYS, local(2011, 12, 29, 20, tz="Pacific/Apia"), JUMPS["Pacific/Apia"]),
    ],
)  # fmt: skip
def test_a_window_boundary_in_a_dst_gap_is_the_jump(name, window, send_days, available, expected):
    from app.domain.facts import Facts
    from tests.domain.domain_builders import interview

    policy = Policy(send_window_start=window[0], send_window_end=window[1], send_days=send_days)
    assert send(available, policy=policy, tz=zone(name)) == expected
    assert Facts(interview(timezone=name), [], policy).send_at(available, None) == expected  # the planner's path


def test_a_window_opening_at_the_jump_is_late_by_the_jump():
    policy = Policy(send_window_start=time(2, 30), send_window_end=time(17), send_days=ALL_DAYS)
    available = local(2026, 3, 28, 20)
    assert send(available, BERLIN_JUMP, policy) == available  # late as the window opens: at once
    assert send(available, BERLIN_JUMP + timedelta(minutes=1), policy) == BERLIN_JUMP


def test_the_planner_suggests_the_jump_for_a_thank_you():
    from tests.domain.domain_builders import ActionKind, actions, interview, one

    policy = Policy(send_window_start=time(2, 30), send_window_end=time(17), send_days=ALL_DAYS)
    iv = interview(starts_at=local(2026, 3, 28, 19))  # Saturday, ends 20:00 CET
    thank_you = one(actions(iv, [], local(2026, 3, 28, 21), policy), ActionKind.SEND_THANK_YOU)
    assert thank_you.suggested_send_at == BERLIN_JUMP  # 03:00 CEST, not 03:30


GAP_WINDOWS = [
    (time(1, 30), time(17)), (time(2), time(17)), (time(2, 15), time(17)), (time(2, 30), time(17)),
    (time(3), time(17)), (time(0), time(2, 15)), (time(0), time(2, 30)), (time(1), time(3)),
    (time(2, 15), time(2, 45)), (time(2, 30), time(3)), (time(9), time(17)),
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(JUMPS))
def test_the_suggestion_is_the_first_moment_inside_a_window_around_a_jump(name):
    from app.domain.facts import Facts
    from tests.domain.domain_builders import interview

    tz, jump = zone(name), JUMPS[name]
    wrong = []
    for start, end in GAP_WINDOWS:
        policy = Policy(send_window_start=start, send_window_end=end, send_days=ALL_DAYS)
        facts = Facts(interview(timezone=name), [], policy)
        for before in (6 * 60, 30, 0, -10):
            available = jump - timedelta(minutes=before)
            expected = first_moment_inside(available, tz, policy)
            got = (send(available, policy=policy, tz=tz), facts.send_at(available, None))
            if got != (expected, expected):
                wrong.append((start, end, available, expected, got))
    assert wrong == []


#: Moments the clocks go back (UTC): by an hour at 03:00, 02:00 and midnight, by half an hour at 02:00.
FALL_BACKS = {
    "Europe/Berlin": datetime(2026, 10, 25, 1, tzinfo=UTC),
    "America/New_York": datetime(2026, 11, 1, 6, tzinfo=UTC),
    "America/Santiago": datetime(2026, 4, 5, 3, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2026, 4, 4, 15, tzinfo=UTC),
}
FOLD_WINDOWS = [
    (time(0), time(2, 30)), (time(2, 30), time(4)), (time(1), time(2)), (time(2), time(2, 30)), (time(0), time(1, 30)),
    (time(1, 15), time(1, 45)), (time(22), time(23, 30)), (time(23, 30), time(23, 59)), (time(9), time(17)),
    (time(1, 45), time(17)),
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(FALL_BACKS))
def test_the_suggestion_is_the_first_moment_inside_a_window_around_a_fall_back(name):
    """A window that closed in the first pass of a repeated hour is open again in the second:
    Berlin, window 00:00-02:30, available at 02:45 CEST: 02:00 CET, a quarter of an hour
    later, not midnight the next day (30 of these 2,160 cases were a day late before)."""
    from app.domain.facts import Facts
    from tests.domain.domain_builders import interview

    tz, back = zone(name), FALL_BACKS[name]
    assert (back - SECOND).astimezone(tz).utcoffset() > back.astimezone(tz).utcoffset()
    wrong = []
    for start, end in FOLD_WINDOWS:
        policy = Policy(send_window_start=start, send_window_end=end, send_days=ALL_DAYS)
        facts = Facts(interview(timezone=name), [], policy)
        for before in range(-90, 180, 5):
            available = back - timedelta(minutes=before, seconds=before % 2 * 20)
            expected = first_moment_inside(available, tz, policy)
            got = (send(available, policy=policy, tz=tz), facts.send_at(available, None))
            if got != (expected, expected):
                wrong.append((start, end, available, expected, got))
    assert wrong == []


def test_a_window_that_closed_in_the_first_pass_of_a_repeated_hour_opens_in_the_second():
    policy = Policy(send_window_start=time(0), send_window_end=time(2, 30), send_days=ALL_DAYS)
    first_pass = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 02:45 CEST
    assert first_pass.astimezone(BERLIN).strftime("%H:%M %Z") == "02:45 CEST"
    assert send(first_pass, policy=policy) == datetime(2026, 10, 25, 1, tzinfo=UTC)  # 02:00 CET


@pytest.mark.parametrize("machine", ["XST9", "JST-9"])
@pytest.mark.parametrize(
    ("name", "window", "available", "expected"),
    [
        pytest.param("Europe/Berlin", (time(9), time(17)), local(2026, 4, 16, 6), local(2026, 4, 16, 9), id="later that day"),
        pytest.param("Europe/Berlin", (time(2, 30), time(4)), datetime(2026, 10, 25, 1, 10, tzinfo=UTC),
                     datetime(2026, 10, 25, 1, 30, tzinfo=UTC), id="second pass of a repeated hour"),
        pytest.param("Europe/Berlin", (time(2, 30), time(17)), local(2026, 3, 28, 20), BERLIN_JUMP, id="start in a gap"),
        pytest.param("America/New_York", (time(2, 30), time(17)), local(2026, 3, 7, 20, tz="America/New_York"),
                     JUMPS["America/New_York"], id="start in a gap behind UTC"),
    ],
)  # fmt: skip
def test_the_machines_own_timezone_plays_no_part(machine, name, window, available, expected):
    """Every suggestion is a UTC instant, whatever timezone the server itself runs in."""
    policy = Policy(send_window_start=window[0], send_window_end=window[1], send_days=ALL_DAYS)
    with machine_timezone(machine):
        result = send(available, policy=policy, tz=zone(name))
    assert result == expected
    assert result.tzinfo is UTC
