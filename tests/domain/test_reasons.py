"""Every reason names the real date (interview timezone) and the real person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.model import Agency, Contact, ContactRole, Rapport
from app.domain.reasons import format_day, no_recipient_hint
from app.domain.timecalc import zone
from tests.domain.domain_builders import (
    ActionKind,
    EventType,
    InterviewFormat,
    actions,
    days,
    ev,
    hours,
    interview,
    local,
)


def test_format_day():
    moment = datetime(2026, 4, 16, 22, 30, tzinfo=UTC)
    assert format_day(moment, "Europe/Berlin") == "Friday 17 April"  # 00:30 local
    assert format_day(moment, zone("America/New_York")) == "Thursday 16 April"
    assert format_day(datetime(2027, 1, 4, 12, tzinfo=UTC), "UTC") == "Monday 4 January"
    assert format_day(datetime(2026, 12, 27, 12, tzinfo=UTC), "UTC") == "Sunday 27 December"
    names = {format_day(datetime(2026, m, 1, 12, tzinfo=UTC), "UTC").split()[-1] for m in range(1, 13)}
    assert len(names) == 12
    weekdays = {format_day(datetime(2026, 6, d, 12, tzinfo=UTC), "UTC").split()[0] for d in range(1, 8)}
    assert weekdays == {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def test_no_recipient_hint_replaces_the_final_full_stop():
    assert no_recipient_hint("Follow up on Monday.") == (
        "Follow up on Monday, once you know the recruiter's or hiring manager's email."
    )


def people(first: str, second: str) -> tuple[Contact, ...]:
    return (
        Contact("a", first, "a@x.test", ContactRole.HIRING_MANAGER, rapport=Rapport.GOOD),
        Contact("b", second, "b@x.test", ContactRole.RECRUITER),
    )


SCENARIOS = {
    "fresh": ([], 1),
    "thanked": ([("thank", 0.2, "a")], 2),
    "timeline": ([("thank", 0.2, "a"), ("response", 2, "b")], 3),
    "followed": ([("thank", 0.2, "a"), ("follow", 8, None)], 9),
    "twice": ([("thank", 0.2, "a"), ("follow", 8, None), ("follow", 16, None)], 17),
    "rejected": ([("thank", 0.2, "a"), ("reject", 3, "b")], 3.5),
    "replied": ([("reject", 3, "b"), ("reply", 3.5, None), ("linkedin", 3.6, "a")], 4),
    "offer": ([("offer", 1, None)], 2),
    "closed": ([("follow", 8, None), ("follow", 16, None), ("closed", 30, None)], 31),
    "before": ([], -1),
}
KINDS = {
    "thank": EventType.THANK_YOU_SENT, "follow": EventType.FOLLOW_UP_SENT, "response": EventType.RESPONSE_RECEIVED,
    "reject": EventType.REJECTION_RECEIVED, "reply": EventType.REJECTION_REPLY_SENT, "offer": EventType.OFFER_RECEIVED,
    "linkedin": EventType.LINKEDIN_REQUEST_SENT, "closed": EventType.CLOSED,
}  # fmt: skip


def plan_for(scenario: str, start: datetime, names: tuple[str, str], tz: str, **kw):
    spec, at = SCENARIOS[scenario]
    iv = interview(starts_at=start, timezone=tz, interviewers=people(*names), **kw)
    end = iv.ends_at
    events = [
        ev(KINDS[k], end + days(d), c, timeline=10 if k == "response" else None) for k, d, c in spec
    ]
    return iv, actions(iv, events, end + days(at))


def expected_days(action, tz) -> set[str]:
    return {format_day(t, tz) for t in (action.available_at, action.due_at) if t is not None}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("fmt", [InterviewFormat.VIRTUAL, InterviewFormat.AI])
def test_reasons_follow_the_names_and_dates(scenario, fmt):
    first = plan_for(scenario, local(2026, 4, 16, 10), ("Dana Lee", "Sam Reed"), "Europe/Berlin", format=fmt)[1]
    second = plan_for(scenario, local(2026, 9, 3, 15, tz="Asia/Tokyo"), ("Ines Moreau", "Tom Okafor"),
                      "Asia/Tokyo", format=fmt)[1]  # fmt: skip
    assert [a.kind for a in first] == [a.kind for a in second]
    for a, b in zip(first, second, strict=True):
        assert a.reason != b.reason
        assert a.reason.endswith(".") and a.reason[0].isupper()
        for text, names in ((a.reason, ("Dana Lee", "Sam Reed")), (b.reason, ("Ines Moreau", "Tom Okafor"))):
            assert not any(old in text for old in ("Ines", "Tom", "Dana", "Sam") if old not in " ".join(names))
        # each reason names a real day of its own interview's calendar
        assert any(day in a.reason for day in _all_days(first, "Europe/Berlin")), a.reason
        assert any(day in b.reason for day in _all_days(second, "Asia/Tokyo")), b.reason
        assert "April" in a.reason or "May" in a.reason
        assert "September" in b.reason or "October" in b.reason
        # and names the person it is about
        if a.recipient is not None and a.recipient.name:
            assert a.recipient.name in a.reason
            assert b.recipient.name in b.reason


def _all_days(acts, tz) -> set[str]:
    found = set()
    for action in acts:
        found |= expected_days(action, tz)
    start = min(a.available_at for a in acts) - days(40)
    found |= {format_day(start + days(n), tz) for n in range(100)}
    return found


def test_the_date_is_the_local_one():
    # an interview ending 16:30 UTC on Thursday ends at 01:30 on Friday in Tokyo
    _, acts = plan_for("fresh", datetime(2026, 4, 16, 15, 30, tzinfo=UTC), ("Dana Lee", "Sam Reed"),
                        "Asia/Tokyo", duration_minutes=60)  # fmt: skip
    thank_you = next(a for a in acts if a.kind is ActionKind.SEND_THANK_YOU)
    assert "your interview on Thursday 16 April" not in thank_you.reason
    assert "your interview on Friday 17 April" in thank_you.reason


def test_the_agency_and_company_are_named():
    agency = Agency(name="Talent Co", contact_name="Ann Agent", contact_email="ann@talent.test")
    iv = interview(interviewers=people("Dana Lee", "Sam Reed"), agency=agency, company_name="Globex")
    acts = actions(iv, [ev(EventType.REJECTION_RECEIVED, iv.ends_at + hours(5))], iv.ends_at + hours(6))
    reply = next(a for a in acts if a.kind is ActionKind.REPLY_TO_REJECTION)
    assert reply.reason.startswith("Globex turned you down on Thursday 16 April; thank Ann Agent graciously")
