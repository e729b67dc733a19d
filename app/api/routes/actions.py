"""Next actions: per interview, tenant-wide, and stateless."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api import cursors
from app.api.deps import DbDep, NowDep, TenantDep
from app.api.params import InterviewId
from app.api.patterns import readable
from app.api.presenters import action_dict, json_bytes
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.actions import ActionPublic, InterviewActions, PlanResult
from app.api.schemas.common import Cursor, Limit, Page, Timestamp
from app.api.schemas.plan import PlanRequest
from app.db.plans import OPEN, DueQuery
from app.domain.model import ActionKind, ActionState
from app.domain.planner import plan
from app.services import actions as service
from app.services.stateless import inline_events, inline_interview

router = APIRouter(tags=["actions"], route_class=CheckedRoute)

At = Annotated[Timestamp | None, Query(description="The moment to compute for (RFC 3339 with offset); default now.")]


@router.get("/v1/interviews/{interview_id}/actions", response_model=InterviewActions, responses=problems(404))
async def list_interview_actions(
    interview_id: InterviewId, db: DbDep, tenant: TenantDep, now: NowDep, at: At = None
) -> Response:
    """Every action for one interview at a moment, done ones included."""
    moment = at or now
    with db.session(write=False) as session:
        actions = service.interview_actions(session=session, tenant=tenant, interview_id=interview_id, at=moment, now=now)
    document = {"interview_id": interview_id, "at": moment.astimezone(UTC), "actions": [action_dict(a) for a in actions]}
    return Response(json_bytes(document), media_type="application/json")


def _list_pattern(enum) -> str:
    """A comma-separated list of the enum's values (blank items allowed), so the spec says what is refused."""
    one = "(?:" + "|".join(e.value for e in enum) + ")"
    allowed = ", ".join(e.value for e in enum)
    return readable(rf"^\s*(?:{one}\s*)?(?:,\s*(?:{one}\s*)?)*$", f"takes one or more of: {allowed} (comma-separated)")


def _parse_set(raw: str | None, enum):
    """The named values (the query's `_list_pattern` has refused any other), or None for none."""
    if raw is None:
        return None
    return frozenset(enum(v.strip()) for v in raw.split(",") if v.strip()) or None


@router.get("/v1/actions", response_model=Page[ActionPublic], responses=problems())
async def list_actions(
    db: DbDep,
    tenant: TenantDep,
    now: NowDep,
    at: At = None,
    due_before: Annotated[Timestamp | None, Query(description="Only actions due before this moment (RFC 3339 with offset).")] = None,
    state: Annotated[
        str | None,
        Query(max_length=200, pattern=_list_pattern(ActionState), description="Comma-separated states; default the open ones."),
    ] = None,
    kind: Annotated[
        str | None,
        Query(max_length=200, pattern=_list_pattern(ActionKind), description="Comma-separated kinds; wait/close_out only when named."),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """List the tenant's actions across interviews, soonest due first."""
    query = DueQuery(
        tenant_id=tenant.tenant_id,
        at=at or now,
        states=_parse_set(state, ActionState) or OPEN,
        kinds=_parse_set(kind, ActionKind),
        due_before=due_before,
        after=cursors.decode(cursor, (datetime, str, str, int)) if cursor else None,
        limit=limit,
    )
    with db.session(write=False) as session:
        page = service.tenant_actions(session=session, query=query)
    next_cursor = cursors.encode(*page.next_after) if page.next_after else None
    document = {"items": [action_dict(a) for a in page.items], "next_cursor": next_cursor}
    return Response(json_bytes(document), media_type="application/json")


@router.post("/v1/plan", response_model=PlanResult, responses=problems(400, 413))
async def plan_interview(body: PlanRequest, tenant: TenantDep, now: NowDep) -> Response:
    """Plan an interview sent whole; nothing is stored."""
    fields = body.interview.model_dump()
    interview = inline_interview(fields)
    events = inline_events(interview, [e.model_dump() for e in body.events], now=now)
    actions = plan(interview, events, tenant.policy, body.at or now)
    return Response(json_bytes({"actions": [action_dict(a) for a in actions]}), media_type="application/json")
