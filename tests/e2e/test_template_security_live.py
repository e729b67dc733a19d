"""Tenant templates against the real server: the injection corpus is refused
or renders inert, resource payloads answer a 4xx quickly and the server keeps
serving, and one tenant's template never sees another tenant's data."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.live import create_tenant_key, live_server
from tests.messages.test_sandbox import INJECTIONS, RESOURCE_PAYLOADS

pytestmark = [pytest.mark.e2e]
SERVER_SECRET = "planted-server-secret-5d2e"
CANARY_B = "CanaryOfTenantB-91ac"
LEAKS = ("<class", "<function", "<module", "<built-in", "<bound", "<method", "__globals__", SERVER_SECRET, CANARY_B)


def _interview(candidate: str) -> dict:
    return {
        "candidate_name": candidate,
        "candidate_email": "candidate@example.com",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        "format": "virtual",
        "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example"}],
        "topics": ["streaming"],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("templates-live")
    url = f"sqlite:///{tmp}/live.db"
    key_a = create_tenant_key(url, "tenant-a")
    key_b = create_tenant_key(url, "tenant-b")
    with live_server(url, log_dir=tmp, FOLLOWUP_MESSAGE_ID_DOMAIN="mail.example", FOLLOWUP_SECRET_CANARY=SERVER_SECRET) as live:
        a = httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {key_a}"}, timeout=30)
        b = httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {key_b}"}, timeout=30)
        created_b = b.post("/v1/interviews", json=_interview(CANARY_B))
        assert created_b.status_code == 201
        created_a = a.post("/v1/interviews", json=_interview("Alex Kim"))
        assert created_a.status_code == 201
        yield live, a, b, created_a.json()
        a.close()
        b.close()


def _assert_inert(text: str, payload: str, *, refusal: bool = False) -> None:
    # A refusal may quote the template's own words (e.g. "__globals__"), never a value.
    for leak in LEAKS if not refusal else [x for x in LEAKS if x != "__globals__"]:
        assert leak not in text, (payload, leak, text[:500])


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_payload_is_refused_or_inert_on_the_server(server, payload):
    assert len(INJECTIONS) >= 30
    _live, a, _b, interview = server
    body = {"message_kind": "thank_you", "locale": "en", "subject": "Thanks", "text": payload, "html": payload}
    created = a.post("/v1/templates", json=body)
    if created.status_code == 422:
        assert created.headers["content-type"] == "application/problem+json"
        _assert_inert(created.text, payload, refusal=True)
        return
    assert created.status_code == 201, created.text
    try:
        contact_id = interview["interviewers"][0]["id"]
        rendered = a.get(f"/v1/interviews/{interview['id']}/messages/thank_you", params={"contact_id": contact_id})
        assert rendered.status_code in (200, 422), rendered.text
        _assert_inert(rendered.text, payload, refusal=rendered.status_code == 422)
        preview = a.post("/v1/templates/preview", json={"template": body})
        assert preview.status_code in (200, 422)
        _assert_inert(preview.text, payload, refusal=preview.status_code == 422)
    finally:
        assert a.delete(f"/v1/templates/{created.json()['id']}").status_code == 204


@pytest.mark.parametrize("payload", RESOURCE_PAYLOADS)
def test_resource_payload_answers_4xx_quickly_and_the_server_keeps_serving(server, payload):
    _live, a, _b, _interview_a = server
    started = time.monotonic()
    answer = a.post("/v1/templates/preview", json={"template": {"message_kind": "thank_you", "subject": "Hi", "text": payload}})
    elapsed = time.monotonic() - started
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert elapsed < 2.0, f"{payload!r} took {elapsed:.2f}s"
    normal = a.post("/v1/templates/preview", json={"template": {"message_kind": "thank_you", "subject": "Hi", "text": "Hi {{ interviewer_name }}"}})
    assert normal.status_code == 200 and normal.json()["text"].startswith("Hi Dana Lee")


def test_a_tenant_template_never_sees_another_tenants_data(server):
    _live, a, b, interview_a = server
    dump = (
        "{{ candidate_name }}|{{ company_name }}|{{ recipient_name }}|{{ topics|join(',') }}|"
        "{{ agency_name if agency_name else '' }}"
    )
    created = a.post("/v1/templates", json={"message_kind": "follow_up", "subject": "Hi", "text": dump})
    assert created.status_code == 201, created.text
    try:
        rendered = a.get(f"/v1/interviews/{interview_a['id']}/messages/follow_up")
        assert rendered.status_code == 200, rendered.text
        assert rendered.json()["text"].startswith("Alex Kim|Acme|Dana Lee|streaming")
        assert CANARY_B not in rendered.text
        # Tenant B does not get tenant A's template: its messages stay built-in.
        interviews_b = b.get("/v1/interviews").json()["items"]
        rendered_b = b.get(f"/v1/interviews/{interviews_b[0]['id']}/messages/follow_up")
        assert rendered_b.status_code == 200
        assert rendered_b.json()["template"] == {"source": "builtin", "id": None}
        assert b.get(f"/v1/templates/{created.json()['id']}").status_code == 404
    finally:
        a.delete(f"/v1/templates/{created.json()['id']}")
