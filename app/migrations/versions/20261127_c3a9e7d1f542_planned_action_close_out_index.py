"""planned action close_out index

`GET /v1/actions?kind=close_out` (alone, with other kinds, with `state=done`)
walked `ix_planned_action_open_due` or `ix_planned_action_due` in the list's
order looking for a kind that is one row per interview, most of them resolved
or far off: 0.4-1 s for the first page at 1,000,000 interviews. This index
holds the close_out rows alone, in the list's order, with the columns the
states are decided on (app.db.plans._due_keys reads it with `kind = 'close_out'`
written as a literal, so every plan of the query can use it).

Only close_out rows are written to it: a write that changes another step costs
what it did. Built CONCURRENTLY on PostgreSQL (app.db.online_index).

Revision ID: c3a9e7d1f542
Revises: b5e8d2c4a1f7
Create Date: 2026-11-27 05:10:00
"""

from collections.abc import Sequence

from sqlalchemy import text

from app.db import online_index

revision: str = "c3a9e7d1f542"
down_revision: str | None = "b5e8d2c4a1f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_planned_action_close_out_due"
KEYS = ["tenant_id", "due_at", "interview_id", "seq"]
INCLUDE = ["id", "resolution", "available_at", "late_after", "missed_at", "shown_from"]


def upgrade() -> None:
    online_index.create_index(NAME, "planned_action", KEYS, where=text("kind = 'close_out'"), include=INCLUDE)


def downgrade() -> None:
    online_index.drop_index(NAME, "planned_action")
