"""Revision f2d8a6c1b947: plans stored before a pending thank-you's suggested send time
came before the follow-up taking over from it (rule 1) are re-planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.api.app import create_app
from app.db.migrate import downgrade, upgrade
from app.services import jobs
from app.settings import Settings
from tests.api.helpers import ago, create_interview, iso
from tests.api.test_policy_api import DEFAULTS
from tests.conftest import make_tenant

BEFORE = "e7c1d9a4b362"


def _stored_thank_you_send_times(client, tenant) -> set[str]:
    items = client.get("/v1/actions", params={"kind": "send_thank_you"}, headers=tenant.headers).json()["items"]
    return {a["suggested_send_at"] for a in items}


def test_upgrading_replans_the_thank_you_send_times(database_url, request):
    app = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        db = app.state.db
        tenant = make_tenant(db)
        # Late after two weeks, but a follow-up takes over a day after it is due; the only send
        # day is three days ahead, after that: the thank-you is suggested at once.
        only_day = (datetime.now(UTC) + timedelta(days=3)).isoweekday()
        policy = {**DEFAULTS, "thank_you_due_hours": 1, "thank_you_late_hours": 336, "follow_up_wait_days": 1,
                  "send_window_start": "00:00", "send_window_end": "23:59", "send_days": [only_day]}  # fmt: skip
        assert client.put("/v1/policy", json=policy, headers=tenant.headers).status_code == 200
        interview = create_interview(client, tenant, starts_at=iso(ago(hours=2)), duration_minutes=60,
                                     timezone="UTC", decision_timeline_days=None)  # fmt: skip
        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        end = datetime.fromisoformat(interview["starts_at"].replace("Z", "+00:00")) + timedelta(minutes=60)
        assert {datetime.fromisoformat(t.replace("Z", "+00:00")) for t in _stored_thank_you_send_times(client, tenant)} == {end}
        # What an earlier version stored: the only send day, after the follow-up takes over.
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE planned_action SET suggested_send_at = :at WHERE kind = 'send_thank_you'"),
                {"at": end + timedelta(days=3)},
            )
        assert {datetime.fromisoformat(t.replace("Z", "+00:00")) for t in _stored_thank_you_send_times(client, tenant)} == {
            end + timedelta(days=3)
        }
        db.engine.dispose()

        downgrade(database_url, BEFORE)
        upgrade(database_url, "6b9e69316bc7")  # with the job column after it, not the later re-plan
        request.addfinalizer(lambda: upgrade(database_url))  # later tests share the PostgreSQL database

        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        assert {datetime.fromisoformat(t.replace("Z", "+00:00")) for t in _stored_thank_you_send_times(client, tenant)} == {end}
