"""covering due index

The tenant-wide due list skips rows that are unresolved but closed at the
asked moment (missed thank-yous, waits outside their window). With the
clock-dependent columns in the index (PostgreSQL INCLUDE), those rows are
skipped on index entries instead of heap fetches.

Revision ID: 5c1f2a9d7e40
Revises: 18babcffb780
Create Date: 2026-11-25 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1f2a9d7e40"
down_revision: str | None = "18babcffb780"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ["tenant_id", "due_at", "interview_id", "kind", "seq"]
OPEN = sa.text("resolution IS NULL")


def upgrade() -> None:
    op.drop_index("ix_planned_action_open_due", table_name="planned_action")
    op.create_index(
        "ix_planned_action_open_due",
        "planned_action",
        KEYS,
        unique=False,
        postgresql_include=["id", "available_at", "late_after", "missed_at", "shown_from"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_planned_action_open_due", table_name="planned_action")
    op.create_index(
        "ix_planned_action_open_due", "planned_action", KEYS, unique=False, postgresql_where=OPEN, sqlite_where=OPEN
    )
