"""The tenant a request acts for, with its parsed policy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.domain.policy import Policy


@dataclass(frozen=True, slots=True)
class TenantContext:
    tenant_id: str
    policy: Policy
    policy_version: int
    #: False only when the tenant is known to have no templates (renders skip the lookup).
    has_templates: bool = True


@lru_cache(maxsize=1024)
def _parse(tenant_id: str, version: int, frozen_items: tuple) -> Policy:
    return Policy.from_mapping(dict(frozen_items))


def policy_of(tenant_id: str, stored: dict | None, version: int) -> Policy:
    """The tenant's policy: the defaults until it PUTs its own (parsed once per version)."""
    if stored is None:
        return Policy()
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in stored.items()))
    return _parse(tenant_id, version, items)
