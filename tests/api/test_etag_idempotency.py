"""ETag / If-Match on writes, and Idempotency-Key on POST (also under concurrency)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from app.db.tables import Interview as InterviewRow
from tests.api.helpers import assert_problem, create_interview, interview_body, random_id, snapshot
from tests.live import create_tenant_key, live_server

# --- If-Match --------------------------------------------------------------------------


def test_stale_if_match_patch_is_412_and_changes_nothing(client, app, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    url, stale = r.headers["location"], r.headers["etag"]
    fresh = client.patch(url, json={"notes": "first change"}, headers=tenant.headers).headers["etag"]
    before = snapshot(app.state.db)
    r = client.patch(url, json={"notes": "lost update"}, headers={**tenant.headers, "If-Match": stale})
    body = assert_problem(r, 412)
    assert fresh in body["detail"] or "changed" in body["detail"]
    assert snapshot(app.state.db) == before
    assert client.get(url, headers=tenant.headers).json()["notes"] == "first change"


def test_stale_if_match_delete_is_412_and_changes_nothing(client, app, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    url, stale = r.headers["location"], r.headers["etag"]
    client.patch(url, json={"notes": "changed"}, headers=tenant.headers)
    before = snapshot(app.state.db)
    assert_problem(client.delete(url, headers={**tenant.headers, "If-Match": stale}), 412)
    assert snapshot(app.state.db) == before
    assert client.get(url, headers=tenant.headers).status_code == 200


def test_a_current_if_match_works(client, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    url, etag = r.headers["location"], r.headers["etag"]
    patched = client.patch(url, json={"notes": "ok"}, headers={**tenant.headers, "If-Match": etag})
    assert patched.status_code == 200, patched.text
    # A list of tags names the current version when one of them does.
    both = client.patch(url, json={"notes": "ok 2"}, headers={**tenant.headers, "If-Match": f'"nope", {patched.headers["etag"]}'})
    assert both.status_code == 200, both.text
    assert client.patch(url, json={"notes": "star"}, headers={**tenant.headers, "If-Match": "*"}).status_code == 200
    current = client.get(url, headers=tenant.headers).headers["etag"]
    assert client.delete(url, headers={**tenant.headers, "If-Match": current}).status_code == 204
    assert_problem(client.get(url, headers=tenant.headers), 404)


def test_a_weak_if_match_never_matches_even_the_current_version(client, app, tenant):
    """RFC 9110 13.1.1: If-Match compares strongly, so `W/"<current>"` is a 412 like a
    stale tag, on every write that honours If-Match, and nothing changes."""
    interview = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    template = client.post("/v1/templates", json={"message_kind": "follow_up", "subject": "Hi", "text": "Hello {{ recipient_name }}"},
                           headers=tenant.headers)
    policy = client.get("/v1/policy", headers=tenant.headers)
    url, tpl = interview.headers["location"], template.headers["location"]
    weak = {name: {**tenant.headers, "If-Match": "W/" + r.headers["etag"]} for name, r in
            (("interview", interview), ("template", template), ("policy", policy))}
    before = snapshot(app.state.db)
    for response in (
        client.patch(url, json={"notes": "weak"}, headers=weak["interview"]),
        client.delete(url, headers=weak["interview"]),
        client.put(tpl, json={"message_kind": "follow_up", "subject": "Hey", "text": "Hi"}, headers=weak["template"]),
        client.delete(tpl, headers=weak["template"]),
        client.put("/v1/policy", json=policy.json(), headers=weak["policy"]),
    ):
        body = assert_problem(response, 412)
        assert "weak" in body["detail"], body
    assert snapshot(app.state.db) == before
    # The strong tag itself, alone or in a list beside its weak form, still matches.
    strong = {**tenant.headers, "If-Match": f'W/{interview.headers["etag"]}, {interview.headers["etag"]}'}
    assert client.patch(url, json={"notes": "strong"}, headers=strong).status_code == 200


def test_an_event_changes_the_etag_so_a_stale_patch_fails(client, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    url, etag = r.headers["location"], r.headers["etag"]
    assert client.post(f"{url}/events", json={"type": "response_received"}, headers=tenant.headers).status_code == 201
    assert_problem(client.patch(url, json={"notes": "x"}, headers={**tenant.headers, "If-Match": etag}), 412)


def test_if_match_on_a_missing_interview_is_404(client, tenant):
    headers = {**tenant.headers, "If-Match": '"1"'}
    assert_problem(client.patch(f"/v1/interviews/{random_id()}", json={"notes": "x"}, headers=headers), 404)
    assert_problem(client.delete(f"/v1/interviews/{random_id()}", headers=headers), 404)


# --- Idempotency-Key --------------------------------------------------------------------


def _interview_count(db) -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(InterviewRow.__table__)).scalar_one()


def test_same_key_same_body_creates_one_and_replays(client, app, tenant):
    headers = {**tenant.headers, "Idempotency-Key": "create-alex-1"}
    body = interview_body()  # built once: it holds a time relative to now
    first = client.post("/v1/interviews", json=body, headers=headers)
    second = client.post("/v1/interviews", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert _interview_count(app.state.db) == 1
    # Key order and whitespace do not make another body.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    third = client.post("/v1/interviews", content=reordered, headers={**headers, "content-type": "application/json"})
    assert third.status_code == 201 and third.content == first.content
    assert _interview_count(app.state.db) == 1


def test_same_key_other_body_is_422_and_changes_nothing(client, app, tenant):
    headers = {**tenant.headers, "Idempotency-Key": "k-1"}
    assert client.post("/v1/interviews", json=interview_body(), headers=headers).status_code == 201
    before = snapshot(app.state.db)
    r = client.post("/v1/interviews", json=interview_body(candidate_name="Someone Else"), headers=headers)
    assert_problem(r, 422)
    assert snapshot(app.state.db) == before


def test_same_key_on_another_route_is_422(client, app, tenant):
    headers = {**tenant.headers, "Idempotency-Key": "shared"}
    created = client.post("/v1/interviews", json=interview_body(), headers=headers).json()
    before = snapshot(app.state.db)
    r = client.post(f"/v1/interviews/{created['id']}/events", json={"type": "response_received"}, headers=headers)
    assert_problem(r, 422)
    assert snapshot(app.state.db) == before


def test_keys_are_scoped_per_tenant(client, app, tenant, other_tenant):
    key = {"Idempotency-Key": "same-key"}
    a = client.post("/v1/interviews", json=interview_body(), headers={**tenant.headers, **key})
    b = client.post("/v1/interviews", json=interview_body(), headers={**other_tenant.headers, **key})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert _interview_count(app.state.db) == 2
    assert [i["id"] for i in client.get("/v1/interviews", headers=other_tenant.headers).json()["items"]] == [b.json()["id"]]
    # B with another body under the same key is B's own first use, not a mismatch with A's.
    c = client.post("/v1/interviews", json=interview_body(candidate_name="C"), headers={**other_tenant.headers, "Idempotency-Key": "k-a"})
    assert c.status_code == 201


def test_a_refused_request_does_not_use_up_the_key(client, app, tenant):
    headers = {**tenant.headers, "Idempotency-Key": "retry-me"}
    assert_problem(client.post("/v1/interviews", json=interview_body(starts_at="2026-01-01T10:00:00"), headers=headers), 422)
    r = client.post("/v1/interviews", json=interview_body(), headers=headers)
    assert r.status_code == 201, r.text
    assert _interview_count(app.state.db) == 1


def test_event_post_is_idempotent(client, tenant):
    interview = create_interview(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": "event-1"}
    url = f"/v1/interviews/{interview['id']}/events"
    first = client.post(url, json={"type": "response_received", "note": "call"}, headers=headers)
    second = client.post(url, json={"type": "response_received", "note": "call"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content and first.headers["location"] == second.headers["location"]
    assert len(client.get(url, headers=tenant.headers).json()["items"]) == 1


def _event_ids(client, tenant, interview_id: str) -> list[str]:
    return [e["id"] for e in client.get(f"/v1/interviews/{interview_id}/events", headers=tenant.headers).json()["items"]]


def test_an_event_retry_replays_whatever_the_interview_became(client, tenant, monkeypatch):
    """The key is claimed in the same round trip as the event's reads, yet a
    retry gets the first answer before any check: here the interview became full."""
    from app.services import events as events_service

    monkeypatch.setattr(events_service, "MAX_EVENTS", 1)
    interview = create_interview(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": "event-then-full"}
    url = f"/v1/interviews/{interview['id']}/events"
    first = client.post(url, json={"type": "response_received"}, headers=headers)
    assert first.status_code == 201
    again = client.post(url, json={"type": "response_received"}, headers=headers)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert_problem(client.post(url, json={"type": "response_received"}, headers=tenant.headers), 409)


def test_an_event_retry_after_the_interview_was_deleted_is_404(client, tenant):
    """Deleting the interview forgets the answers kept for its keys (they hold its data):
    the retry finds no interview, like any other request for it."""
    interview = create_interview(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": "event-then-delete"}
    url = f"/v1/interviews/{interview['id']}/events"
    assert client.post(url, json={"type": "response_received"}, headers=headers).status_code == 201
    assert client.delete(f"/v1/interviews/{interview['id']}", headers=tenant.headers).status_code == 204
    assert_problem(client.post(url, json={"type": "response_received"}, headers=headers), 404)


def test_an_event_key_reused_with_another_body_is_422_and_records_nothing(client, tenant):
    interview = create_interview(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": "event-2"}
    url = f"/v1/interviews/{interview['id']}/events"
    first = client.post(url, json={"type": "response_received"}, headers=headers)
    assert first.status_code == 201
    assert_problem(client.post(url, json={"type": "follow_up_sent"}, headers=headers), 422)
    assert _event_ids(client, tenant, interview["id"]) == [first.json()["id"]]


def test_an_expired_event_key_records_afresh(client, app, tenant):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from app.db.tables import IdempotencyRecord

    interview = create_interview(client, tenant)
    headers = {**tenant.headers, "Idempotency-Key": "event-3"}
    url = f"/v1/interviews/{interview['id']}/events"
    first = client.post(url, json={"type": "follow_up_sent"}, headers=headers)
    with app.state.db.engine.begin() as connection:
        connection.execute(update(IdempotencyRecord.__table__).values(created_at=datetime.now(UTC) - timedelta(hours=25)))
    later = client.post(url, json={"type": "follow_up_sent"}, headers=headers)
    assert later.status_code == 201 and "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert sorted(_event_ids(client, tenant, interview["id"])) == sorted([first.json()["id"], later.json()["id"]])
    assert client.post(url, json={"type": "follow_up_sent"}, headers=headers).content == later.content  # claimed afresh


def test_a_bad_key_is_422(client, app, tenant):
    before = snapshot(app.state.db)
    for key in ("", "   ", "k" * 256):
        r = client.post("/v1/interviews", json=interview_body(), headers={**tenant.headers, "Idempotency-Key": key})
        assert_problem(r, 422)
    assert snapshot(app.state.db) == before


# --- concurrency, against the real server -----------------------------------------------


def test_concurrent_identical_posts_create_one_interview(database_url, tmp_path):
    key = create_tenant_key(database_url, "acme")
    body = interview_body()
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "burst-1"}
    with live_server(database_url, workers=2, log_dir=tmp_path) as server:
        barrier = threading.Barrier(20)

        def post(_):
            with httpx.Client(base_url=server.url, timeout=30) as http:
                barrier.wait()
                return http.post("/v1/interviews", json=body, headers=headers)

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(post, range(20)))
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * 20, f"{statuses}\n{answers[0].text[:500]}\n{server.log()[-2000:]}"
        assert len({a.content for a in answers}) == 1, "all 20 answers must be identical"
        assert len({a.headers["location"] for a in answers}) == 1
        assert len({a.headers["etag"] for a in answers}) == 1
        listed = httpx.get(server.url + "/v1/interviews", headers={"Authorization": f"Bearer {key}"}).json()
        assert [i["id"] for i in listed["items"]] == [answers[0].json()["id"]]
        # While the real server is up: its body limit holds over real sockets too.
        _refuses_oversized_bodies(server.url, {"Authorization": f"Bearer {key}", "content-type": "application/json"})
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(InterviewRow.__table__)).scalar_one() == 1
    finally:
        engine.dispose()


def test_concurrent_identical_event_posts_record_one_event(database_url, tmp_path):
    """The event route claims its key in the round trip of its locked reads:
    20 identical keyed posts at once still record one event, all answered alike."""
    key = create_tenant_key(database_url, "acme")
    auth = {"Authorization": f"Bearer {key}"}
    with live_server(database_url, workers=2, log_dir=tmp_path) as server:
        with httpx.Client(base_url=server.url, timeout=30, headers=auth) as http:
            interview_id = http.post("/v1/interviews", json=interview_body()).json()["id"]
        url = f"/v1/interviews/{interview_id}/events"
        barrier = threading.Barrier(20)

        def post(_):
            with httpx.Client(base_url=server.url, timeout=30) as http:
                barrier.wait()
                return http.post(url, json={"type": "follow_up_sent", "note": "once"}, headers={**auth, "Idempotency-Key": "burst-event"})

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(post, range(20)))
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * 20, f"{statuses}\n{answers[0].text[:500]}\n{server.log()[-2000:]}"
        assert len({a.content for a in answers}) == 1 and len({a.headers["location"] for a in answers}) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 19
        events = httpx.get(server.url + url, headers=auth).json()["items"]
        assert [e["id"] for e in events] == [answers[0].json()["id"]]


def test_a_key_is_kept_24_hours(client, app, tenant):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from app.db.tables import IdempotencyRecord

    headers = {**tenant.headers, "Idempotency-Key": "daily"}
    body = interview_body()
    first = client.post("/v1/interviews", json=body, headers=headers)
    table = IdempotencyRecord.__table__
    with app.state.db.engine.begin() as connection:
        connection.execute(update(table).values(created_at=datetime.now(UTC) - timedelta(hours=23)))
    assert client.post("/v1/interviews", json=body, headers=headers).content == first.content
    assert _interview_count(app.state.db) == 1
    with app.state.db.engine.begin() as connection:
        connection.execute(update(table).values(created_at=datetime.now(UTC) - timedelta(hours=25)))
    later = client.post("/v1/interviews", json=body, headers=headers)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert _interview_count(app.state.db) == 2


def _refuses_oversized_bodies(url: str, headers: dict[str, str]) -> None:
    payload = json.dumps(interview_body(notes="n" * (1024 * 1024))).encode()

    def chunks():
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start:start + 64 * 1024]

    with httpx.Client(base_url=url, timeout=30) as http:
        declared = http.post("/v1/interviews", content=payload, headers=headers)
        assert_problem(declared, 413)
    with httpx.Client(base_url=url, timeout=30) as http:
        chunked = http.post("/v1/interviews", content=chunks(), headers=headers)
        assert "content-length" not in chunked.request.headers
        assert_problem(chunked, 413)
    # One problem, one type and title, however the body arrived.
    assert {(r.json()["type"], r.json()["title"]) for r in (declared, chunked)} == {
        ("https://followup.invalid/problems/payload-too-large", "Payload too large")
    }


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite serialises the two writers
def test_two_retries_of_an_expired_key_at_once_write_once(client, app, tenant, monkeypatch):
    """A key whose answer has expired serves a new request; two copies of it at once are
    a concurrent duplicate like any other: one write, one answer. The second to find the
    expired record deleted the first's fresh one and claimed the key again (two interviews,
    two different answers to one key, 7 of 20 rounds of 4 copies on a 2-worker server)."""
    from datetime import UTC, datetime, timedelta

    from fastapi.testclient import TestClient
    from sqlalchemy import update

    from app.db import idempotency as records
    from app.db.tables import IdempotencyRecord

    headers = {**tenant.headers, "Idempotency-Key": "once-a-day"}
    body = interview_body()  # built once: it holds a time relative to now, to the second
    first = client.post("/v1/interviews", json=body, headers=headers)
    assert first.status_code == 201
    with app.state.db.engine.begin() as connection:
        connection.execute(update(IdempotencyRecord.__table__).values(created_at=datetime.now(UTC) - timedelta(hours=25)))
    other_client = TestClient(app, raise_server_exceptions=False)  # its own event loop: runs while this one waits
    real_find, copies, started = records.find, [], threading.Event()

    def the_other_copy_runs_whole_meanwhile(session, **key):
        found = real_find(session, **key)
        if not started.is_set():  # this copy has found the key taken and read its expired record
            started.set()
            copies.append(other_client.post("/v1/interviews", json=body, headers=headers))
        return found

    monkeypatch.setattr(records, "find", the_other_copy_runs_whole_meanwhile)
    this = client.post("/v1/interviews", json=body, headers=headers)
    (other,) = copies
    assert (other.status_code, this.status_code) == (201, 201)
    assert other.json()["id"] != first.json()["id"], "the expired key served a new request"
    assert this.content == other.content and this.headers["location"] == other.headers["location"]
    assert this.headers.get("idempotent-replayed") == "true"
    listed = client.get("/v1/interviews", headers=tenant.headers).json()["items"]
    assert sorted(i["id"] for i in listed) == sorted([first.json()["id"], other.json()["id"]])
