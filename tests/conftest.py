"""Shared fixtures: a migrated database of each kind, an app, a tenant.

Storage tests run against SQLite and PostgreSQL. PostgreSQL is used when
FOLLOWUP_TEST_POSTGRES_URL names a server (`.ci/run` sets it); otherwise the
PostgreSQL variants skip with that reason. Each test gets an empty database:
a copy of a migrated SQLite file, or a PostgreSQL database (migrated once per
session) whose tables are emptied after the test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db.migrate import upgrade

PG_ENV = "FOLLOWUP_TEST_POSTGRES_URL"
PG_SKIP_REASON = f"PostgreSQL not configured: set {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


def _create_pg_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(PG_SKIP_REASON)
    name = f"followup_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = _create_pg_database(admin_url, name)
    upgrade(url)
    yield url
    _drop_pg_database(admin_url, name)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
        ]
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "followup.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        _truncate_all(url)
        yield url
        _truncate_all(url)


@pytest.fixture
def settings(database_url):
    from app.settings import Settings

    return Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0)


@pytest.fixture
def db(settings):
    from app.db.engine import Database

    database = Database(settings)
    yield database
    database.dispose()


@dataclass
class TenantKey:
    tenant_id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_tenant(db, name: str = "acme") -> TenantKey:
    from app.db import tenants

    now = datetime.now(UTC)
    with db.session(write=True) as session:
        tenant_id = tenants.create_tenant(session, name=name, now=now)
        key = tenants.create_key(session, tenant_id=tenant_id, label="test", now=now)
    return TenantKey(tenant_id, key)


@pytest.fixture
def app(settings):
    from app.api.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def tenant(client, app) -> TenantKey:
    return make_tenant(app.state.db, "acme")


@pytest.fixture
def other_tenant(client, app) -> TenantKey:
    return make_tenant(app.state.db, "globex")


def run_cli(args, *, database_url: str, monkeypatch, capsys) -> tuple[int, str, str]:
    """`followup ARGS...` in process with FOLLOWUP_DATABASE_URL set: (exit code, stdout, stderr)."""
    from app import cli
    from app.settings import get_settings

    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        code = cli.main(list(args))
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def followup(database_url, monkeypatch, capsys):
    """Runs `followup ARGS...` in process on the test database: (exit code, stdout, stderr), stripped."""

    def run(*args: str) -> tuple[int, str, str]:
        code, out, err = run_cli(args, database_url=database_url, monkeypatch=monkeypatch, capsys=capsys)
        return code, out.strip(), err.strip()

    return run
