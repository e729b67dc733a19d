"""Named dependencies (style habit 6). All `async def`: a sync dependency runs
in the threadpool and costs ~3x on a hot route (performance-notes.md).

Database work runs inline and briefly: a transaction never spans an `await`,
so one process never holds two pooled connections for one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.api.auth import KeyCache, authenticate
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


async def read_session(db: DbDep) -> AsyncIterator[Session]:
    with db.session(write=False) as session:
        yield session


async def write_session(db: DbDep) -> AsyncIterator[Session]:
    with db.session(write=True) as session:
        yield session


# scope="function": commit before the response is sent, so a 2xx means stored.
SessionDep = Annotated[Session, Depends(read_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(write_session, scope="function")]


bearer_scheme = HTTPBearer(auto_error=False, description="An API key: `fu_` followed by random characters.")


async def current_tenant(
    request: Request,
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> TenantContext:
    cache: KeyCache = request.app.state.key_cache
    return authenticate(db, cache, credentials.credentials if credentials else None)


TenantDep = Annotated[TenantContext, Depends(current_tenant)]
