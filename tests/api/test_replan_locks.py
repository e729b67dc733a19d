"""A re-plan after a policy change does not hold users' writes for its whole batch."""

from __future__ import annotations

import threading

import pytest

from app.services import jobs, planning
from tests.api.helpers import ago, create_interview, iso


# PostgreSQL only: its row locks are what a chunk releases. SQLite's write lock is the
# whole database's, so there a write waits for the chunk in progress whatever the chunking.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_write_to_an_interview_already_re_planned_does_not_wait_for_the_rest_of_the_batch(
    client, tenant, monkeypatch
):
    ids = [create_interview(client, tenant, starts_at=iso(ago(days=2)))["id"] for _ in range(3)]
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    assert client.put("/v1/policy", json={**policy, "follow_up_wait_days": 9}, headers=tenant.headers).status_code == 200
    monkeypatch.setattr(jobs, "REPLAN_CHUNK", 1, raising=False)
    tenant_key = tenant  # the hook's own `tenant` is the re-plan's TenantContext
    replanned: list[str] = []
    answers: list[int] = []
    real_replan = planning.replan

    def replan_and_write_meanwhile(session, *, tenant, stored, events):
        replanned.append(stored.interview.id)
        if len(replanned) == 2:  # the first interview's chunk has committed; this one's is open
            post = threading.Thread(target=lambda: answers.append(client.post(
                f"/v1/interviews/{replanned[0]}/events", json={"type": "response_received"}, headers=tenant_key.headers,
            ).status_code))  # fmt: skip
            post.start()
            post.join(timeout=3)
            assert answers == [201], "the write waited for the batch's later interviews"
        return real_replan(session, tenant=tenant, stored=stored, events=events)

    monkeypatch.setattr(planning, "replan", replan_and_write_meanwhile)
    db = client.app.state.db
    assert jobs.replan_batch(db, tenant_id=tenant.tenant_id, batch_size=10) == 3
    assert sorted(replanned) == sorted(ids)
    fresh = client.get(f"/v1/interviews/{replanned[0]}/actions", headers=tenant.headers).json()["actions"]
    stored = client.get("/v1/actions", params={"kind": "send_follow_up", "state": "upcoming,due,overdue,done,missed,cancelled"},
                        headers=tenant.headers).json()["items"]  # fmt: skip
    follow_ups = [a for a in fresh if a["kind"] == "send_follow_up"]
    assert [a for a in stored if a["interview_id"] == replanned[0]] == follow_ups  # the event's plan, new policy
