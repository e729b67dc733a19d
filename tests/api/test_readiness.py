"""/readyz says ready only when the database answers with this version's schema.

A database behind the code (a restored backup, a process started without `followup
migrate`) answered 200 here while every request failed with a 500 on a missing column.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.api.app import create_app
from app.db.migrate import downgrade, upgrade
from app.settings import Settings
from tests.api.helpers import assert_problem
from tests.conftest import BACKENDS, _create_pg_database, _drop_pg_database, postgres_admin_url

PREVIOUS = "5c1f2a9d7e40"  # a revision older than the head


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """A database of each kind with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/followup.db"
        return
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip("PostgreSQL not configured")
    name = f"followup_ready_{uuid.uuid4().hex[:8]}"
    yield _create_pg_database(admin_url, name)
    _drop_pg_database(admin_url, name)


def _readyz(url: str):
    settings = Settings(database_url=url, run_jobs=False, retry_after_seconds=7)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        return client.get("/readyz")


def test_readyz_is_503_until_the_schema_is_this_versions(empty_database_url):
    url = empty_database_url
    for revision, needle in ((None, "no schema"), (PREVIOUS, PREVIOUS)):
        if revision is not None:
            upgrade(url, revision)
        answer = _readyz(url)
        body = assert_problem(answer, 503, validation=False)
        assert answer.headers["retry-after"] == "7"
        assert needle in body["detail"] and "followup migrate" in body["detail"], body
    upgrade(url)
    assert _readyz(url).json() == {"status": "ready"}
    downgrade(url, PREVIOUS)
    assert _readyz(url).status_code == 503, "a schema taken back under a running process"


def test_a_schema_from_a_newer_version_is_ready(empty_database_url):
    """During a rolling upgrade the new version migrates first; the old one keeps serving."""
    url = empty_database_url
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedf00d'"))
    engine.dispose()
    assert _readyz(url).json() == {"status": "ready"}
