"""Which unique constraint a write broke, read alike from PostgreSQL and SQLite.

The services check a unique name before they write it, but two transactions
can both pass the check before either commits: on PostgreSQL (READ COMMITTED)
the later insert then waits for the earlier one and meets the constraint. The
services turn that into the same 409 the check gives (app.services.unique).
SQLite's writers are serialised by `BEGIN IMMEDIATE`, so there the check
decides; its message names the columns, not the constraint, hence the lookup.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError

from app.db.tables import metadata

_PG_UNIQUE_VIOLATION = "23505"
_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def broken_unique(error: IntegrityError) -> str | None:
    """The name of the unique constraint `error` reports, or None for any other integrity error."""
    driver_error = error.orig
    if getattr(driver_error, "sqlstate", None) == _PG_UNIQUE_VIOLATION:
        return driver_error.diag.constraint_name
    message = str(driver_error)
    if message.startswith(_SQLITE_UNIQUE):
        return _constraint_on(tuple(c.strip() for c in message.removeprefix(_SQLITE_UNIQUE).split(",")))
    return None


def _constraint_on(qualified_columns: tuple[str, ...]) -> str | None:
    """The unique constraint over exactly these `table.column` names."""
    table_name = qualified_columns[0].split(".", 1)[0]
    table = metadata.tables.get(table_name)
    if table is None:
        return None
    columns = {c.split(".", 1)[1] for c in qualified_columns}
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and {c.name for c in constraint.columns} == columns:
            return constraint.name
    return None
