"""interview company index

`GET /v1/interviews?company_name=` had no index: PostgreSQL walked the tenant's
interviews oldest first until a page was full, all of them for a company with
few or no interviews (0.5 s through the app at 1,000,000 interviews, three
times per request). This index serves the filter in the list's order.

Built CONCURRENTLY on PostgreSQL, outside the migration's transaction, so the
live `interview` table keeps taking writes while it builds; an interrupted
build leaves an INVALID index, which the upgrade drops first.

Revision ID: 9c4e1a7b3d25
Revises: 7b2d4e6f8a13
Create Date: 2026-11-27 03:00:00
"""

from collections.abc import Sequence

from app.db import online_index

revision: str = "9c4e1a7b3d25"
down_revision: str | None = "7b2d4e6f8a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_interview_tenant_company"
KEYS = ["tenant_id", "company_name", "created_at", "id"]


def upgrade() -> None:
    online_index.create_index(NAME, "interview", KEYS)


def downgrade() -> None:
    online_index.drop_index(NAME, "interview")
