"""A template's sources are stored text: what a database cannot store is refused at its field.

PostgreSQL refuses a NUL in text; SQLite stored it. Without a check of its own the
same upload was a 201 on one database and, on the other, a 422 that named no field.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_problem

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
