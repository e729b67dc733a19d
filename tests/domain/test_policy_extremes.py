"""Properties at the bounds of the tenant policy: every valid policy, not only the defaults.

The policy is drawn too: each number at its lowest, its highest or anywhere in
its allowed range, send windows at the edges of the day or one minute wide,
any non-empty set of send days; interviews in zones with 30- and 45-minute
offsets and their DST changes, and far in the past or the future (the API
accepts 1900-2999).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from app.domain.model import OPEN_STATES, ActionKind, ActionState, Agency, Event, EventType, Interview, InterviewFormat
from app.domain.planner import plan, schedule
from app.domain.policy import INT_RANGES, LATE_NOT_BEFORE_DUE, Policy
from app.domain.send_time import suggested_send_at
from tests.domain.test_properties import EVENT_MIX, PROPERTIES, chain, contacts, day_later, known, send_deadlines

#: Zones with odd offsets and DST: half and three-quarter hours (Kathmandu, Chatham, Lord Howe's
#: 30-minute DST, St John's, Adelaide), a change at midnight (Santiago), a skipped day (Apia),
#: a two-hour DST (Troll), and the usual ones.
ODD_ZONES = (
    "UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe",
    "America/St_Johns", "Australia/Adelaide", "America/Santiago", "Pacific/Apia", "Antarctica/Troll",
    "Asia/Kolkata", "Africa/Monrovia", "Europe/Amsterdam",
)  # fmt: skip


def _int_field(name: str) -> st.SearchStrategy[int]:
    low, high = INT_RANGES[name]
    return st.one_of(st.sampled_from([low, high]), st.integers(low, high))


@st.composite
def any_policy(draw) -> Policy:
    """Any policy `PUT /v1/policy` accepts, the bounds drawn often."""
    values = {name: draw(_int_field(name)) for name in INT_RANGES}
    for late, due in LATE_NOT_BEFORE_DUE.items():
        if values[late] < values[due]:
            values[late] = draw(st.sampled_from([values[due], INT_RANGES[late][1]]))
    minute = st.one_of(st.sampled_from([0, 1, 60 * 9, 1438, 1439]), st.integers(0, 1439))
    opens = draw(minute.filter(lambda m: m < 1439))
    closes = draw(st.one_of(st.just(opens + 1), st.just(1439), st.integers(opens + 1, 1439)))
    days = draw(st.one_of(
        st.sampled_from([(1,), (7,), (6,), (1, 2, 3, 4, 5), (1, 2, 3, 4, 5, 6, 7)]),
        st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True).map(tuple),
    ))  # fmt: skip
    return Policy(
        **values,
        follow_ups_to_agency=draw(st.booleans()),
        send_window_start=time(opens // 60, opens % 60),
        send_window_end=time(closes // 60, closes % 60),
        send_days=days,
    )


#: Far past and far future as the API accepts them, and the years around now.
_EPOCHS = (
    (datetime(1900, 1, 1, tzinfo=UTC), 365 * 3), (datetime(1969, 6, 1, tzinfo=UTC), 365 * 2),
    (datetime(2024, 1, 1, tzinfo=UTC), 365 * 4), (datetime(2990, 1, 1, tzinfo=UTC), 365 * 9),
)  # fmt: skip


@st.composite
def extreme_cases(draw, mix=None):
    people = tuple(draw(contacts))
    base, span = draw(st.sampled_from(_EPOCHS))
    start = base + timedelta(minutes=draw(st.integers(0, span * 24 * 60)))
    policy = draw(any_policy())
    iv = Interview(
        id="iv",
        candidate_name="Alex Kim",
        job_title="Engineer",
        company_name="Acme",
        starts_at=start,
        duration_minutes=draw(st.sampled_from([1, 30, 60, 1440])),
        timezone=draw(st.sampled_from(ODD_ZONES)),
        format=draw(st.sampled_from(list(InterviewFormat))),
        interviewers=people,
        decision_timeline_days=draw(st.one_of(st.none(), st.sampled_from([0, 1, 365]), st.integers(0, 365))),
        agency=draw(st.one_of(st.none(), st.just(Agency("Talent Co", "Ann Agent", "ann@talent.test")))),
    )
    end = iv.ends_at
    ids = [c.id for c in people]
    events = []
    # Several events may share one moment: the plan must not depend on their order.
    moments = [end + timedelta(minutes=draw(st.integers(-iv.duration_minutes, 60 * 24 * 400))) for _ in range(3)]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(mix or EVENT_MIX))
        at = draw(st.one_of(st.sampled_from(moments),
                            st.integers(-iv.duration_minutes, 60 * 24 * 400).map(lambda m: end + timedelta(minutes=m))))
        timeline = (
            draw(st.one_of(st.none(), st.sampled_from([0, 365]), st.integers(0, 365)))
            if kind is EventType.RESPONSE_RECEIVED else None
        )  # fmt: skip
        contact = draw(st.one_of(st.none(), st.sampled_from(ids))) if ids else None
        events.append(Event(type=kind, occurred_at=at, contact_id=contact, timeline_days=timeline))
    now = end + timedelta(minutes=draw(st.integers(-60 * 24 * 2, 60 * 24 * 800)))
    event(f"zone: {iv.timezone}")
    return iv, events, policy, now


def _inside_window(moment: datetime, tz: ZoneInfo, policy: Policy) -> bool:
    wall = moment.astimezone(tz)
    return wall.isoweekday() in policy.send_days and policy.send_window_start <= wall.time() < policy.send_window_end


@PROPERTIES
@given(extreme_cases())
def test_every_valid_policy_plans_with_ordered_times_and_humane_send_times(case):
    iv, events, policy, now = case
    tz = ZoneInfo(iv.timezone)
    acts = plan(iv, events, policy, now)
    schedule(iv, events, policy)
    deadlines = send_deadlines(iv, events, policy, now)
    for a in acts:
        assert a.available_at <= a.due_at
        if a.late_after is not None:
            assert a.due_at <= a.late_after
        assert a.suggested_send_at >= a.available_at
        if a.kind is ActionKind.WAIT:
            assert a.suggested_send_at == a.available_at
            continue
        # Rule 11 (rule 1: a thank-you a follow-up overtakes is no longer worth sending after that).
        deadline = deadlines[(a.kind, a.contact_id, a.available_at)]
        assert a.suggested_send_at == suggested_send_at(a.available_at, deadline, tz, policy)
        if deadline is not None and deadline <= a.available_at:
            # a thank-you a follow-up sent as the interview ended took over at once
            assert a.suggested_send_at == a.available_at
            continue
        if a.suggested_send_at != a.available_at or _inside_window(a.available_at, tz, policy):
            event("suggested inside the window")
            assert _inside_window(a.suggested_send_at, tz, policy), a
            assert deadline is None or a.suggested_send_at < deadline
        else:
            # Rule 11's fallback: no window before it turns late (or is missed), so at once.
            assert deadline is not None
            event("suggested at once: no window before late")
    assert [a.available_at for a in acts] == sorted(a.available_at for a in acts)


@PROPERTIES
@given(extreme_cases())
def test_every_valid_policy_keeps_the_timelines_and_the_cap(case):
    iv, events, policy, now = case
    acts = plan(iv, events, policy, now)
    past = chain(known(events, now))
    sent = [e for e in past if e.type is EventType.FOLLOW_UP_SENT]
    follow_ups = [a for a in acts if a.kind is ActionKind.SEND_FOLLOW_UP]
    pending = [a for a in follow_ups if a.state is not ActionState.DONE]
    assert len(pending) <= 1
    assert len(follow_ups) <= max(policy.max_follow_ups, len(sent))
    if policy.max_follow_ups == 0:
        assert not pending
    for a in pending:
        assert len(sent) < policy.max_follow_ups
        assert a.available_at >= iv.ends_at
        if iv.decision_timeline_days is not None:
            assert a.available_at >= day_later(iv.ends_at, iv.decision_timeline_days, iv.timezone)
        if a.state in OPEN_STATES and sent:
            assert a.available_at >= day_later(max(e.occurred_at for e in sent), policy.follow_up_spacing_days, iv.timezone)


@PROPERTIES
@given(extreme_cases(), st.randoms(use_true_random=False))
def test_every_valid_policy_plans_the_same_whatever_the_order_of_the_events(case, rnd: random.Random):
    iv, events, policy, now = case
    shuffled = list(events)
    rnd.shuffle(shuffled)
    if len({e.occurred_at for e in events}) < len(events):
        event("events at one moment")
    assert plan(iv, events, policy, now) == plan(iv, shuffled, policy, now)
    assert schedule(iv, events, policy) == schedule(iv, shuffled, policy)


@PROPERTIES
@given(extreme_cases())
def test_reasons_state_the_policys_numbers(case):
    iv, events, policy, now = case
    for a in plan(iv, events, policy, now):
        if a.kind is ActionKind.SEND_THANK_YOU and " within " in a.reason and a.state is not ActionState.DONE:
            hours = policy.thank_you_due_hours
            assert f"within {hours} hour{'s' if hours != 1 else ''} of your interview" in a.reason, a.reason
        if "stay " in a.reason and " apart" in a.reason:
            n = policy.follow_up_spacing_days
            assert f"stay {n} day{'s' if n != 1 else ''} apart" in a.reason, a.reason
        if a.kind is ActionKind.SEND_THANK_YOU and a.state in OPEN_STATES and "when a follow-up takes over" in a.reason:
            assert policy.max_follow_ups > 0, a.reason
