"""job first claimed at: a re-plan's settle window counts from its first claim

A re-plan job is finished by a pass once no process can still write a plan with the
old policy. That window counted from the job's `created_at`, the moment the policy
PUT arrived; the PUT itself may commit up to a write's longest wait later, so a
stale plan written in between outlived the job's last pass. A worker's first claim
comes after that commit: `first_claimed_at` keeps it. Jobs pending at the upgrade
have none, and the next claim sets it.

Revision ID: 6b9e69316bc7
Revises: f2d8a6c1b947
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.types import UTCDateTime

revision: str = "6b9e69316bc7"
down_revision: str | None = "f2d8a6c1b947"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("first_claimed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("first_claimed_at")
