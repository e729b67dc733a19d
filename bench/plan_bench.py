"""Benchmark: `plan()` on typical interviews must take at most 50 µs per call.

Run: `.venv/bin/python bench/plan_bench.py [--interviews N] [--rounds R]`

Builds many varied typical interviews (3 contacts, 4 events; different names,
times, timezones, formats and event mixes, so no single case is memoised),
times `plan()` over all of them for several rounds with `time.perf_counter`,
and prints the median and p95 µs per call against the 50 µs target. Exits 1
when the median misses it.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.model import (
    Agency,
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

TARGET_US = 50.0
ZONES = (
    "UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Africa/Nairobi",
)  # fmt: skip
FIRST = ("Dana", "Sam", "Alex", "Priya", "Jonas", "Mei", "Omar", "Lucia", "Tomás", "Aisha")
LAST = ("Lee", "Reed", "Kim", "Patel", "Berg", "Chen", "Haddad", "Rossi", "Silva", "Okafor")
ROLES = (ContactRole.INTERVIEWER, ContactRole.HIRING_MANAGER, ContactRole.RECRUITER)
RAPPORTS = (Rapport.GOOD, Rapport.NEUTRAL, Rapport.POOR, None)
CHAIN = (EventType.THANK_YOU_SENT, EventType.LINKEDIN_REQUEST_SENT, EventType.FOLLOW_UP_SENT)
LATE = (
    EventType.RESPONSE_RECEIVED, EventType.FOLLOW_UP_SENT, EventType.REJECTION_RECEIVED,
    EventType.OFFER_RECEIVED, EventType.REJECTION_REPLY_SENT, EventType.NEXT_ROUND_SCHEDULED,
)  # fmt: skip


def typical_case(rng: random.Random, n: int) -> tuple[Interview, list[Event], datetime]:
    """One interview with 3 contacts and 4 events, and a moment after them."""
    starts = datetime(2025, 1, 6, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 600 * 24 * 60, 15))
    contacts = tuple(
        Contact(
            id=f"c{n}-{i}",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            email=f"p{i}@example.test" if rng.random() < 0.9 else None,
            role=ROLES[i] if rng.random() < 0.8 else rng.choice(ROLES),
            rapport=rng.choice(RAPPORTS),
        )
        for i in range(3)
    )
    interview = Interview(
        id=f"iv-{n}",
        candidate_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        job_title=rng.choice(("Engineer", "Designer", "Analyst", "Product Manager")),
        company_name=rng.choice(("Acme", "Globex", "Initech", "Umbrella")),
        starts_at=starts,
        duration_minutes=rng.choice((30, 45, 60, 90)),
        timezone=rng.choice(ZONES),
        format=rng.choice((InterviewFormat.VIRTUAL, InterviewFormat.IN_PERSON, InterviewFormat.PHONE)),
        interviewers=contacts,
        decision_timeline_days=rng.choice((None, None, 5, 10, 14)),
        agency=Agency("Talent Co", "Ann Agent", "ann@talent.test") if rng.random() < 0.2 else None,
    )
    end = interview.ends_at
    events = []
    moment = end
    for i in range(4):
        moment += timedelta(hours=rng.randrange(2, 24 * 6))
        kind = rng.choice(CHAIN) if i < 2 else rng.choice(LATE)
        events.append(
            Event(
                type=kind,
                occurred_at=moment,
                contact_id=rng.choice(contacts).id if kind is not EventType.RESPONSE_RECEIVED else None,
                timeline_days=rng.choice((None, 7)) if kind is EventType.RESPONSE_RECEIVED else None,
            )
        )
    now = moment + timedelta(hours=rng.randrange(0, 24 * 20))
    return interview, events, now


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--with-gc", action="store_true", help="keep the cyclic garbage collector on while timing")
    args = parser.parse_args()
    rng = random.Random(20260416)
    policy = Policy()
    cases = [typical_case(rng, n) for n in range(args.interviews)]
    for interview, events, now in cases:  # warm-up (imports, zone cache)
        plan(interview, events, policy, now)
    per_call: list[float] = []
    round_medians = []
    gc.collect()
    if not args.with_gc:
        gc.disable()  # like timeit: collector pauses land on whichever call triggers them
    for _ in range(args.rounds):
        rng.shuffle(cases)
        timings = []
        for interview, events, now in cases:
            t0 = time.perf_counter()
            plan(interview, events, policy, now)
            timings.append((time.perf_counter() - t0) * 1e6)
        per_call += timings
        round_medians.append(statistics.median(timings))
    gc.enable()
    per_call.sort()
    median = statistics.median(per_call)
    p95 = per_call[int(len(per_call) * 0.95)]
    actions = sum(len(plan(i, e, policy, n)) for i, e, n in cases) / len(cases)
    print(f"plan(): {len(cases)} interviews x {args.rounds} rounds = {len(per_call)} calls, "
          f"gc {'on' if args.with_gc else 'off (as timeit)'}")  # fmt: skip
    print(f"  actions per plan (mean): {actions:.1f}")
    print(f"  median per round (us):   {', '.join(f'{m:.1f}' for m in round_medians)}")
    print(f"  median: {median:.1f} us/call   p95: {p95:.1f} us/call   min: {per_call[0]:.1f}   max: {per_call[-1]:.1f}")
    print(f"  target: median <= {TARGET_US:.0f} us/call -> {'OK' if median <= TARGET_US else 'MISSED'}")
    return 0 if median <= TARGET_US else 1


if __name__ == "__main__":
    sys.exit(main())
