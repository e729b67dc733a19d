"""planned action due index

`GET /v1/actions?state=done` (or `cancelled`, or every state: a whole
checklist) names resolved rows, which `ix_planned_action_open_due` leaves
out: PostgreSQL read the whole table and sorted (1.5-2.7 s at 1,000,000
interviews). This index holds every row in the list's order, with the columns
the states are decided on.

Built CONCURRENTLY on PostgreSQL, outside the migration's transaction
(planned_action is the biggest table, ~10 rows per interview, and a plain
CREATE INDEX blocks its writes while it builds: 26 s for 10,000,000 rows here).
An interrupted concurrent build leaves an INVALID index: the upgrade drops it
first, so running `followup migrate` again finishes the job.

Revision ID: 7b2d4e6f8a13
Revises: 3f6a1c9e2b84
Create Date: 2026-11-27 02:50:00
"""

from collections.abc import Sequence

from app.db import online_index

revision: str = "7b2d4e6f8a13"
down_revision: str | None = "3f6a1c9e2b84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_planned_action_due"
KEYS = ["tenant_id", "due_at", "interview_id", "kind", "seq"]
INCLUDE = ["id", "resolution", "available_at", "late_after", "missed_at", "shown_from"]


def upgrade() -> None:
    online_index.create_index(NAME, "planned_action", KEYS, include=INCLUDE)


def downgrade() -> None:
    online_index.drop_index(NAME, "planned_action")
