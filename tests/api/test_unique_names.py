"""A unique name taken between the services' check and their write is still a 409.

Two requests can both find an `external_ref` or a template slot free, and the
later write then meets the database's unique constraint (tests/e2e/
test_unique_races.py races real requests). Here the check is made to miss, as
it does for the loser of such a race, so the constraint alone must answer:
the same 409 as the check, with nothing stored twice, on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app.db import interviews as interviews_repo
from app.db import templates as templates_repo
from app.db.tables import TEMPLATE_SLOT, metadata
from app.db.unique import broken_unique
from tests.api.helpers import assert_problem, create_interview, interview_body

AT = datetime(2026, 1, 1, tzinfo=UTC)
TEMPLATE = {"message_kind": "thank_you", "locale": "en", "subject": "Thanks", "text": "Thank you, {{ interviewer_name }}."}


@pytest.fixture
def checks_miss(monkeypatch):
    monkeypatch.setattr(interviews_repo, "external_ref_taken", lambda *_a, **_k: False)
    monkeypatch.setattr(templates_repo, "find", lambda *_a, **_k: None)


def test_an_external_ref_taken_after_the_check_is_a_409(client, tenant, checks_miss):
    create_interview(client, tenant, external_ref="ats-1")
    again = client.post("/v1/interviews", json=interview_body(external_ref="ats-1"), headers=tenant.headers)
    assert assert_problem(again, 409)["detail"] == "Another interview already has external_ref 'ats-1'."
    other = create_interview(client, tenant, external_ref="ats-2")
    renamed = client.patch(f"/v1/interviews/{other['id']}", json={"external_ref": "ats-1"}, headers=tenant.headers)
    assert assert_problem(renamed, 409)["detail"] == "Another interview already has external_ref 'ats-1'."
    refs = [i["external_ref"] for i in client.get("/v1/interviews", headers=tenant.headers).json()["items"]]
    assert sorted(refs) == ["ats-1", "ats-2"]


def test_a_template_slot_taken_after_the_check_is_a_409(client, tenant, checks_miss):
    assert client.post("/v1/templates", json=TEMPLATE, headers=tenant.headers).status_code == 201
    again = client.post("/v1/templates", json=TEMPLATE, headers=tenant.headers)
    taken = "This tenant already has a thank_you template for locale 'en'; replace it with PUT instead."
    assert assert_problem(again, 409)["detail"] == taken
    german = client.post("/v1/templates", json={**TEMPLATE, "locale": "de"}, headers=tenant.headers).json()
    moved = client.put(f"/v1/templates/{german['id']}", json=TEMPLATE, headers=tenant.headers)
    assert assert_problem(moved, 409)["detail"] == taken
    locales = sorted(t["locale"] for t in client.get("/v1/templates", headers=tenant.headers).json()["items"])
    assert locales == ["de", "en"]


def test_only_the_unique_constraint_named_is_recognised(db, tenant):
    template = metadata.tables["template"]
    row = {"id": "t-1", "tenant_id": tenant.tenant_id, "message_kind": "thank_you", "locale": "en", "text": "Hi",
           "version": 1, "created_at": AT, "updated_at": AT}  # fmt: skip
    with db.engine.begin() as connection:
        connection.execute(insert(template).values(**row))
    for values, constraint in (({**row, "id": "t-2"}, TEMPLATE_SLOT), ({**row, "id": "t-3", "locale": "de", "text": None}, None)):
        with pytest.raises(IntegrityError) as raised, db.engine.begin() as connection:
            connection.execute(insert(template).values(**values))
        assert broken_unique(raised.value) == constraint, raised.value
