"""Run the Alembic migrations shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


class UnknownSchema(Exception):
    """The database is at a migration this version does not ship: a newer version of
    followup migrated it (a deployment rolled back), and this code cannot know its tables."""


def upgrade(database_url: str, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(database_url), revision)
    except CommandError as error:
        if not isinstance(error.__cause__, ResolutionError):
            raise
        raise UnknownSchema(
            f"the database was migrated by a newer version of followup ({error}): "
            "run that version, or give this one a database of its own"
        ) from error


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, frozenset[str]]:
    """This version's head revision and every revision it ships (read once: it imports the scripts)."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return script.get_current_head() or "", frozenset(r.revision for r in script.walk_revisions())


def schema_behind(connection: Connection) -> str | None:
    """Why the database's schema is older than this code's, or None when it is current.

    A schema migrated by a newer version (a revision this one does not ship) counts as
    current: migrations add, and the processes of the version before keep serving during
    a rolling upgrade.
    """
    head, shipped = _shipped()
    if not inspect(connection).has_table("alembic_version"):
        return f"the database has no schema yet, this version needs revision {head}"
    current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if current == {head} or current - shipped:
        return None
    return f"the database schema is at revision {', '.join(sorted(current)) or 'none'}, this version needs {head}"
