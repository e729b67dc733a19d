"""Tenants, their API keys and their policy."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from app.db.tables import ApiKey, Interview, Job, Tenant

KEY_PREFIX = "fu_"

tenant_t = Tenant.__table__
key_t = ApiKey.__table__
interview_t = Interview.__table__


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class TenantAuth:
    """What a request needs to know about the tenant behind its key."""

    tenant_id: str
    policy: dict | None
    policy_version: int
    has_templates: bool


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: str
    tenant_id: str
    tenant_name: str
    prefix: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def create_tenant(session: Connection, *, name: str, now: datetime) -> str:
    tenant_id = str(uuid.uuid4())
    session.execute(tenant_t.insert().values(id=tenant_id, name=name, policy=None, policy_version=1, created_at=now))
    return tenant_id


def find_tenants(session: Connection, name_or_id: str) -> list[tuple[str, str]]:
    """(id, name) of the tenant with this id, or else of every tenant with this name, oldest first.

    More than one means the name is ambiguous (names were not unique before
    `followup tenants create` refused a taken one): the caller must ask for
    the id rather than pick one of them.
    """
    rows = session.execute(
        select(tenant_t.c.id, tenant_t.c.name)
        .where((tenant_t.c.id == name_or_id) | (tenant_t.c.name == name_or_id))
        .order_by(tenant_t.c.created_at, tenant_t.c.id)
    ).all()
    return [(r.id, r.name) for r in _the_id_or_all(rows, name_or_id)]


def _the_id_or_all(rows: Sequence, id_or_other: str) -> Sequence:
    """The row whose id this is, or else all of them: an id is exact, a name or prefix may be shared."""
    return [r for r in rows if r.id == id_or_other] or rows


def tenant_named(session: Connection, name: str) -> str | None:
    """The id of a tenant with this name, if there is one."""
    return session.execute(select(tenant_t.c.id).where(tenant_t.c.name == name).limit(1)).scalar()


def has_tenants(session: Connection) -> bool:
    return session.execute(select(tenant_t.c.id).limit(1)).first() is not None


def create_key(session: Connection, *, tenant_id: str, label: str | None, now: datetime) -> str:
    """Store a new key's hash and return the key itself: shown once, never stored."""
    key = new_key()
    session.execute(
        key_t.insert().values(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            key_hash=hash_key(key),
            prefix=key[:10],
            label=label,
            created_at=now,
            revoked_at=None,
        )
    )
    return key


def list_keys(session: Connection, *, tenant_id: str | None = None) -> list[KeyInfo]:
    query = (
        select(key_t, tenant_t.c.name.label("tenant_name"))
        .join(tenant_t, tenant_t.c.id == key_t.c.tenant_id)
        .order_by(key_t.c.created_at, key_t.c.id)
    )
    if tenant_id is not None:
        query = query.where(key_t.c.tenant_id == tenant_id)
    return [
        KeyInfo(r.id, r.tenant_id, r.tenant_name, r.prefix, r.label, r.created_at, r.revoked_at)
        for r in session.execute(query)
    ]


def active_keys_matching(session: Connection, key_id_or_prefix: str) -> list[str]:
    """Ids of the active keys with this id, or else with this prefix (two keys may share one)."""
    rows = session.execute(
        select(key_t.c.id).where(_active_key(key_id_or_prefix)).order_by(key_t.c.created_at, key_t.c.id)
    ).all()
    return [r.id for r in _the_id_or_all(rows, key_id_or_prefix)]


def revoke_key(session: Connection, *, key_id_or_prefix: str, now: datetime) -> int:
    result = session.execute(update(key_t).where(_active_key(key_id_or_prefix)).values(revoked_at=now))
    return result.rowcount


def revoke_tenant_keys(session: Connection, *, tenant_id: str, now: datetime) -> int:
    """Revoke every active key of a tenant."""
    query = update(key_t).where(key_t.c.tenant_id == tenant_id, key_t.c.revoked_at.is_(None)).values(revoked_at=now)
    return session.execute(query).rowcount


def _active_key(key_id_or_prefix: str):
    """The active keys with this id, this prefix (also as `keys list` prints it, with its
    `…`) or this whole key: an operator revoking a leaked key pastes the key itself."""
    value = key_id_or_prefix.removesuffix("…")
    named = (key_t.c.id == value) | (key_t.c.prefix == value) | (key_t.c.key_hash == hash_key(value))
    return named & key_t.c.revoked_at.is_(None)


def tenant_for_key(session: Connection, key: str) -> TenantAuth | None:
    row = session.execute(
        select(tenant_t.c.id, tenant_t.c.policy, tenant_t.c.policy_version, tenant_t.c.template_count)
        .join(key_t, key_t.c.tenant_id == tenant_t.c.id)
        .where(key_t.c.key_hash == hash_key(key), key_t.c.revoked_at.is_(None))
    ).first()
    return TenantAuth(row.id, row.policy, row.policy_version, row.template_count > 0) if row else None


def count_templates(session: Connection, *, tenant_id: str, change: int) -> None:
    """Keep `template_count` in step with the tenant's templates (same transaction)."""
    session.execute(
        update(tenant_t).where(tenant_t.c.id == tenant_id).values(template_count=tenant_t.c.template_count + change)
    )


def load_policy(session: Connection, tenant_id: str, *, for_update: bool = False) -> tuple[dict | None, int]:
    """The stored policy and its version; `for_update` locks the tenant row (PostgreSQL)
    until the transaction ends, so an If-Match checked against it stays true until the write."""
    query = select(tenant_t.c.policy, tenant_t.c.policy_version).where(tenant_t.c.id == tenant_id)
    row = session.execute(query.with_for_update() if for_update else query).one()
    return row.policy, row.policy_version


def store_policy(session: Connection, *, tenant_id: str, policy: dict) -> int:
    """Replace the policy and bump its version; returns the new version."""
    row = session.execute(
        update(tenant_t)
        .where(tenant_t.c.id == tenant_id)
        .values(policy=policy, policy_version=tenant_t.c.policy_version + 1)
        .returning(tenant_t.c.policy_version)
    ).one()
    return row.policy_version


def interview_count(session: Connection, tenant_id: str) -> int:
    """How many interviews a tenant holds (for an operator about to delete it; never on a request)."""
    return session.execute(select(func.count()).select_from(interview_t).where(interview_t.c.tenant_id == tenant_id)).scalar_one()


def delete_tenant(session: Connection, tenant_id: str) -> int:
    """Delete a tenant and everything it holds; returns how many interviews went.

    The foreign keys cascade from the tenant (keys, templates) and from each interview
    (contacts, events, plans, kept answers); jobs name their tenant without one, so they
    go first. The interviews are deleted by name so that the count is of what went,
    including any a cached key wrote while the caller waited, not of an earlier read."""
    job_t = Job.__table__
    session.execute(delete(job_t).where(job_t.c.tenant_id == tenant_id))
    interviews = session.execute(delete(interview_t).where(interview_t.c.tenant_id == tenant_id)).rowcount
    session.execute(delete(tenant_t).where(tenant_t.c.id == tenant_id))
    return interviews
