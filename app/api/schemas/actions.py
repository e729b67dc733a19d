"""Actions: what to do next, when, to whom and why (followup-rules.md, "Output")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.api.schemas.common import UtcOut
from app.domain.model import ActionKind, ActionState, Channel, MessageKind, Priority, Rule


class RecipientPublic(BaseModel):
    """Who the message goes to: a contact, or the agency contact (rule 9)."""

    name: str | None
    email: str | None = Field(description="Null when no address is known (the message warns).")


class ActionPublic(BaseModel):
    interview_id: str
    kind: ActionKind
    contact_id: str | None = Field(description="The interview contact it concerns; null for the agency, `wait`, `close_out`.")
    recipient: RecipientPublic | None = Field(description="Null when there is nobody to write to (`wait`, `close_out`, no human contact).")
    channel: Channel | None = Field(description="Null for `wait` and `close_out`.")
    state: ActionState
    available_at: UtcOut = Field(description="From when the action makes sense.")
    due_at: UtcOut = Field(description="By when it should be done.")
    late_after: UtcOut | None = Field(description="Past this it is late (`overdue`); null where lateness does not apply.")
    suggested_send_at: UtcOut = Field(description="The first humane moment (send days and window, interview's timezone) from `available_at`; may lie in the past.")
    priority: Priority
    rule: Rule
    reason: str = Field(description="One English sentence naming the real date and person.")
    message_kind: MessageKind | None = Field(description="The message to render for it; null for `wait` and `close_out`.")


class NextAction(BaseModel):
    """The open action (upcoming, due or overdue; not the wait) with the earliest due time, ties by priority; else the wait."""

    kind: ActionKind
    state: ActionState
    due_at: UtcOut
    contact_id: str | None = Field(description="The contact it concerns; null for the agency, `wait`, `close_out`.")


class InterviewActions(BaseModel):
    interview_id: str
    at: UtcOut = Field(description="The moment the actions were computed for.")
    actions: list[ActionPublic] = Field(description="Every action, done, missed and cancelled ones included.")


class PlanResult(BaseModel):
    actions: list[ActionPublic]
