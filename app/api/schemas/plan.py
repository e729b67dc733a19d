"""Stateless planning: everything inline, nothing stored."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Strict, Timestamp
from app.api.schemas.events import EventCreate
from app.api.schemas.interviews import InterviewInline


class PlanRequest(Strict):
    interview: InterviewInline
    events: list[EventCreate] = Field(default_factory=list, max_length=500, description="What happened so far, as for the stored route; at most 500.")
    at: Timestamp | None = Field(default=None, description="The moment to plan for; default now.")
