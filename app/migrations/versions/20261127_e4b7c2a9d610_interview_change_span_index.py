"""interview change span index

`GET /v1/interviews?updated_after=X` lists the interviews created at or before X
and changed after it first, then those created after X (app.db.interviews).
The first are few (a poll's window reaches back to the interviews still being
worked on) but no index found them without reading every interview changed
after X (index-only, 130-180 ms for a year at 1,000,000 interviews) or every
one created before X (seconds). This index holds the interviews changed after
their creation, by the bucket of that change's length (about log2 of its
seconds), in the list's order: for each bucket, the ones that can still have
been changed after X were created in a window just before X, so a page reads
about twice the rows it looks among (8-16 ms for any window).

PostgreSQL only (SQLite lists windows by its own plan). Built CONCURRENTLY
(app.db.online_index).

Revision ID: e4b7c2a9d610
Revises: c3a9e7d1f542
Create Date: 2026-11-27 06:00:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.db import online_index

revision: str = "e4b7c2a9d610"
down_revision: str | None = "c3a9e7d1f542"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_interview_tenant_change_span"
BUCKET = "LEAST(floor(log(2.0, GREATEST(EXTRACT(epoch FROM updated_at - created_at), 1))), 33)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    online_index.create_index(
        NAME, "interview", ["tenant_id", text(BUCKET), "created_at", "id"],
        where=text("updated_at > created_at"), include=["updated_at"],
    )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    online_index.drop_index(NAME, "interview")
