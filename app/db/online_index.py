"""Index migrations that keep a big, live table writable (for app/migrations/versions).

On PostgreSQL an index is built CONCURRENTLY, outside the migration's transaction: a
plain CREATE INDEX blocks the table's writes while it builds (minutes for
`planned_action` on a big tenant). A concurrent build that is interrupted (a lock
timeout behind a long transaction, a lost connection) leaves an INVALID index, so the
upgrade drops any such leftover first, and running `followup migrate` again finishes
the job. SQLite builds it in the migration's transaction, as any other.

What a migration calls here must keep doing what it did when that migration was
written: change these functions only in ways every existing caller still wants.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import TextClause


def create_index(
    name: str, table: str, columns: Sequence[str], *, where: TextClause | None = None, include: Sequence[str] | None = None
) -> None:
    """Create index `name` on `table`; `where` makes it partial, `include` (PostgreSQL) covering."""
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(name, table, list(columns), unique=False, sqlite_where=where)
        return
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.create_index(
            name, table, list(columns), unique=False, postgresql_where=where, postgresql_include=include,
            postgresql_concurrently=True,
        )  # fmt: skip


def drop_index(name: str, table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        op.drop_index(name, table_name=table, postgresql_concurrently=True)
