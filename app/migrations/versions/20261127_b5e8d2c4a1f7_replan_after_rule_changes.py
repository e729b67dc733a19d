"""replan after rule changes

The plans stored by earlier versions predate this version's rule changes (an
interview with no human contact now gets rule 2's thank-you; a chain an answer
ended stays ended, rule 4), and nothing else would make them stale: `GET
/v1/actions` and `next_action` would serve the old plans for good. Bumping each
tenant's policy version makes every stored plan stale, so per-interview reads
plan afresh at once, and the re-plan job queued here (the one a policy change
queues) rewrites the stored plans in batches. A later rule change ships a
migration like this one.

A tenant's policy ETag changes with its version: a client's If-Match from before
the upgrade gets a 412 and reads the policy again.

Revision ID: b5e8d2c4a1f7
Revises: 9c4e1a7b3d25
Create Date: 2026-11-27 03:00:00
"""

from collections.abc import Sequence

from app.db.rule_changes import replan_every_tenant

revision: str = "b5e8d2c4a1f7"
down_revision: str | None = "9c4e1a7b3d25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    replan_every_tenant()


def downgrade() -> None:
    """Nothing to undo: the plans were rewritten by this version's rules, which an older one rewrites on its next write."""
