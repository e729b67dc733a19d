"""Upgrading re-plans every tenant: plans stored under earlier rules are not served for good."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.api.app import create_app
from app.db.migrate import downgrade, upgrade
from app.services import jobs
from app.settings import Settings
from tests.api.helpers import ago, create_interview, iso
from tests.conftest import make_tenant

BEFORE = "9c4e1a7b3d25"  # the revision before the re-plan


def _thank_yous(client, tenant, path: str) -> list[dict]:
    answer = client.get(path, headers=tenant.headers).json()
    items = answer["items"] if "items" in answer else answer["actions"]
    return [a for a in items if a["kind"] == "send_thank_you"]


def test_plans_stored_by_earlier_rules_are_planned_again_after_the_upgrade(database_url):
    settings = Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        db = app.state.db
        tenant = make_tenant(db)
        interview = create_interview(client, tenant, interviewers=[], starts_at=iso(ago(hours=3)))
        ids = interview["id"]
        # What the rules before this version stored: no thank-you for an interview with nobody recorded.
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM planned_action WHERE interview_id = :i AND kind = 'send_thank_you'"), {"i": ids})
        assert _thank_yous(client, tenant, "/v1/actions") == []
        policy_etag = client.get("/v1/policy", headers=tenant.headers).headers["etag"]
        db.engine.dispose()

        downgrade(database_url, BEFORE)
        upgrade(database_url)

        # per-interview answers plan afresh at once; the tenant-wide list once the queued job ran
        assert [t["state"] for t in _thank_yous(client, tenant, f"/v1/interviews/{ids}/actions")] == ["due"]
        assert client.get(f"/v1/interviews/{ids}", headers=tenant.headers).json()["next_action"]["kind"] == "send_thank_you"
        assert _thank_yous(client, tenant, "/v1/actions") == []
        assert client.get("/v1/policy", headers=tenant.headers).headers["etag"] != policy_etag
        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        assert [t["interview_id"] for t in _thank_yous(client, tenant, "/v1/actions")] == [ids]


def _jobs(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM job")).scalar_one()
    finally:
        engine.dispose()


def test_an_empty_database_upgrades_without_jobs(database_url):
    assert _jobs(database_url) == 0
    downgrade(database_url, BEFORE)
    upgrade(database_url)
    assert _jobs(database_url) == 0
