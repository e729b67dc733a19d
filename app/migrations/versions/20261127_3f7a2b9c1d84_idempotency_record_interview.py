"""idempotency record interview

The answer kept for an `Idempotency-Key` of an interview's or an event's create
is that interview's data (names, emails, notes), kept 24 h. It outlived a
`DELETE /v1/interviews/{interview_id}`, and a retry replayed the deleted
interview. `interview_id` ties the answer to its interview, and the foreign key
deletes it with the interview. Answers stored before this revision have none
and expire within 24 h as before.

Revision ID: 3f7a2b9c1d84
Revises: 8d3e6b1a2c57
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f7a2b9c1d84"
down_revision: str | None = "8d3e6b1a2c57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_record") as batch_op:
        batch_op.add_column(sa.Column("interview_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_idempotency_record_interview_id_interview"), "interview", ["interview_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_idempotency_record_interview_id"), ["interview_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record") as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_interview_id"))
        batch_op.drop_constraint(batch_op.f("fk_idempotency_record_interview_id_interview"), type_="foreignkey")
        batch_op.drop_column("interview_id")
