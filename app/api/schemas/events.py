"""Events: the interview's timeline."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import JsonInt, LongText, Strict, Timestamp, UtcOut
from app.domain.model import EventType


class EventCreate(Strict):
    """Something that happened; events are refused only when in the future, before the interview, or naming another interview's contact."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "response_received", "occurred_at": "2026-04-20T09:30:00+02:00", "timeline_days": 14}]}
    )

    type: EventType
    occurred_at: Timestamp | None = Field(default=None, description="Default: now.")
    contact_id: str | None = Field(default=None, max_length=100, description="The contact this event concerns.")
    timeline_days: Annotated[int, Field(ge=0, le=365), JsonInt] | None = Field(
        default=None, description="response_received only: a new decision timeline."
    )
    note: LongText | None = Field(default=None, description="Free text for the candidate's records.")


class EventPublic(BaseModel):
    id: str
    interview_id: str
    type: EventType
    occurred_at: UtcOut
    contact_id: str | None = Field(description="The contact it concerns, or null.")
    timeline_days: int | None = Field(description="A new decision timeline in days (`response_received`), or null.")
    note: str | None
    created_at: UtcOut
