"""`followup tenants delete`: a tenant leaves, or asks to be forgotten; nothing of it stays, nothing else goes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.api.app import cached_write_window, create_app
from app.settings import Settings, get_settings
from tests.api.helpers import create_interview, interview_body, record_event, snapshot
from tests.conftest import TenantKey


def _fill(client: TestClient, tenant: TenantKey) -> None:
    """Some of everything a tenant can own: interviews with contacts, events, plans, kept answers,
    a template, a policy and its re-plan job."""
    for _ in range(2):
        interview = create_interview(client, tenant)
        record_event(client, tenant, interview["id"], type="thank_you_sent", contact_id=interview["interviewers"][0]["id"])
    key = {**tenant.headers, "Idempotency-Key": "k-1"}
    assert client.post("/v1/interviews", json=interview_body(), headers=key).status_code == 201
    template = {"message_kind": "follow_up", "subject": "Hi", "text": "Hello {{ candidate_name }}"}
    assert client.post("/v1/templates", json=template, headers=tenant.headers).status_code == 201
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    assert client.put("/v1/policy", json={**policy, "follow_up_wait_days": 9}, headers=tenant.headers).status_code == 200


def strings(row: tuple) -> set[str]:
    return {value for value in row if isinstance(value, str)}


def test_deleting_a_tenant_removes_all_it_held_and_nothing_else(followup, database_url, monkeypatch):
    code, acme_key, _ = followup("tenants", "create", "acme")
    assert code == 0
    code, globex_key, _ = followup("tenants", "create", "globex")
    assert code == 0
    app = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        acme, globex = TenantKey("?", acme_key), TenantKey("?", globex_key)
        _fill(client, acme)
        _fill(client, globex)
        db = app.state.db
        before = snapshot(db)

        code, _, err = followup("tenants", "delete", "acme")
        assert code == 2 and "holds 3 interview(s); nothing was deleted" in err
        assert snapshot(db) == before

        waits = []

        def meanwhile(seconds: float) -> None:
            """Between the revoke and the delete: the keys are refused, the data is all there."""
            waits.append(seconds)
            assert client.get("/v1/interviews", headers=acme.headers).status_code == 401
            assert len(snapshot(db)["interview"]) == len(before["interview"])

        monkeypatch.setattr(cli.time, "sleep", meanwhile)
        code, _, err = followup("tenants", "delete", "acme", "--yes")
        assert code == 0 and "deleted tenant 'acme'" in err
        # as long as another process may still take a key and write with it (app.api.app.cached_write_window)
        assert waits == [cached_write_window(get_settings()).total_seconds()] and waits[0] >= 20
        after = snapshot(db)
        assert client.get("/v1/interviews", headers=acme.headers).status_code == 401
        assert len(client.get("/v1/interviews", headers=globex.headers).json()["items"]) == 3

    acme_id = next(row[0] for row in before["tenant"] if row[1] == "acme")
    acme_interviews = {row[0] for row in before["interview"] if acme_id in strings(row)}
    assert len(acme_interviews) == 3
    for table, rows in after.items():
        for row in rows:
            assert not ({acme_id} | acme_interviews) & strings(row), (table, row)
        # everything that was not acme's is still there, untouched
        kept = [r for r in before[table] if not ({acme_id} | acme_interviews) & strings(r)]
        assert rows == kept, table
    assert after["interview"] and after["event"] and after["job"] and after["template"] and after["idempotency_record"]


def test_the_count_reported_is_of_what_was_deleted_after_the_wait(followup, database_url, monkeypatch):
    """A process that cached the key before the revoke may still write during the wait; the
    line says how many interviews went, those included (it said the count read before)."""
    code, acme_key, _ = followup("tenants", "create", "acme")
    acme = TenantKey("?", acme_key)
    cached = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=300))
    with TestClient(cached) as client:
        create_interview(client, acme)  # the key is now in this process's cache

        def meanwhile(_seconds: float) -> None:
            assert client.post("/v1/interviews", json=interview_body(), headers=acme.headers).status_code == 201

        monkeypatch.setattr(cli.time, "sleep", meanwhile)
        code, _, err = followup("tenants", "delete", "acme", "--yes")
    assert code == 0 and "its 2 interview(s)" in err and "revoked 1 key(s)" in err


def test_an_unknown_tenant_is_refused(followup):
    code, _, err = followup("tenants", "delete", "nobody", "--yes")
    assert code == 1 and "no tenant named 'nobody'" in err


def test_no_wait_deletes_right_after_revoking(followup, database_url, monkeypatch):
    code, _, _ = followup("tenants", "create", "acme")
    monkeypatch.setattr(cli.time, "sleep", lambda seconds: pytest.fail("waited"))
    code, _, err = followup("tenants", "delete", "acme", "--yes", "--no-wait")
    assert code == 0 and "deleted tenant 'acme'" in err
    assert followup("keys", "list")[1] == ""
