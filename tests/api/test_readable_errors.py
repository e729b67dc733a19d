"""A value refused by a published pattern is answered in words, never with the regular expression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.api.app import create_app
from app.api.patterns import sentence_for
from app.api.schemas.common import _TIMESTAMP_SCHEMA
from tests.api.helpers import assert_problem, create_interview, error_locs, interview_body

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
#: Published for fuzzers and generated clients only: timestamps are validated as dates, never by this.
NOT_VALIDATED = {_TIMESTAMP_SCHEMA["pattern"]}


def published_patterns(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(published_patterns(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(published_patterns(value) for value in node))
    return set()


def test_every_pattern_the_spec_publishes_has_a_sentence():
    create_app()  # imports every schema and route, which register their patterns
    spec = json.loads(SPEC.read_text())
    spec["components"].pop("headers")  # the service's own response headers: it never validates them
    patterns = published_patterns(spec) - NOT_VALIDATED
    assert patterns, "the spec publishes patterns"
    assert {p for p in patterns if sentence_for(p) is None} == set()


def _policy(client, tenant, **change):
    current = client.get("/v1/policy", headers=tenant.headers).json()
    return client.put("/v1/policy", json={**current, **change}, headers=tenant.headers)


CASES = {
    "unknown state": (
        lambda c, t: c.get("/v1/actions", params={"state": "due,later"}, headers=t.headers),
        "query.state",
        "takes one or more of: upcoming, due, overdue, done, missed, cancelled (comma-separated)",
    ),
    "unknown kind": (
        lambda c, t: c.get("/v1/actions", params={"kind": "send_flowers"}, headers=t.headers),
        "query.kind",
        "takes one or more of: send_thank_you, send_follow_up",
    ),
    "blank idempotency key": (
        lambda c, t: c.post("/v1/interviews", json=interview_body(), headers={**t.headers, "Idempotency-Key": "   "}),
        "header.idempotency-key",
        "must be printable ASCII text, not blank",
    ),
    "name on two lines": (
        lambda c, t: c.post("/v1/interviews", json=interview_body(candidate_name="Alex\nKim"), headers=t.headers),
        "body.candidate_name",
        "must be one line of text, without line breaks or control characters",
    ),
    "note with a NUL": (
        lambda c, t: c.post(
            f"/v1/interviews/{create_interview(c, t)['id']}/events", json={"type": "closed", "note": "a\x00b"}, headers=t.headers
        ),
        "body.note",
        "must not contain a NUL character",
    ),
    "LinkedIn URL without a scheme": (
        lambda c, t: c.post(
            "/v1/interviews",
            json=interview_body(interviewers=[{"name": "Dana Lee", "linkedin_url": "linkedin.com/in/dana"}]),
            headers=t.headers,
        ),
        "body.interviewers.0.linkedin_url",
        "must be an http:// or https:// URL",
    ),
    "external ref with a tab": (
        lambda c, t: c.post("/v1/interviews", json=interview_body(external_ref="a\tb"), headers=t.headers),
        "body.external_ref",
        "must not contain control characters",
    ),
    "send window at 9am": (
        lambda c, t: _policy(c, t, send_window_start="9am"),
        "body.send_window_start",
        "must be a time of day as HH:MM, e.g. 09:00",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_pattern_mismatch_reads_as_a_sentence(client, tenant, case):
    call, loc, sentence = CASES[case]
    response = call(client, tenant)
    problem = assert_problem(response, 422)
    messages = {e["loc"]: e["message"] for e in problem["errors"]}
    assert sentence in messages[loc]
    assert "pattern" not in response.text and "^" not in problem["detail"]


def test_one_problem_has_one_type(client, tenant):
    """A client can switch on `type`: a 422 the schema finds and one the rules find are the
    same problem (validation); each other problem is named after its title."""
    schema = client.post("/v1/interviews", json=interview_body(candidate_name=""), headers=tenant.headers)
    interview = create_interview(client, tenant)
    rules = client.post(f"/v1/interviews/{interview['id']}/events", json={"type": "follow_up_sent",
                        "occurred_at": "2020-01-01T00:00:00Z"}, headers=tenant.headers)  # fmt: skip
    assert_problem(schema, 422)["type"] == assert_problem(rules, 422)["type"] == "https://followup.invalid/problems/validation"
    message = client.get(f"/v1/interviews/{interview['id']}/messages/thank_you", headers=tenant.headers)
    refused = assert_problem(message, 422)  # no contact_id: refused input, where it was left out
    assert refused["type"].endswith("/validation") and error_locs(message) == ["query.contact_id"], refused
    inline = client.post("/v1/render", json={"interview": interview_body(), "message_kind": "thank_you", "contact_id": "nobody"},
                         headers=tenant.headers)  # fmt: skip
    assert assert_problem(inline, 422)["type"].endswith("/validation") and error_locs(inline) == ["body.contact_id"]
    not_applicable = client.get(f"/v1/interviews/{interview['id']}/messages/rejection_reply", headers=tenant.headers)
    assert assert_problem(not_applicable, 422)["type"].endswith("/message-not-applicable")
    key = {**tenant.headers, "Idempotency-Key": "k-1"}
    client.post("/v1/interviews", json=interview_body(), headers=key)
    reused = client.post("/v1/interviews", json=interview_body(candidate_name="Someone Else"), headers=key)
    assert assert_problem(reused, 422)["type"].endswith("/idempotency-key-reused")
    for answer in (schema, rules, message, inline, not_applicable, reused):
        body = answer.json()
        assert body["type"].rsplit("/", 1)[1] in ("validation", body["title"].lower().replace(" ", "-"))


def test_common_mistakes_read_as_sentences(client, tenant):
    interview = create_interview(client, tenant)
    unescaped_plus = client.get(f"/v1/interviews/{interview['id']}/actions?at=2026-04-08T09:00:00+02:00", headers=tenant.headers)
    assert assert_problem(unescaped_plus, 422)["errors"] == [{"loc": "query.at", "message": (
        "needs an RFC 3339 timestamp; a '+' in a query string must be sent as %2B, e.g. 2026-04-08T09:00:00%2B02:00")}]  # fmt: skip
    blank = client.post("/v1/interviews", json=interview_body(candidate_name="   "), headers=tenant.headers)
    assert assert_problem(blank, 422)["errors"] == [{"loc": "body.candidate_name", "message": "must not be blank"}]
    crowded = client.post("/v1/interviews", json=interview_body(topics=["t"] * 21), headers=tenant.headers)
    assert assert_problem(crowded, 422)["errors"] == [{"loc": "body.topics", "message": "must have at most 20 items"}]
    bad_email = client.post("/v1/interviews", json=interview_body(candidate_email="ada.example.com"), headers=tenant.headers)
    detail = assert_problem(bad_email, 422)["detail"]
    assert detail.startswith("The request is not valid: body.candidate_email: ") and not detail.endswith("..")


def test_one_type_has_one_title(client, tenant):
    """RFC 9457 3.1.3: a title does not change from occurrence to occurrence of a type. A
    404 for an unknown route was titled "Not Found", one for an unknown id "Not found"."""
    interview = create_interview(client, tenant)
    answers = [
        client.get("/v1/no-such-route", headers=tenant.headers),
        client.get("/v1/interviews/00000000-0000-4000-8000-000000000000", headers=tenant.headers),
        client.get("/v1/templates/00000000-0000-4000-8000-000000000000", headers=tenant.headers),
        client.get(f"/v1/interviews/{interview['id']}/events/00000000-0000-4000-8000-000000000000", headers=tenant.headers),
        client.put("/v1/interviews", headers=tenant.headers),
        client.get("/v1/templates/preview", headers=tenant.headers),
        client.post("/v1/interviews", content=b"{", headers={**tenant.headers, "Content-Type": "application/json"}),
        client.post("/v1/interviews", content=b"x", headers={**tenant.headers, "Content-Type": "text/plain"}),
        client.get("/v1/interviews"),
        client.get("/v1/interviews", headers={"Authorization": "Bearer fu_wrong"}),
        client.patch(f"/v1/interviews/{interview['id']}", json={"notes": "x"}, headers={**tenant.headers, "If-Match": '"99"'}),
    ]
    titles: dict[str, set[str]] = {}
    for answer in answers:
        body = assert_problem(answer, answer.status_code, validation=False)
        titles.setdefault(body["type"], set()).add(body["title"])
    assert {t.rsplit("/", 1)[1] for t in titles} >= {"not-found", "method-not-allowed", "unauthorized", "precondition-failed"}
    assert {t: s for t, s in titles.items() if len(s) > 1} == {}


def test_a_template_refused_on_upload_is_refused_input_at_its_part(client, tenant):
    """Upload validation is input validation: type `validation`, each error at the body
    field that holds it (it was `message-cannot-be-rendered` at `template.text`, a member
    the body does not have)."""
    template = {"message_kind": "follow_up", "subject": "Hi {{ candidate_name }", "text": "Hello {% if %}"}
    created = assert_problem(client.post("/v1/templates", json=template, headers=tenant.headers), 422)
    assert created["type"] == "https://followup.invalid/problems/validation"
    assert {e["loc"] for e in created["errors"]} == {"body.subject", "body.text"}, created
    fine = client.post("/v1/templates", json={**template, "subject": "Hi", "text": "Hello"}, headers=tenant.headers)
    assert fine.status_code == 201, fine.text
    replaced = client.put(f"/v1/templates/{fine.json()['id']}", json={**template, "subject": "Hi"}, headers=tenant.headers)
    assert [e["loc"] for e in assert_problem(replaced, 422)["errors"]] == ["body.text"]
    assert client.get(f"/v1/templates/{fine.json()['id']}", headers=tenant.headers).json()["text"] == "Hello"
