"""The tenant's timing policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from app.api.deps import DbDep, NowDep, TenantDep
from app.api.idempotency import json_response
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.policy import PolicyPublic, PolicyPut
from app.services import policy as service
from app.services.preconditions import etag

router = APIRouter(prefix="/v1/policy", tags=["policy"], route_class=CheckedRoute)

IfMatch = Annotated[str | None, Header(max_length=200, description="The ETag you read; 412 when it is stale.")]


@router.get("", response_model=PolicyPublic, responses=problems())
async def get_policy(db: DbDep, tenant: TenantDep) -> Response:
    """Read the tenant's timing policy (the defaults until replaced)."""
    with db.session(write=False) as session:
        policy, version = service.get_policy(session=session, tenant=tenant)
        return json_response(PolicyPublic(**policy.to_mapping()), headers={"ETag": etag(version)})


@router.put("", response_model=PolicyPublic, responses=problems(400, 412, 413))
async def replace_policy(
    body: PolicyPut,
    request: Request,
    db: DbDep,
    tenant: TenantDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Replace the tenant's timing policy; interviews are re-planned in the background."""
    with db.session(write=True) as session:
        if if_match is not None:
            # Locked until the write: two PUTs with one If-Match cannot both pass (PostgreSQL
            # would run the second's UPDATE after the first's commit, on the new version).
            _, version = service.get_policy(session=session, tenant=tenant, for_update=True)
            service.check_policy_version(if_match, version)
        policy, version = service.replace_policy(session=session, tenant=tenant, data=body.model_dump(), now=now)
        request.app.state.key_cache.forget_tenant(tenant.tenant_id)
        return json_response(PolicyPublic(**policy.to_mapping()), headers={"ETag": etag(version)})
