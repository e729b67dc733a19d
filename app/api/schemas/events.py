"""Events: the interview's timeline."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.api.schemas.common import JsonInt, LongText, Strict, Timestamp, UtcOut
from app.domain.model import EventType


class EventCreate(Strict):
    type: EventType
    occurred_at: Timestamp | None = Field(default=None, description="Default: now.")
    contact_id: str | None = Field(default=None, max_length=100, description="The contact this event concerns.")
    timeline_days: Annotated[int, Field(ge=0, le=365), JsonInt] | None = Field(
        default=None, description="response_received only: a new decision timeline."
    )
    note: LongText | None = None


class EventPublic(BaseModel):
    id: str
    interview_id: str
    type: EventType
    occurred_at: UtcOut
    contact_id: str | None
    timeline_days: int | None
    note: str | None
    created_at: UtcOut
