"""replan after a wording change: a missed thank-you names the reply that ended the follow-ups

A thank-you a follow-up took over from (rule 1), in a chain a reply without a
timeline then ended (rule 4), now says so in its reason: "a follow-up took over
from it on <day>, and the reply from <name> on <day> then ended the follow-ups".
Its reason promised a follow-up taking over that the plan no longer lists.

A follow-up sent after such a reply had already ended the chain now takes over
from a late thank-you when it is sent, not on the day one would have opened had
no reply come (plans made in between said the thank-you was overdue): the
thank-you's `missed_at` and reason ("until <day>, when a follow-up takes
over") name the sending, and the done follow-up is available and due from then
(from its rule-set opening, if that is later), with rule 4's slug.
Stored plans keep the old wording and times until re-planned (app.db.rule_changes).

Revision ID: a6d3f1c8e925
Revises: 6b9e69316bc7
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

from app.db.rule_changes import replan_every_tenant

revision: str = "a6d3f1c8e925"
down_revision: str | None = "6b9e69316bc7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    replan_every_tenant()


def downgrade() -> None:
    """Nothing to undo: the re-planned steps are valid for an older version too."""
