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
MINUTE = _MINUTES[1]


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
    an ambiguous one (fall back) is its first occurrence. 0 days is the
    moment itself: read back as a wall time, the second occurrence of a
    repeated hour would lose its fold and come out an hour before it started.
    """
    if n == 0:
        return to_utc(moment)
    wall = moment.astimezone(tz) + (_DAYS[n] if 0 <= n < _TABLE else timedelta(days=n))  # pragma: no mutate
    return wall.astimezone(UTC)


# --- Steady offsets -----------------------------------------------------------
# `astimezone` with a ZoneInfo is the costliest step of a plan (~3,000 machine
# instructions: the zone's `utcoffset`/`fromutc` are looked up by name on every
# call); adding a known offset costs half that. Most moments a plan converts
# lie far from any DST change, so each zone keeps, per UTC day, its offset when
# that offset holds from the start of the day before to the end of the day
# after ("steady"), else None (a change is near: convert exactly). `Facts`
# reads the tables on the planner's hot path.

#: The first UTC day whose steadiness is trusted: since 1970 no zone changes its
#: offset twice within three days (tests/domain/test_steady_offsets.py checks the
#: installed tz database), so equal offsets at both ends of the 3-day stretch
#: mean no change inside it. Earlier days always convert exactly.
_FIRST_TRUSTED_DAY = datetime(1970, 1, 2).toordinal()
_STEADY_DAYS_MAX = 8192
_MICROSECOND = timedelta(microseconds=1)


class SteadyOffsets(dict[int, timedelta | None]):
    """One zone's steady offsets by UTC day ordinal: `table[day]` is the offset or None.

    Filled on first look-up (`__missing__`), so a hit costs one C-level
    dictionary read. Within a steady stretch the local wall time of an instant
    is the instant plus the offset, and a wall time there has exactly one
    instant (no gap or fold is within a day of it; offsets differ by 24 hours
    at most).
    """

    __slots__ = ("zone",)

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__()
        self.zone = tz

    def __missing__(self, day: int) -> timedelta | None:
        offset: timedelta | None = None
        if day >= _FIRST_TRUSTED_DAY:
            first = datetime.fromordinal(day - 1).replace(tzinfo=UTC)
            last = datetime.fromordinal(day + 2).replace(tzinfo=UTC) - _MICROSECOND
            before, after = first.astimezone(self.zone).utcoffset(), last.astimezone(self.zone).utcoffset()
            if before == after:
                offset = before
        if len(self) >= _STEADY_DAYS_MAX:  # pragma: no mutate (bounds the cache)
            self.clear()
        self[day] = offset  # pragma: no mutate (None only sends every look-up to the exact path)
        return offset


_STEADY: dict[ZoneInfo, SteadyOffsets] = {}


def steady_offsets(tz: ZoneInfo) -> SteadyOffsets:
    """The zone's table of steady offsets, one per zone and process."""
    table = _STEADY.get(tz)
    if table is None:
        table = _STEADY[tz] = SteadyOffsets(tz)
    return table
