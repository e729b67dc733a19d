"""Steady offsets: the planner's shortcut around `astimezone` gives the exact answers.

`Facts.day`, `Facts.add_days` and `Facts.send_at` add a zone's offset by hand
where it is steady (timecalc.steady_offset) and convert exactly elsewhere.
These tests compare them with the plain zoneinfo arithmetic (`format_day`,
`add_days`, `suggested_send_at`) in the zones whose clocks do odd things, at
moments on and around their changes, and check the tz database fact the
shortcut rests on.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import _zoneinfo  # the pure-Python reader: the only public-ish view of a zone's transitions

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.facts import Facts
from app.domain.policy import Policy
from app.domain.reasons import format_day
from app.domain.send_time import suggested_send_at
from app.domain.timecalc import SteadyOffsets, add_days, steady_offsets, zone
from tests.domain.domain_builders import interview, machine_timezone

#: Zones with DST (both hemispheres), half-hour and 30-minute DST, negative DST,
#: a skipped calendar day, Ramadan suspensions, a 2-hour DST, and none.
ODD_ZONES = (
    "Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
    "America/St_Johns", "Europe/Dublin", "Pacific/Apia", "Africa/Casablanca",
    "Antarctica/Troll", "America/Sao_Paulo", "Asia/Tehran", "Asia/Kolkata", "UTC",
)  # fmt: skip
FIRST_CHECKED = datetime(1970, 1, 1, tzinfo=UTC).timestamp()


def _transitions(name: str) -> list[float]:
    """A zone's listed UTC transition times (as the tz database file holds them)."""
    return [t for t in _zoneinfo.ZoneInfo.no_cache(name)._trans_utc if t >= FIRST_CHECKED]


def test_no_zone_changes_its_offset_twice_within_three_days_since_1970():
    """What `steady_offset` relies on: one change at most in any 3-day stretch.

    Beyond a zone's last listed transition its POSIX rule applies (DST months
    apart). If a tz database update ever breaks this, the shortcut must change.
    """
    too_close = []
    for name in sorted(zoneinfo.available_timezones()):
        times = _transitions(name)
        too_close += [(name, a) for a, b in zip(times, times[1:]) if b - a <= 3 * 86400]
    assert too_close == []


def _near_changes() -> st.SearchStrategy[datetime]:
    """UTC moments within a day and a half of a listed change of one of ODD_ZONES."""
    points = sorted({t for name in ODD_ZONES for t in _transitions(name) if t < datetime(2040, 1, 1).timestamp()})
    return st.builds(
        lambda t, seconds: datetime.fromtimestamp(t, UTC) + timedelta(seconds=seconds),
        st.sampled_from(points),
        st.integers(-36 * 3600, 36 * 3600),
    )


UTC_MOMENTS = st.one_of(
    st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2045, 12, 31), timezones=st.just(UTC)),
    _near_changes(),
)
#: Mostly UTC (what the planner gets), sometimes the same instant at a fixed offset.
MOMENTS = st.one_of(
    UTC_MOMENTS,
    st.builds(lambda m, hours: m.astimezone(timezone(timedelta(hours=hours))), UTC_MOMENTS, st.integers(-12, 14)),
)
CHECKS = settings(max_examples=600, derandomize=True, database=None, deadline=None)


def _facts(name: str, policy: Policy | None = None) -> Facts:
    return Facts(interview(timezone=name), [], policy or Policy())


@CHECKS
@given(name=st.sampled_from(ODD_ZONES), moment=MOMENTS)
def test_day_names_the_local_calendar_day(name, moment):
    assert _facts(name).day(moment) == format_day(moment, name)


@CHECKS
@given(name=st.sampled_from(ODD_ZONES), moment=MOMENTS, n=st.integers(0, 450))
def test_add_days_keeps_the_local_wall_time(name, moment, n):
    later = _facts(name).add_days(moment, n)
    assert later == add_days(moment, n, zone(name))
    assert later.tzinfo is UTC
    assert later > moment if n else later == moment  # 0 days is the same instant, even in a repeated hour


@CHECKS
@given(
    name=st.sampled_from(ODD_ZONES),
    moment=MOMENTS,
    late_hours=st.none() | st.integers(1, 200),
    opens=st.integers(0, 22 * 60),
    length=st.integers(1, 120),
    send_days=st.sets(st.integers(1, 7), min_size=1),
)
def test_send_at_is_the_first_moment_in_a_window(name, moment, late_hours, opens, length, send_days):
    closes = min(opens + length * 15, 24 * 60 - 1)
    policy = Policy(
        send_window_start=time(opens // 60, opens % 60),
        send_window_end=time(closes // 60, closes % 60),
        send_days=tuple(sorted(send_days)),
    )
    late = moment + timedelta(hours=late_hours) if late_hours is not None else None
    assert _facts(name, policy).send_at(moment, late) == suggested_send_at(moment, late, zone(name), policy)


@pytest.mark.parametrize("machine", ["UTC0", "XST9", "JST-9"])
def test_a_day_with_a_change_near_is_not_steady(machine):
    table = SteadyOffsets(zone("Europe/Berlin"))
    spring = datetime(2026, 3, 29).toordinal()  # clocks go forward at 01:00 UTC
    with machine_timezone(machine):  # the days are UTC days, whatever the server's own timezone
        assert table[spring] is None
        assert table[spring - 1] is None  # the change is within a day after
        assert table[spring + 1] is None  # within a day before
        assert table[spring - 2] == timedelta(hours=1)
        assert table[spring + 2] == timedelta(hours=2)
    assert sorted(table) == [spring + d for d in (-2, -1, 0, 1, 2)]


def test_a_change_at_midnight_utc_starts_the_day_after_the_stretch():
    """Casablanca sprang forward at 00:00 UTC on 2 May 2010: the stretch of 30 April
    (29 April to the end of 1 May) still holds its offset, that of 1 May does not."""
    table = SteadyOffsets(zone("Africa/Casablanca"))
    assert table[datetime(2010, 4, 30).toordinal()] == timedelta(0)
    assert table[datetime(2010, 5, 1).toordinal()] is None
    assert table[datetime(2010, 5, 4).toordinal()] == timedelta(hours=1)


def test_days_before_1970_always_convert_exactly():
    assert SteadyOffsets(zone("UTC"))[datetime(1970, 1, 1).toordinal()] is None
    assert SteadyOffsets(zone("UTC"))[datetime(1970, 1, 2).toordinal()] == timedelta(0)  # the first trusted day
    assert SteadyOffsets(zone("Europe/Berlin"))[datetime(1969, 7, 1).toordinal()] is None
    assert SteadyOffsets(zone("Europe/Berlin"))[datetime(1970, 7, 1).toordinal()] == timedelta(hours=1)  # no DST until 1980


@pytest.mark.parametrize("name", ["Europe/Berlin", "UTC"])
def test_each_zone_keeps_one_table(name):
    assert steady_offsets(zone(name)) is steady_offsets(zone(name))


def test_each_zone_gets_its_own_table_once(monkeypatch):
    from app.domain import timecalc

    monkeypatch.setattr(timecalc, "_STEADY", {})  # earlier tests filled the process-wide tables
    berlin = zone("Europe/Berlin")
    table = steady_offsets(berlin)
    assert table.zone is berlin
    assert steady_offsets(berlin) is table
    assert steady_offsets(zone("Asia/Tokyo")) is not table


# Cases the generated moments rarely meet: the window opens days later, across a change.

MONDAYS = Policy(send_days=(1,))


def test_a_steady_day_whose_window_opens_after_a_change():
    """Wednesday before the spring change, Mondays only: 09:00 CEST on 30 March, not 09:00 CET."""
    available = datetime(2026, 3, 25, 11, tzinfo=UTC)  # Wednesday 12:00 CET: a steady day
    expected = datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert suggested_send_at(available, None, zone("Europe/Berlin"), MONDAYS) == expected
    assert _facts("Europe/Berlin", MONDAYS).send_at(available, None) == expected


def test_a_window_opening_exactly_when_the_action_turns_late_sends_at_once():
    available = datetime(2026, 4, 1, 10, tzinfo=UTC)  # Wednesday 12:00 CEST, a week after the change
    late = datetime(2026, 4, 6, 7, tzinfo=UTC)  # Monday 09:00 CEST: the window opens at that very moment
    assert _facts("Europe/Berlin", MONDAYS).send_at(available, late) == available
    assert _facts("Europe/Berlin", MONDAYS).send_at(available, late + timedelta(seconds=1)) == late


def test_seconds_into_the_minute_the_window_opens_send_at_once():
    available = datetime(2026, 4, 16, 7, 0, 30, tzinfo=UTC)  # Thursday 09:00:30 CEST
    assert _facts("Europe/Berlin").send_at(available, None) == available
