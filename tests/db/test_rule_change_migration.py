"""Revision e7c1d9a4b362: stored plans are re-planned under today's wording, and stored
LinkedIn URLs lose the Unicode spaces the API now refuses, without changing the address."""

from __future__ import annotations

from sqlalchemy import select, text, update

from app.db.migrate import downgrade, upgrade
from app.db.tables import Contact, Job, Tenant
from tests.api.helpers import create_interview

BEFORE = "e4b7c2a9d610"


def test_upgrading_replans_every_tenant_and_encodes_stored_unicode_spaces(client, app, tenant, other_tenant, database_url, request):
    interview = create_interview(client, tenant)
    create_interview(client, other_tenant)
    dana, sam = (c["id"] for c in interview["interviewers"])
    spaced = "https://www.linkedin.com/in/dana\u2009lee\u00a0x"  # accepted by an earlier version
    plain = "https://www.linkedin.com/in/sam-reed"
    contact_t, tenant_t, job_t = Contact.__table__, Tenant.__table__, Job.__table__
    with app.state.db.engine.begin() as connection:
        connection.execute(update(contact_t).where(contact_t.c.id == dana).values(linkedin_url=spaced))
        connection.execute(update(contact_t).where(contact_t.c.id == sam).values(linkedin_url=plain))
        connection.execute(text("DELETE FROM job"))
        versions = dict(connection.execute(select(tenant_t.c.id, tenant_t.c.policy_version)).all())

    # The interview as stored cannot be sent back: the URL has a space the API refuses.
    back = [{k: c[k] for k in ("id", "name", "email", "role", "is_human", "rapport")} | {"linkedin_url": spaced if c["id"] == dana else plain}
            for c in interview["interviewers"]]  # fmt: skip
    path = f"/v1/interviews/{interview['id']}"
    assert client.patch(path, json={"interviewers": back}, headers=tenant.headers).status_code == 422

    app.state.db.engine.dispose()
    downgrade(database_url, BEFORE)
    upgrade(database_url, "e7c1d9a4b362")  # this revision only: a later one re-plans again
    request.addfinalizer(lambda: upgrade(database_url))  # later tests share the PostgreSQL database

    with app.state.db.engine.begin() as connection:
        urls = dict(connection.execute(select(contact_t.c.id, contact_t.c.linkedin_url).where(contact_t.c.id.in_([dana, sam]))).all())
        after = dict(connection.execute(select(tenant_t.c.id, tenant_t.c.policy_version)).all())
        jobs = connection.execute(select(job_t.c.kind, job_t.c.tenant_id, job_t.c.payload)).all()
    assert urls == {dana: "https://www.linkedin.com/in/dana%E2%80%89lee%C2%A0x", sam: plain}
    assert after == {tenant_id: version + 1 for tenant_id, version in versions.items()}
    assert sorted((kind, tenant_id, payload["policy_version"]) for kind, tenant_id, payload in jobs) == sorted(
        ("replan_tenant", tenant_id, version) for tenant_id, version in after.items()
    )
    # What the client reads now goes back as it came.
    read = client.get(path, headers=tenant.headers).json()["interviewers"]
    again = [{k: c[k] for k in ("id", "name", "email", "role", "is_human", "rapport", "linkedin_url")} for c in read]
    assert client.patch(path, json={"interviewers": again}, headers=tenant.headers).status_code == 200
