"""Alembic environment: the app's metadata, batch mode for SQLite.

The URL comes from `config.attributes["database_url"]` (set by app.db.migrate)
or, for a developer's `alembic` command, from FOLLOWUP_DATABASE_URL. On
PostgreSQL an advisory lock serialises migrations, so several service
processes starting together never migrate at once.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import app.db.tables  # noqa: F401  (registers the tables)
from app.db.engine import make_engine
from app.settings import Settings

config = context.config
target_metadata = app.db.tables.metadata
MIGRATION_LOCK = 7_412_903_311


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or Settings().database_url
    engine = make_engine(Settings(database_url=url))
    try:
        with engine.connect() as connection:
            is_postgres = connection.dialect.name == "postgresql"
            if is_postgres:
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
                connection.commit()
            try:
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=connection.dialect.name == "sqlite",
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
            finally:
                if is_postgres:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                    connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `followup migrate`")
run_migrations_online()
