"""interview unfinished index

`GET /v1/interviews?status=scheduled` looks for interviews without an outcome
that end after now: few of a big tenant's, and the newest. Without an index on
(tenant, ends_at) over unfinished interviews it read the whole tenant.

On PostgreSQL the index is built CONCURRENTLY, outside the migration's
transaction: `interview` is big and live, and a plain CREATE INDEX blocks its
writes while it builds. A concurrent build that fails (a lock timeout behind a
long transaction, a lost connection) leaves an INVALID index behind; the
upgrade drops it first, so running `followup migrate` again finishes the job.

Revision ID: 3f6a1c9e2b84
Revises: 3f7a2b9c1d84
Create Date: 2026-11-27 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from app.db import online_index

revision: str = "3f6a1c9e2b84"
down_revision: str | None = "3f7a2b9c1d84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_interview_tenant_unfinished"
UNFINISHED = sa.text("outcome IS NULL")


def upgrade() -> None:
    online_index.create_index(NAME, "interview", ["tenant_id", "ends_at"], where=UNFINISHED)


def downgrade() -> None:
    online_index.drop_index(NAME, "interview")
