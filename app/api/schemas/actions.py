"""Actions: what to do next, when, to whom and why (followup-rules.md, "Output")."""

from __future__ import annotations

from pydantic import BaseModel

from app.api.schemas.common import UtcOut
from app.domain.model import ActionKind, ActionState, Channel, MessageKind, Priority, Rule


class RecipientPublic(BaseModel):
    name: str | None
    email: str | None


class ActionPublic(BaseModel):
    interview_id: str
    kind: ActionKind
    contact_id: str | None
    recipient: RecipientPublic | None
    channel: Channel | None
    state: ActionState
    available_at: UtcOut
    due_at: UtcOut
    late_after: UtcOut | None
    suggested_send_at: UtcOut
    priority: Priority
    rule: Rule
    reason: str
    message_kind: MessageKind | None


class NextAction(BaseModel):
    """The open action (upcoming, due or overdue; not the wait) with the earliest due time, ties by priority; else the wait."""

    kind: ActionKind
    state: ActionState
    due_at: UtcOut
    contact_id: str | None


class InterviewActions(BaseModel):
    interview_id: str
    at: UtcOut
    actions: list[ActionPublic]


class PlanResult(BaseModel):
    actions: list[ActionPublic]
