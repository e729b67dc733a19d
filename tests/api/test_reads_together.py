"""Reads sent together (app.db.interviews.load_interview_with): a message's
render reads the interview, its timeline and the tenant's template; replaying
the actions at a past moment, the interview and its timeline; reading one
interview, the interview and its stored plan. A page of interviews
(app.db.interviews.list_page) reads the page, its contacts and its plans.

On both databases: the tenant's template in the first wanted language wins,
another tenant's interview (and so its events) stays a 404, and the answer
reflects the recorded events. On PostgreSQL: each of those reads is one round
trip, counted in libpq's protocol trace (a page of interviews with filters and
a cursor too; it took three before).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.api.deps import get_now
from tests.api.helpers import counted_client, interview_body
from tests.conftest import make_tenant
from tests.pgtrace import round_trips

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PAUSE = 0.6  # seconds a read is held between its queries while a write commits
INTERVIEW = interview_body(
    starts_at=(NOW - timedelta(days=10)).isoformat(),
    interviewers=[{"name": "Dana Lee", "email": "dana@acme.example", "role": "hiring_manager"}],
)


@pytest.fixture
def fixed_clock(app):
    app.dependency_overrides[get_now] = lambda: NOW
    yield
    app.dependency_overrides.clear()


def _template(client: TestClient, headers: dict[str, str], locale: str, text: str) -> None:
    body = {"message_kind": "follow_up", "locale": locale, "subject": f"Subject {locale}", "text": text}
    response = client.post("/v1/templates", json=body, headers=headers)
    assert response.status_code == 201, response.text


def test_the_tenants_template_in_the_first_wanted_language_wins(client, tenant, fixed_clock):
    iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
    _template(client, tenant.headers, "de", "Hallo {{ recipient_name }}")
    _template(client, tenant.headers, "en", "Hello {{ recipient_name }}")
    path = f"/v1/interviews/{iid}/messages/follow_up"

    def text(**kwargs) -> tuple[str, str]:
        response = client.get(path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["template"]["source"], response.json()["text"]

    assert text(headers=tenant.headers, params={"locale": "de"}) == ("custom", "Hallo Dana Lee")
    assert text(headers={**tenant.headers, "Accept-Language": "fr-CH, de;q=0.8"}) == ("custom", "Hallo Dana Lee")
    assert text(headers={**tenant.headers, "Accept-Language": "en-GB"}) == ("custom", "Hello Dana Lee")
    source, wording = text(headers=tenant.headers, params={"locale": "fr"})  # no French template: the built-in one
    assert source == "builtin" and "Dana" in wording


def test_the_stateless_render_picks_the_template_the_stored_route_picks(client, tenant, other_tenant, fixed_clock):
    """`POST /v1/render` has "the same semantics as the stored routes" (api-contract.md):
    the tenant's own template in the first wanted language, never another tenant's."""
    iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
    _template(client, tenant.headers, "de", "Hallo {{ recipient_name }}")
    _template(client, tenant.headers, "en", "Hello {{ recipient_name }}")
    _template(client, other_tenant.headers, "fr", "Stolen {{ recipient_name }}")
    inline = {**INTERVIEW, "interviewers": [{**INTERVIEW["interviewers"][0], "id": "dana"}]}
    asks = [
        ({"locale": "de"}, {}),
        ({}, {"Accept-Language": "fr-CH, de;q=0.8"}),
        ({}, {"Accept-Language": "en-GB"}),
        ({"locale": "fr"}, {}),  # no French template of this tenant: the built-in one
    ]
    for params, headers in asks:
        stored = client.get(f"/v1/interviews/{iid}/messages/follow_up", params=params, headers={**tenant.headers, **headers})
        body = {"interview": inline, "events": [], "message_kind": "follow_up", "contact_id": "dana", **params}
        stateless = client.post("/v1/render", json=body, headers={**tenant.headers, **headers})
        assert stored.status_code == stateless.status_code == 200, stateless.text
        picked = [(r.json()["template"]["source"], r.json()["locale"], r.json()["text"]) for r in (stored, stateless)]
        assert picked[0] == picked[1], (params, headers, picked)
    assert "Stolen" not in stateless.text and stateless.json()["template"]["source"] == "builtin"
    assert picked[1][0] == "builtin"
    r = client.post("/v1/render", json={**body, "locale": "de"}, headers=tenant.headers)
    assert r.json()["template"]["source"] == "custom" and r.json()["text"] == "Hallo Dana Lee"


def test_another_tenants_interview_renders_nothing(client, tenant, other_tenant, fixed_clock):
    iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
    assert client.post(f"/v1/interviews/{iid}/events", json={"type": "follow_up_sent"}, headers=tenant.headers).status_code == 201
    _template(client, other_tenant.headers, "en", "Stolen {{ candidate_name }}")
    past = {"at": (NOW - timedelta(days=1)).isoformat()}  # replayed from the timeline, not the stored plan
    for path, params in ((f"/v1/interviews/{iid}/messages/follow_up", {}), (f"/v1/interviews/{iid}/actions", past)):
        response = client.get(path, params=params, headers=other_tenant.headers)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Alex" not in response.text


def test_a_past_moment_replays_the_timeline_read_with_the_interview(client, tenant, fixed_clock):
    iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
    sent = (NOW - timedelta(days=9)).isoformat()
    event = {"type": "thank_you_sent", "occurred_at": sent, "contact_id": None}
    contact = client.get(f"/v1/interviews/{iid}", headers=tenant.headers).json()["interviewers"][0]["id"]
    event["contact_id"] = contact
    assert client.post(f"/v1/interviews/{iid}/events", json=event, headers=tenant.headers).status_code == 201

    def thank_you_state(at: datetime) -> str:
        response = client.get(f"/v1/interviews/{iid}/actions", params={"at": at.isoformat()}, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return next(a["state"] for a in response.json()["actions"] if a["kind"] == "send_thank_you")

    assert thank_you_state(NOW - timedelta(days=9, hours=1)) != "done"  # before it was sent
    assert thank_you_state(NOW - timedelta(days=8)) == "done"


@pytest.mark.postgres
@pytest.mark.parametrize("fast_lane", [True, False], ids=["fast lane", "FastAPI route"])
@pytest.mark.parametrize("templates", [False, True], ids=["built-in wording", "tenant template"])
def test_a_render_a_past_replay_and_an_interview_are_one_round_trip_each_on_postgresql(postgres_database, fast_lane, templates):
    with counted_client(postgres_database, fast_lane=fast_lane, now=NOW) as client:
        tenant = make_tenant(client.app.state.db, "acme")
        iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
        assert client.post(f"/v1/interviews/{iid}/events", json={"type": "follow_up_sent"}, headers=tenant.headers).status_code == 201
        if templates:
            _template(client, tenant.headers, "en", "Hello {{ recipient_name }}")
        path = f"/v1/interviews/{iid}/messages/follow_up"
        assert client.get(path, headers=tenant.headers).status_code == 200  # the key's tenant, cached again
        # The fast lane hands a tenant template to the FastAPI route, which reads again.
        expected = 2 if templates and fast_lane else 1
        with round_trips(client.app.state.db.engine) as counted:
            response = client.get(path, headers=tenant.headers)
        assert response.status_code == 200, response.text
        assert response.json()["template"]["source"] == ("custom" if templates else "builtin")
        assert counted == [expected]
        past = {"at": (NOW - timedelta(days=1)).isoformat()}
        with round_trips(client.app.state.db.engine) as counted:
            response = client.get(f"/v1/interviews/{iid}/actions", params=past, headers=tenant.headers)
        assert response.status_code == 200, response.text
        assert counted == [1]
        with round_trips(client.app.state.db.engine) as counted:
            response = client.get(f"/v1/interviews/{iid}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        assert response.json()["next_action"] is not None
        assert counted == [1]


def _page_of_three(client: TestClient, tenant, other) -> tuple[list[str], dict]:
    """Three interviews made at NOW (so the page's order, (created_at, id), is the ids'
    own), one of another company and one of another tenant; the filter for the three."""
    client.post("/v1/interviews", json=INTERVIEW, headers=other.headers)
    ids = sorted(client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"] for _ in range(3))
    client.post("/v1/interviews", json={**INTERVIEW, "company_name": "Initech"}, headers=tenant.headers)
    return ids, {"company_name": INTERVIEW["company_name"], "status": "active", "limit": 2}


def _listed(response) -> tuple[list[str], str | None]:
    assert response.status_code == 200, response.text
    page = response.json()
    assert all(item["interviewers"][0]["name"] == "Dana Lee" and item["next_action"] for item in page["items"])
    return [item["id"] for item in page["items"]], page["next_cursor"]


def test_a_page_of_interviews_comes_with_its_contacts_and_next_actions(client, tenant, other_tenant, fixed_clock):
    ids, params = _page_of_three(client, tenant, other_tenant)
    first, cursor = _listed(client.get("/v1/interviews", params=params, headers=tenant.headers))
    assert first == ids[:2]
    rest, cursor = _listed(client.get("/v1/interviews", params={**params, "cursor": cursor}, headers=tenant.headers))
    assert (rest, cursor) == (ids[2:], None)


@pytest.mark.postgres
def test_a_page_of_interviews_is_one_round_trip_on_postgresql(postgres_database):
    with counted_client(postgres_database, fast_lane=True, now=NOW) as client:
        tenant, other = make_tenant(client.app.state.db, "acme"), make_tenant(client.app.state.db, "globex")
        ids, params = _page_of_three(client, tenant, other)
        assert client.get("/v1/interviews", params=params, headers=tenant.headers).status_code == 200  # the key, cached
        with round_trips(client.app.state.db.engine) as counted:
            first, cursor = _listed(client.get("/v1/interviews", params=params, headers=tenant.headers))
        assert (first, counted) == (ids[:2], [1])
        with round_trips(client.app.state.db.engine) as counted:
            rest, cursor = _listed(client.get("/v1/interviews", params={**params, "cursor": cursor}, headers=tenant.headers))
        assert (rest, cursor, counted) == (ids[2:], None, [1])


def test_an_interview_read_while_a_write_commits_is_all_before_or_all_after_it(app, client, tenant, fixed_clock, monkeypatch):
    """GET /v1/interviews/{id} reads the interview (status, ETag) and its stored plan
    (next action) together. A rejection recorded between the two reads once paired
    the old status and ETag with the new plan's rejection reply (4 of 400 racing
    GETs on PostgreSQL). Here the read is held between its two queries (pg_sleep in
    the same pipeline on PostgreSQL; a pause between the queries of the same read
    transaction on SQLite) while the write commits."""
    from app.db import driver

    iid = client.post("/v1/interviews", json=INTERVIEW, headers=tenant.headers).json()["id"]
    path = f"/v1/interviews/{iid}"
    original = driver.RawSQL.all_together
    paused = threading.Event()

    def held_between_reads(self, queries, *, snapshot=False):
        if paused.is_set() or len(queries) < 2:
            return original(self, queries, snapshot=snapshot)
        paused.set()
        if self._pg:
            rows = original(self, [queries[0], ("SELECT pg_sleep(?)", (PAUSE,)), *queries[1:]], snapshot=snapshot)
            return [rows[0], *rows[2:]]
        hold_after_next_read.set()
        return original(self, queries, snapshot=snapshot)

    original_all = driver.RawSQL.all
    hold_after_next_read = threading.Event()

    def all_then_hold(self, sql, params):
        rows = original_all(self, sql, params)
        if hold_after_next_read.is_set():
            hold_after_next_read.clear()
            time.sleep(PAUSE)
        return rows

    def state(response) -> tuple[str, str, str | None]:
        assert response.status_code == 200, response.text
        body = response.json()
        return body["status"], response.headers["etag"], (body["next_action"] or {}).get("kind")

    before = state(client.get(path, headers=tenant.headers))
    committed: list[float] = []

    def reject() -> None:
        paused.wait(10)
        time.sleep(PAUSE / 4)
        event = {"type": "rejection_received", "occurred_at": (NOW - timedelta(hours=1)).isoformat()}
        response = TestClient(app).post(f"{path}/events", json=event, headers=tenant.headers)
        assert response.status_code == 201, response.text
        committed.append(time.monotonic())

    monkeypatch.setattr(driver.RawSQL, "all_together", held_between_reads)
    monkeypatch.setattr(driver.RawSQL, "all", all_then_hold)
    writer = threading.Thread(target=reject)
    writer.start()
    during = client.get(path, headers=tenant.headers)
    answered = time.monotonic()
    writer.join(30)
    after = state(client.get(path, headers=tenant.headers))

    assert paused.is_set() and committed and committed[0] < answered, "the write did not commit while the read was held"
    assert after[0] != before[0] and after[1] != before[1] and after[2] != before[2], (before, after)
    assert state(during) in (before, after), f"read {state(during)}: neither {before} nor {after}"
