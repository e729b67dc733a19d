"""The probes' answer: one named schema, so generated clients get a readable type."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok", "ready"] = Field(
        description="`ok` from /healthz (the process is up); `ready` from /readyz (the database answers, with this version's schema)."
    )
