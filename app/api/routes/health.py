"""Liveness and readiness, open without a key."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import DbDep
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.health import Health
from app.db.migrate import schema_behind
from app.services.errors import Unavailable

router = APIRouter(tags=["health"], route_class=CheckedRoute)


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Report that the process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Health, responses={503: problems(503)[503]})
async def readyz(db: DbDep) -> dict[str, str]:
    """Report that the database answers and has this version's schema."""
    # Behind (a restored backup, a process started without `followup migrate`), every
    # request would fail on a missing column while this said ready.
    with db.engine.connect() as connection:
        behind = schema_behind(connection)
    if behind is not None:
        raise Unavailable(f"Not ready: {behind}; run `followup migrate`.")
    return {"status": "ready"}
