"""A template's sources are stored text: what a database cannot store is refused at its field.

PostgreSQL refuses a NUL in text; SQLite stored it. Without a check of its own the
same upload was a 201 on one database and, on the other, a 422 that named no field.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_problem, create_interview

TEMPLATE = {"message_kind": "follow_up", "subject": "Checking in", "text": "Dear {{ recipient_name }}, any news?"}


@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_a_nul_in_a_template_source_is_refused_at_its_field(client, tenant, part):
    body = {**TEMPLATE, part: "Hello\x00there"}
    created = assert_problem(client.post("/v1/templates", json=body, headers=tenant.headers), 422)
    assert [e["loc"] for e in created["errors"]] == [f"body.{part}"]
    assert client.get("/v1/templates", headers=tenant.headers).json()["items"] == []

    stored = client.post("/v1/templates", json=TEMPLATE, headers=tenant.headers)
    assert stored.status_code == 201, stored.text
    replaced = client.put(f"/v1/templates/{stored.json()['id']}", json=body, headers=tenant.headers)
    assert [e["loc"] for e in assert_problem(replaced, 422)["errors"]] == [f"body.{part}"]
    assert client.get(f"/v1/templates/{stored.json()['id']}", headers=tenant.headers).json()[part] == TEMPLATE.get(part)


@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_a_lone_surrogate_in_a_string_literal_is_refused_at_its_field(client, tenant, part):
    """`'\\ud800'` in a template is half a UTF-16 pair, which neither JSON nor an email can
    carry: the preview, and every render of the stored template, were a 500."""
    body = {**TEMPLATE, part: "Hello {{ '\\ud800' }}"}
    created = assert_problem(client.post("/v1/templates", json=body, headers=tenant.headers), 422)
    assert [e["loc"] for e in created["errors"]] == [f"body.{part}"]
    assert "lone surrogate (\\ud800)" in created["detail"]
    previewed = assert_problem(client.post("/v1/templates/preview", json={"template": body}, headers=tenant.headers), 422)
    assert [e["loc"] for e in previewed["errors"]] == [f"body.template.{part}"]


@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_a_lone_surrogate_a_template_makes_while_rendering_is_refused_not_a_500(client, tenant, part):
    """`'%c' % 55296` makes one only when it runs: stored (the sample's render cannot tell a
    template's fault from missing data), then refused at its part on every render."""
    body = {**TEMPLATE, part: "Hello {{ '%c' % 55296 }}"}
    previewed = assert_problem(client.post("/v1/templates/preview", json={"template": body}, headers=tenant.headers), 422)
    assert [e["loc"] for e in previewed["errors"]] == [f"body.template.{part}"]
    assert client.post("/v1/templates", json=body, headers=tenant.headers).status_code == 201
    interview = create_interview(client, tenant)
    for accept in ("application/json", "message/rfc822"):
        answer = client.get(f"/v1/interviews/{interview['id']}/messages/follow_up", headers={**tenant.headers, "Accept": accept})
        problem = assert_problem(answer, 422)
        assert [e["loc"] for e in problem["errors"]] == [f"template.{part}"], problem
