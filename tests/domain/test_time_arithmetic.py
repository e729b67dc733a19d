"""Time arithmetic: hours are elapsed time, days are local calendar days (DST-safe)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.timecalc import add_days, days, hours, minutes, to_utc, zone
from tests.domain.domain_builders import UTC, local

BERLIN = zone("Europe/Berlin")


def test_zone_is_cached():
    assert zone("Europe/Berlin") is zone("Europe/Berlin")
    assert str(zone("Asia/Tokyo")) == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 7 days across spring forward (29 March 2026): 10:00 stays 10:00 local, 167 elapsed hours.
        (local(2026, 3, 25, 10), 7, local(2026, 4, 1, 10)),
        # across fall back (25 October 2026): 169 elapsed hours.
        (local(2026, 10, 21, 10), 7, local(2026, 10, 28, 10)),
        (local(2026, 4, 16, 11), 10, local(2026, 4, 26, 11)),
        (local(2026, 4, 16, 11), 0, local(2026, 4, 16, 11)),
        (local(2026, 12, 28, 23, 30), 5, local(2027, 1, 2, 23, 30)),
        (local(2026, 1, 1), 400, local(2027, 2, 5)),
    ],
)
def test_add_days_keeps_local_wall_time(start, n, expected):
    result = add_days(start, n, BERLIN)
    assert result == expected
    assert result.tzinfo is UTC
    assert add_days(start.astimezone(zone("Asia/Tokyo")), n, BERLIN) == expected


def test_add_days_elapsed_hours_differ_across_dst():
    assert add_days(local(2026, 3, 25, 10), 7, BERLIN) - local(2026, 3, 25, 10) == timedelta(hours=167)
    assert add_days(local(2026, 10, 21, 10), 7, BERLIN) - local(2026, 10, 21, 10) == timedelta(hours=169)


def test_nonexistent_local_time_moves_forward():
    # 02:30 on 29 March 2026 does not exist in Berlin: read with the old offset, it is 03:30 CEST.
    start = datetime(2026, 3, 22, 2, 30, tzinfo=BERLIN).astimezone(UTC)
    assert add_days(start, 7, BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert add_days(start, 7, BERLIN).astimezone(BERLIN).hour == 3


def test_ambiguous_local_time_is_the_first_occurrence():
    # 02:30 on 25 October 2026 happens twice in Berlin; the first one is 00:30 UTC.
    start = datetime(2026, 10, 18, 2, 30, tzinfo=BERLIN).astimezone(UTC)
    assert add_days(start, 7, BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN).astimezone(UTC)
    assert second == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    # from the second occurrence, a week later is an ordinary 02:30 CET
    assert add_days(second, 7, BERLIN) == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)
    # and 0 days from the second occurrence is that same instant, not the first occurrence
    assert add_days(second, 0, BERLIN) == second


NEW_YORK = zone("America/New_York")
# New York falls back on Sunday 1 November 2026: 01:00-02:00 happens twice, EDT then EST.
FIRST_0140 = datetime(2026, 11, 1, 5, 40, tzinfo=UTC)  # 01:40 EDT
SECOND_0140 = datetime(2026, 11, 1, 6, 40, tzinfo=UTC)  # 01:40 EST


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 0 days is the same instant, in either occurrence of the repeated hour
        (SECOND_0140, 0, SECOND_0140),
        (FIRST_0140, 0, FIRST_0140),
        # a day later is 01:40 EST again: the fold does not carry over to an unambiguous day
        (SECOND_0140, 1, datetime(2026, 11, 2, 6, 40, tzinfo=UTC)),
        (FIRST_0140, 1, datetime(2026, 11, 2, 6, 40, tzinfo=UTC)),
        # landing on the repeated hour from another day: its first occurrence
        (datetime(2026, 10, 31, 5, 40, tzinfo=UTC), 1, FIRST_0140),
        (datetime(2026, 10, 25, 5, 40, tzinfo=UTC), 7, FIRST_0140),
    ],
)
def test_add_days_in_the_repeated_hour(start, n, expected):
    assert add_days(start, n, NEW_YORK) == expected
    assert add_days(start.astimezone(NEW_YORK), n, NEW_YORK) == expected  # the fold given as a local time
    assert add_days(start, n, NEW_YORK) >= start  # a period never ends before it starts


def test_hours_are_elapsed_time():
    start = local(2026, 3, 28, 12)
    assert start + hours(24) == start + timedelta(hours=24)
    assert (start + hours(24)).astimezone(BERLIN).hour == 13  # the clock jumped


def test_to_utc():
    aware = datetime(2026, 4, 16, 12, tzinfo=BERLIN)
    assert to_utc(aware) == aware and to_utc(aware).tzinfo is UTC
    already = datetime(2026, 4, 16, 12, tzinfo=UTC)
    assert to_utc(already) is already
    with pytest.raises(ValueError, match="^naive datetime: the rules need timezone-aware moments$"):
        to_utc(datetime(2026, 4, 16, 12))


@pytest.mark.parametrize("n", [0, 1, 7, 399, 400, 1000])
def test_period_tables(n):
    assert days(n) == timedelta(days=n)
    assert hours(n) == timedelta(hours=n)
    assert minutes(n) == timedelta(minutes=n)
    assert minutes(1440) == timedelta(days=1) and minutes(1441) == timedelta(minutes=1441)
