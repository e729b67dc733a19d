"""The application factory (style habit 14: nothing happens at import)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from app.api import docs, openapi, problems
from app.api.auth import KeyCache
from app.api.fastlane import FastLane, FollowupAPI
from app.api.middleware import BodyLimitMiddleware, ProblemCORSMiddleware, RequestIdMiddleware, UnexpectedErrorMiddleware
from app.api.routes import actions, events, health, interviews, messages, policy, templates
from app.db.diagnostics import described
from app.db.engine import Database
from app.messages.sandbox import shutdown_sandbox
from app.services import jobs
from app.settings import Settings, get_settings

log = logging.getLogger("followup")


def _utcnow() -> datetime:
    return datetime.now(UTC)


PURGE_EVERY = 600.0  # seconds between sweeps of expired idempotency records and finished jobs
#: A write's own work, beyond its waits for a connection and a lock.
WORK_MARGIN_SECONDS = 5


def late_write(settings: Settings) -> timedelta:
    """How long after its request arrived a write may still commit: it may wait for a
    pooled connection (the pool timeout) and for a lock (PostgreSQL's lock_timeout is
    the pool timeout, app.db.engine; SQLite's busy timeout), then do its own work.
    20 s with the defaults (the overlap `updated_after` pollers are told to keep)."""
    lock_wait = max(settings.db_pool_timeout, settings.sqlite_busy_timeout_ms / 1000)
    return timedelta(seconds=settings.db_pool_timeout + lock_wait + WORK_MARGIN_SECONDS)


def cached_write_window(settings: Settings) -> timedelta:
    """How long after a change to a tenant (its policy, its keys) a write made with what
    another process cached before may still commit: the key cache's lifetime, then
    `late_write`. The re-plan job's last pass (app.services.jobs.run_one) and
    `followup tenants delete` wait this long. With the defaults: the cache's lifetime + 20 s.
    """
    return timedelta(seconds=settings.auth_cache_seconds) + late_write(settings)


async def _job_loop(db: Database, settings: Settings) -> None:
    """Advance background jobs; a batch runs in a thread so requests keep flowing."""
    next_purge = 0.0
    loop = asyncio.get_running_loop()
    settle = cached_write_window(settings)
    while True:
        try:
            worked = await asyncio.to_thread(
                jobs.run_one, db, now=_utcnow, batch_size=settings.replan_batch_size, settle=settle
            )
            if loop.time() >= next_purge:
                await asyncio.to_thread(jobs.purge_idempotency_records, db, now=_utcnow())
                await asyncio.to_thread(jobs.purge_finished_jobs, db, now=_utcnow())
                next_purge = loop.time() + PURGE_EVERY
        except Exception as error:  # a database outage must not end the loop
            log.warning("job loop: database unavailable, retrying: %s", described(error))
            worked = False
        if not worked:
            await asyncio.sleep(settings.job_poll_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings)
        app.state.key_cache = KeyCache(settings.auth_cache_seconds)
        task = asyncio.create_task(_job_loop(app.state.db, settings)) if settings.run_jobs else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.db.dispose()
            shutdown_sandbox()

    app = FollowupAPI(
        title="followup",
        version=openapi.VERSION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
        # Starlette would answer `/v1/interviews/` with a 307 to an absolute URL built from
        # the Host header (http:// behind a TLS proxy), which a client re-POSTs or fails on;
        # a 404 problem naming the path without the slash is the clearer answer.
        redirect_slashes=False,
    )
    app.state.settings = settings
    problems.install(app, retry_after=settings.retry_after_seconds)
    docs.install(app)
    # The hottest routes first: Starlette tries routes in order.
    for module in (actions, interviews, events, messages, templates, policy, health):
        app.include_router(module.router)
    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]

    # Outermost last: request id, then CORS (so a 413 from the body limit, or an
    # unexpected 500, still carries the CORS headers a browser needs to read it),
    # then the body limit, then the unexpected error's 500.
    # The fast lane (two hot reads, event writes) answers before all of these.
    app.fast_lane = FastLane(app) if settings.fast_lane else None
    app.add_middleware(UnexpectedErrorMiddleware, answer=problems.unexpected)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "Accept-Language", "X-Request-ID"],
        expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After", "Idempotent-Replayed", "Content-Disposition", "WWW-Authenticate"],
        max_age=600,
    )
    app.add_middleware(RequestIdMiddleware)
    return app
