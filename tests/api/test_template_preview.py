"""POST /v1/templates/preview: every template the upload accepts can be previewed on the sample."""

from __future__ import annotations

import pytest

from tests.api.helpers import ago, assert_problem, interview_body, iso

REJECTION_REPLY = {
    "message_kind": "rejection_reply",
    "subject": "Re: {{ job_title }}",
    "text": "Dear {{ recipient_name }}, thank you for letting me know. {{ candidate_name }}",
}


def test_a_rejection_reply_is_previewed_on_the_sample_which_then_has_a_rejection(client, tenant):
    assert client.post("/v1/templates", json=REJECTION_REPLY, headers=tenant.headers).status_code == 201
    response = client.post("/v1/templates/preview", json={"template": REJECTION_REPLY}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["recipient"] == {"name": "Sam Ortiz", "email": "sam.ortiz@acme.example"}  # the recruiter declined
    assert message["text"] == "Dear Sam Ortiz, thank you for letting me know. Alex Kim"
    assert message["template"]["source"] == "custom"


def test_a_rejection_sent_with_the_sample_is_the_one_replied_to(client, tenant):
    events = [{"type": "rejection_received", "occurred_at": iso(ago(days=1)), "contact_id": "sample-contact"}]
    response = client.post("/v1/templates/preview", json={"template": REJECTION_REPLY, "events": events}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["recipient"]["name"] == "Dana Lee"


@pytest.mark.parametrize("days_ago", [400, 8, 6, 0])
def test_the_sample_rejection_counts_at_any_moment_previewed(client, tenant, days_ago):
    """The sample interview lies a week before `at`, so a preview at any moment has a rejection to reply to
    (before, an `at` more than a week ago came before the sample interview: a 422 on the sample's data)."""
    body = {"template": REJECTION_REPLY, "at": iso(ago(days=days_ago))}
    response = client.post("/v1/templates/preview", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["recipient"]["name"] == "Sam Ortiz"


def test_a_supplied_interview_without_a_rejection_is_still_refused(client, tenant):
    body = {"template": REJECTION_REPLY, "interview": interview_body()}
    response = client.post("/v1/templates/preview", json=body, headers=tenant.headers)
    problem = assert_problem(response, 422)
    assert "No rejection has been recorded" in problem["detail"]


@pytest.mark.parametrize(
    "text",
    ["{{ 'a' * 10**9 }}", "{% for i in range(10**6) %}{% for j in range(10**6) %}.{% endfor %}{% endfor %}", "{{ 9 ** 999999 }}"],
    ids=["a huge string", "a loop past the time limit", "a huge number"],
)
def test_a_template_that_exhausts_the_sandbox_on_any_data_is_refused_on_upload(client, tenant, text):
    """It compiled, so it was stored, and every render and preview of it was then a 422."""
    template = {"message_kind": "follow_up", "subject": "Hi", "text": text}
    created = assert_problem(client.post("/v1/templates", json=template, headers=tenant.headers), 422)
    assert created["type"].endswith("/validation"), created
    assert client.get("/v1/templates", headers=tenant.headers).json()["items"] == []
    fine = client.post("/v1/templates", json={**template, "text": "Hello"}, headers=tenant.headers)
    assert fine.status_code == 201, fine.text
    assert_problem(client.put(f"/v1/templates/{fine.json()['id']}", json=template, headers=tenant.headers), 422)
    assert client.get(f"/v1/templates/{fine.json()['id']}", headers=tenant.headers).json()["text"] == "Hello"


def test_a_subject_longer_than_an_email_header_line_is_refused_on_upload(client, tenant):
    """A subject of thousands of characters reads as nothing in a mail reader, and folding it
    into an .eml took the email package seconds (13 s for 60,000 non-ASCII characters)."""
    long = {"message_kind": "thank_you", "subject": "{% for i in range(1000) %}Жé {% endfor %}", "text": "Hello"}
    refused = assert_problem(client.post("/v1/templates", json=long, headers=tenant.headers), 422)
    assert "subject" in refused["detail"] and "998" in refused["detail"], refused
    fits = {**long, "subject": "{% for i in range(332) %}Жé {% endfor %}"}  # 996 characters
    assert client.post("/v1/templates", json=fits, headers=tenant.headers).status_code == 201


def test_a_template_the_sample_cannot_fill_is_still_accepted(client, tenant):
    """The sample's follow-up goes to its agency, where no interviewer is named; the
    tenant's own interviews may have no agency, so the upload does not judge by it."""
    template = {"message_kind": "follow_up", "subject": "Hi", "text": "Dear {{ interviewer_name }}"}
    response = client.post("/v1/templates", json=template, headers=tenant.headers)
    assert response.status_code == 201, response.text


def test_every_sandbox_job_counts_as_the_tenants(client, tenant, monkeypatch):
    """Upload, preview and render run their sandbox jobs as the tenant's, so the pool
    can keep one tenant from holding every worker (app.messages.sandbox.jobs_of)."""
    from app.messages import sandbox

    seen: list[tuple[str, str | None]] = []
    real_run = sandbox.SandboxPool.run

    def spy(self, op, payload):
        seen.append((op, sandbox._OWNER.get()))
        return real_run(self, op, payload)

    monkeypatch.setattr(sandbox.SandboxPool, "run", spy)
    template = {"message_kind": "follow_up", "subject": "Hi", "text": "Hello {{ candidate_name }}"}
    assert client.post("/v1/templates", json=template, headers=tenant.headers).status_code == 201
    assert client.post("/v1/templates/preview", json={"template": template}, headers=tenant.headers).status_code == 200
    inline = {"interview": interview_body(), "message_kind": "follow_up"}
    assert client.post("/v1/render", json=inline, headers=tenant.headers).json()["template"]["source"] == "custom"
    assert {op for op, _ in seen} == {"validate", "render"} and len(seen) >= 4
    assert {owner for _, owner in seen} == {tenant.tenant_id}


def test_a_retried_template_upload_replays_before_the_sandbox_checks(client, tenant, monkeypatch):
    """A retry gets its stored answer even when the sandbox is busy: the checks (two
    sandbox jobs) ran before the replay, so a retry could answer 503 instead."""
    from app.messages.errors import SandboxUnavailable
    from app.services import templates as templates_service

    template = {"message_kind": "follow_up", "subject": "Hi", "text": "Hello {{ candidate_name }}"}
    headers = {**tenant.headers, "Idempotency-Key": "upload-1"}
    first = client.post("/v1/templates", json=template, headers=headers)
    assert first.status_code == 201, first.text

    def busy(**_kwargs):
        raise SandboxUnavailable("every template sandbox worker is busy; try again")

    monkeypatch.setattr(templates_service, "validate", busy)
    again = client.post("/v1/templates", json=template, headers=headers)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true", again.text
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    other = client.post("/v1/templates", json={**template, "text": "Other"}, headers=headers)
    assert_problem(other, 422)  # the same key with another body is still refused
    fresh = client.post("/v1/templates", json={**template, "locale": "de"}, headers={**tenant.headers, "Idempotency-Key": "upload-2"})
    assert_problem(fresh, 503)  # a first request still runs the checks


@pytest.mark.parametrize(
    ("template", "locs"),
    [
        ({"subject": "Hi {{ candidate_name }", "text": "Hello {% if %}"}, {"body.template.subject", "body.template.text"}),
        ({"subject": "Hi", "text": "Hello {{ nobody }}"}, {"body.template.text"}),
        ({"subject": "Hi", "text": "{{ candidate_name.upper }}"}, {"body.template.text"}),  # fails only when rendered
        ({"subject": "Hi", "text": "{{ 'a' * 10**9 }}"}, {"body.template"}),  # past the sandbox's limits: no part named
    ],
    ids=["syntax", "unknown variable", "a method printed", "too large"],
)
def test_a_template_the_preview_refuses_is_refused_input_at_its_place_in_the_body(client, tenant, template, locs):
    """The template is the preview's input, as the upload's body is the upload's: a template
    refused there is `validation` at `body.template.<part>` (the upload's is at `body.<part>`),
    not a stored template's render failure at `template.<part>`, a member the body does not have."""
    body = {"template": {"message_kind": "follow_up", **template}}
    problem = assert_problem(client.post("/v1/templates/preview", json=body, headers=tenant.headers), 422)
    assert problem["type"] == "https://followup.invalid/problems/validation", problem
    assert problem["title"] == "Invalid input"
    assert {e["loc"] for e in problem["errors"]} == locs, problem
