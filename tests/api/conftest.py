"""Fixtures of the tests generated from the app's own OpenAPI document."""

from __future__ import annotations

import pytest

from tests.api.helpers import create_interview, record_event
from tests.api.spec_calls import VICTIM_TEMPLATE


@pytest.fixture
def spec(client) -> dict:
    """The document the app serves (what clients and fuzzers read), not the committed file."""
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


@pytest.fixture
def victim(client, tenant) -> dict[str, str]:
    """Real resources of a tenant, one of each kind a path id can name."""
    interview = create_interview(client, tenant)
    contact_id = interview["interviewers"][0]["id"]
    event = record_event(client, tenant, interview["id"], type="thank_you_sent", contact_id=contact_id)
    r = client.post("/v1/templates", json=VICTIM_TEMPLATE, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return {"interview_id": interview["id"], "contact_id": contact_id, "event_id": event["id"], "template_id": r.json()["id"]}
