"""Keeping stored schedules in step with the data, and reading actions back.

Every write that can change a plan (interview create/patch, a new event)
re-plans that interview in the same transaction (`replan`). A policy change
bumps the tenant's policy version instead; stale interviews are re-planned in
bounded batches by a background job, and a read that meets a stale one plans
it afresh in memory (`stored_steps`) before answering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection

from app.db import events as events_repo
from app.db import interviews as interviews_repo
from app.db import plans as plans_repo
from app.db.interviews import StoredInterview
from app.domain.model import Action, Event, PlannedStep
from app.domain.planner import materialize, next_action, schedule
from app.domain.status import outcome_of
from app.services.tenancy import TenantContext


def replan(
    session: Connection, *, tenant: TenantContext, stored: StoredInterview, events: Sequence[Event]
) -> tuple[PlannedStep, ...]:
    """Store the interview's schedule under the tenant's current policy."""
    steps = schedule(stored.interview, events, tenant.policy)
    plans_repo.replace_plan(session, tenant_id=tenant.tenant_id, interview_id=stored.interview.id, steps=steps)
    interviews_repo.mark_planned(session, interview_id=stored.interview.id, policy_version=tenant.policy_version)
    return steps


def record_event_outcome(
    session: Connection,
    *,
    tenant: TenantContext,
    stored: StoredInterview,
    events: Sequence[Event],
    plan: Sequence[PlannedStep],
    now: datetime,
) -> None:
    """After a new event: store the steps of the new plan that differ from the
    stored `plan`, then the status and a new version in one update."""
    steps = schedule(stored.interview, events, tenant.policy)
    plans_repo.update_plan(
        session, tenant_id=tenant.tenant_id, interview_id=stored.interview.id, stored=plan, steps=steps
    )
    interviews_repo.touch_interview(
        session, stored=stored, outcome=_outcome_value(events), policy_version=tenant.policy_version, now=now
    )


def _outcome_value(events: Sequence[Event]) -> str | None:
    outcome = outcome_of(events)
    return outcome.value if outcome is not None else None


def stored_steps(
    session: Connection, *, tenant: TenantContext, stored: StoredInterview, plan_rows: Sequence[Sequence]
) -> list[PlannedStep]:
    """The stored schedule; planned afresh (not stored) when it predates the tenant's policy.

    `plan_rows`: the interview's rows of `plans.PLAN_ROWS_SQL`, which every
    caller reads along with the interview. Reads never write: the background
    job stores the fresh plan, this answer just does not wait for it.
    """
    if stored.plan_policy_version != tenant.policy_version:
        events = events_repo.timeline(session, interview_id=stored.interview.id)
        return list(schedule(stored.interview, events, tenant.policy))
    return plans_repo.steps_of(plan_rows)


def next_actions_of(
    session: Connection,
    *,
    tenant: TenantContext,
    interviews: Sequence[StoredInterview],
    plan_rows: Mapping[str, Sequence[Sequence]],
    now: datetime,
) -> dict[str, Action | None]:
    """`next_action` for a page of interviews, from the rows of their stored plans
    read with the page (`interviews.list_page`), through `stored_steps`."""
    return {
        s.interview.id: next_action(
            materialize(s.interview.id, stored_steps(session, tenant=tenant, stored=s, plan_rows=plan_rows[s.interview.id]), now)
        )
        for s in interviews
    }
