"""replan after a rule change: a pending thank-you is suggested before a follow-up takes over

A pending thank-you's `suggested_send_at` now comes before the moment a follow-up
takes over from it (rule 1) when that is before it turns late, else it is the
interview end (rule 11). Stored plans keep the old suggestion, which may lie past
that moment, until re-planned (app.db.rule_changes).

Revision ID: f2d8a6c1b947
Revises: e7c1d9a4b362
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

from app.db.rule_changes import replan_every_tenant

revision: str = "f2d8a6c1b947"
down_revision: str | None = "e7c1d9a4b362"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    replan_every_tenant()


def downgrade() -> None:
    """Nothing to undo: the re-planned steps are valid for an older version too."""
