"""Next actions: per interview (replayed at a moment) and tenant-wide (stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app.db import interviews as interviews_repo
from app.db import plans as plans_repo
from app.db.plans import DueQuery
from app.domain.model import Action
from app.domain.planner import materialize, plan
from app.services.interviews import interview_not_found
from app.services.tenancy import TenantContext


def interview_actions(
    *, session: Connection, tenant: TenantContext, interview_id: str, at: datetime, now: datetime
) -> list[Action]:
    """Every action at `at`, replaying only the events up to `at` (api-contract).

    Recorded events never lie in the future, so from `now` on the replay is
    exactly the stored schedule: a fresh one is served as stored (one query),
    and only a moment in the past, or a plan that predates the tenant's
    policy, is planned again from the timeline.
    """
    if at >= now:
        found = plans_repo.stored_plan(session, tenant_id=tenant.tenant_id, interview_id=interview_id)
        if found is None:
            raise interview_not_found(interview_id)
        policy_version, steps = found
        if policy_version == tenant.policy_version:
            return materialize(interview_id, steps, at)
    replayed = interviews_repo.load_with_timeline(session, tenant_id=tenant.tenant_id, interview_id=interview_id)
    if replayed is None:
        raise interview_not_found(interview_id)
    return plan(replayed.stored.interview, replayed.events, tenant.policy, at)


@dataclass(frozen=True, slots=True)
class ActionPage:
    items: list[Action]
    next_after: tuple[datetime, str, str, int] | None


def tenant_actions(*, session: Connection, query: DueQuery) -> ActionPage:
    """One page of the tenant-wide list, from the stored plans."""
    rows = plans_repo.due_list(session, query)
    items: list[Action] = []
    for interview_id, _seq, step in rows[: query.limit]:
        # The query keeps a wait only inside its window, which materialize keeps too.
        items.extend(materialize(interview_id, (step,), query.at))
    next_after = None
    if len(rows) > query.limit:
        interview_id, seq, step = rows[query.limit - 1]
        next_after = (step.due_at, interview_id, step.kind.value, seq)
    return ActionPage(items=items, next_after=next_after)
