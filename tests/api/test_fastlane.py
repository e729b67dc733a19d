"""The fast lane (app.api.fastlane) answers exactly as the FastAPI routes do.

Two apps over one database, with and without the fast lane, the same clock:
every request below gets the same status, content type and body from both,
whether the fast lane answers it or hands it on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.api.deps import get_now
from tests.api.helpers import counted_client
from tests.conftest import make_tenant
from tests.pgtrace import round_trips

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clients(settings):
    apps = [create_app(settings.model_copy(update={"fast_lane": flag})) for flag in (True, False)]
    for app in apps:
        app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(apps[0], raise_server_exceptions=False) as fast, TestClient(apps[1], raise_server_exceptions=False) as slow:
        yield fast, slow


def _same(fast: TestClient, slow: TestClient, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    a, b = fast.get(path, headers=headers), slow.get(path, headers=headers)
    assert (a.status_code, a.headers["content-type"], a.headers.get("vary")) == (b.status_code, b.headers["content-type"], b.headers.get("vary")), path
    if a.headers["content-type"].startswith("message/rfc822"):
        assert a.content.split(b"Message-ID")[0] == b.content.split(b"Message-ID")[0]
    else:
        assert a.json() == b.json(), path
    return a.status_code, a.content


def test_fast_lane_answers_like_fastapi(clients):
    fast, slow = clients
    tenant = make_tenant(fast.app.state.db, "acme")
    other = make_tenant(fast.app.state.db, "globex")
    body = {
        "candidate_name": "Alex Kim",
        "candidate_email": "alex@example.com",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": (NOW - timedelta(days=9)).isoformat(),
        "timezone": "Europe/Berlin",
        "format": "virtual",
        "decision_timeline_days": 5,
        "topics": ["streaming"],
        "interviewers": [
            {"name": "Dana Lee", "email": "dana@acme.example", "role": "hiring_manager", "rapport": "good"},
            {"name": "Eval Bot", "role": "ai"},
        ],
    }
    created = slow.post("/v1/interviews", json=body, headers=tenant.headers)
    assert created.status_code == 201
    interview = created.json()
    iid, dana, bot = interview["id"], interview["interviewers"][0]["id"], interview["interviewers"][1]["id"]
    slow.post(f"/v1/interviews/{iid}/events", json={"type": "thank_you_sent", "contact_id": dana,
              "occurred_at": (NOW - timedelta(days=8)).isoformat()}, headers=tenant.headers)
    h = tenant.headers
    statuses = []
    for path, headers in [
        (f"/v1/interviews/{iid}/actions", h),
        (f"/v1/interviews/{iid}/actions?at=2026-05-25T10:00:00%2B02:00", h),
        (f"/v1/interviews/{iid}/actions?at=2026-07-01T10:00:00Z", h),
        (f"/v1/interviews/{iid}/actions?at=yesterday", h),
        (f"/v1/interviews/{iid}/actions?at=2026-05-25T10:00:00", h),
        (f"/v1/interviews/{iid}/actions?at=", h),
        (f"/v1/interviews/{iid}/actions?unknown=1", h),
        (f"/v1/interviews/{iid}/actions", {}),
        (f"/v1/interviews/{iid}/actions", {"Authorization": "Bearer fu_wrong"}),
        (f"/v1/interviews/{iid}/actions", other.headers),
        ("/v1/interviews/00000000-0000-0000-0000-000000000000/actions", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}&locale=de", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}&locale=xx", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}", {**h, "Accept-Language": "fr-CH, fr;q=0.9"}),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}&at=2026-05-30T09:00:00Z", h),
        (f"/v1/interviews/{iid}/messages/thank_you", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id={bot}", h),
        (f"/v1/interviews/{iid}/messages/thank_you?contact_id=nobody", h),
        (f"/v1/interviews/{iid}/messages/follow_up?contact_id=nobody", h),
        (f"/v1/interviews/{iid}/messages/follow_up", h),
        (f"/v1/interviews/{iid}/messages/follow_up", {**h, "Accept": "message/rfc822"}),
        (f"/v1/interviews/{iid}/messages/follow_up", {**h, "Accept": "message/*"}),
        (f"/v1/interviews/{iid}/messages/follow_up", {**h, "Accept": "application/json, message/*;q=0"}),
        (f"/v1/interviews/{iid}/messages/linkedin_note?contact_id={dana}&locale=es", h),
        (f"/v1/interviews/{iid}/messages/rejection_reply", h),
        (f"/v1/interviews/{iid}/messages/not_a_kind", h),
        (f"/v1/interviews/{iid}/messages/follow_up", other.headers),
    ]:
        statuses.append(_same(fast, slow, path, headers)[0])
    # The table reaches successes and every kind of refusal.
    assert {200, 401, 404, 422} <= set(statuses)
    # A parameter sent twice: the fast lane hands it on, and FastAPI refuses it (it kept the last).
    for path in (f"/v1/interviews/{iid}/actions?at=2026-05-25T10:00:00Z&at=2026-07-01T10:00:00Z",
                 f"/v1/interviews/{iid}/messages/thank_you?contact_id={dana}&contact_id={dana}&locale=de"):
        assert _same(fast, slow, path, h)[0] == 422, path

    # A tenant template: the fast lane hands over, the answer is the custom one.
    template = {"message_kind": "follow_up", "subject": "Hello", "text": "Hi {{ recipient_name }}, {{ candidate_name }}"}
    assert slow.post("/v1/templates", json=template, headers=h).status_code == 201
    status, content = _same(fast, slow, f"/v1/interviews/{iid}/messages/follow_up", h)
    assert status == 200 and b'"source":"custom"' in content
    # Deleted again: back to the built-in wording (the tenant's template count says none).
    template_id = slow.get("/v1/templates", headers=h).json()["items"][0]["id"]
    assert slow.delete(f"/v1/templates/{template_id}", headers=h).status_code == 204
    status, content = _same(fast, slow, f"/v1/interviews/{iid}/messages/follow_up", h)
    assert status == 200 and b'"source":"builtin"' in content


def test_fast_lane_answers_the_plain_case_and_hands_on_the_rest(clients):
    import asyncio

    from app.api.fastlane import FastLane

    fast, slow = clients
    tenant = make_tenant(fast.app.state.db, "acme")
    body = {"candidate_name": "Alex Kim", "job_title": "SRE", "company_name": "Acme", "format": "virtual",
            "starts_at": (NOW - timedelta(days=3)).isoformat(), "interviewers": [{"name": "Dana Lee"}]}
    interview = slow.post("/v1/interviews", json=body, headers=tenant.headers).json()
    handed_on: list[str] = []

    lane = FastLane(fast.app)

    def status_of(path: str, query: str = "", headers=tenant.headers) -> int:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        sent = []

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        if asyncio.run(lane.answer(scope, send)):
            return sent[0]["status"]
        handed_on.append(path)
        return 599

    iid, dana = interview["id"], interview["interviewers"][0]["id"]
    assert status_of(f"/v1/interviews/{iid}/actions") == 200
    assert status_of(f"/v1/interviews/{iid}/actions", "at=2026-05-30T09:00:00Z") == 200
    assert status_of(f"/v1/interviews/{iid}/messages/thank_you", f"contact_id={dana}&locale=de") == 200
    assert handed_on == []
    answered = []
    assert asyncio.run(_collect(lane, iid, tenant, answered))  # and it keeps the client's request id
    assert (b"x-request-id", b"req-42") in answered[0]["headers"]
    for path, query, headers in [
        (f"/v1/interviews/{iid}/actions", "", {}),
        (f"/v1/interviews/{iid}/actions", "at=soon", tenant.headers),
        ("/v1/interviews/missing/actions", "", tenant.headers),
        (f"/v1/interviews/{iid}/messages/thank_you", "", tenant.headers),
        (f"/v1/interviews/{iid}/messages/follow_up", "", {**tenant.headers, "Accept": "message/rfc822"}),
        (f"/v1/interviews/{iid}", "", tenant.headers),
        (f"/v1/interviews/{iid}/actions", "", {**tenant.headers, "Origin": "https://careers.example"}),
    ]:
        assert status_of(path, query, headers) == 599
    assert len(handed_on) == 7


async def _collect(lane, iid, tenant, answered) -> bool:
    async def send(message):
        answered.append(message)

    scope = {"type": "http", "method": "GET", "path": f"/v1/interviews/{iid}/actions", "query_string": b"",
             "headers": [(b"authorization", tenant.headers["Authorization"].encode()), (b"x-request-id", b"req-42")]}
    return await lane.answer(scope, send)


def _same_post(fast: TestClient, slow: TestClient, path: str, headers: dict[str, str], **body) -> tuple[int, dict]:
    """POST to both apps; the answers agree but for the new event's id."""
    a, b = fast.post(path, headers=headers, **body), slow.post(path, headers=headers, **body)
    assert (a.status_code, a.headers["content-type"]) == (b.status_code, b.headers["content-type"]), (path, a.text, b.text)
    assert a.headers["x-request-id"] and b.headers["x-request-id"]
    unchanging = {k for k in [*a.headers, *b.headers] if k not in ("location", "x-request-id", "content-length")}
    assert {k: a.headers.get(k) for k in unchanging} == {k: b.headers.get(k) for k in unchanging}, path
    first, second = a.json(), b.json()
    if a.status_code == 201:
        assert a.headers["location"] == f"{path}/{first.pop('id')}"
        assert b.headers["location"] == f"{path}/{second.pop('id')}"
    assert first == second, path
    return a.status_code, a.json()


def test_fast_lane_records_events_like_fastapi(clients, settings):
    fast, slow = clients
    tenant = make_tenant(fast.app.state.db, "acme")
    other = make_tenant(fast.app.state.db, "globex")
    body = {"candidate_name": "Alex Kim", "job_title": "SRE", "company_name": "Acme", "format": "virtual",
            "starts_at": (NOW - timedelta(days=3)).isoformat(),
            "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example"}, {"name": "Eval Bot", "role": "ai"}]}
    interview = slow.post("/v1/interviews", json=body, headers=tenant.headers).json()
    iid, dana = interview["id"], interview["interviewers"][0]["id"]
    path, h = f"/v1/interviews/{iid}/events", tenant.headers
    statuses = []
    for headers, request in [
        (h, {"json": {"type": "follow_up_sent", "note": "sent by the ATS"}}),
        (h, {"json": {"type": "thank_you_sent", "contact_id": dana, "occurred_at": (NOW - timedelta(days=2)).isoformat()}}),
        (h, {"json": {"type": "response_received", "timeline_days": 10}}),
        (h, {"json": {"type": "follow_up_sent", "occurred_at": (NOW + timedelta(days=2)).isoformat()}}),  # in the future
        (h, {"json": {"type": "thank_you_sent", "contact_id": "nobody"}}),
        (h, {"json": {"type": "no_such_event"}}),
        (h, {"json": {"type": "follow_up_sent", "unknown": 1}}),
        (h, {"json": {"type": "response_received", "timeline_days": True}}),
        (h, {"json": ["follow_up_sent"]}),
        (h, {"content": b'{"type": "follow_up_sent"', "headers": {"Content-Type": "application/json"}}),
        (h, {"content": b'{"type": "follow_up_sent", "note": "a", "note": "b"}', "headers": {"Content-Type": "application/json"}}),
        (h, {"content": b'[{"type": "closed"}, {"type": "closed", "type": "withdrawn"}]', "headers": {"Content-Type": "application/json"}}),
        (h, {"content": b'{"type": "follow_up_sent", "note": "10:30 \\u003a"}', "headers": {"Content-Type": "application/json"}}),
        ({**h, "Content-Type": "text/plain"}, {"content": b'{"type": "follow_up_sent"}'}),
        ({}, {"json": {"type": "follow_up_sent"}}),
        ({"Authorization": "Bearer fu_wrong"}, {"json": {"type": "follow_up_sent"}}),
        (other.headers, {"json": {"type": "follow_up_sent"}}),
        ({**h, "Idempotency-Key": "\t"}, {"json": {"type": "follow_up_sent"}}),
        ({**h, "Idempotency-Key": "k" * 256}, {"json": {"type": "follow_up_sent"}}),
        ({**h, "Origin": "https://careers.example"}, {"json": {"type": "follow_up_sent"}}),
    ]:
        if "headers" in request:
            headers = {**headers, **request.pop("headers")}
        statuses.append(_same_post(fast, slow, path, headers, **request)[0])
    statuses.append(_same_post(fast, slow, "/v1/interviews/00000000-0000-0000-0000-000000000000/events", h,
                               json={"type": "follow_up_sent"})[0])
    # An unknown id the fast lane takes (up to 100 characters) is echoed by its start, as FastAPI does.
    status, problem = _same_post(fast, slow, f"/v1/interviews/{'x' * 100}/events", h, json={"type": "follow_up_sent"})
    assert status == 404 and f"'{'x' * 64}…'" in problem["detail"], problem
    too_large = b'{"type": "follow_up_sent", "note": "' + b"x" * settings.max_body_bytes + b'"}'
    statuses.append(_same_post(fast, slow, path, {**h, "Content-Type": "application/json"}, content=too_large)[0])
    assert {201, 400, 401, 404, 413, 422} <= set(statuses), statuses
    # A key repeated in one object is malformed on both paths (the fast lane hands it on).
    status, problem = _same_post(fast, slow, path, {**h, "Content-Type": "application/json"},
                                 content=b'{"type": "follow_up_sent", "type": "closed"}')
    assert (status, problem["errors"]) == (400, [{"loc": "body", "message": 'repeats the key "type" in one object, again at line 1, column 28'}])

    # An Idempotency-Key: the first answer, its replay, and the key reused for another body.
    for client, key in ((fast, "key-fast"), (slow, "key-slow")):
        keyed = {**h, "Idempotency-Key": key}
        first = client.post(path, json={"type": "follow_up_sent", "note": "once"}, headers=keyed)
        again = client.post(path, json={"note": "once", "type": "follow_up_sent"}, headers=keyed)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.content == first.content and again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
        # A retry that FastAPI answers (a browser's Origin) finds the fast lane's record, and vice versa.
        browser = client.post(path, json={"type": "follow_up_sent", "note": "once"}, headers={**keyed, "Origin": "https://careers.example"})
        assert browser.status_code == 201 and browser.content == first.content, browser.text
        reused = client.post(path, json={"type": "follow_up_sent", "note": "twice"}, headers=keyed)
        assert reused.status_code == 422 and reused.headers["content-type"] == "application/problem+json"
    notes = [e["note"] for e in slow.get(f"{path}?limit=100", headers=h).json()["items"]]
    assert notes.count("once") == 2  # one per key: each replay stored nothing


def test_the_fast_lane_records_the_plain_case_and_hands_on_the_rest_with_its_body(clients):
    import asyncio

    from app.api.fastlane import FastLane

    fast, slow = clients
    tenant = make_tenant(fast.app.state.db, "acme")
    body = {"candidate_name": "Alex Kim", "job_title": "SRE", "company_name": "Acme", "format": "virtual",
            "starts_at": (NOW - timedelta(days=3)).isoformat(), "interviewers": [{"name": "Dana Lee"}]}
    iid = slow.post("/v1/interviews", json=body, headers=tenant.headers).json()["id"]
    lane = FastLane(fast.app)

    def record(payload: bytes, headers: dict[str, str], chunks: int = 1):
        """(the status answered, or None when handed on; what FastAPI would then read)."""
        size = -(-len(payload) // chunks)
        parts = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
        incoming = [{"type": "http.request", "body": p, "more_body": n < len(parts) - 1} for n, p in enumerate(parts)]
        incoming.append({"type": "http.disconnect"})
        scope = {"type": "http", "method": "POST", "path": f"/v1/interviews/{iid}/events", "query_string": b"",
                 "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]}
        sent = []

        async def receive():
            return incoming.pop(0)

        async def send(message):
            sent.append(message)

        async def run():
            handed_on = await lane.record(scope, receive, send)
            if handed_on is None:
                return sent[0]["status"], b""
            read = []
            while (message := await handed_on())["type"] == "http.request":
                read.append(message["body"])
                if not message.get("more_body"):
                    break
            return None, b"".join(read)

        return asyncio.run(run())

    plain = b'{"type": "follow_up_sent"}'
    json_headers = {**tenant.headers, "Content-Type": "application/json", "Content-Length": str(len(plain))}
    assert record(plain, json_headers) == (201, b"")
    assert record(plain, json_headers, chunks=3) == (201, b"")
    assert record(plain, {**json_headers, "Content-Type": "application/json; charset=utf-8"}) == (201, b"")
    assert record(plain, {**json_headers, "Idempotency-Key": "retry-1"}) == (201, b"")
    assert record(b'{"type": "follow_up_sent", "note": 1}', {**json_headers, "Content-Length": "37"}) == (None, b'{"type": "follow_up_sent", "note": 1}')
    for headers in [
        {**json_headers, "Content-Type": "text/plain"},
        {k: v for k, v in json_headers.items() if k != "Content-Length"},
        {**json_headers, "Origin": "https://careers.example"},
        {**json_headers, "Authorization": "Bearer fu_wrong"},
        {**json_headers, "Idempotency-Key": "é"},
    ]:
        assert record(plain, headers) == (None, plain), headers
    assert record(plain, {**json_headers, "Content-Length": "5"}) == (None, plain)  # longer than declared
    repeated = b'{"type": "follow_up_sent", "type": "closed"}'
    assert record(repeated, {**json_headers, "Content-Length": str(len(repeated))}) == (None, repeated)
    assert record(plain, {**json_headers, "Content-Length": "2\u00b2"}) == (None, plain)  # "²" is a digit to str.isdigit


def test_a_fast_lane_write_that_fails_is_answered_once_never_run_again(clients, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.services import events as events_service

    fast, slow = clients
    tenant = make_tenant(fast.app.state.db, "acme")
    body = {"candidate_name": "Alex Kim", "job_title": "SRE", "company_name": "Acme", "format": "virtual",
            "starts_at": (NOW - timedelta(days=3)).isoformat(), "interviewers": [{"name": "Dana Lee"}]}
    iid = slow.post("/v1/interviews", json=body, headers=tenant.headers).json()["id"]
    attempts = []

    def lost(**_kwargs):
        attempts.append(1)
        raise OperationalError("(batched statements)", (), Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(events_service, "prepare_event", lost)
    for client in (fast, slow):
        attempts.clear()
        answer = client.post(f"/v1/interviews/{iid}/events", json={"type": "follow_up_sent"}, headers=tenant.headers)
        assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"] and answer.headers["x-request-id"]
        assert attempts == [1]


@pytest.mark.postgres
@pytest.mark.parametrize("fast_lane", [True, False], ids=["fast lane", "FastAPI route"])
@pytest.mark.parametrize("key", [None, "retry-me-1"], ids=["no key", "Idempotency-Key"])
def test_an_event_write_is_two_round_trips_on_postgresql(postgres_database, fast_lane, key):
    with counted_client(postgres_database, fast_lane=fast_lane, now=NOW) as client:
        tenant = make_tenant(client.app.state.db, "acme")
        body = {"candidate_name": "Alex Kim", "job_title": "SRE", "company_name": "Acme", "format": "virtual",
                "starts_at": (NOW - timedelta(days=3)).isoformat(), "interviewers": [{"name": "Dana Lee"}]}
        iid = client.post("/v1/interviews", json=body, headers=tenant.headers).json()["id"]  # also caches the key
        headers = tenant.headers | ({"Idempotency-Key": key} if key else {})
        with round_trips(client.app.state.db.engine) as counted:
            response = client.post(f"/v1/interviews/{iid}/events", json={"type": "follow_up_sent"}, headers=headers)
        assert response.status_code == 201, response.text
        assert counted == [2]
