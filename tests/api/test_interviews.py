"""Interviews: create, read, list (filters, cursor), patch, delete; bad input refused."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.helpers import (
    ago,
    assert_problem,
    create_interview,
    error_locs,
    interview_body,
    iso,
    random_id,
    record_event,
    snapshot,
)

PUBLIC_FIELDS = {
    "id", "candidate_name", "candidate_email", "job_title", "company_name", "starts_at", "duration_minutes",
    "timezone", "format", "interviewers", "topics", "missed_points", "decision_timeline_days", "agency",
    "external_ref", "notes", "status", "next_action", "created_at", "updated_at",
}


def parse(ts: str) -> datetime:
    value = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"{ts} has no offset"
    return value


# --- create and read ------------------------------------------------------------------


def test_create_answers_201_with_location_and_etag(client, tenant):
    starts = (datetime.now(UTC) - timedelta(days=2)).astimezone().replace(microsecond=0)
    body = interview_body(starts_at=starts.isoformat(), agency={"name": "Hire Co", "contact_name": "Pat", "contact_email": "pat@hire.example"})
    r = client.post("/v1/interviews", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == PUBLIC_FIELDS
    uuid.UUID(created["id"])
    assert r.headers["location"] == f"/v1/interviews/{created['id']}"
    assert r.headers["etag"].startswith('"') and r.headers["etag"].endswith('"')
    assert r.headers["content-type"] == "application/json"
    assert parse(created["starts_at"]) == starts
    assert created["starts_at"].endswith("Z")
    assert created["status"] == "active"
    assert created["agency"] == {"name": "Hire Co", "contact_name": "Pat", "contact_email": "pat@hire.example"}
    assert [c["name"] for c in created["interviewers"]] == ["Dana Lee", "Sam Roe"]
    for contact in created["interviewers"]:
        uuid.UUID(contact["id"])
        assert contact["is_human"] is True
    assert created["next_action"] is not None
    assert parse(created["created_at"]) == parse(created["updated_at"])

    got = client.get(r.headers["location"], headers=tenant.headers)
    assert got.status_code == 200
    assert got.json() == created
    assert got.headers["etag"] == r.headers["etag"]


def test_next_action_of_a_scheduled_interview_is_its_upcoming_thank_you(client, tenant):
    """api-contract: `next_action` is the open action (upcoming counts) with the earliest due_at, not the wait."""
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    r = client.post("/v1/interviews", json=interview_body(starts_at=starts.isoformat(), duration_minutes=30),
                    headers=tenant.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "scheduled"
    expected = {"kind": "send_thank_you", "state": "upcoming", "contact_id": created["interviewers"][0]["id"]}
    nxt = created["next_action"]
    assert {k: nxt[k] for k in expected} == expected
    assert parse(nxt["due_at"]) == starts + timedelta(minutes=30, hours=24)
    assert client.get(r.headers["location"], headers=tenant.headers).json()["next_action"] == nxt
    listed = client.get("/v1/interviews", headers=tenant.headers).json()["items"]
    assert [item["next_action"] for item in listed if item["id"] == created["id"]] == [nxt]


def test_create_applies_defaults_and_nulls(client, tenant):
    body = {
        "candidate_name": "Alex Kim",
        "job_title": "Engineer",
        "company_name": "Acme",
        "starts_at": "2026-01-05T10:00:00+00:00",
        "format": "ai",
        "interviewers": [{"name": "Interview Bot", "role": "ai"}, {"name": "Jo", "role": "ai", "is_human": True}],
    }
    r = client.post("/v1/interviews", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["duration_minutes"] == 60
    assert created["timezone"] == "UTC"
    assert created["topics"] == []
    for absent in ("candidate_email", "missed_points", "decision_timeline_days", "agency", "external_ref", "notes"):
        assert absent in created and created[absent] is None, absent
    contact = created["interviewers"][0]
    assert contact["role"] == "ai" and contact["is_human"] is False
    assert contact["email"] is None and contact["rapport"] is None and contact["linkedin_url"] is None
    assert created["interviewers"][1]["is_human"] is False, "an AI contact is never human"


def test_status_is_scheduled_before_the_end(client, tenant):
    future = create_interview(client, tenant, starts_at=iso(datetime.now(UTC) + timedelta(days=2)))
    assert future["status"] == "scheduled"


def test_boundaries_are_accepted(client, tenant):
    body = interview_body(
        candidate_name="n" * 200,
        job_title="t" * 200,
        company_name="c" * 200,
        interviewers=[{"name": f"Person {i}"} for i in range(20)],
        topics=["x" * 300 for _ in range(20)],
        missed_points="m" * 10_000,
        notes="n" * 10_000,
        duration_minutes=1440,
        decision_timeline_days=365,
    )
    r = client.post("/v1/interviews", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text[:500]
    assert len(r.json()["interviewers"]) == 20


def test_get_missing_interview_is_404(client, tenant):
    assert_problem(client.get(f"/v1/interviews/{random_id()}", headers=tenant.headers), 404)
    assert_problem(client.get("/v1/interviews/not-a-uuid", headers=tenant.headers), 404)


def test_duplicate_external_ref_is_409_and_stores_nothing(client, app, tenant):
    create_interview(client, tenant, external_ref="ATS-7")
    before = snapshot(app.state.db)
    assert_problem(client.post("/v1/interviews", json=interview_body(external_ref="ATS-7"), headers=tenant.headers), 409)
    assert snapshot(app.state.db) == before


# --- 422: bad input --------------------------------------------------------------------

_LONG = "x" * 201


CREATE_422 = [
    ({"starts_at": "2026-01-05T10:00:00"}, "body.starts_at"),
    ({"starts_at": "yesterday"}, "body.starts_at"),
    ({"starts_at": 1767607200}, "body.starts_at"),
    ({"timezone": "Mars/Olympus"}, "body.timezone"),
    ({"timezone": ""}, "body.timezone"),
    ({"timezone": "localtime"}, "body.timezone"),  # the host's own zone, not an IANA name
    ({"format": "carrier_pigeon"}, "body.format"),
    ({"candidate_name": ""}, "body.candidate_name"),
    ({"candidate_name": "   "}, "body.candidate_name"),
    ({"job_title": ""}, "body.job_title"),
    ({"company_name": None}, "body.company_name"),
    ({"candidate_name": _LONG}, "body.candidate_name"),
    ({"job_title": _LONG}, "body.job_title"),
    ({"company_name": _LONG}, "body.company_name"),
    ({"candidate_name": "Alex\nBcc: x@evil.example"}, "body.candidate_name"),
    ({"interviewers": [{"name": f"P{i}"} for i in range(21)]}, "body.interviewers"),
    ({"topics": [f"t{i}" for i in range(21)]}, "body.topics"),
    ({"topics": ["x" * 301]}, "body.topics.0"),
    ({"missed_points": "m" * 10_001}, "body.missed_points"),
    ({"notes": "n" * 10_001}, "body.notes"),
    ({"external_ref": _LONG}, "body.external_ref"),
    ({"candidate_email": "not-an-email"}, "body.candidate_email"),
    ({"agency": {"contact_email": "pat@"}}, "body.agency.contact_email"),
    ({"agency": {"name": "A", "phone": "1"}}, "body.agency.phone"),
    ({"interviewers": [{"name": "D", "email": "dana at acme"}]}, "body.interviewers.0.email"),
    ({"interviewers": [{"name": "D", "linkedin_url": "not a url"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "linkedin_url": "javascript:alert(1)"}]}, "body.interviewers.0.linkedin_url"),
    # Kept as sent, so what a URL cannot hold must be refused: PostgreSQL cannot store a NUL,
    # and a line break or space is no part of a URL (RFC 3986).
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/d\x00x"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/d\nBcc: x"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/dana lee"}]}, "body.interviewers.0.linkedin_url"),
    # trailing whitespace too: the spec publishes the pattern, and the contract fuzzer sent "https://lëª\f \t\r\n"
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/d\r\n"}]}, "body.interviewers.0.linkedin_url"),
    # Unicode spaces too, anywhere: a trailing one was silently stripped, an inner one kept
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/d\u00a0"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/d\u3000"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "linkedin_url": "https://www.linkedin.com/in/da\u2009na"}]}, "body.interviewers.0.linkedin_url"),
    ({"interviewers": [{"name": "D", "role": "boss"}]}, "body.interviewers.0.role"),
    ({"interviewers": [{"name": "D", "rapport": "great"}]}, "body.interviewers.0.rapport"),
    ({"interviewers": [{"name": ""}]}, "body.interviewers.0.name"),
    ({"interviewers": [{"name": "D", "id": "my-id"}]}, "body.interviewers.0.id"),
    ({"duration_minutes": 0}, "body.duration_minutes"),
    ({"duration_minutes": 1441}, "body.duration_minutes"),
    ({"decision_timeline_days": 366}, "body.decision_timeline_days"),
    ({"decision_timeline_days": -1}, "body.decision_timeline_days"),
    ({"id": str(uuid.uuid4())}, "body.id"),
    ({"tenant_id": str(uuid.uuid4())}, "body.tenant_id"),
    ({"status": "closed"}, "body.status"),
    ({"created_at": "2026-01-01T00:00:00Z"}, "body.created_at"),
    ({"next_action": None}, "body.next_action"),
]


def _check_422(r, loc: str) -> None:
    assert_problem(r, 422)
    assert any(found == loc or found.startswith(loc + ".") for found in error_locs(r)), (loc, r.json())


def _collect(cases, call) -> list[str]:
    failures = []
    for payload, loc in cases:
        try:
            _check_422(call(payload), loc)
        except AssertionError as error:
            failures.append(f"{payload!r:.120}: {error}")
    return failures


def test_create_refuses_bad_input(client, app, tenant):
    """Each case alone on an otherwise valid body: 422 naming the field, nothing stored."""
    before = snapshot(app.state.db)
    failures = _collect(CREATE_422, lambda o: client.post("/v1/interviews", json=interview_body(**o), headers=tenant.headers))
    assert not failures, "\n".join(failures)
    assert snapshot(app.state.db) == before


@pytest.mark.parametrize("missing", ["candidate_name", "job_title", "company_name", "starts_at", "format"])
def test_create_requires_fields(client, tenant, missing):
    body = interview_body()
    del body[missing]
    r = client.post("/v1/interviews", json=body, headers=tenant.headers)
    assert_problem(r, 422)
    assert f"body.{missing}" in error_locs(r)


def test_every_bad_field_is_named(client, tenant):
    r = client.post(
        "/v1/interviews",
        json=interview_body(timezone="Nowhere/City", format="fax", starts_at="2026-01-01T10:00:00"),
        headers=tenant.headers,
    )
    assert_problem(r, 422)
    assert {"body.timezone", "body.format", "body.starts_at"} <= set(error_locs(r))


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_body_must_be_an_object(client, tenant, body):
    assert_problem(client.post("/v1/interviews", json=body, headers=tenant.headers), 422)


# --- list: filters and cursor -----------------------------------------------------------


def _ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_list_is_empty_then_has_items(client, tenant):
    r = client.get("/v1/interviews", headers=tenant.headers)
    assert r.status_code == 200
    assert r.json() == {"items": [], "next_cursor": None}
    created = create_interview(client, tenant)
    page = client.get("/v1/interviews", headers=tenant.headers).json()
    assert page["items"] == [created]
    assert page["next_cursor"] is None


def test_list_filters(client, tenant):
    now = datetime.now(UTC)
    past = create_interview(client, tenant, company_name="Acme", external_ref="ref-1")
    future = create_interview(client, tenant, company_name="Globex", starts_at=iso(now + timedelta(days=3)))
    rejected = create_interview(client, tenant, company_name="Acme")
    record_event(client, tenant, rejected["id"], type="rejection_received")

    def listed(**params) -> list[str]:
        r = client.get("/v1/interviews", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        return _ids(r.json())

    assert listed() == [past["id"], future["id"], rejected["id"]]
    assert listed(status="scheduled") == [future["id"]]
    assert listed(status="active") == [past["id"]]
    assert listed(status="rejected") == [rejected["id"]]
    assert listed(status="offer_received") == []
    assert listed(company_name="Acme") == [past["id"], rejected["id"]]
    assert listed(company_name="acme") == []
    assert listed(external_ref="ref-1") == [past["id"]]
    assert listed(external_ref="ref-2") == []
    # Stored without surrounding spaces, so found by the value as sent, spaces and all.
    assert listed(external_ref="  ref-1 ") == [past["id"]]
    assert listed(company_name=" Acme") == [past["id"], rejected["id"]]
    assert listed(company_name="Acme", status="active") == [past["id"]]
    # updated_after is strict and takes any offset.
    first_updated = parse(client.get(f"/v1/interviews/{past['id']}", headers=tenant.headers).json()["updated_at"])
    assert listed(updated_after=iso(first_updated)) == [future["id"], rejected["id"]]
    assert listed(updated_after=first_updated.astimezone(UTC).astimezone().isoformat()) == [future["id"], rejected["id"]]
    assert listed(updated_after=iso(first_updated - timedelta(seconds=1))) == [past["id"], future["id"], rejected["id"]]
    assert listed(updated_after=iso(now + timedelta(days=1))) == []
    # A patch moves updated_at forward, so the interview shows up again.
    client.patch(f"/v1/interviews/{past['id']}", json={"notes": "touched"}, headers=tenant.headers)
    assert listed(updated_after=iso(parse(client.get(f"/v1/interviews/{rejected['id']}", headers=tenant.headers).json()["updated_at"]))) == [past["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"updated_after": "2026-01-01T00:00:00"},
        {"updated_after": "soon"},
        {"limit": 0},
        {"limit": 201},
        {"limit": -1},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "W10"},
        {"company_name": "c" * 201},
    ],
)
def test_list_refuses_bad_parameters(client, tenant, params):
    assert_problem(client.get("/v1/interviews", params=params, headers=tenant.headers), 422)


def test_cursor_pagination_is_complete_and_stable(client, tenant):
    created = [create_interview(client, tenant, candidate_name=f"Candidate {i}")["id"] for i in range(7)]
    everything = client.get("/v1/interviews", params={"limit": 200}, headers=tenant.headers).json()
    assert everything["next_cursor"] is None
    assert _ids(everything) == created, "oldest first, in creation order"

    seen: list[str] = []
    cursor = None
    sizes = []
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/interviews", params=params, headers=tenant.headers).json()
        sizes.append(len(page["items"]))
        seen += _ids(page)
        if len(seen) == 3:
            # An interview created mid-way lands at the end, never shifting a page.
            created.append(create_interview(client, tenant, candidate_name="Late")["id"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    assert sizes == [3, 3, 2]

    # The same cursor gives the same page again.
    first = client.get("/v1/interviews", params={"limit": 3}, headers=tenant.headers).json()
    again = [client.get("/v1/interviews", params={"limit": 3, "cursor": first["next_cursor"]}, headers=tenant.headers).json() for _ in range(2)]
    assert again[0] == again[1]
    assert _ids(again[0]) == created[3:6]


def test_limit_bounds(client, tenant):
    for _ in range(3):
        create_interview(client, tenant)
    one = client.get("/v1/interviews", params={"limit": 1}, headers=tenant.headers).json()
    assert len(one["items"]) == 1 and one["next_cursor"]
    assert len(client.get("/v1/interviews", params={"limit": 200}, headers=tenant.headers).json()["items"]) == 3
    exact = client.get("/v1/interviews", params={"limit": 3}, headers=tenant.headers).json()
    assert len(exact["items"]) == 3 and exact["next_cursor"] is None


def test_default_limit_is_50(client, app, tenant):
    from app.db import interviews as repo
    from app.services.interviews import build_interview

    now = datetime.now(UTC)
    with app.state.db.session(write=True) as session:
        for i in range(51):
            fields = {**interview_body(), "starts_at": now - timedelta(days=1)}
            repo.insert_interview(session, tenant_id=tenant.tenant_id, interview=build_interview(str(uuid.uuid4()), fields, ()),
                                  external_ref=None, notes=None, plan_policy_version=0, now=now + timedelta(microseconds=i))
    page = client.get("/v1/interviews", headers=tenant.headers).json()
    assert len(page["items"]) == 50 and page["next_cursor"]
    rest = client.get("/v1/interviews", params={"cursor": page["next_cursor"]}, headers=tenant.headers).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


# --- patch -------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(client, tenant):
    created = create_interview(client, tenant, notes="first", external_ref="A-1")
    r = client.patch(f"/v1/interviews/{created['id']}", json={"notes": "second", "job_title": "Staff Engineer"}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["notes"] == "second" and updated["job_title"] == "Staff Engineer"
    unchanged = {k: v for k, v in created.items() if k not in ("notes", "job_title", "updated_at", "next_action")}
    assert {k: updated[k] for k in unchanged} == unchanged
    assert parse(updated["updated_at"]) > parse(created["updated_at"])
    assert client.get(f"/v1/interviews/{created['id']}", headers=tenant.headers).json() == updated


def test_patch_changes_the_etag(client, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    first = r.headers["etag"]
    patched = client.patch(r.headers["location"], json={"notes": "x"}, headers=tenant.headers)
    assert patched.headers["etag"] != first
    assert client.get(r.headers["location"], headers=tenant.headers).headers["etag"] == patched.headers["etag"]


def test_a_patch_that_changes_nothing_writes_nothing(client, app, tenant):
    """`{}`, or fields sent as they are stored (contacts with their ids included): the same
    version, ETag and updated_at, so a client syncing by updated_after is not sent it again."""
    r = client.post("/v1/interviews", json=interview_body(notes="n", external_ref="R-1"), headers=tenant.headers)
    created, path = r.json(), r.headers["location"]
    before = snapshot(app.state.db)
    same = {k: created[k] for k in ("candidate_name", "starts_at", "timezone", "notes", "external_ref", "topics", "agency")}
    contacts = [{k: c[k] for k in ("id", "name", "email", "role", "is_human", "rapport", "linkedin_url")} for c in created["interviewers"]]
    for body in ({}, same, {"interviewers": contacts}):
        patched = client.patch(path, json=body, headers={**tenant.headers, "If-Match": r.headers["etag"]})
        assert patched.status_code == 200, patched.text
        assert patched.headers["etag"] == r.headers["etag"], body
        assert patched.json() == created, body
    assert snapshot(app.state.db) == before
    changed = client.patch(path, json={"notes": "other"}, headers=tenant.headers)
    assert changed.headers["etag"] != r.headers["etag"]
    assert parse(changed.json()["updated_at"]) > parse(created["updated_at"])


def test_a_patch_that_changes_nothing_answers_with_the_current_policys_plan(client, app, tenant):
    r = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers)
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    changed = {**policy, "thank_you_due_hours": 30, "thank_you_late_hours": 60}
    assert client.put("/v1/policy", json=changed, headers=tenant.headers).status_code == 200
    patched = client.patch(r.headers["location"], json={}, headers=tenant.headers)
    assert patched.headers["etag"] == r.headers["etag"]
    assert patched.json() == client.get(r.headers["location"], headers=tenant.headers).json()
    assert patched.json()["next_action"] != r.json()["next_action"]


def test_patch_can_clear_optional_fields_and_move_the_start(client, tenant):
    created = create_interview(client, tenant, notes="n", external_ref="R", missed_points="m")
    new_start = ago(days=5)
    r = client.patch(
        f"/v1/interviews/{created['id']}",
        json={"notes": None, "external_ref": None, "missed_points": None, "agency": None, "starts_at": iso(new_start), "timezone": "Asia/Tokyo"},
        headers=tenant.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["notes"] is None and body["external_ref"] is None and body["missed_points"] is None
    assert parse(body["starts_at"]) == new_start and body["timezone"] == "Asia/Tokyo"


def test_patch_replaces_interviewers_keeping_ids(client, tenant):
    created = create_interview(client, tenant)
    dana, sam = created["interviewers"]
    r = client.patch(
        f"/v1/interviews/{created['id']}",
        json={"interviewers": [{"name": "Newcomer", "role": "interviewer"}, {"id": dana["id"], "name": "Dana Lee-Smith", "role": "hiring_manager"}]},
        headers=tenant.headers,
    )
    assert r.status_code == 200, r.text
    contacts = r.json()["interviewers"]
    assert [c["name"] for c in contacts] == ["Newcomer", "Dana Lee-Smith"]
    assert contacts[1]["id"] == dana["id"]
    assert contacts[0]["id"] not in (dana["id"], sam["id"])
    uuid.UUID(contacts[0]["id"])
    assert sam["id"] not in r.text
    assert client.get(f"/v1/interviews/{created['id']}", headers=tenant.headers).json()["interviewers"] == contacts


def test_patch_without_interviewers_keeps_them(client, tenant):
    created = create_interview(client, tenant)
    r = client.patch(f"/v1/interviews/{created['id']}", json={"topics": ["a", "b"]}, headers=tenant.headers)
    assert r.json()["interviewers"] == created["interviewers"]
    assert r.json()["topics"] == ["a", "b"]


def test_removing_a_contact_named_by_an_event_is_409_and_changes_nothing(client, app, tenant):
    created = create_interview(client, tenant)
    dana, sam = created["interviewers"]
    record_event(client, tenant, created["id"], type="thank_you_sent", contact_id=sam["id"])
    before = snapshot(app.state.db)
    r = client.patch(
        f"/v1/interviews/{created['id']}", json={"interviewers": [{"id": dana["id"], "name": "Dana"}], "notes": "x"}, headers=tenant.headers
    )
    body = assert_problem(r, 409)
    assert "Sam Roe" in body["detail"]
    assert snapshot(app.state.db) == before
    # Removing the one no event names is fine.
    r = client.patch(f"/v1/interviews/{created['id']}", json={"interviewers": [{"id": sam["id"], "name": "Sam Roe"}]}, headers=tenant.headers)
    assert r.status_code == 200, r.text


PATCH_422 = [
    ({"starts_at": "2026-01-01T10:00:00"}, "body.starts_at"),
    ({"timezone": "Europe/Atlantis"}, "body.timezone"),
    ({"format": "smoke_signals"}, "body.format"),
    ({"candidate_name": ""}, "body.candidate_name"),
    ({"candidate_name": None}, "body"),
    ({"starts_at": None}, "body"),
    ({"topics": ["t"] * 21}, "body.topics"),
    ({"interviewers": [{"name": "P"}] * 21}, "body.interviewers"),
    ({"interviewers": [{"id": "00000000-0000-4000-8000-000000000000", "name": "Ghost"}]}, "body.interviewers.0.id"),
    ({"id": "00000000-0000-4000-8000-000000000000"}, "body.id"),
    ({"tenant_id": "00000000-0000-4000-8000-000000000000"}, "body.tenant_id"),
    ({"updated_at": "2026-01-01T00:00:00Z"}, "body.updated_at"),
    ({"candidate_email": "nope"}, "body.candidate_email"),
    ({"notes": "n" * 10_001}, "body.notes"),
]


def test_patch_refuses_bad_input(client, app, tenant):
    created = create_interview(client, tenant)
    before = snapshot(app.state.db)
    failures = _collect(PATCH_422, lambda p: client.patch(f"/v1/interviews/{created['id']}", json=p, headers=tenant.headers))
    assert not failures, "\n".join(failures)
    assert snapshot(app.state.db) == before


def test_patch_names_every_required_field_sent_as_null_at_its_place(client, app, tenant):
    """Each at `body.<field>`, all in one 422, as every other refused field is (a client
    marks the form's fields by `loc`): it was one error at `body`, for the first only."""
    created = create_interview(client, tenant)
    before = snapshot(app.state.db)
    sent = {"candidate_name": None, "starts_at": None, "timezone": None, "duration_minutes": None, "notes": None}
    problem = assert_problem(client.patch(f"/v1/interviews/{created['id']}", json=sent, headers=tenant.headers), 422)
    assert {e["loc"] for e in problem["errors"]} == {"body.candidate_name", "body.starts_at", "body.timezone", "body.duration_minutes"}
    assert snapshot(app.state.db) == before


def test_patch_duplicate_contact_ids_is_422(client, tenant):
    created = create_interview(client, tenant)
    dana = created["interviewers"][0]
    r = client.patch(
        f"/v1/interviews/{created['id']}",
        json={"interviewers": [{"id": dana["id"], "name": "A"}, {"id": dana["id"], "name": "B"}]},
        headers=tenant.headers,
    )
    assert_problem(r, 422)


def test_patch_cannot_take_another_interviews_contact(client, tenant):
    first = create_interview(client, tenant)
    second = create_interview(client, tenant)
    foreign = first["interviewers"][0]
    r = client.patch(f"/v1/interviews/{second['id']}", json={"interviewers": [{"id": foreign["id"], "name": "Stolen"}]}, headers=tenant.headers)
    assert_problem(r, 422)
    assert client.get(f"/v1/interviews/{first['id']}", headers=tenant.headers).json()["interviewers"][0] == foreign


def test_patch_cannot_move_the_start_after_recorded_events(client, tenant):
    created = create_interview(client, tenant, starts_at=iso(ago(days=3)))
    record_event(client, tenant, created["id"], type="response_received", occurred_at=iso(ago(days=2)))
    r = client.patch(f"/v1/interviews/{created['id']}", json={"starts_at": iso(ago(days=1))}, headers=tenant.headers)
    assert_problem(r, 422)


def test_patch_duplicate_external_ref_is_409(client, tenant):
    create_interview(client, tenant, external_ref="X-1")
    other = create_interview(client, tenant, external_ref="X-2")
    assert_problem(client.patch(f"/v1/interviews/{other['id']}", json={"external_ref": "X-1"}, headers=tenant.headers), 409)
    # Re-sending its own ref is not a conflict.
    assert client.patch(f"/v1/interviews/{other['id']}", json={"external_ref": "X-2"}, headers=tenant.headers).status_code == 200


def test_patch_missing_is_404(client, tenant):
    assert_problem(client.patch(f"/v1/interviews/{random_id()}", json={"notes": "x"}, headers=tenant.headers), 404)


# --- delete ------------------------------------------------------------------------------


def test_delete_then_404(client, app, tenant):
    keep = create_interview(client, tenant)
    created = create_interview(client, tenant)
    record_event(client, tenant, created["id"], type="thank_you_sent", contact_id=created["interviewers"][0]["id"])
    r = client.delete(f"/v1/interviews/{created['id']}", headers=tenant.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert_problem(client.get(f"/v1/interviews/{created['id']}", headers=tenant.headers), 404)
    assert_problem(client.delete(f"/v1/interviews/{created['id']}", headers=tenant.headers), 404)
    assert_problem(client.get(f"/v1/interviews/{created['id']}/events", headers=tenant.headers), 404)
    assert _ids(client.get("/v1/interviews", headers=tenant.headers).json()) == [keep["id"]]
    rows = snapshot(app.state.db)
    for table in ("interview", "contact", "event", "planned_action"):
        assert created["id"] not in json.dumps(rows[table], default=str), table
    assert any(keep["id"] in json.dumps(row, default=str) for row in rows["planned_action"])
    assert len(rows["contact"]) == 2


# --- HTTP plumbing ----------------------------------------------------------------------


def test_malformed_json_is_400(client, app, tenant):
    before = snapshot(app.state.db)
    for raw in (b'{"candidate_name": ', b"{'single': 'quotes'}", b"\xff\xfe"):
        r = client.post("/v1/interviews", content=raw, headers={**tenant.headers, "content-type": "application/json"})
        assert_problem(r, 400, validation=False)
    created = create_interview(client, tenant)
    r = client.patch(f"/v1/interviews/{created['id']}", content=b"{,}", headers={**tenant.headers, "content-type": "application/json"})
    assert_problem(r, 400, validation=False)
    assert len(snapshot(app.state.db)["interview"]) == len(before["interview"]) + 1


def test_oversized_body_is_413_with_content_length(client, app, tenant):
    before = snapshot(app.state.db)
    body = json.dumps(interview_body(notes="n" * (1024 * 1024))).encode()
    r = client.post("/v1/interviews", content=body, headers={**tenant.headers, "content-type": "application/json"})
    assert int(r.request.headers["content-length"]) > 1024 * 1024
    assert_problem(r, 413)
    assert snapshot(app.state.db) == before


def test_oversized_body_is_413_when_chunked(client, app, tenant):
    before = snapshot(app.state.db)
    payload = json.dumps(interview_body(notes="n" * (1024 * 1024))).encode()

    def chunks():
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start:start + 64 * 1024]

    r = client.post("/v1/interviews", content=chunks(), headers={**tenant.headers, "content-type": "application/json"})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert_problem(r, 413)
    assert snapshot(app.state.db) == before


def test_a_body_just_under_the_limit_is_read(client, tenant):
    """Not a blanket refusal: a large but valid-size body gets to validation (422: notes too long)."""
    body = json.dumps(interview_body(notes="n" * (1024 * 1024 - 2000))).encode()
    assert len(body) < 1024 * 1024
    r = client.post("/v1/interviews", content=body, headers={**tenant.headers, "content-type": "application/json"})
    assert_problem(r, 422)
    assert "body.notes" in error_locs(r)


def test_chunked_body_under_the_limit_works(client, tenant):
    payload = json.dumps(interview_body()).encode()

    def chunks():
        yield payload[:10]
        yield payload[10:]

    r = client.post("/v1/interviews", content=chunks(), headers={**tenant.headers, "content-type": "application/json"})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/interviews", {"GET", "HEAD", "POST"}),
        ("PUT", "/v1/interviews/{id}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("POST", "/v1/interviews/{id}", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("DELETE", "/v1/interviews/{id}/events", {"GET", "HEAD", "POST"}),
        ("POST", "/docs/static/swagger-ui.css", {"GET", "HEAD"}),  # a static mount: it had an empty Allow
    ],
)
def test_wrong_method_is_405_problem(client, tenant, method, path, allowed):
    r = client.request(method, path.replace("{id}", random_id()), headers=tenant.headers)
    assert_problem(r, 405)
    assert {m.strip() for m in r.headers["allow"].split(",")} == allowed


def test_unknown_path_is_404_problem(client, tenant):
    assert_problem(client.get("/v1/nothing-here", headers=tenant.headers), 404)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_trailing_slash_is_a_404_naming_the_path_not_a_redirect(client, tenant, method):
    """Starlette answered 307 to an absolute URL built from the Host header (http:// behind a TLS proxy)."""
    r = client.request(method, "/v1/interviews/", json=interview_body(), headers=tenant.headers, follow_redirects=False)
    problem = assert_problem(r, 404)
    assert "location" not in r.headers
    assert problem["detail"] == "There is no such resource here: the API's paths end without a slash (/v1/interviews)."
    assert client.get("/v1/interviews", headers=tenant.headers).json()["items"] == []  # nothing was created


def test_nul_characters_are_refused_never_a_500(client, app, tenant):
    """PostgreSQL cannot store NUL in text; no backend may answer a 500 for it."""
    created = create_interview(client, tenant)
    before = snapshot(app.state.db)
    for field in ("notes", "missed_points", "candidate_name", "external_ref"):
        r = client.post("/v1/interviews", json=interview_body(**{field: "a\x00b"}), headers=tenant.headers)
        assert_problem(r, 422)
        assert f"body.{field}" in error_locs(r)
    r = client.patch(f"/v1/interviews/{created['id']}", json={"notes": "\x00"}, headers=tenant.headers)
    assert_problem(r, 422)
    assert "body.notes" in error_locs(r)
    r = client.post(f"/v1/interviews/{created['id']}/events", json={"type": "response_received", "note": "x\x00"}, headers=tenant.headers)
    assert_problem(r, 422)
    assert "body.note" in error_locs(r)
    r = client.post(f"/v1/interviews/{created['id']}/events", json={"type": "response_received", "contact_id": "\x00"}, headers=tenant.headers)
    assert_problem(r, 422)
    assert snapshot(app.state.db) == before
    # In a path or a query a NUL is refused at its parameter (tests/api/test_odd_input.py): never a server error.
    for r in (
        client.get("/v1/interviews", params={"company_name": "a\x00b"}, headers=tenant.headers),
        client.get("/v1/interviews", params={"external_ref": "\x00"}, headers=tenant.headers),
        client.get("/v1/interviews/a%00b", headers=tenant.headers),
        client.delete("/v1/interviews/a%00b", headers=tenant.headers),
        client.get("/v1/interviews/a%00b/events", headers=tenant.headers),
    ):
        assert_problem(r, 422)


def test_timestamps_out_of_range_are_422_never_a_500(client, tenant):
    created = create_interview(client, tenant)
    extremes = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-01:00"]
    failures = []
    for value in extremes:
        calls = {
            "create": client.post("/v1/interviews", json=interview_body(starts_at=value), headers=tenant.headers),
            "patch": client.patch(f"/v1/interviews/{created['id']}", json={"starts_at": value}, headers=tenant.headers),
            "event": client.post(f"/v1/interviews/{created['id']}/events", json={"type": "closed", "occurred_at": value}, headers=tenant.headers),
            "list": client.get("/v1/interviews", params={"updated_after": value}, headers=tenant.headers),
            "actions at": client.get(f"/v1/interviews/{created['id']}/actions", params={"at": value}, headers=tenant.headers),
            "due_before": client.get("/v1/actions", params={"due_before": value}, headers=tenant.headers),
        }
        for name, r in calls.items():
            if r.status_code != 422:
                failures.append(f"{name} {value}: {r.status_code} {r.text[:150]}")
            else:
                assert_problem(r, 422)
    assert not failures, "\n".join(failures)


def test_the_sync_overlap_documented_for_updated_after_is_how_late_a_write_may_commit():
    """The spec tells pollers to overlap by the longest a write stamped at its arrival may take to commit."""
    from app.api.app import late_write
    from app.api.routes.interviews import UPDATED_AFTER_DOC
    from app.settings import Settings

    defaults = Settings()
    late = late_write(defaults)
    assert f"about {late.total_seconds():.0f} s later" in UPDATED_AFTER_DOC
    assert f"from {late.total_seconds():.0f} s" in UPDATED_AFTER_DOC


def test_what_people_paste_is_accepted_and_published_as_such(client, tenant):
    """Non-ASCII addresses and profile URLs are taken; the spec says `idn-email` and `iri`, not the
    stricter `email` and `uri` a generated client or the fuzzer would hold them to."""
    contact = {"name": "José", "email": "jose@straße.de", "linkedin_url": "https://www.linkedin.com/in/josé"}
    r = client.post("/v1/interviews", json=interview_body(interviewers=[contact]), headers=tenant.headers)
    assert r.status_code == 201, r.text
    assert r.json()["interviewers"][0]["linkedin_url"] == contact["linkedin_url"]
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    fields = schemas["ContactCreate"]["properties"]
    formats = {name: [a.get("format") for a in fields[name]["anyOf"]] for name in ("email", "linkedin_url")}
    assert formats == {"email": ["idn-email", None], "linkedin_url": ["iri", None]}
