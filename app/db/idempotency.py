"""Stored first answers for `Idempotency-Key` (api-contract "Writes")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import orjson
from sqlalchemy import Connection, delete, select

from app.db.driver import RawSQL
from app.db.tables import IdempotencyRecord

record_t = IdempotencyRecord.__table__


@dataclass(frozen=True, slots=True)
class Record:
    request_hash: str
    status_code: int | None
    headers: dict | None
    body: str | None
    created_at: datetime

    @property
    def completed(self) -> bool:
        return self.status_code is not None


class Claim(NamedTuple):
    """`claim`'s arguments, for a caller that sends the claim along with its own
    reads, in one round trip (`interviews.load_for_event`)."""

    tenant_id: str
    key: str
    request_hash: str
    now: datetime

    def query(self, raw: RawSQL) -> tuple[str, tuple]:
        """`CLAIM_SQL` with this claim's parameters, as `RawSQL.all` and `all_together` take them."""
        return CLAIM_SQL, (self.tenant_id, self.key, self.request_hash, raw.param(self.now))


#: The claim, in driver SQL: one row back when the key was free and is now
#: reserved. `claim` sends it alone; `interviews.load_for_event` with its reads.
CLAIM_SQL = (
    "INSERT INTO idempotency_record (tenant_id, key, request_hash, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key"
)


def claim(session: Connection, *, tenant_id: str, key: str, request_hash: str, now: datetime) -> bool:
    """Reserve the key inside the caller's transaction; False when it is taken.

    The record is completed in the same transaction as the write it guards,
    so a committed record always carries its answer. On PostgreSQL a
    concurrent duplicate blocks here until the first transaction ends.
    """
    with RawSQL(session) as raw:
        return bool(raw.all(*Claim(tenant_id, key, request_hash, now).query(raw)))


def find(session: Connection, *, tenant_id: str, key: str) -> Record | None:
    row = session.execute(
        select(record_t).where(record_t.c.tenant_id == tenant_id, record_t.c.key == key)
    ).first()
    if row is None:
        return None
    return Record(row.request_hash, row.status_code, row.response_headers, row.response_body, row.created_at)


#: `complete` in driver SQL: it goes out in the write's own pipeline (routes.events), where a
#: Core statement's compilation and result handling would cost more Python than the update.
COMPLETE_SQL = (
    "UPDATE idempotency_record SET status_code = ?, response_headers = ?, response_body = ?, completed_at = ?, "
    "interview_id = ? WHERE tenant_id = ? AND key = ?"
)


def complete(
    session: Connection,
    *,
    tenant_id: str,
    key: str,
    status_code: int,
    headers: dict,
    body: str,
    now: datetime,
    interview_id: str | None = None,
) -> None:
    """Store the answer; `interview_id` names the interview whose data it holds (deleted with it)."""
    with RawSQL(session) as raw:
        raw.execute(
            COMPLETE_SQL, (status_code, orjson.dumps(headers).decode(), body, raw.param(now), interview_id, tenant_id, key)
        )


def forget(session: Connection, *, tenant_id: str, key: str, before: datetime) -> None:
    """Drop the key's record if it is expired (created before `before`), so the key can serve
    a new request; a fresh one (a concurrent copy's, stored since) stays."""
    session.execute(
        delete(record_t).where(record_t.c.tenant_id == tenant_id, record_t.c.key == key, record_t.c.created_at < before)
    )


def purge_expired(session: Connection, *, before: datetime) -> int:
    return session.execute(delete(record_t).where(record_t.c.created_at < before)).rowcount
