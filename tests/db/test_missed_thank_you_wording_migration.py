"""Revision a6d3f1c8e925: plans stored before a missed thank-you named the reply that
ended the follow-ups (rules 1 and 4), and before a follow-up sent after such a reply
took over as it was sent, are re-planned under the new wording and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.api.app import create_app
from app.db.migrate import downgrade, upgrade
from app.domain.reasons import format_day
from app.services import jobs
from app.settings import Settings
from tests.api.helpers import ago, create_interview, iso, record_event
from tests.conftest import make_tenant

BEFORE, REVISION = "6b9e69316bc7", "a6d3f1c8e925"
#: What an earlier version stored: the reason promised a follow-up taking over, and none is listed.
OLD_WORDING = "it stays worth sending until Monday 1 June, when a follow-up takes over."


def _stored(client, tenant, kind: str) -> list[tuple[datetime, str, str]]:
    params = {"kind": kind, "state": "upcoming,due,overdue,done,missed,cancelled"}
    items = client.get("/v1/actions", params=params, headers=tenant.headers).json()["items"]
    return [(datetime.fromisoformat(a["available_at"].replace("Z", "+00:00")), a["state"], a["reason"]) for a in items]


def _missed_reasons(client, tenant) -> set[str]:
    return {reason for _, state, reason in _stored(client, tenant, "send_thank_you") if state == "missed"}


def _migrate_again_and_replan(db, database_url) -> None:
    """Down to the revision before this one and up to it again, then run the re-plan jobs it queued."""
    db.engine.dispose()
    downgrade(database_url, BEFORE)
    upgrade(database_url, REVISION)
    jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)


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
        fresh = _missed_reasons(client, tenant)
        assert len(fresh) == 2 and all(r.endswith(" then ended the follow-ups.") and "the reply from Dana Lee on " in r for r in fresh)
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE planned_action SET reason = :old WHERE kind = 'send_thank_you'"), {"old": OLD_WORDING})
        assert _missed_reasons(client, tenant) == {OLD_WORDING}

        _migrate_again_and_replan(db, database_url)
        assert _missed_reasons(client, tenant) == fresh


def test_upgrading_replans_a_follow_up_sent_after_the_chain_ended(database_url):
    app = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        db = app.state.db
        tenant = make_tenant(db)
        # Dana's answer without a timeline ended the chain two days after the interview (rule 4);
        # a follow-up sent anyway ten days after it took over from the late thank-yous then.
        interview = create_interview(client, tenant, starts_at=iso(ago(days=12)), decision_timeline_days=None)
        dana = interview["interviewers"][0]["id"]
        record_event(client, tenant, interview["id"], type="response_received", occurred_at=iso(ago(days=10)), contact_id=dana)
        sent = ago(days=2)
        record_event(client, tenant, interview["id"], type="follow_up_sent", occurred_at=iso(sent))
        jobs.run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=10)
        follow_ups, thank_yous = _stored(client, tenant, "send_follow_up"), _stored(client, tenant, "send_thank_you")
        assert [(at, state) for at, state, _ in follow_ups] == [(sent, "done")]
        took_over = f"until {format_day(sent, interview['timezone'])}, when a follow-up takes over."
        assert {(state, reason.endswith(took_over)) for _, state, reason in thank_yous} == {("missed", True)}
        # What an earlier version stored: the follow-up open, and the thank-yous missed, from the
        # day one would have opened had no answer come (five days ago), with that day in the reason.
        would_have = sent - timedelta(days=3)
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE planned_action SET available_at = :at, due_at = :at WHERE kind = 'send_follow_up'"),
                {"at": would_have},
            )
            connection.execute(
                text("UPDATE planned_action SET missed_at = :at, reason = :old WHERE kind = 'send_thank_you'"),
                {"at": would_have, "old": OLD_WORDING},
            )
        assert [at for at, _, _ in _stored(client, tenant, "send_follow_up")] == [would_have]

        _migrate_again_and_replan(db, database_url)
        assert _stored(client, tenant, "send_follow_up") == follow_ups
        assert _stored(client, tenant, "send_thank_you") == thank_yous
