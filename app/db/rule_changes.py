"""Migrations that ship a change of the rules or of what input is accepted (for app/migrations/versions).

- `replan_every_tenant`: the stored plans (steps, reasons) were computed by the
  previous rules, and nothing else would make them stale, so `GET /v1/actions` and
  `next_action` would serve them for good. Bumping each tenant's policy version
  makes every stored plan stale: per-interview reads plan afresh at once, and the
  re-plan job queued here (the one a policy change queues) rewrites the stored
  plans in batches. A tenant's policy ETag changes with its version, so a client's
  If-Match from before the upgrade gets a 412 and reads the policy again.

What a migration calls here must keep doing what it did when that migration was
written: change these functions only in ways every existing caller still wants.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.types import UTCDateTime

#: app.services.policy.REPLAN_TENANT; a job kind, so it never changes.
REPLAN_TENANT = "replan_tenant"

_tenant = sa.table("tenant", sa.column("id", sa.String), sa.column("policy_version", sa.Integer))
_job = sa.table(
    "job",
    sa.column("kind", sa.String),
    sa.column("tenant_id", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("run_after", UTCDateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", UTCDateTime(timezone=True)),
)


def replan_every_tenant() -> None:
    """Make every stored plan stale and queue each tenant's re-plan job."""
    bind = op.get_bind()
    bind.execute(_tenant.update().values(policy_version=_tenant.c.policy_version + 1))
    now = datetime.now(UTC)
    rows = [
        {"kind": REPLAN_TENANT, "tenant_id": tenant_id, "payload": {"policy_version": version},
         "run_after": now, "attempts": 0, "created_at": now}  # fmt: skip
        for tenant_id, version in bind.execute(sa.select(_tenant.c.id, _tenant.c.policy_version))
    ]
    if rows:
        op.bulk_insert(_job, rows)
