"""Varied interviews for benchmarks, written through the real services."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from app.db import tenants
from app.db.engine import Database
from app.domain.model import Event, EventType
from app.services import events as event_service
from app.services import interviews as interview_service
from app.services.tenancy import TenantContext, policy_of

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Europe/London", "Australia/Sydney"]
FIRST = ["Dana", "Sam", "Alex", "Robin", "Kim", "Jo", "Noor", "Ana", "Lee", "Mika"]
LAST = ["Lee", "Ortiz", "Becker", "Nakamura", "Okafor", "Silva", "Dubois", "Novak"]
ROLES = ["hiring_manager", "recruiter", "interviewer"]


def interview_fields(rng: random.Random, now: datetime) -> dict:
    starts = now - timedelta(days=rng.randint(1, 40), minutes=rng.randint(0, 1440))
    return {
        "candidate_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "candidate_email": "candidate@example.com",
        "job_title": rng.choice(["Data Engineer", "Product Designer", "SRE", "Backend Developer"]),
        "company_name": rng.choice(["Acme", "Globex", "Initech", "Umbrella"]),
        "starts_at": starts,
        "duration_minutes": rng.choice([30, 45, 60, 90]),
        "timezone": rng.choice(ZONES),
        "format": rng.choice(["in_person", "virtual", "phone", "ai"]),
        "interviewers": [
            {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "email": f"person{i}@example.com",
                "role": ROLES[i % 3],
                "rapport": rng.choice(["good", "neutral", None]),
            }
            for i in range(3)
        ],
        "topics": ["the data platform", "team rituals"][: rng.randint(0, 2)],
        "decision_timeline_days": rng.choice([None, 5, 10, 14]),
    }


def seed(db: Database, *, count: int, seed_value: int = 7) -> tuple[str, list[str]]:
    """A tenant with `count` interviews (3 contacts, up to 4 events each); returns (key, ids)."""
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        tenant_id = tenants.create_tenant(session, name="bench", now=now)
        key = tenants.create_key(session, tenant_id=tenant_id, label="bench", now=now)
    tenant = TenantContext(tenant_id, policy_of(tenant_id, None, 1), 1)
    ids = []
    for _ in range(count):
        with db.session(write=True) as session:
            stored = interview_service.create_interview(session=session, tenant=tenant, fields=interview_fields(rng, now), now=now).stored
            ends = stored.interview.ends_at
            contacts = stored.interview.interviewers
            steps = [
                (EventType.THANK_YOU_SENT, 20, contacts[0].id),
                (EventType.LINKEDIN_REQUEST_SENT, 30, contacts[1].id),
                (EventType.FOLLOW_UP_SENT, 24 * 8, None),
                (EventType.RESPONSE_RECEIVED, 24 * 9, None),
            ][: rng.randint(0, 4)]
            for kind, hours, contact_id in steps:
                when = ends + timedelta(hours=hours)
                if when < now:
                    event_service.record_event(
                        session=session,
                        tenant=tenant,
                        interview_id=stored.interview.id,
                        event=Event(type=kind, occurred_at=when, contact_id=contact_id),
                        now=now,
                    )
            ids.append(stored.interview.id)
    return key, ids
