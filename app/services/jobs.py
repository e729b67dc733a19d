"""Background jobs: claimed from the jobs table, one bounded batch at a time.

Any number of service processes run `run_one`; the table's row lock (SKIP
LOCKED on PostgreSQL) keeps two of them off the same job. A job that does not
finish its work in one batch stays pending and is picked up again, so no
transaction grows with the size of a tenant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from app.db import events as events_repo
from app.db import idempotency as idempotency_repo
from app.db import interviews as interviews_repo
from app.db import jobs as jobs_repo
from app.db import tenants as tenants_repo
from app.db.diagnostics import described, log_failure
from app.db.engine import Database
from app.services import planning
from app.services.policy import REPLAN_TENANT
from app.services.tenancy import TenantContext, policy_of

log = logging.getLogger("followup.jobs")
IDEMPOTENCY_KEEP = timedelta(hours=24)
#: How long a finished job stays readable (`followup` operators looking at recent re-plans).
FINISHED_JOB_KEEP = timedelta(hours=24)


#: Interviews re-planned per transaction. A transaction holds the lock of every interview
#: it re-planned until it commits (on SQLite, the database's write lock), and a user's write
#: to one of them waits: a whole batch of 500 in one transaction held writes for about 1 s.
REPLAN_CHUNK = 25


def replan_batch(db: Database, *, tenant_id: str, batch_size: int) -> int:
    """Re-plan up to `batch_size` stale interviews of one tenant, REPLAN_CHUNK per
    transaction; returns how many were stale."""
    with db.session(write=False) as session:
        stored_policy, version = tenants_repo.load_policy(session, tenant_id)
        ids = interviews_repo.stale_interview_ids(session, tenant_id=tenant_id, policy_version=version, limit=batch_size)
    tenant = TenantContext(tenant_id, policy_of(tenant_id, stored_policy, version), version)
    for start in range(0, len(ids), REPLAN_CHUNK):
        with db.session(write=True) as session:
            for interview_id in ids[start : start + REPLAN_CHUNK]:
                # Locked like every other plan writer's, so an event recorded meanwhile
                # is either in the timeline read below or waits for this commit.
                stored = interviews_repo.load_interview(session, tenant_id=tenant_id, interview_id=interview_id, for_update=True)
                if stored is None or stored.plan_policy_version >= version:
                    # Deleted, or re-planned since the ids were read: by a write, or by the job of
                    # a newer policy (versions only grow), which a pass that read this one before
                    # the newer PUT must not undo: that job's last pass may be over already.
                    continue
                events = events_repo.timeline(session, interview_id=interview_id)
                planning.replan(session, tenant=tenant, stored=stored, events=events)
    return len(ids)


def run_one(db: Database, *, now: Callable[[], datetime], batch_size: int, settle: timedelta = timedelta(0)) -> bool:
    """Claim and advance one job; False when there was nothing to do.

    A re-plan is finished only by a pass that finds nothing stale once `settle`
    has passed since the policy change committed. Other processes keep the old policy in
    their key cache for a while (`auth_cache_seconds`), and a write they make
    meanwhile stores a plan of the old version after this job may have looked:
    without a later pass, /v1/actions kept such plans for good (5-9 of 40
    interviews written just after a PUT, in a review's 4-worker race). The
    service and `followup jobs run` pass the cache's lifetime plus a margin for
    writes still waiting on a lock; tests of the re-plan itself pass none.

    The window counts from the job's first claim, which comes after that commit
    (jobs_repo.claim_next), and usually within `job_poll_seconds` of it while a
    service runs jobs; `followup jobs run` started long after a PUT waits the whole
    window too. Not from `created_at`: that is when the PUT arrived, and the PUT itself
    may wait for a connection and a lock, so its commit, and plans written with the
    policy it replaced, may come up to `late_write` later. Nor from a database clock
    read at the insert: that too comes before the commit (PostgreSQL's now() is the
    transaction's start), and it would be compared with the workers' clocks.

    The last pass is one claimed once the window is over, not one that ends after it:
    a pass reads the stale interviews first, and a plan of the old policy written
    between that read and the window's end escaped one that began earlier.
    """
    with db.session(write=True) as session:
        job = jobs_repo.claim_next(session, now=now)
    if job is None:
        return False
    try:
        if job.kind == REPLAN_TENANT and job.tenant_id is not None:
            done = replan_batch(db, tenant_id=job.tenant_id, batch_size=batch_size) < batch_size
        else:
            log.warning("dropping job %s of unknown kind %r", job.id, job.kind)
            done = True
    except Exception as error:  # the job is retried; the loop must live on
        log_failure(log, "job %s failed", error, job.id)
        with db.session(write=True) as session:
            delay = timedelta(seconds=min(300, 2**job.attempts))
            jobs_repo.reschedule(session, job_id=job.id, run_after=now() + delay, error=described(error)[:2000])
        return True
    settled = job.first_claimed_at + settle
    with db.session(write=True) as session:
        if done and job.claimed_at >= settled:
            jobs_repo.finish(session, job_id=job.id, now=now())
        else:
            jobs_repo.reschedule(session, job_id=job.id, run_after=now() if not done else settled, error=None)
    return True


def purge_finished_jobs(db: Database, *, now: datetime) -> int:
    """Forget jobs that finished over FINISHED_JOB_KEEP ago: every `PUT /v1/policy`
    queues one, and a client repeating it grew the table by a row a request, for good."""
    with db.session(write=True) as session:
        return jobs_repo.purge_finished(session, before=now - FINISHED_JOB_KEEP)


def purge_idempotency_records(db: Database, *, now: datetime) -> int:
    """Forget Idempotency-Key answers older than the 24 h they are kept for."""
    with db.session(write=True) as session:
        return idempotency_repo.purge_expired(session, before=now - IDEMPOTENCY_KEEP)


def run_until_idle(
    db: Database, *, now: Callable[[], datetime], batch_size: int, max_jobs: int = 10_000, settle: timedelta = timedelta(0)
) -> int:
    """Run the jobs due now until none is (tests, the CLI); returns how many job steps ran."""
    steps = 0
    while steps < max_jobs and run_one(db, now=now, batch_size=batch_size, settle=settle):
        steps += 1
    return steps
