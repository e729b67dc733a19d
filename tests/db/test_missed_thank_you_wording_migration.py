"""Revision a6d3f1c8e925: plans stored before a missed thank-you named the reply that
ended the follow-ups (rules 1 and 4) are re-planned under the new wording."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.api.app import create_app
from app.db.migrate import downgrade, upgrade
from app.services import jobs
from app.settings import Settings
from tests.api.helpers import ago, create_interview, iso, record_event
from tests.conftest import make_tenant

BEFORE, REVISION = "f2d8a6c1b947", "a6d3f1c8e925"
#: What an earlier version stored: the reason promised a follow-up taking over, and none is listed.
OLD_WORDING = "it stays worth sending until Monday 1 June, when a follow-up takes over."


def _stored_missed_reasons(client, tenant) -> set[str]:
    params = {"kind": "send_thank_you", "state": "missed"}
    return {a["reason"] for a in client.get("/v1/actions", params=params, headers=tenant.headers).json()["items"]}


def test_upgrading_replans_the_missed_thank_you_wording(database_url):
    app = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        db = app.state.db
        tenant = make_tenant(db)
        # Ended ten days ago, nobody thanked: the follow-up took over three days ago, and
        # Dana's answer without a timeline two days ago ended the chain (no follow-up listed).
        interview = create_interview(client, tenant, starts_at=iso(ago(days=10)), decision_timeline_days=None)
        dana = interview["interviewers"][0]["id"]
        record_event(client, tenant, interview["id"], type="response_received", occurred_at=iso(ago(days=2)), contact_id=dana)
        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        fresh = _stored_missed_reasons(client, tenant)
        assert len(fresh) == 2 and all(r.endswith(" then ended the follow-ups.") and "the reply from Dana Lee on " in r for r in fresh)
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE planned_action SET reason = :old WHERE kind = 'send_thank_you'"), {"old": OLD_WORDING})
        assert _stored_missed_reasons(client, tenant) == {OLD_WORDING}
        db.engine.dispose()

        downgrade(database_url, BEFORE)
        upgrade(database_url, REVISION)

        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        assert _stored_missed_reasons(client, tenant) == fresh
