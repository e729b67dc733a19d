"""Migrations build the schema, undo it, rebuild it, and match the models exactly."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.db.migrate import downgrade, upgrade
from app.db.tables import metadata
from tests.conftest import BACKENDS, PG_SKIP_REASON, _create_pg_database, _drop_pg_database, postgres_admin_url

MODEL_TABLES = set(metadata.tables)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A database with no tables at all (not the migrated template)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(PG_SKIP_REASON)
    name = f"followup_migrations_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = _create_pg_database(admin_url, name)
    yield url
    _drop_pg_database(admin_url, name)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _indexes(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {t: {i["name"] for i in inspector.get_indexes(t)} for t in sorted(MODEL_TABLES)}
    finally:
        engine.dispose()


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            # The change-span index is PostgreSQL's alone (ddl_if): SQLite has nothing to compare.
            warnings.filterwarnings("ignore", message=r".*'ix_interview_tenant_change_span'; dialect 'sqlite'")
            context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": metadata})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def _built_on(index, dialect: str) -> bool:
    """Whether the model's index exists on this dialect (`Index.ddl_if(dialect=...)`)."""
    condition = getattr(index, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect)


def test_upgrade_downgrade_upgrade(empty_database_url):
    url = empty_database_url
    assert _tables(url) == set()

    upgrade(url)
    assert _tables(url) == MODEL_TABLES | {"alembic_version"}
    indexes = _indexes(url)
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    expected_indexes = {
        index.name for table in metadata.tables.values() for index in table.indexes if _built_on(index, dialect)
    }
    assert expected_indexes <= set().union(*indexes.values())

    downgrade(url, "base")
    assert _tables(url) == {"alembic_version"}

    upgrade(url)
    assert _tables(url) == MODEL_TABLES | {"alembic_version"}
    assert _indexes(url) == indexes


def test_upgrade_is_idempotent(empty_database_url):
    upgrade(empty_database_url)
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == MODEL_TABLES | {"alembic_version"}


def test_autogenerate_finds_no_difference(empty_database_url):
    upgrade(empty_database_url)
    differences = _differences(empty_database_url)
    assert differences == [], (
        "the models and the migrations disagree; write a migration "
        f"(alembic revision --autogenerate): {differences}"
    )


def test_autogenerate_notices_a_missing_migration(empty_database_url):
    """The check above can fail: a schema one migration short is reported."""
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    differences = _differences(empty_database_url)
    added = {d[1].name for d in differences if d[0] == "add_table"}
    assert added == MODEL_TABLES
