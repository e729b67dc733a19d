"""Next actions: per interview (replayed at `at`) and tenant-wide (stored plans, filters, cursor)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.model import ActionKind, ActionState
from tests.api.helpers import ago, assert_problem, create_interview, error_locs, interview_body, iso, random_id, record_event

ACTION_FIELDS = {
    "interview_id", "kind", "contact_id", "recipient", "channel", "state", "available_at", "due_at", "late_after",
    "suggested_send_at", "priority", "rule", "reason", "message_kind",
}
OPEN = {"upcoming", "due", "overdue"}
ALL_KINDS = ",".join(k.value for k in ActionKind)


def parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None


@pytest.fixture
def interviews(client, tenant) -> dict[str, dict]:
    recent = create_interview(client, tenant, starts_at=iso(ago(days=3)))
    older = create_interview(client, tenant, starts_at=iso(ago(days=12)), decision_timeline_days=None)
    for contact in older["interviewers"]:
        record_event(client, tenant, older["id"], type="thank_you_sent", contact_id=contact["id"], occurred_at=iso(ago(days=11)))
    future = create_interview(client, tenant, starts_at=iso(datetime.now(UTC) + timedelta(days=2)))
    rejected = create_interview(client, tenant, starts_at=iso(ago(days=6)))
    record_event(client, tenant, rejected["id"], type="rejection_received", occurred_at=iso(ago(days=1)))
    return {"recent": recent, "older": older, "future": future, "rejected": rejected}


def _key(action: dict) -> tuple:
    return (action["interview_id"], action["kind"], action["contact_id"], action["state"], action["due_at"])


def _sort_key(action: dict) -> tuple:
    return (parse(action["due_at"]), action["interview_id"], action["kind"])


def _tenant_actions(client, tenant, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/actions", params=query, headers=tenant.headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def _check_state(action: dict, at: datetime) -> None:
    available, late = parse(action["available_at"]), parse(action["late_after"])
    state = action["state"]
    if state == "upcoming":
        assert available > at, action
    elif state == "due":
        assert available <= at and (late is None or late > at), action
    elif state == "overdue":
        assert late is not None and late <= at, action


# --- per interview --------------------------------------------------------------------


def test_interview_actions_shape_and_default_at(client, tenant, interviews):
    recent = interviews["recent"]
    before = datetime.now(UTC)
    r = client.get(f"/v1/interviews/{recent['id']}/actions", headers=tenant.headers)
    after = datetime.now(UTC)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"interview_id", "at", "actions"}
    assert body["interview_id"] == recent["id"]
    assert before - timedelta(seconds=1) <= parse(body["at"]) <= after + timedelta(seconds=1)
    assert body["actions"], "a finished interview with two people has something to do"
    for action in body["actions"]:
        assert set(action) == ACTION_FIELDS
        assert action["interview_id"] == recent["id"]
        assert action["reason"]
        _check_state(action, parse(body["at"]))
    thank_yous = [a for a in body["actions"] if a["kind"] == "send_thank_you"]
    assert {a["contact_id"] for a in thank_yous} == {c["id"] for c in recent["interviewers"]}


def test_interview_actions_at_a_moment(client, tenant, interviews):
    recent = interviews["recent"]
    at = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).astimezone()
    r = client.get(f"/v1/interviews/{recent['id']}/actions", params={"at": at.isoformat()}, headers=tenant.headers)
    assert r.status_code == 200
    assert parse(r.json()["at"]) == at and r.json()["at"].endswith("Z")
    for action in r.json()["actions"]:
        _check_state(action, at)
    # Before the interview has ended, the thank-yous are still ahead.
    early = parse(recent["starts_at"]) + timedelta(minutes=5)
    r = client.get(f"/v1/interviews/{recent['id']}/actions", params={"at": iso(early)}, headers=tenant.headers)
    states = {a["state"] for a in r.json()["actions"] if a["kind"] == "send_thank_you"}
    assert states == {"upcoming"}


def test_interview_actions_replay_only_events_up_to_at(client, tenant, interviews):
    recent = interviews["recent"]
    dana = recent["interviewers"][0]["id"]
    sent = ago(days=2, hours=12)
    record_event(client, tenant, recent["id"], type="thank_you_sent", contact_id=dana, occurred_at=iso(sent))

    def dana_thank_you(at: datetime) -> dict:
        r = client.get(f"/v1/interviews/{recent['id']}/actions", params={"at": iso(at)}, headers=tenant.headers)
        (action,) = [a for a in r.json()["actions"] if a["kind"] == "send_thank_you" and a["contact_id"] == dana]
        return action

    assert dana_thank_you(sent - timedelta(hours=1))["state"] != "done"
    assert dana_thank_you(sent + timedelta(hours=1))["state"] == "done"
    assert dana_thank_you(datetime.now(UTC))["state"] == "done"


def test_interview_actions_refuse_a_bad_at(client, tenant):
    interview = create_interview(client, tenant)
    for at in ("2026-01-01T10:00:00", "tomorrow", "1767607200"):
        r = client.get(f"/v1/interviews/{interview['id']}/actions", params={"at": at}, headers=tenant.headers)
        assert_problem(r, 422)
        assert "query.at" in error_locs(r), at


def test_interview_actions_missing_interview_is_404(client, tenant):
    assert_problem(client.get(f"/v1/interviews/{random_id()}/actions", headers=tenant.headers), 404)


# --- tenant-wide ------------------------------------------------------------------------


def test_tenant_actions_default_lists_open_actions_in_order(client, tenant, interviews):
    at = datetime.now(UTC).replace(microsecond=0)
    items = _tenant_actions(client, tenant, at=iso(at))
    assert items
    assert all(a["state"] in OPEN for a in items)
    assert not {a["kind"] for a in items} & {"wait", "close_out"}
    assert items == sorted(items, key=_sort_key)
    assert len({_key(a) for a in items}) == len(items)
    for action in items:
        assert set(action) == ACTION_FIELDS
        _check_state(action, at)
    assert interviews["rejected"]["id"] not in {a["interview_id"] for a in items if a["kind"] == "send_thank_you"}


def test_tenant_actions_agree_with_the_per_interview_answer(client, tenant, interviews):
    """Stored plans (tenant-wide) and replayed plans (per interview) say the same thing at the same moment."""
    at = datetime.now(UTC).replace(microsecond=0)
    for kind in (None, ALL_KINDS):
        params = {"at": iso(at), **({"kind": kind} if kind else {})}
        wide = {_key(a) for a in _tenant_actions(client, tenant, **params)}
        expected = set()
        for interview in interviews.values():
            r = client.get(f"/v1/interviews/{interview['id']}/actions", params={"at": iso(at)}, headers=tenant.headers)
            for action in r.json()["actions"]:
                hidden = action["kind"] in ("wait", "close_out") and kind is None
                if action["state"] in OPEN and not hidden:
                    expected.add(_key(action))
        assert wide == expected, f"kind={kind}: only wide {wide - expected}; only per interview {expected - wide}"


def test_tenant_actions_state_filter(client, tenant, interviews):
    at = iso(datetime.now(UTC))
    default = _tenant_actions(client, tenant, at=at)
    by_state = {s.value: _tenant_actions(client, tenant, at=at, state=s.value) for s in ActionState}
    for state, items in by_state.items():
        assert all(a["state"] == state for a in items), state
    assert sorted(map(_key, default)) == sorted(_key(a) for s in OPEN for a in by_state[s])
    assert by_state["done"], "the older interview's thank-yous are done"
    assert {a["interview_id"] for a in by_state["done"]} >= {interviews["older"]["id"]}
    both = _tenant_actions(client, tenant, at=at, state="done, due")
    assert sorted(map(_key, both)) == sorted(_key(a) for a in by_state["done"] + by_state["due"])
    assert both == sorted(both, key=_sort_key)


def test_tenant_actions_kind_filter(client, tenant, interviews):
    at = iso(datetime.now(UTC))
    default = _tenant_actions(client, tenant, at=at)
    for kind in ActionKind:
        items = _tenant_actions(client, tenant, at=at, kind=kind.value)
        assert all(a["kind"] == kind.value for a in items), kind
        if kind.value not in ("wait", "close_out"):
            assert sorted(map(_key, items)) == sorted(_key(a) for a in default if a["kind"] == kind.value)
    two = _tenant_actions(client, tenant, at=at, kind="send_thank_you,connect_on_linkedin")
    assert {a["kind"] for a in two} == {"send_thank_you", "connect_on_linkedin"}


def test_tenant_actions_due_before(client, tenant, interviews):
    at = iso(datetime.now(UTC))
    everything = _tenant_actions(client, tenant, at=at)
    cut = parse(everything[len(everything) // 2]["due_at"])
    before = _tenant_actions(client, tenant, at=at, due_before=iso(cut))
    assert before == [a for a in everything if parse(a["due_at"]) < cut]
    assert 0 < len(before) < len(everything)


def test_tenant_actions_at_moves_the_clock(client, tenant, interviews):
    later = datetime.now(UTC) + timedelta(days=9)
    items = _tenant_actions(client, tenant, at=iso(later), state=",".join(s.value for s in ActionState))
    for action in items:
        _check_state(action, later)
    now_states = {_key(a)[:3]: a["state"] for a in _tenant_actions(client, tenant, state="upcoming")}
    later_states = {_key(a)[:3]: a["state"] for a in items}
    assert any(later_states.get(k) not in (None, "upcoming") for k in now_states), "nothing moved on in nine days"


def test_tenant_actions_cursor(client, tenant, interviews):
    at = iso(datetime.now(UTC))
    everything = _tenant_actions(client, tenant, at=at, state="upcoming,due,overdue,done,cancelled,missed", kind=ALL_KINDS)
    assert len(everything) > 5
    pages, cursor = [], None
    while True:
        params = {"at": at, "limit": 2, "state": "upcoming,due,overdue,done,cancelled,missed", "kind": ALL_KINDS}
        r = client.get("/v1/actions", params={**params, **({"cursor": cursor} if cursor else {})}, headers=tenant.headers)
        page = r.json()
        assert len(page["items"]) <= 2
        pages += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == everything


BAD_PARAMETERS = [
    ({"state": "pending"}, "query.state"),
    ({"state": "due,nope"}, "query.state"),
    ({"kind": "send_flowers"}, "query.kind"),
    ({"due_before": "2026-01-01T00:00:00"}, "query.due_before"),
    ({"at": "2026-01-01"}, "query.at"),
    ({"limit": 0}, "query.limit"),
    ({"limit": 201}, "query.limit"),
    ({"cursor": "abc"}, "query.cursor"),
]


def test_tenant_actions_refuse_bad_parameters(client, tenant):
    for params, loc in BAD_PARAMETERS:
        r = client.get("/v1/actions", params=params, headers=tenant.headers)
        assert_problem(r, 422)
        assert loc in error_locs(r), params


def test_stateless_plan_matches_the_stored_interview(client, app, tenant, interviews):
    """POST /v1/plan with the same interview and events answers what the stored route answers."""
    from tests.api.helpers import snapshot

    recent = interviews["recent"]
    dana = recent["interviewers"][0]["id"]
    record_event(client, tenant, recent["id"], type="thank_you_sent", contact_id=dana, occurred_at=iso(ago(days=2)))
    at = iso(datetime.now(UTC).replace(microsecond=0))
    stored = client.get(f"/v1/interviews/{recent['id']}/actions", params={"at": at}, headers=tenant.headers).json()
    events = client.get(f"/v1/interviews/{recent['id']}/events", headers=tenant.headers).json()["items"]
    writable = ("candidate_name", "candidate_email", "job_title", "company_name", "starts_at", "duration_minutes", "timezone",
                "format", "topics", "missed_points", "decision_timeline_days", "agency", "external_ref", "notes")
    inline = {k: recent[k] for k in writable} | {"id": recent["id"]}
    inline["interviewers"] = [{k: v for k, v in c.items()} for c in recent["interviewers"]]
    body = {
        "interview": inline,
        "events": [{k: e[k] for k in ("type", "occurred_at", "contact_id", "timeline_days", "note")} for e in events],
        "at": at,
    }
    before = snapshot(app.state.db)
    r = client.post("/v1/plan", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"actions": stored["actions"]}
    assert snapshot(app.state.db) == before, "a stateless plan writes nothing"
    # The same validation as the stored routes.
    body["events"].append({"type": "closed", "occurred_at": iso(datetime.now(UTC) + timedelta(days=1))})
    refused = assert_problem(client.post("/v1/plan", json=body, headers=tenant.headers), 422)
    assert [e["loc"] for e in refused["errors"]] == [f"body.events.{len(body['events']) - 1}.occurred_at"]


def test_stateless_contacts_without_an_id_get_one_no_other_contact_has(client, tenant):
    """Local ids (`#1`, `#2`...) for contacts sent without one never take a client's id: a
    contact without an id once got `#1-2`, the id of the client's third contact, so a
    thank-you to that contact marked both done."""
    person = {"role": "interviewer"}
    interview = interview_body(interviewers=[
        {**person, "name": "Ann Able", "email": "ann@acme.example"},
        {**person, "name": "Bo Bright", "email": "bo@acme.example", "id": "#1"},
        {**person, "name": "Cat Cole", "email": "cat@acme.example", "id": "#1-2"},
        {**person, "name": "Dee Dunn", "email": "dee@acme.example"},
    ])  # fmt: skip
    body = {"interview": interview, "events": [{"type": "thank_you_sent", "contact_id": "#1-2", "occurred_at": iso(ago(hours=1))}]}
    r = client.post("/v1/plan", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    thank_yous = {a["recipient"]["name"]: a for a in r.json()["actions"] if a["kind"] == "send_thank_you"}
    assert len({a["contact_id"] for a in thank_yous.values()}) == 4, thank_yous
    assert [name for name, a in thank_yous.items() if a["state"] == "done"] == ["Cat Cole"]
    render = {"interview": interview, "message_kind": "thank_you", "contact_id": "#1-2"}
    message = client.post("/v1/render", json=render, headers=tenant.headers)
    assert message.status_code == 200 and message.json()["recipient"]["name"] == "Cat Cole", message.text


@pytest.fixture
def closing(client, tenant, interviews) -> dict[str, dict]:
    """Interviews whose close_out is open, upcoming, done (closed) and cancelled (rejected),
    next to the `interviews` fixture's."""
    made = dict(interviews)
    # Two follow-ups (the most) and then: nothing (close_out open), a recent last one
    # (upcoming), `closed` (done), a rejection (cancelled).
    for name, last, then in (
        ("silent", 20, None), ("chased", 2, None), ("closed", 20, "closed"), ("turned_down", 20, "rejection_received"),
        ("silent_too", 18, None), ("closed_too", 16, "closed"),
    ):
        made[name] = create_interview(client, tenant, starts_at=iso(ago(days=last + 25)), decision_timeline_days=None)
        for days in (last + 8, last):
            record_event(client, tenant, made[name]["id"], type="follow_up_sent", occurred_at=iso(ago(days=days)))
        if then:
            record_event(client, tenant, made[name]["id"], type=then, occurred_at=iso(ago(days=1)))
    return made


ALL_STATES = ",".join(s.value for s in ActionState)


@pytest.mark.parametrize(
    "kind",
    ["close_out", "wait,close_out", "close_out,send_thank_you", "close_out,send_follow_up,wait", ALL_KINDS, "send_follow_up"],
)
@pytest.mark.parametrize("state", [None, "done", "cancelled", "upcoming", "due,done", ALL_STATES])
def test_tenant_actions_of_some_kinds_are_the_matching_part_of_the_whole_list(client, tenant, closing, kind, state):
    """`kind=` (close_out read from an index of its own, merged with the other kinds asked
    for) lists exactly the matching actions of the whole list, in its order, page by page
    (pages of 2, so cursors land in either stream)."""
    at = iso(datetime.now(UTC).replace(microsecond=0))
    everything = _tenant_actions(client, tenant, at=at, state=ALL_STATES, kind=ALL_KINDS)
    assert {"close_out"} <= {a["kind"] for a in everything}
    assert {"done", "cancelled"} <= {a["state"] for a in everything if a["kind"] == "close_out"}
    states = set(state.split(",")) if state else OPEN
    expected = [a for a in everything if a["kind"] in kind.split(",") and a["state"] in states]
    pages, cursor = [], None
    while True:
        params = {"at": at, "limit": 2, "kind": kind, **({"state": state} if state else {}), **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/actions", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        pages += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == expected
