"""API keys: `Authorization: Bearer fu_...`, looked up by SHA-256 hash.

A small per-process cache keeps the key lookup off the hot path. It may be
lost at any time and holds an entry for at most `auth_cache_seconds`, which
bounds how long a revoked key or a policy change takes to reach another
process; this process drops a tenant's entries itself when it changes the policy.
"""

from __future__ import annotations

import time

from app.db import tenants as tenants_repo
from app.db.engine import Database
from app.services.errors import Unauthenticated
from app.services.tenancy import TenantContext, policy_of

_MAX_ENTRIES = 10_000


class KeyCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, TenantContext]] = {}

    def get(self, key: str) -> TenantContext | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, tenant = entry
        if expires < time.monotonic():
            self._entries.pop(key, None)
            return None
        return tenant

    def put(self, key: str, tenant: TenantContext) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, tenant)

    def forget_tenant(self, tenant_id: str) -> None:
        for key in [k for k, (_, t) in self._entries.items() if t.tenant_id == tenant_id]:
            self._entries.pop(key, None)


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an `Authorization: Bearer ...` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authenticate(db: Database, cache: KeyCache, key: str | None) -> TenantContext:
    """The tenant of a bearer key, or 401."""
    if not key:
        raise Unauthenticated("This route needs an API key: send `Authorization: Bearer fu_...`.")
    if not key.startswith(tenants_repo.KEY_PREFIX) or len(key) > 200:
        raise Unauthenticated("The API key is not valid: keys look like `fu_` followed by random characters.")
    tenant = cache.get(key)
    if tenant is not None:
        return tenant
    with db.session(write=False) as session:
        found = tenants_repo.tenant_for_key(session, key)
    if found is None:
        raise Unauthenticated("The API key is not valid or has been revoked.")
    tenant = TenantContext(
        found.tenant_id,
        policy_of(found.tenant_id, found.policy, found.policy_version),
        found.policy_version,
        has_templates=found.has_templates,
    )
    cache.put(key, tenant)
    return tenant
