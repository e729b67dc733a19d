"""One tenant never sees or changes another's data; a foreign id is exactly a missing one.

Generated from the app's OpenAPI document: every operation with a path id is
called by tenant B on tenant A's real resources, and every list is read by B.
"""

from __future__ import annotations

import pytest

from app.domain.model import ActionKind, ActionState
from tests.api.helpers import assert_problem, create_interview, interview_body, random_id, record_event, snapshot
from tests.api.spec_calls import VICTIM_TEMPLATE, request_args, v1_operations, with_path_ids


@pytest.fixture
def owned(client, tenant, other_tenant) -> dict[str, str]:
    """Tenant A's resources (and a few of B's own, so B's lists are not trivially empty)."""
    interview = create_interview(
        client, tenant, candidate_name="Zed Onlya", company_name="Acme Secret Corp", external_ref="ATS-A-1"
    )
    contact_id = interview["interviewers"][0]["id"]
    event = record_event(client, tenant, interview["id"], type="thank_you_sent", contact_id=contact_id)
    r = client.post("/v1/templates", json={**VICTIM_TEMPLATE, "text": "Only A writes this."}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    template_id = r.json()["id"]
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    r = client.put("/v1/policy", json={**policy, "follow_up_wait_days": 11}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    create_interview(client, other_tenant, candidate_name="Bea Other", company_name="Globex")
    return {
        "interview_id": interview["id"],
        "contact_id": contact_id,
        "event_id": event["id"],
        "template_id": template_id,
        "tenant_id": tenant.tenant_id,
    }


def _normalised(response, ids: set[str]) -> dict:
    body = response.json()
    detail = body["detail"]
    for value in ids:
        detail = detail.replace(value, "<id>")
    return {**body, "detail": detail}


def test_foreign_ids_answer_404_like_missing_ones_and_change_nothing(client, app, spec, tenant, other_tenant, owned):
    ops = list(with_path_ids(v1_operations(spec)))
    assert {op.operation_id for op in ops} >= {"get_interview", "update_interview", "delete_interview", "create_event",
                                               "list_events", "list_interview_actions", "get_template"}
    before = snapshot(app.state.db)
    missing = {"interview_id": random_id(), "event_id": random_id(), "template_id": random_id(), "contact_id": owned["contact_id"]}
    failures = []
    for op in ops:
        foreign = client.request(**request_args(op, owned), headers=other_tenant.headers)
        absent = client.request(**request_args(op, missing), headers=other_tenant.headers)
        try:
            assert_problem(foreign, 404)
            assert_problem(absent, 404)
            ids = set(owned.values()) | set(missing.values())
            assert _normalised(foreign, ids) == _normalised(absent, ids), "a foreign id must look exactly like a missing one"
            assert foreign.headers["content-type"] == absent.headers["content-type"]
            assert set(foreign.headers) - {"x-request-id", "content-length"} == set(absent.headers) - {"x-request-id", "content-length"}
        except (AssertionError, KeyError) as error:
            failures.append(f"{op}: {error}")
    assert not failures, "\n".join(failures)
    assert snapshot(app.state.db) == before, "tenant B changed tenant A's data"

    # The same calls reach A's resources with A's key: the 404s above were about ownership.
    for op in ops:
        r = client.request(**request_args(op, owned), headers=tenant.headers)
        assert r.status_code < 300, f"{op}: {r.status_code} {r.text[:300]}"


def test_if_match_star_does_not_reach_a_foreign_resource(client, app, tenant, other_tenant, owned):
    before = snapshot(app.state.db)
    headers = {**other_tenant.headers, "If-Match": "*"}
    assert_problem(client.delete(f"/v1/interviews/{owned['interview_id']}", headers=headers), 404)
    assert_problem(client.patch(f"/v1/interviews/{owned['interview_id']}", json={"notes": "x"}, headers=headers), 404)
    assert snapshot(app.state.db) == before


def _reads_without_path_ids(spec):
    return [op for op in v1_operations(spec) if op.method == "get" and not op.path_params]


def test_lists_never_show_another_tenants_data(client, spec, tenant, other_tenant, owned):
    secrets = [owned["interview_id"], owned["contact_id"], owned["event_id"], owned["template_id"], owned["tenant_id"],
               "Zed Onlya", "Acme Secret Corp", "ATS-A-1", "Only A writes this."]
    everything = {
        "kind": ",".join(k.value for k in ActionKind),
        "state": ",".join(s.value for s in ActionState),
        "at": "2100-01-01T00:00:00Z",
    }
    reads = _reads_without_path_ids(spec)
    assert {op.operation_id for op in reads} >= {"list_interviews", "list_actions", "get_policy", "list_templates"}
    for op in reads:
        for params in ({}, everything if op.operation_id == "list_actions" else {}):
            args = request_args(op, {})
            b = client.request(**args, params=params, headers=other_tenant.headers)
            assert b.status_code == 200, f"{op}: {b.text[:300]}"
            leaked = [s for s in secrets if s in b.text]
            assert not leaked, f"{op} shows tenant A's {leaked} to tenant B"
    # The check can fail: A's own lists do show these values.
    a_text = "".join(
        client.request(**request_args(op, {}), params=everything if op.operation_id == "list_actions" else {},
                       headers=tenant.headers).text
        for op in reads
    )
    assert owned["interview_id"] in a_text and "Only A writes this." in a_text


def test_filters_do_not_cross_tenants(client, tenant, other_tenant, owned):
    for params in ({"external_ref": "ATS-A-1"}, {"company_name": "Acme Secret Corp"}, {"status": "active"}):
        r = client.get("/v1/interviews", params=params, headers=other_tenant.headers)
        assert r.status_code == 200
        assert all(i["company_name"] == "Globex" for i in r.json()["items"]), r.text
        assert owned["interview_id"] not in r.text
    r = client.get("/v1/interviews", params={"external_ref": "ATS-A-1"}, headers=tenant.headers)
    assert [i["id"] for i in r.json()["items"]] == [owned["interview_id"]]


def test_policy_is_per_tenant(client, tenant, other_tenant, owned):
    assert client.get("/v1/policy", headers=tenant.headers).json()["follow_up_wait_days"] == 11
    assert client.get("/v1/policy", headers=other_tenant.headers).json()["follow_up_wait_days"] == 7


def test_external_ref_is_unique_per_tenant_only(client, tenant, other_tenant, owned):
    created = create_interview(client, other_tenant, external_ref="ATS-A-1")
    assert created["external_ref"] == "ATS-A-1"
    r = client.post("/v1/interviews", json=interview_body(external_ref="ATS-A-1"), headers=tenant.headers)
    assert_problem(r, 409)


def test_a_cursor_from_another_tenant_shows_nothing_of_it(client, tenant, other_tenant, owned):
    for _ in range(2):
        create_interview(client, tenant)
    page = client.get("/v1/interviews", params={"limit": 1}, headers=tenant.headers).json()
    assert page["next_cursor"]
    r = client.get("/v1/interviews", params={"cursor": page["next_cursor"]}, headers=other_tenant.headers)
    assert r.status_code == 200
    assert all(i["company_name"] == "Globex" for i in r.json()["items"])


def test_events_of_another_tenants_contact_are_refused(client, tenant, other_tenant, owned):
    """B cannot name A's contact on B's own interview."""
    mine = create_interview(client, other_tenant)
    before_events = client.get(f"/v1/interviews/{mine['id']}/events", headers=other_tenant.headers).json()
    r = client.post(
        f"/v1/interviews/{mine['id']}/events",
        json={"type": "thank_you_sent", "contact_id": owned["contact_id"]},
        headers=other_tenant.headers,
    )
    assert_problem(r, 422)
    assert client.get(f"/v1/interviews/{mine['id']}/events", headers=other_tenant.headers).json() == before_events

