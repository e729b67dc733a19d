"""Rule 11, send at a humane hour (`send_window`).

The suggestion depends only on `available_at`, `late_after`, the interview's
timezone and the policy's window, never on `now`, so it is part of the
clock-free schedule (it may lie in the past).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.domain.policy import Policy
from app.domain.timecalc import UTC, days


def suggested_send_at(
    available_at: datetime, late_after: datetime | None, tz: ZoneInfo, policy: Policy
) -> datetime:
    """The first moment at or after `available_at` inside a send window, in `tz`.

    Rule 11: a send day (ISO weekday in `policy.send_days`) between
    `send_window_start` (inclusive) and `send_window_end` (exclusive) local
    time. If no such moment comes before the action turns late, send as soon
    as it is available: a message on Friday night beats a late one on Monday.
    The window opens at its local wall time whatever the DST offset that day;
    a start that does not exist that day (DST gap) moves forward with the
    clocks, like every local time here (`timecalc.add_days`).
    """
    local = available_at.astimezone(tz)
    send_days, start = policy.send_days, policy.send_window_start
    weekday = local.isoweekday()
    clock = local.time()
    ahead = 0
    if weekday not in send_days or clock >= policy.send_window_end:
        ahead, weekday = 1, weekday % 7 + 1
        while weekday not in send_days:
            ahead, weekday = ahead + 1, weekday % 7 + 1
    elif start <= clock:
        return available_at
    wall = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0, fold=0) + days(ahead)
    opens = wall.astimezone(UTC)
    if opens < available_at:  # today's start is ambiguous (fall back) and its first occurrence has passed
        opens = wall.replace(fold=1).astimezone(UTC)
    if late_after is not None and opens >= late_after:
        return available_at
    return opens
