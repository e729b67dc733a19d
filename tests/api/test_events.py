"""Events: record what happened (validated), read the timeline in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.helpers import (
    ago,
    assert_problem,
    create_interview,
    error_locs,
    iso,
    random_id,
    record_event,
    snapshot,
)

EVENT_FIELDS = {"id", "interview_id", "type", "occurred_at", "contact_id", "timeline_days", "note", "created_at"}


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_create_event_answers_201_with_location(client, tenant):
    interview = create_interview(client, tenant)
    dana = interview["interviewers"][0]
    occurred = ago(hours=30).astimezone()  # local offset in, UTC out
    r = client.post(
        f"/v1/interviews/{interview['id']}/events",
        json={"type": "thank_you_sent", "occurred_at": occurred.isoformat(), "contact_id": dana["id"], "note": "sent by email"},
        headers=tenant.headers,
    )
    assert r.status_code == 201, r.text
    event = r.json()
    assert set(event) == EVENT_FIELDS
    assert event["interview_id"] == interview["id"]
    assert event["type"] == "thank_you_sent" and event["contact_id"] == dana["id"] and event["note"] == "sent by email"
    assert event["timeline_days"] is None
    assert parse(event["occurred_at"]) == occurred and event["occurred_at"].endswith("Z")
    assert r.headers["location"].startswith(f"/v1/interviews/{interview['id']}/events/")
    assert r.headers["location"].endswith(event["id"])


def test_location_of_a_created_event_can_be_read(client, tenant):
    interview = create_interview(client, tenant)
    r = client.post(f"/v1/interviews/{interview['id']}/events", json={"type": "response_received"}, headers=tenant.headers)
    assert r.status_code == 201
    got = client.get(r.headers["location"], headers=tenant.headers)
    assert got.status_code == 200, f"Location {r.headers['location']} answers {got.status_code}"
    assert got.json() == r.json()


def test_an_event_carries_an_etag_that_never_changes(client, tenant):
    """Resources carry an ETag (api-contract); an event is never changed, so its ETag is that of its only version."""
    interview = create_interview(client, tenant)
    path = f"/v1/interviews/{interview['id']}/events"
    key = {**tenant.headers, "Idempotency-Key": random_id()}
    r = client.post(path, json={"type": "response_received"}, headers=key)
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    assert client.post(path, json={"type": "response_received"}, headers=key).headers["etag"] == '"1"'  # replayed
    got = client.get(r.headers["location"], headers=tenant.headers)
    assert got.headers["etag"] == r.headers["etag"] and got.headers["content-type"] == "application/json"
    assert client.head(r.headers["location"], headers=tenant.headers).headers["etag"] == '"1"'
    record_event(client, tenant, interview["id"], type="thank_you_sent", contact_id=interview["interviewers"][0]["id"])
    assert client.get(r.headers["location"], headers=tenant.headers).headers["etag"] == '"1"'


def test_occurred_at_defaults_to_now(client, tenant):
    interview = create_interview(client, tenant)
    before = datetime.now(UTC)
    event = record_event(client, tenant, interview["id"], type="response_received", timeline_days=5)
    after = datetime.now(UTC)
    assert before - timedelta(seconds=1) <= parse(event["occurred_at"]) <= after + timedelta(seconds=1)
    assert event["timeline_days"] == 5


def test_list_events_in_the_order_they_happened(client, tenant):
    interview = create_interview(client, tenant, starts_at=iso(ago(days=10)))
    dana = interview["interviewers"][0]["id"]
    late = record_event(client, tenant, interview["id"], type="follow_up_sent", occurred_at=iso(ago(days=1)), contact_id=dana)
    early = record_event(client, tenant, interview["id"], type="thank_you_sent", occurred_at=iso(ago(days=9)), contact_id=dana)
    middle = record_event(client, tenant, interview["id"], type="linkedin_request_sent", occurred_at=iso(ago(days=5)), contact_id=dana)
    r = client.get(f"/v1/interviews/{interview['id']}/events", headers=tenant.headers)
    assert r.status_code == 200
    assert r.json() == {"items": [early, middle, late], "next_cursor": None}


def test_list_events_cursor(client, tenant):
    interview = create_interview(client, tenant, starts_at=iso(ago(days=10)))
    same_moment = iso(ago(days=4))
    created = [record_event(client, tenant, interview["id"], type="response_received", occurred_at=same_moment)["id"] for _ in range(3)]
    created += [record_event(client, tenant, interview["id"], type="response_received", occurred_at=iso(ago(days=d)))["id"] for d in (3, 2)]
    full = client.get(f"/v1/interviews/{interview['id']}/events", params={"limit": 200}, headers=tenant.headers).json()
    assert sorted(e["id"] for e in full["items"]) == sorted(created)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/v1/interviews/{interview['id']}/events", params=params, headers=tenant.headers).json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == full["items"]
    for params in ({"limit": 0}, {"limit": 201}, {"cursor": "garbage"}):
        assert_problem(client.get(f"/v1/interviews/{interview['id']}/events", params=params, headers=tenant.headers), 422)


def test_outcome_event_sets_status_and_etag(client, tenant):
    interview = create_interview(client, tenant)
    first = client.get(f"/v1/interviews/{interview['id']}", headers=tenant.headers)
    assert first.json()["status"] == "active"
    record_event(client, tenant, interview["id"], type="offer_received")
    second = client.get(f"/v1/interviews/{interview['id']}", headers=tenant.headers)
    assert second.json()["status"] == "offer_received"
    assert second.headers["etag"] != first.headers["etag"]


def test_event_on_missing_interview_is_404(client, app, tenant):
    before = snapshot(app.state.db)
    assert_problem(client.post(f"/v1/interviews/{random_id()}/events", json={"type": "closed"}, headers=tenant.headers), 404)
    assert_problem(client.get(f"/v1/interviews/{random_id()}/events", headers=tenant.headers), 404)
    assert snapshot(app.state.db) == before


def test_bad_events_are_422_and_change_nothing(client, app, tenant):
    interview = create_interview(client, tenant, starts_at=iso(ago(days=3)))
    other = create_interview(client, tenant)
    dana = interview["interviewers"][0]["id"]
    foreign_contact = other["interviewers"][0]["id"]
    cases = [
        ({"type": "thank_you_sent", "occurred_at": "2026-01-05T10:00:00"}, "body.occurred_at"),
        ({"type": "thank_you_sent", "occurred_at": "last tuesday"}, "body.occurred_at"),
        ({"type": "coffee_had"}, "body.type"),
        ({"type": ""}, "body.type"),
        ({}, "body.type"),
        ({"type": "thank_you_sent", "contact_id": foreign_contact}, "body"),
        ({"type": "thank_you_sent", "contact_id": random_id()}, "body"),
        ({"type": "thank_you_sent", "occurred_at": iso(ago(days=4))}, "body"),
        ({"type": "thank_you_sent", "occurred_at": iso(datetime.now(UTC) + timedelta(hours=1))}, "body"),
        ({"type": "thank_you_sent", "timeline_days": 3}, "body"),
        ({"type": "response_received", "timeline_days": 366}, "body.timeline_days"),
        ({"type": "response_received", "timeline_days": -1}, "body.timeline_days"),
        ({"type": "response_received", "note": "n" * 10_001}, "body.note"),
        ({"type": "response_received", "id": random_id()}, "body.id"),
        ({"type": "response_received", "interview_id": other["id"]}, "body.interview_id"),
        ({"type": "response_received", "created_at": iso(ago(hours=1))}, "body.created_at"),
    ]
    before = snapshot(app.state.db)
    failures = []
    for body, loc in cases:
        r = client.post(f"/v1/interviews/{interview['id']}/events", json=body, headers=tenant.headers)
        try:
            assert_problem(r, 422)
            assert any(found == loc or found.startswith(loc + ".") for found in error_locs(r)), error_locs(r)
        except AssertionError as error:
            failures.append(f"{body}: {error}")
    assert not failures, "\n".join(failures)
    assert snapshot(app.state.db) == before
    # The same interview takes a valid event naming its own contact.
    record_event(client, tenant, interview["id"], type="thank_you_sent", contact_id=dana)


def test_event_validation_messages_say_why(client, tenant):
    interview = create_interview(client, tenant, starts_at=iso(ago(days=3)))
    future = client.post(
        f"/v1/interviews/{interview['id']}/events",
        json={"type": "closed", "occurred_at": iso(datetime.now(UTC) + timedelta(days=1))},
        headers=tenant.headers,
    )
    assert "future" in assert_problem(future, 422)["detail"]
    early = client.post(
        f"/v1/interviews/{interview['id']}/events", json={"type": "closed", "occurred_at": iso(ago(days=5))}, headers=tenant.headers
    )
    assert "before" in assert_problem(early, 422)["detail"]
    assert error_locs(future) == error_locs(early) == ["body.occurred_at"]  # the field at fault, as the schema's 422s
    stranger = client.post(f"/v1/interviews/{interview['id']}/events", json={"type": "thank_you_sent", "contact_id": "nobody",
                           "occurred_at": iso(ago(days=1))}, headers=tenant.headers)  # fmt: skip
    assert error_locs(stranger) == ["body.contact_id"]
    timeline = client.post(f"/v1/interviews/{interview['id']}/events", json={"type": "follow_up_sent", "timeline_days": 3,
                           "occurred_at": iso(ago(days=1))}, headers=tenant.headers)  # fmt: skip
    assert error_locs(timeline) == ["body.timeline_days"]


def test_an_event_is_read_only_through_its_own_interview(client, tenant):
    first = create_interview(client, tenant)
    second = create_interview(client, tenant)
    event = record_event(client, tenant, first["id"], type="response_received")
    assert client.get(f"/v1/interviews/{first['id']}/events/{event['id']}", headers=tenant.headers).json() == event
    assert_problem(client.get(f"/v1/interviews/{second['id']}/events/{event['id']}", headers=tenant.headers), 404)
    assert_problem(client.get(f"/v1/interviews/{first['id']}/events/{random_id()}", headers=tenant.headers), 404)
