"""Revision a9e3c5d7f1b2: templates stored under a legacy language code (`iw`, `no`...)
are renamed to its current code, unless the tenant has that kind under the current code
already: then the legacy one stays as it is, unused."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import select, update

from app.db.migrate import alembic_config, downgrade, upgrade
from app.db.tables import Template
from tests.api.helpers import create_interview

REVISION = "a9e3c5d7f1b2"
BEFORE = ScriptDirectory.from_config(alembic_config("")).get_revision(REVISION).down_revision
TEMPLATE = {"subject": "Hi", "text": "Hi {{ interviewer_name }}, {{ interview_date }}."}


def _upload(client, tenant, kind: str, locale: str) -> str:
    r = client.post("/v1/templates", json={**TEMPLATE, "message_kind": kind, "locale": locale}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_upgrading_renames_legacy_codes_and_leaves_a_twin_alone(client, app, tenant, other_tenant, database_url):
    template_t = Template.__table__
    # What an earlier version stored: the codes as uploaded. Uploaded today under a placeholder
    # code, then set to the legacy one.
    hebrew = _upload(client, tenant, "thank_you", "xa")  # iw alone: renamed to he
    norwegian = _upload(client, tenant, "follow_up", "xb")  # no beside an nb one: stays
    indonesian = _upload(client, tenant, "linkedin_note", "xc")  # in alone: renamed to id
    elsewhere = _upload(client, other_tenant, "follow_up", "xd")  # iw; the other tenant's he is another kind's
    legacy = {hebrew: "iw", norwegian: "no", indonesian: "in", elsewhere: "iw"}
    twin = _upload(client, tenant, "follow_up", "nb")
    other_he = _upload(client, other_tenant, "thank_you", "he")
    german = _upload(client, tenant, "rejection_reply", "de")
    with app.state.db.engine.begin() as connection:
        for template_id, code in legacy.items():
            connection.execute(update(template_t).where(template_t.c.id == template_id).values(locale=code))
        before = {row.id: row for row in connection.execute(select(template_t))}

    app.state.db.engine.dispose()
    upgrade(database_url)  # another migration test may have left a shared database below the head
    downgrade(database_url, BEFORE)
    upgrade(database_url, REVISION)

    with app.state.db.engine.begin() as connection:
        after = {row.id: row for row in connection.execute(select(template_t))}
    renamed = {hebrew: "he", indonesian: "id", elsewhere: "he"}
    assert {t: after[t].locale for t in renamed} == renamed
    assert all(after[t].version == before[t].version + 1 and after[t].updated_at > before[t].updated_at for t in renamed)
    assert after[norwegian] == before[norwegian]  # its nb twin keeps the slot
    assert all(after[t] == before[t] for t in (twin, other_he, german))
    assert {row.text for row in after.values()} == {TEMPLATE["text"]}

    # The API reads them under the current codes: a request for iw finds the renamed he template,
    # a request for no the nb twin.
    interview = create_interview(client, tenant)
    path = f"/v1/interviews/{interview['id']}/messages"
    dana = interview["interviewers"][0]["id"]
    thank_you = client.get(f"{path}/thank_you", params={"contact_id": dana, "locale": "iw"}, headers=tenant.headers).json()
    follow_up = client.get(f"{path}/follow_up", params={"locale": "no"}, headers=tenant.headers).json()
    assert (thank_you["template"]["id"], follow_up["template"]["id"]) == (hebrew, twin)
