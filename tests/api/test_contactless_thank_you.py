"""Rule 2: after an AI interview with no human contact the plan lists one thank-you with no
contact; its message renders (stored and stateless), to nobody, with a warning."""

from __future__ import annotations

from tests.api.helpers import assert_problem, create_interview, interview_body

AI_ONLY = {"format": "ai", "interviewers": [{"name": "Ava", "role": "ai", "is_human": False}]}


def _check(message: dict) -> None:
    assert message["kind"] == "thank_you" and message["recipient"] is None
    assert [w["code"] for w in message["warnings"]] == ["no_recipient"]
    assert message["text"].startswith("Hello,\n"), message["text"]


def test_the_planned_contactless_thank_you_renders_from_the_stored_interview(client, tenant):
    interview = create_interview(client, tenant, **AI_ONLY)
    actions = client.get(f"/v1/interviews/{interview['id']}/actions", headers=tenant.headers).json()["actions"]
    [thank_you] = [a for a in actions if a["kind"] == "send_thank_you"]
    assert thank_you["contact_id"] is None and thank_you["message_kind"] == "thank_you"
    response = client.get(f"/v1/interviews/{interview['id']}/messages/thank_you", headers=tenant.headers)
    assert response.status_code == 200, response.text
    _check(response.json())


def test_the_contactless_thank_you_renders_statelessly(client, tenant):
    body = {"interview": interview_body(**AI_ONLY), "events": [], "message_kind": "thank_you"}
    response = client.post("/v1/render", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    _check(response.json())


def test_a_human_panels_thank_you_still_needs_its_contact(client, tenant):
    interview = create_interview(client, tenant)
    response = client.get(f"/v1/interviews/{interview['id']}/messages/thank_you", headers=tenant.headers)
    assert "contact_id is required" in assert_problem(response, 422)["detail"]
