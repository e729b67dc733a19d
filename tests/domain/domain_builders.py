"""Builders shared by the domain tests (plain functions, no fixtures)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.model import (
    Action,
    ActionKind,
    Contact,
    ContactRole,
    Event,
    EventType,
    Interview,
    InterviewFormat,
    Rapport,
)
from app.domain.planner import plan
from app.domain.policy import Policy

BERLIN = "Europe/Berlin"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: str = BERLIN) -> datetime:
    """An aware moment at a local wall time, expressed in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def dana(**kw) -> Contact:
    return Contact(**{"id": "dana", "name": "Dana Lee", "email": "dana@acme.test",
                      "role": ContactRole.HIRING_MANAGER, **kw})  # fmt: skip


def sam(**kw) -> Contact:
    return Contact(**{"id": "sam", "name": "Sam Reed", "email": "sam@acme.test", "role": ContactRole.RECRUITER, **kw})


def kai(**kw) -> Contact:
    return Contact(**{"id": "kai", "name": "Kai Berg", "email": "kai@acme.test", "role": ContactRole.INTERVIEWER, **kw})


def bot(**kw) -> Contact:
    return Contact(**{"id": "bot", "name": "HireBot", "role": ContactRole.AI, "is_human": False, **kw})


#: Thursday 16 April 2026, 10:00-11:00 in Berlin (CEST, UTC+2): ends 09:00 UTC.
START = local(2026, 4, 16, 10)
END = START + timedelta(hours=1)


def interview(**kw) -> Interview:
    values = {
        "id": "iv1",
        "candidate_name": "Alex Kim",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": START,
        "duration_minutes": 60,
        "timezone": BERLIN,
        "format": InterviewFormat.VIRTUAL,
        "interviewers": (dana(),),
    }
    values.update(kw)
    return Interview(**values)


def ev(kind: EventType, at: datetime, contact: str | None = None, timeline: int | None = None) -> Event:
    return Event(type=kind, occurred_at=at, contact_id=contact, timeline_days=timeline)


def actions(iv: Interview, events: list[Event], now: datetime, policy: Policy | None = None) -> list[Action]:
    return plan(iv, events, policy or Policy(), now)


def of_kind(acts: list[Action], kind: ActionKind, contact_id: str | None | object = ...) -> list[Action]:
    return [a for a in acts if a.kind is kind and (contact_id is ... or a.contact_id == contact_id)]


def one(acts: list[Action], kind: ActionKind, contact_id: str | None | object = ...) -> Action:
    found = of_kind(acts, kind, contact_id)
    assert len(found) == 1, f"expected one {kind} for {contact_id}, got {found}"
    return found[0]


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@contextmanager
def machine_timezone(posix_tz: str) -> Iterator[None]:
    """Run a block on a machine whose own timezone is `posix_tz` (a POSIX TZ string, so no
    tz file is needed; "XST9" is UTC-9). The rules never depend on it: a stray conversion
    to the machine's zone (`astimezone()`, a naive datetime) only shows on such a machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = posix_tz
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


__all__ = [
    "BERLIN", "END", "START", "UTC", "ActionKind", "ContactRole", "EventType", "InterviewFormat", "Rapport",
    "actions", "bot", "dana", "days", "ev", "hours", "interview", "kai", "local", "machine_timezone", "of_kind", "one",
    "sam",
]  # fmt: skip


def first_moment_inside(available: datetime, tz: ZoneInfo, policy: Policy) -> datetime:
    """Rule 11 read literally, the reference for the send-time tests: `available` if its wall
    minute is inside a window, else the first whole minute after it that is."""

    def inside(moment: datetime) -> bool:
        wall = moment.astimezone(tz)
        return wall.isoweekday() in policy.send_days and policy.send_window_start <= wall.time() < policy.send_window_end

    if inside(available):
        return available
    moment = available.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while not inside(moment):
        moment += timedelta(minutes=1)
    return moment
