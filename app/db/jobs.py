"""The jobs table: background work that any service process may claim.

`claim_next` takes one due job with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two processes never run the same job; on SQLite the write transaction's
`BEGIN IMMEDIATE` already serialises claimers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select, update

from app.db.tables import Job

job_t = Job.__table__
LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    tenant_id: str | None
    payload: dict | None
    attempts: int
    #: This claim's time, and the first claim's (the same on the first claim).
    claimed_at: datetime
    first_claimed_at: datetime


def enqueue(session: Connection, *, kind: str, tenant_id: str | None, payload: dict | None, now: datetime) -> None:
    session.execute(
        job_t.insert().values(kind=kind, tenant_id=tenant_id, payload=payload, run_after=now, attempts=0, created_at=now)
    )


def claim_next(session: Connection, *, now: Callable[[], datetime]) -> ClaimedJob | None:
    """Lease the oldest due job: it runs again after LEASE if its worker dies.

    The claim's time is read after the SELECT that found the job, so it is no earlier
    than the commit that queued the job: the SELECT saw the row. A time read before the
    SELECT may be earlier: that commit may come while the SELECT waits for SQLite's
    write lock, or before PostgreSQL starts it. The first claim's time is kept.
    """
    row = session.execute(
        select(job_t.c.id, job_t.c.kind, job_t.c.tenant_id, job_t.c.payload, job_t.c.attempts, job_t.c.first_claimed_at)
        .where(job_t.c.done_at.is_(None), job_t.c.run_after <= now())
        .order_by(job_t.c.run_after, job_t.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    claimed_at = now()
    first_claimed_at = row.first_claimed_at or claimed_at
    session.execute(
        update(job_t)
        .where(job_t.c.id == row.id)
        .values(run_after=claimed_at + LEASE, attempts=row.attempts + 1, first_claimed_at=first_claimed_at)
    )
    return ClaimedJob(row.id, row.kind, row.tenant_id, row.payload, row.attempts + 1, claimed_at, first_claimed_at)


def finish(session: Connection, *, job_id: int, now: datetime) -> None:
    session.execute(update(job_t).where(job_t.c.id == job_id).values(done_at=now, last_error=None))


def reschedule(session: Connection, *, job_id: int, run_after: datetime, error: str | None) -> None:
    """Run the job again at `run_after`. Without an error its batch succeeded, so
    `attempts` starts again: it counts the claims since the last success, and the
    retry wait grows with it (a long job's one failure waits seconds, not minutes)."""
    values = {"run_after": run_after, "last_error": error}
    if error is None:
        values["attempts"] = 0
    session.execute(update(job_t).where(job_t.c.id == job_id).values(**values))


def next_run_after(session: Connection) -> datetime | None:
    """When the soonest unfinished job may run (None without one)."""
    return session.execute(select(func.min(job_t.c.run_after)).where(job_t.c.done_at.is_(None))).scalar()


def pending_count(session: Connection, *, tenant_id: str | None = None) -> int:
    query = select(job_t.c.id).where(job_t.c.done_at.is_(None))
    if tenant_id is not None:
        query = query.where(job_t.c.tenant_id == tenant_id)
    return len(session.execute(query).all())


def purge_finished(session: Connection, *, before: datetime) -> int:
    """Delete the jobs that finished before `before`; pending ones stay whatever their age."""
    return session.execute(delete(job_t).where(job_t.c.done_at < before)).rowcount
