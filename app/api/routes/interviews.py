"""Interviews: create, list, read, change, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from app.api import cursors
from app.api.deps import DbDep, NowDep, TenantDep
from app.api.idempotency import IdempotencyDep, json_response
from app.api.params import InterviewId, NoNul
from app.api.presenters import interview_public
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.common import Cursor, Limit, Page, Timestamp
from app.api.schemas.interviews import InterviewCreate, InterviewPublic, InterviewUpdate
from app.db.interviews import InterviewFilter
from app.domain.model import InterviewStatus
from app.domain.planner import materialize, next_action
from app.services import interviews as service
from app.services.planning import next_actions_of

router = APIRouter(prefix="/v1/interviews", tags=["interviews"], route_class=CheckedRoute)

IfMatch = Annotated[str | None, Header(max_length=200, description="The ETag you read; 412 when it is stale.")]


def _present_planned(planned: service.Planned, now) -> InterviewPublic:
    """An interview just written: its next action comes from the plan in hand."""
    stored = planned.stored
    nxt = next_action(materialize(stored.interview.id, planned.steps, now))
    return interview_public(stored, now=now, next_action=nxt)


def _headers(stored) -> dict[str, str]:
    return {"ETag": service.etag_of(stored)}


@router.post("", status_code=201, response_model=InterviewPublic, responses=problems(400, 409, 413))
async def create_interview(
    body: InterviewCreate, db: DbDep, tenant: TenantDep, now: NowDep, idem: IdempotencyDep
) -> Response:
    """Create an interview."""
    with db.session(write=True) as session:
        if (replayed := idem.replay(session)) is not None:
            return replayed
        planned = service.create_interview(session=session, tenant=tenant, fields=body.model_dump(), now=now)
        stored = planned.stored
        public = _present_planned(planned, now)
        headers = {**_headers(stored), "Location": f"/v1/interviews/{stored.interview.id}"}
        response = json_response(public, status_code=201, headers=headers)
        return idem.remember(session, response, interview_id=stored.interview.id)


def _as_stored(value: str | None) -> str | None:
    """A filter value as the field is stored (without surrounding spaces), so that an ATS
    finds an interview by the very `external_ref` it sent."""
    return value.strip() if value is not None else None


#: A write's `updated_at` is the moment its request arrived, and it commits after waiting
#: for a pooled connection and the interview's lock: a poll can see a later `updated_at`
#: of another interview first (found by a review with two servers and a held lock).
UPDATED_AFTER_DOC = (
    "Interviews changed after this moment. A change is stamped when its request arrives and may "
    "commit up to about 20 s later (the pool timeout + the lock or busy timeout + 5 s, with the "
    "defaults), so a client that syncs by polling should ask from 20 s (plus its hosts' clock skew) "
    "before the latest `updated_at` it has seen, and skip what it already has (same `id` and `updated_at`)."
)


@router.get("", response_model=Page[InterviewPublic], responses=problems())
async def list_interviews(
    db: DbDep,
    tenant: TenantDep,
    now: NowDep,
    status: Annotated[InterviewStatus | None, Query(description="Only interviews in this status.")] = None,
    company_name: Annotated[str | None, Query(max_length=200, description="Only this company (the exact name, as stored)."), NoNul] = None,
    external_ref: Annotated[str | None, Query(max_length=200, description="Only the interview with this ATS id."), NoNul] = None,
    updated_after: Annotated[Timestamp | None, Query(description=UPDATED_AFTER_DOC)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[InterviewPublic]:
    """List interviews, oldest first, with filters and a cursor."""
    with db.session(write=False) as session:
        after = cursors.decode(cursor, (datetime, str)) if cursor else None
        page = service.list_interviews(
            session=session,
            tenant=tenant,
            filters=InterviewFilter(status=status, company_name=_as_stored(company_name), external_ref=_as_stored(external_ref), updated_after=updated_after),
            after=after,
            limit=limit,
            now=now,
        )
        nexts = next_actions_of(session, tenant=tenant, interviews=page.items, plan_rows=page.plan_rows, now=now)
        items = [interview_public(s, now=now, next_action=nexts[s.interview.id]) for s in page.items]
        last = page.items[-1] if page.items else None
        next_cursor = cursors.encode(last.created_at, last.interview.id) if page.has_more and last else None
        return Page[InterviewPublic](items=items, next_cursor=next_cursor)


@router.get("/{interview_id}", response_model=InterviewPublic, responses=problems(404))
async def get_interview(interview_id: InterviewId, db: DbDep, tenant: TenantDep, now: NowDep) -> Response:
    """Read one interview."""
    with db.session(write=False) as session:
        stored, nxt = service.get_with_next_action(session=session, tenant=tenant, interview_id=interview_id, now=now)
    return json_response(interview_public(stored, now=now, next_action=nxt), headers=_headers(stored))


@router.patch("/{interview_id}", response_model=InterviewPublic, responses=problems(400, 404, 409, 412, 413))
async def update_interview(
    interview_id: InterviewId,
    body: InterviewUpdate,
    db: DbDep,
    tenant: TenantDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Change some fields of an interview."""
    with db.session(write=True) as session:
        changes = body.model_dump(exclude_unset=True)
        planned = service.update_interview(
            session=session, tenant=tenant, interview_id=interview_id, changes=changes, if_match=if_match, now=now
        )
        return json_response(_present_planned(planned, now), headers=_headers(planned.stored))


@router.delete("/{interview_id}", status_code=204, responses=problems(404, 412))
async def delete_interview(
    interview_id: InterviewId, db: DbDep, tenant: TenantDep, if_match: IfMatch = None
) -> Response:
    """Delete an interview with its events and plan."""
    with db.session(write=True) as session:
        service.delete_interview(session=session, tenant=tenant, interview_id=interview_id, if_match=if_match)
        return Response(status_code=204)
