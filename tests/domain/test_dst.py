"""Day periods are calendar days in the interview's timezone, across DST changes.

Berlin falls back on Sunday 25 October 2026 and springs forward on Sunday
29 March 2026: every day-based time below keeps its local wall time (11:00,
the interview's end), so it is 169 or 167 elapsed hours per week, never 168.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.model import Agency, Rule
from app.domain.planner import schedule
from app.domain.policy import Policy
from tests.domain.domain_builders import (
    ActionKind,
    EventType,
    actions,
    dana,
    ev,
    interview,
    kai,
    local,
    one,
    sam,
)

FALL = interview(starts_at=local(2026, 10, 21, 10))  # Wednesday, ends 11:00 CEST
SPRING = interview(starts_at=local(2026, 3, 25, 10))  # Wednesday, ends 11:00 CET
FOLLOW = ActionKind.SEND_FOLLOW_UP


@pytest.mark.parametrize(
    ("iv", "expected"),
    [(FALL, local(2026, 10, 28, 11)), (SPRING, local(2026, 4, 1, 11))],
)
def test_silence(iv, expected):
    assert one(actions(iv, [], iv.ends_at), FOLLOW).available_at == expected


def test_decision_timeline():
    iv = interview(starts_at=local(2026, 10, 21, 10), decision_timeline_days=9)
    follow_up = one(actions(iv, [], iv.ends_at), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (local(2026, 10, 30, 11), Rule.DECISION_TIMELINE)


def test_response_timeline_and_outreach_after_it():
    events = [ev(EventType.RESPONSE_RECEIVED, local(2026, 10, 22, 15), timeline=9)]
    assert one(actions(FALL, events, local(2026, 10, 22, 16)), FOLLOW).available_at == local(2026, 10, 31, 15)
    # Outreach after the response: only rule 5's spacing to the same person holds it back (across the change).
    iv = interview(starts_at=local(2026, 10, 21, 10), interviewers=(dana(), kai()))
    replied = ev(EventType.RESPONSE_RECEIVED, local(2026, 10, 21, 15), timeline=1)
    events = [replied, ev(EventType.THANK_YOU_SENT, local(2026, 10, 23, 9), "dana")]
    follow_up = one(actions(iv, events, local(2026, 10, 23, 10)), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (local(2026, 10, 30, 9), Rule.NEVER_PESTER)
    events = [replied, ev(EventType.THANK_YOU_SENT, local(2026, 10, 23, 9), "kai")]
    follow_up = one(actions(iv, events, local(2026, 10, 23, 10)), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (local(2026, 10, 22, 15), Rule.FOLLOW_UP)


def test_spacing():
    policy = Policy(follow_up_wait_days=1, follow_up_spacing_days=8)
    events = [ev(EventType.THANK_YOU_SENT, local(2026, 10, 21, 18), "dana")]
    follow_up = one(actions(FALL, events, local(2026, 10, 22, 9), policy), FOLLOW)
    assert (follow_up.available_at, follow_up.rule) == (local(2026, 10, 29, 18), Rule.NEVER_PESTER)


def test_close_out_after_a_cap_of_one_and_the_agency():
    agency = Agency("Talent Co", "Ann Agent", "ann@talent.test")
    iv = interview(starts_at=local(2026, 10, 14, 10), agency=agency, interviewers=(dana(), sam()))
    policy = Policy(max_follow_ups=1, close_out_after_days=10)
    events = [ev(EventType.FOLLOW_UP_SENT, local(2026, 10, 21, 12))]
    assert one(actions(iv, events, local(2026, 10, 21, 13), policy), ActionKind.CLOSE_OUT).available_at == (
        local(2026, 10, 31, 12)
    )
    steps = [s for s in schedule(iv, events, policy) if s.kind is FOLLOW]
    assert [(s.contact_id, s.position) for s in steps] == [(None, -1)]
    reply = [s for s in schedule(iv, [ev(EventType.REJECTION_RECEIVED, iv.ends_at)], policy)
             if s.kind is ActionKind.REPLY_TO_REJECTION]  # fmt: skip
    assert [(s.contact_id, s.position) for s in reply] == [(None, -1)]


NEW_YORK = "America/New_York"
# New York falls back on Sunday 1 November 2026 (01:00-02:00 happens twice); the
# interview runs 00:30 EDT to 01:30 EST, ending in the repeated hour.
REPEATED = interview(starts_at=datetime(2026, 11, 1, 4, 30, tzinfo=UTC), duration_minutes=120, timezone=NEW_YORK)


@pytest.mark.parametrize(
    ("heard", "timeline", "expected"),
    [
        # a 0-day timeline opens the follow-up at the response itself (01:40 EST), not an hour earlier
        (datetime(2026, 11, 1, 6, 40, tzinfo=UTC), 0, datetime(2026, 11, 1, 6, 40, tzinfo=UTC)),
        # a response during the interview counts from its end (01:30 EST)
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), 0, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
        # a day later is 01:40 EST on Monday
        (datetime(2026, 11, 1, 6, 40, tzinfo=UTC), 1, datetime(2026, 11, 2, 6, 40, tzinfo=UTC)),
    ],
)
def test_a_response_timeline_from_the_repeated_hour(heard, timeline, expected):
    # The one thank-you sent during the interview: none holds the follow-up back (rule 1), only the response times it.
    iv = replace(REPEATED, interviewers=())
    events = [ev(EventType.THANK_YOU_SENT, REPEATED.starts_at + timedelta(minutes=30)), ev(EventType.RESPONSE_RECEIVED, heard, None, timeline)]
    follow_up = one(actions(iv, events, datetime(2026, 11, 1, 6, 45, tzinfo=UTC)), FOLLOW)
    assert follow_up.available_at == expected
    assert follow_up.available_at >= max(heard, REPEATED.ends_at)
