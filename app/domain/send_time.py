"""Rule 11, send at a humane hour (`send_window`).

The suggestion depends only on `available_at`, `late_after`, the interview's
timezone and the policy's window, never on `now`, so it is part of the
clock-free schedule (it may lie in the past).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from app.domain.policy import Policy
from app.domain.timecalc import MINUTE, UTC

SECOND = timedelta(seconds=1)


def suggested_send_at(
    available_at: datetime, late_after: datetime | None, tz: ZoneInfo, policy: Policy
) -> datetime:
    """The first moment at or after `available_at` inside a send window, in `tz`.

    Rule 11: a send day (ISO weekday in `policy.send_days`) between
    `send_window_start` (inclusive) and `send_window_end` (exclusive) local
    time. If no such moment comes before the action turns late, send as soon
    as it is available: a message on Friday night beats a late one on Monday.
    The window opens at its local wall time whatever the DST offset that day.
    A bound that does not exist that day (DST gap) is the moment the clocks
    jump, the first moment at or after it: a start at 02:30 when 02:00 becomes
    03:00 opens at 03:00, already inside the window, and an end there closes
    it at 03:00 (a window with both ends in one gap is empty that day). When
    the clocks go back into the window (an end at 02:30, available at 02:45 of
    the first pass of a repeated hour), the window is open again at 02:00 of
    the second pass. Unlike
    `timecalc.add_days`, which keeps a duration and so moves such a time on by
    the gap, rule 11 asks for the first moment inside the window.
    """
    opens_at, closes_at = policy.send_window_minutes()
    return next_window(available_at, available_at.astimezone(tz), late_after, policy.send_days, opens_at, closes_at)


def minutes_to_window(weekday: int, clock: int, send_days: Container[int], opens_at: int, closes_at: int) -> int:
    """Whole minutes from the local minute `clock` of ISO `weekday` to the next window's start; 0 inside one.

    The window is open on a send day from `opens_at` (inclusive) to
    `closes_at` (exclusive), both minutes of the day.
    """
    ahead = 0
    if weekday not in send_days or clock >= closes_at:
        ahead, weekday = 1, weekday % 7 + 1
        while weekday not in send_days:
            ahead, weekday = ahead + 1, weekday % 7 + 1
    elif opens_at <= clock:
        return 0
    return ahead * 1440 + opens_at - clock


def next_window(
    available_at: datetime,
    local: datetime,
    late_after: datetime | None,
    send_days: Container[int],
    opens_at: int,
    closes_at: int,
) -> datetime:
    """`suggested_send_at`, given `available_at` in the interview's timezone (`local`)
    and the window as minutes of the day (`Policy.send_window_minutes`).

    `Facts.send_at` answers the common case itself and hands the rest here
    with the local time it already has.
    """
    return unless_late(available_at, first_inside(available_at, local, send_days, opens_at, closes_at), late_after)


def first_inside(
    since: datetime, local: datetime, send_days: Container[int], opens_at: int, closes_at: int
) -> datetime:
    """The first moment at or after `since` (`local` in the interview's timezone) inside a window.

    A local time is inside by its wall minute. So the window's end needs no
    instant: no existing wall time lies in a gap, and an end in a gap already
    closes the window at the jump. A start in a gap opens it at the jump,
    which is inside unless the end is at or before the gap's end too: then
    that day has no window and the search goes on from the jump. When the
    clocks go back on the way to the next start, the wall clock can read a
    time inside the window again before it: a window ending at 02:30 has
    closed at 02:45 of the first pass of a repeated hour, and is open again
    at 02:00 of the second. The search then goes on from the moment the
    clocks went back.
    """
    opens, start = since, local
    shift = minutes_to_window(local.isoweekday(), local.hour * 60 + local.minute, send_days, opens_at, closes_at)
    while shift:
        opens, exists = window_start(local, shift, opens)
        if exists:
            break
        local = opens.astimezone(local.tzinfo)
        shift = minutes_to_window(local.isoweekday(), local.hour * 60 + local.minute, send_days, opens_at, closes_at)
    if opens != since and opens.astimezone(start.tzinfo).utcoffset() < start.utcoffset():
        back = offset_change(since, opens, start)
        return min(opens, first_inside(back, back.astimezone(start.tzinfo), send_days, opens_at, closes_at))
    return opens


def offset_change(since: datetime, until: datetime, local: datetime) -> datetime:
    """The first moment after `since` whose offset is not `local`'s (the offset at `since`),
    given that `until` has another: the moment the clocks went back on the way to `until`."""
    return first_with_new_offset(since.replace(microsecond=0), until, local.tzinfo, local.utcoffset())


def first_with_new_offset(before: datetime, after: datetime, tz: tzinfo | None, old: timedelta | None) -> datetime:
    """The first moment after `before` (offset `old`) whose offset in `tz` differs, given
    that `after`'s does. Found by halving in whole seconds, the tz database's unit: with
    `before` on a whole second every halving moves on and the change is found exactly
    (at most 20 steps for the week a window search can span)."""
    while after - before > SECOND:
        middle = before + SECOND * ((after - before) // SECOND // 2)
        if middle.astimezone(tz).utcoffset() == old:
            before = middle
        else:
            after = middle
    return after


def window_start(local: datetime, shift: int, since: datetime) -> tuple[datetime, bool]:
    """The window's start `shift` minutes of wall time after `local`, as a UTC instant
    at or after `since`, and whether that wall time exists.

    Where it does not (DST gap) the instant is the jump (`clocks_jump`), and
    the caller checks the window is still open then.
    """
    # The window's start as local wall time: arithmetic on an aware datetime
    # is wall-clock arithmetic and gives fold=0, like `add_days` (and far
    # cheaper than `replace`, whose keyword parsing dominates here).
    wall = local + MINUTE * shift
    if local.second or local.microsecond:
        wall -= timedelta(0, local.second, local.microsecond)
    opens = wall.astimezone(UTC)
    if opens.astimezone(wall.tzinfo).utcoffset() != wall.utcoffset():  # read back with the offset after a jump
        return clocks_jump(wall, opens), False
    if opens < since:  # today's start is ambiguous (fall back) and its first occurrence has passed
        opens = wall.replace(fold=1).astimezone(UTC)
    return opens, True


def clocks_jump(wall: datetime, after: datetime) -> datetime:
    """The moment the clocks jump over the non-existent local `wall` time: the
    first moment at or after it (rule 11's window bounds).

    `after` is `wall` read with the offset before the jump (fold=0), so at or
    after it; read with the offset after (fold=1) it is before. The one
    change between them (no zone changes twice within three days, see
    tests/domain/test_steady_offsets.py) is found by halving
    (`first_with_new_offset`; `wall` is whole minutes): at most 17 steps for
    a skipped day, and only on the rare days whose window starts in a gap.
    """
    return first_with_new_offset(wall.replace(fold=1).astimezone(UTC), after, wall.tzinfo, wall.utcoffset())


def unless_late(available_at: datetime, opens: datetime, late_after: datetime | None) -> datetime:
    """Rule 11: the window's start `opens`, unless the action is late by then: then at once."""
    if late_after is not None and opens >= late_after:
        return available_at
    return opens
