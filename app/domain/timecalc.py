"""Time arithmetic of the rules (followup-rules.md, "Time arithmetic").

Hour periods are elapsed time (add `hours(n)` to a UTC instant); day periods
are calendar days at the same local wall time in the interview's timezone, so
"7 days" across a DST change still lands at the same clock time. Every
instant leaves this module in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Periods the policy and events use, built once: making a timedelta costs as
# much as the arithmetic itself on the hot path. The lookups below are marked
# "no mutate": their mutants only swap a cached timedelta for an equal new one.
_TABLE = 400
_DAYS = tuple(timedelta(days=n) for n in range(_TABLE))
_HOURS = tuple(timedelta(hours=n) for n in range(_TABLE))
_MINUTES = tuple(timedelta(minutes=n) for n in range(1441))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, built once per process (it is on the hot path)."""
    return ZoneInfo(name)


def days(n: int) -> timedelta:
    """`timedelta(days=n)`, prebuilt for the usual range."""
    return _DAYS[n] if 0 <= n < _TABLE else timedelta(days=n)  # pragma: no mutate


def hours(n: int) -> timedelta:
    """`timedelta(hours=n)`, prebuilt for the usual range."""
    return _HOURS[n] if 0 <= n < _TABLE else timedelta(hours=n)  # pragma: no mutate


def minutes(n: int) -> timedelta:
    """`timedelta(minutes=n)` (interview durations, up to a day prebuilt)."""
    return _MINUTES[n] if 0 <= n <= 1440 else timedelta(minutes=n)  # pragma: no mutate


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC (naive datetimes are refused: the engine never guesses)."""
    if moment.tzinfo is UTC:
        return moment
    if moment.utcoffset() is None:
        raise ValueError("naive datetime: the rules need timezone-aware moments")
    return moment.astimezone(UTC)


def add_days(moment: datetime, n: int, tz: ZoneInfo) -> datetime:
    """Calendar days: the same local wall time `n` days later in `tz`.

    Adding a timedelta to an aware datetime gives fold=0, so a wall time that
    does not exist that day (spring forward) is read with the offset before
    the change, which moves it forward by the gap (02:30 becomes 03:30), and
    an ambiguous one (fall back) is its first occurrence.
    """
    wall = moment.astimezone(tz) + (_DAYS[n] if 0 <= n < _TABLE else timedelta(days=n))  # pragma: no mutate
    return wall.astimezone(UTC)
