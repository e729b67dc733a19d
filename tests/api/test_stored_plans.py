"""The stored plans always equal a fresh plan, and every route agrees with the
pure planner: random sequences of every kind of write, on both databases."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.api.deps import get_now
from app.db import events as events_repo
from app.db import interviews as interviews_repo
from app.db import jobs as jobs_repo
from app.db import plans as plans_repo
from app.db import tenants as tenants_repo
from app.domain.planner import plan, schedule
from app.services import jobs
from app.services.tenancy import policy_of
from tests.api.helpers import create_interview

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENT_TYPES = [
    "thank_you_sent", "follow_up_sent", "linkedin_request_sent", "response_received", "rejection_received",
    "rejection_reply_sent", "offer_received", "withdrawn", "next_round_scheduled", "closed",
]
ALL_STATES = "upcoming,due,overdue,done,missed,cancelled"
ALL_KINDS = "send_thank_you,send_follow_up,connect_on_linkedin,reply_to_rejection,wait,close_out"


@pytest.fixture
def fixed_clock(app):
    app.dependency_overrides[get_now] = lambda: NOW
    yield NOW
    app.dependency_overrides.clear()


def _interview_body(rng: random.Random) -> dict:
    starts = NOW - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
    roles = ["interviewer", "recruiter", "hiring_manager", "ai"]
    return {
        "candidate_name": "Alex Kim",
        "candidate_email": "alex@example.com",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": starts.isoformat(),
        "timezone": rng.choice(["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"]),
        "format": rng.choice(["in_person", "virtual", "phone", "ai"]),
        "decision_timeline_days": rng.choice([None, 3, 10, 21]),
        "interviewers": [
            {"name": f"Person {i}", "email": f"p{i}@acme.example", "role": rng.choice(roles), "rapport": rng.choice(["good", None])}
            for i in range(rng.randint(0, 3))
        ],
        "agency": rng.choice([None, {"name": "TalentBridge", "contact_name": "Jo Becker", "contact_email": "jo@tb.example"}]),
    }


def _random_write(client, headers, rng: random.Random, interview: dict) -> None:
    choice = rng.random()
    starts = datetime.fromisoformat(interview["starts_at"].replace("Z", "+00:00"))
    if choice < 0.65:
        contacts = [c["id"] for c in interview["interviewers"]]
        body = {
            "type": rng.choice(EVENT_TYPES),
            "occurred_at": (starts + (NOW - starts) * rng.random()).isoformat(),
            "contact_id": rng.choice([None, *contacts]) if contacts else None,
        }
        if body["type"] == "response_received" and rng.random() < 0.5:
            body["timeline_days"] = rng.randint(1, 20)
        answer = client.post(f"/v1/interviews/{interview['id']}/events", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
    elif choice < 0.85:
        patch = rng.choice(
            [
                {"decision_timeline_days": rng.choice([None, 5, 30])},
                {"timezone": rng.choice(["Europe/Paris", "UTC"])},
                {"format": rng.choice(["ai", "virtual"])},
                {"interviewers": [{"id": c["id"], "name": c["name"], "role": "recruiter"} for c in interview["interviewers"]]
                 + [{"name": "New Person", "email": "new@acme.example", "rapport": "good"}]},
            ]
        )
        answer = client.patch(f"/v1/interviews/{interview['id']}", json=patch, headers=headers)
        assert answer.status_code == 200, answer.text
    else:
        policy = client.get("/v1/policy", headers=headers).json()
        policy.update(
            follow_up_wait_days=rng.randint(3, 14),
            max_follow_ups=rng.randint(0, 3),
            follow_ups_to_agency=rng.random() < 0.5,
            send_days=rng.choice([[1, 2, 3, 4, 5], [2, 4], [1, 2, 3, 4, 5, 6, 7]]),
        )
        answer = client.put("/v1/policy", json=policy, headers=headers)
        assert answer.status_code == 200, answer.text
        if rng.random() < 0.5:  # sometimes the background job has run, sometimes not yet
            jobs.run_until_idle(client.app.state.db, now=lambda: NOW, batch_size=3)


def _check(client, headers, tenant_id: str, interview_id: str) -> None:
    db = client.app.state.db
    # A per-interview read re-plans a stale interview first: read through the API.
    per_interview = client.get(f"/v1/interviews/{interview_id}/actions", headers=headers)
    assert per_interview.status_code == 200
    with db.session(write=False) as session:
        stored_policy, version = tenants_repo.load_policy(session, tenant_id)
        policy = policy_of(tenant_id, stored_policy, version)
        stored = interviews_repo.load_interview(session, tenant_id=tenant_id, interview_id=interview_id)
        events = events_repo.timeline(session, interview_id=interview_id)
        steps = plans_repo.stored_plan(session, tenant_id=tenant_id, interview_id=interview_id)[1]
    fresh = plan(stored.interview, events, policy, NOW)
    if stored.plan_policy_version == version:
        assert list(schedule(stored.interview, events, policy)) == steps

    def key(action: dict) -> str:
        return json.dumps(action, sort_keys=True)

    expected = [
        {
            "kind": a.kind.value, "contact_id": a.contact_id, "state": a.state.value, "due_at": a.due_at,
            "available_at": a.available_at, "priority": a.priority.value, "reason": a.reason,
        }
        for a in fresh
    ]
    got = [
        {
            "kind": a["kind"], "contact_id": a["contact_id"], "state": a["state"],
            "due_at": datetime.fromisoformat(a["due_at"].replace("Z", "+00:00")),
            "available_at": datetime.fromisoformat(a["available_at"].replace("Z", "+00:00")),
            "priority": a["priority"], "reason": a["reason"],
        }
        for a in per_interview.json()["actions"]
    ]
    assert got == expected
    if stored.plan_policy_version != version:
        # Stale after a policy change: answers above were planned afresh; the job stores the plan.
        jobs.run_until_idle(db, now=lambda: NOW, batch_size=3)
        with db.session(write=False) as session:
            steps = plans_repo.stored_plan(session, tenant_id=tenant_id, interview_id=interview_id)[1]
        assert list(schedule(stored.interview, events, policy)) == steps
    # The tenant-wide list, from the stored plans, shows the same actions for this interview.
    tenant_wide = client.get("/v1/actions", params={"state": ALL_STATES, "kind": ALL_KINDS, "limit": 200}, headers=headers).json()
    mine = [a for a in tenant_wide["items"] if a["interview_id"] == interview_id]
    assert sorted(map(key, mine)) == sorted(map(key, per_interview.json()["actions"]))


@pytest.mark.parametrize("seed", range(6))
def test_random_write_sequences_keep_stored_plans_fresh(client, tenant, fixed_clock, seed):
    rng = random.Random(seed)
    for _ in range(3):
        created = client.post("/v1/interviews", json=_interview_body(rng), headers=tenant.headers)
        assert created.status_code == 201, created.text
        interview = created.json()
        _check(client, tenant.headers, tenant.tenant_id, interview["id"])
        for _ in range(6):
            _random_write(client, tenant.headers, rng, interview)
            interview = client.get(f"/v1/interviews/{interview['id']}", headers=tenant.headers).json()
            _check(client, tenant.headers, tenant.tenant_id, interview["id"])


def test_expired_idempotency_records_are_purged(client, tenant, fixed_clock):
    headers = {**tenant.headers, "Idempotency-Key": "old-key"}
    body = _interview_body(random.Random(1))
    assert client.post("/v1/interviews", json=body, headers=headers).status_code == 201
    db = client.app.state.db
    assert jobs.purge_idempotency_records(db, now=NOW + timedelta(hours=23)) == 0
    assert jobs.purge_idempotency_records(db, now=NOW + timedelta(hours=25)) == 1


def test_finished_jobs_are_purged_and_pending_ones_kept(client, tenant, fixed_clock):
    """Each policy PUT queues a job; once finished it must not stay for good."""
    db = client.app.state.db
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    for days in (3, 4, 5):
        assert client.put("/v1/policy", json={**policy, "follow_up_wait_days": days}, headers=tenant.headers).status_code == 200
    jobs.run_until_idle(db, now=lambda: NOW, batch_size=10)
    assert client.put("/v1/policy", json=policy, headers=tenant.headers).status_code == 200  # pending: never purged

    assert jobs.purge_finished_jobs(db, now=NOW + timedelta(hours=23)) == 0
    assert jobs.purge_finished_jobs(db, now=NOW + timedelta(days=400)) == 3
    with db.session(write=False) as session:
        assert jobs_repo.pending_count(session, tenant_id=tenant.tenant_id) == 1


def test_a_failure_after_many_good_batches_is_retried_in_seconds(client, tenant, fixed_clock, monkeypatch):
    """The retry wait grows with the failures since the last good batch, not with every batch the job ran."""
    db = client.app.state.db
    for _ in range(3):
        create_interview(client, tenant, starts_at=(NOW - timedelta(days=2)).isoformat())
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    assert client.put("/v1/policy", json={**policy, "follow_up_wait_days": 9}, headers=tenant.headers).status_code == 200
    for _ in range(3):  # one interview a batch: three good batches
        assert jobs.run_one(db, now=lambda: NOW, batch_size=1, settle=timedelta(hours=1))

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(jobs, "replan_batch", broken)
    later = NOW + timedelta(minutes=1)
    assert jobs.run_one(db, now=lambda: later, batch_size=1, settle=timedelta(hours=1))
    with db.session(write=True) as session:
        [(run_after, attempts, error)] = session.execute(
            jobs_repo.job_t.select().with_only_columns(jobs_repo.job_t.c.run_after, jobs_repo.job_t.c.attempts,
                                                       jobs_repo.job_t.c.last_error)  # fmt: skip
            .where(jobs_repo.job_t.c.tenant_id == tenant.tenant_id, jobs_repo.job_t.c.done_at.is_(None))
        ).all()
    assert "database hiccup" in error and attempts == 1
    assert run_after - later == timedelta(seconds=2)  # 2 ** 1, not 2 ** 4


def _stored_rows(client, tenant_id: str, interview_id: str) -> dict[int, tuple]:
    """seq -> (row id, PostgreSQL's xmin or None, the step) of the interview's stored plan."""
    db = client.app.state.db
    pg = db.engine.dialect.name == "postgresql"
    with db.session(write=False) as session:
        steps = plans_repo.stored_plan(session, tenant_id=tenant_id, interview_id=interview_id)[1]
        rows = session.exec_driver_sql(
            f"SELECT seq, id, {'xmin::text' if pg else 'NULL'} FROM planned_action WHERE interview_id = '{interview_id}' ORDER BY seq"
        ).all()
    assert [row[0] for row in rows] == list(range(len(steps)))  # contiguous, no duplicate
    return {seq: (row_id, xmin, step) for (seq, row_id, xmin), step in zip(rows, steps)}


def test_an_event_rewrites_only_the_steps_it_changes(client, tenant, fixed_clock):
    body = _interview_body(random.Random(2)) | {
        "starts_at": (NOW - timedelta(days=2)).isoformat(),
        "format": "virtual",
        "interviewers": [
            {"name": f"Person {i}", "email": f"p{i}@acme.example", "role": "interviewer", "rapport": "good"} for i in range(3)
        ],
    }
    interview = client.post("/v1/interviews", json=body, headers=tenant.headers).json()
    # Rows stored after this plan's: rewritten rows could not take their old ids again (SQLite reuses the highest).
    assert client.post("/v1/interviews", json=body, headers=tenant.headers).status_code == 201
    first = interview["interviewers"][0]["id"]
    events = f"/v1/interviews/{interview['id']}/events"
    before = _stored_rows(client, tenant.tenant_id, interview["id"])

    thanked = {"type": "thank_you_sent", "occurred_at": (NOW - timedelta(days=1)).isoformat(), "contact_id": first}
    assert client.post(events, json=thanked, headers=tenant.headers).status_code == 201
    after = _stored_rows(client, tenant.tenant_id, interview["id"])
    _check(client, tenant.headers, tenant.tenant_id, interview["id"])
    assert len(after) == len(before)
    changed = {seq for seq in before if before[seq][2] != after[seq][2]}
    assert 0 < len(changed) < len(before), (changed, len(before))  # here 6 of 8: reasons, missed_at, times
    # Updated in place: every row keeps its id; on PostgreSQL the rows that did
    # not change were not written at all (the same row version).
    assert [row[0] for row in after.values()] == [row[0] for row in before.values()]
    if before[0][1] is not None:
        assert {seq for seq in before if before[seq][1] != after[seq][1]} == changed

    # A rejection cancels the open steps: the plan shrinks and surplus rows go.
    rejected = {"type": "rejection_received", "occurred_at": NOW.isoformat()}
    assert client.post(events, json=rejected, headers=tenant.headers).status_code == 201
    _check(client, tenant.headers, tenant.tenant_id, interview["id"])
    shrunk_or_grown = _stored_rows(client, tenant.tenant_id, interview["id"])
    assert len(shrunk_or_grown) != len(after)
