"""Liveness and readiness, open without a key."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import DbDep
from app.api.responses import problems

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Report that the process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: problems(503)[503]})
async def readyz(db: DbDep) -> dict[str, str]:
    """Report that the database answers."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ready"}
