"""Named dependencies (style habit 6). All `async def`: a sync dependency runs
in the threadpool and costs ~3x on a hot route (performance-notes.md).

Transactions are opened by the handler itself, `with db.session(write=...)`,
rather than by a `yield` dependency: FastAPI's generator dependencies cost
70-250 µs a request here (measured), more than the whole query. The handler
returns inside the block, so the commit happens before the response is sent
and a 2xx always means stored. Database work runs inline and briefly: a
transaction never spans an `await`, so one process never holds two pooled
connections for one request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from app.api.auth import authenticate, bearer_token
from app.db.engine import Database
from app.services.tenancy import TenantContext
from app.settings import Settings


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_now() -> datetime:
    """The clock of a request: one overridable dependency (style habit 1)."""
    return datetime.now(UTC)


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
NowDep = Annotated[datetime, Depends(get_now)]


async def current_tenant(request: Request) -> TenantContext:
    """The tenant of the request's bearer key (declared as `bearerAuth` in app.api.openapi).

    Reads the header itself rather than through `HTTPBearer`: every nested
    dependency costs measurable time on the hottest routes.
    """
    state = request.app.state
    return authenticate(state.db, state.key_cache, bearer_token(request.headers.get("authorization")))


TenantDep = Annotated[TenantContext, Depends(current_tenant)]
