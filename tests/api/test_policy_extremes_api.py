"""Every policy `PUT /v1/policy` accepts plans and renders: each number at its bounds, one-minute
windows at the ends of the day, one send day; interviews in 30/45-minute zones, in 1900 and 2999."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.api.deps import get_now
from app.services.jobs import run_until_idle
from tests.api.helpers import interview_body, iso
from tests.api.test_policy_api import DEFAULTS

LOWEST = {
    "thank_you_due_hours": 1, "thank_you_late_hours": 1, "follow_up_wait_days": 1, "follow_up_spacing_days": 1,
    "max_follow_ups": 0, "close_out_after_days": 1, "linkedin_delay_hours": 0, "linkedin_due_days": 1,
    "linkedin_note_max_chars": 100, "rejection_reply_due_hours": 1, "rejection_reply_late_hours": 1,
    "follow_ups_to_agency": False, "send_window_start": "23:58", "send_window_end": "23:59", "send_days": [7],
}  # fmt: skip
HIGHEST = {
    "thank_you_due_hours": 168, "thank_you_late_hours": 336, "follow_up_wait_days": 90, "follow_up_spacing_days": 90,
    "max_follow_ups": 5, "close_out_after_days": 90, "linkedin_delay_hours": 336, "linkedin_due_days": 90,
    "linkedin_note_max_chars": 300, "rejection_reply_due_hours": 168, "rejection_reply_late_hours": 336,
    "follow_ups_to_agency": True, "send_window_start": "00:00", "send_window_end": "00:01", "send_days": [1],
}  # fmt: skip
#: A thank-you late long after a one-day follow-up wait, in a window inside a DST gap (02:00-02:30).
MIXED = {**HIGHEST, "follow_up_wait_days": 1, "send_window_start": "02:00", "send_window_end": "02:30", "send_days": [7]}
#: (start, zone, the request clock): a 45-minute zone in 1900, a 30-minute DST zone on its change
#: day, a 45-minute DST zone at the end of 2999 (plans reach into year 3000).
INTERVIEWS = [
    ("1900-01-01T00:00:00+00:00", "Asia/Kathmandu", datetime(1901, 6, 1, tzinfo=UTC)),
    ("2026-04-05T01:30:00+11:00", "Australia/Lord_Howe", datetime(2027, 6, 1, tzinfo=UTC)),
    ("2999-12-20T10:00:00+13:45", "Pacific/Chatham", datetime(2999, 12, 31, 23, tzinfo=UTC)),
]
KINDS = ("thank_you", "follow_up", "linkedin_note", "rejection_reply")


@pytest.mark.parametrize("policy", [LOWEST, HIGHEST, MIXED], ids=["lowest", "highest", "mixed"])
def test_every_accepted_policy_plans_and_renders(client, app, tenant, policy):
    assert client.put("/v1/policy", json=policy, headers=tenant.headers).status_code == 200
    for start, zone, now in INTERVIEWS:
        app.dependency_overrides[get_now] = lambda now=now: now
        agency = {"name": "Talent Co", "contact_name": "Ann Agent", "contact_email": "ann@talent.example"}
        body = interview_body(starts_at=start, timezone=zone, decision_timeline_days=365, duration_minutes=1440, agency=agency)
        r = client.post("/v1/interviews", json=body, headers=tenant.headers)
        assert r.status_code == 201, r.text
        interview = r.json()
        path, contact = f"/v1/interviews/{interview['id']}", interview["interviewers"][0]["id"]
        begins = datetime.fromisoformat(start)
        for kind, days in (("thank_you_sent", 1), ("response_received", 2), ("follow_up_sent", 3), ("rejection_received", 3)):
            event = {"type": kind, "occurred_at": iso(begins + timedelta(days=days)), "contact_id": contact}
            if kind == "response_received":
                event["timeline_days"] = 365
            assert client.post(f"{path}/events", json=event, headers=tenant.headers).status_code == 201
        for at in (begins + timedelta(days=2), now):
            for url in (path, f"{path}/actions"):
                assert client.get(url, params={"at": iso(at)}, headers=tenant.headers).status_code == 200, url
            for kind in KINDS:
                for accept in ("application/json", "message/rfc822"):
                    r = client.get(f"{path}/messages/{kind}", params={"at": iso(at), "contact_id": contact},
                                   headers={**tenant.headers, "Accept": accept})  # fmt: skip
                    # a LinkedIn note is no email (no .eml of it); no reply before the rejection came
                    refused = (kind, accept) == ("linkedin_note", "message/rfc822") or (kind == "rejection_reply" and at != now)
                    assert r.status_code == (422 if refused else 200), r.text
        inline = {**body, "interviewers": [{"id": "c1", "name": "Dana Lee", "email": "dana@acme.example", "role": "recruiter"}]}
        events = [{"type": "rejection_received", "occurred_at": iso(begins + timedelta(days=1))}]
        r = client.post("/v1/plan", json={"interview": inline, "events": events}, headers=tenant.headers)
        assert r.status_code == 200, r.text
        for kind in KINDS:
            r = client.post("/v1/render", json={"interview": inline, "events": events, "message_kind": kind, "contact_id": "c1"},
                            headers=tenant.headers)  # fmt: skip
            assert r.status_code == 200, r.text
    assert run_until_idle(app.state.db, now=lambda: now, batch_size=10) >= 0
    for url in ("/v1/actions", "/v1/interviews"):
        assert client.get(url, headers=tenant.headers).status_code == 200
    assert client.get("/v1/policy", headers=tenant.headers).json() == policy != DEFAULTS
