"""Events: the interview's timeline."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.api.schemas.common import Int, LongText, Strict, Timestamp, UtcOut
from app.domain.model import EventType


class EventCreate(Strict):
    type: EventType
    occurred_at: Timestamp | None = Field(default=None, description="Default: now.")
    contact_id: str | None = Field(default=None, max_length=100, description="The contact this event concerns.")
    timeline_days: Int | None = Field(
        default=None, ge=0, le=365, description="response_received only: a new decision timeline."
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
