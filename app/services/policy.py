"""The tenant's timing policy (followup-rules.md, "Policy")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from app.db import jobs as jobs_repo
from app.db import tenants as tenants_repo
from app.domain.policy import Policy, PolicyError
from app.services.errors import InvalidInput
from app.services.preconditions import check_if_match
from app.services.tenancy import TenantContext, policy_of

REPLAN_TENANT = "replan_tenant"


def get_policy(*, session: Connection, tenant: TenantContext, for_update: bool = False) -> tuple[Policy, int]:
    stored, version = tenants_repo.load_policy(session, tenant.tenant_id, for_update=for_update)
    return policy_of(tenant.tenant_id, stored, version), version


def replace_policy(*, session: Connection, tenant: TenantContext, data: Mapping[str, Any], now: datetime) -> tuple[Policy, int]:
    """Validate the whole policy, store it, and queue the re-planning.

    Returns at once: stored plans carry the version they were made with, the
    job re-plans stale ones in bounded batches, and per-interview reads
    re-plan a stale interview before answering.
    """
    try:
        policy = Policy.from_mapping(data)
    except PolicyError as error:
        raise InvalidInput(
            "The policy is not valid: " + "; ".join(f"{name}: {message}" for name, message in error.errors),
            errors=[(f"body.{name}", message) for name, message in error.errors],
        ) from error
    version = tenants_repo.store_policy(session, tenant_id=tenant.tenant_id, policy=policy.to_mapping())
    jobs_repo.enqueue(session, kind=REPLAN_TENANT, tenant_id=tenant.tenant_id, payload={"policy_version": version}, now=now)
    return policy, version



def check_policy_version(if_match: str, version: int) -> None:
    check_if_match(if_match, version, what="policy")
