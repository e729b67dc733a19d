"""tenant template count

Renders look up a tenant's own template on every message; most tenants have
none. `template_count`, kept in the same transaction as template writes and
read with the API key, lets a render skip the lookup.

Revision ID: 8d3e6b1a2c57
Revises: 5c1f2a9d7e40
Create Date: 2026-11-25 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d3e6b1a2c57"
down_revision: str | None = "5c1f2a9d7e40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenant") as batch_op:
        batch_op.add_column(sa.Column("template_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE tenant SET template_count = (SELECT count(*) FROM template WHERE template.tenant_id = tenant.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("tenant") as batch_op:
        batch_op.drop_column("template_count")
