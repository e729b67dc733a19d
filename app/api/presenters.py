"""Domain and stored values to response models."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from app.api.schemas.actions import NextAction
from app.api.schemas.events import EventPublic
from app.api.schemas.interviews import AgencyPublic, ContactPublic, InterviewPublic
from app.api.schemas.messages import TemplatePublic
from app.db.events import StoredEvent
from app.db.interviews import StoredInterview
from app.db.templates import StoredTemplate
from app.domain.model import Action, InterviewStatus, MessageKind
from app.messages.types import RenderedMessage


def status_of(stored: StoredInterview, now: datetime) -> InterviewStatus:
    """scheduled until the interview ends, then active, then its outcome."""
    if stored.outcome is not None:
        return InterviewStatus(stored.outcome)
    return InterviewStatus.SCHEDULED if now < stored.interview.ends_at else InterviewStatus.ACTIVE


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def action_dict(action: Action) -> dict:
    """The ActionPublic shape as a plain dict (the hot routes serialise these with orjson)."""
    recipient = action.recipient
    return {
        "interview_id": action.interview_id,
        "kind": action.kind,
        "contact_id": action.contact_id,
        "recipient": {"name": recipient.name, "email": recipient.email} if recipient else None,
        "channel": action.channel,
        "state": action.state,
        "available_at": action.available_at.astimezone(UTC),
        "due_at": action.due_at.astimezone(UTC),
        "late_after": _utc(action.late_after),
        "suggested_send_at": action.suggested_send_at.astimezone(UTC),
        "priority": action.priority,
        "rule": action.rule,
        "reason": action.reason,
        "message_kind": action.message_kind,
    }


def json_bytes(document: object) -> bytes:
    """orjson with UTC timestamps written as `...Z`, like the response models."""
    return orjson.dumps(document, option=orjson.OPT_UTC_Z)


def next_action_public(action: Action | None) -> NextAction | None:
    if action is None:
        return None
    return NextAction(kind=action.kind, state=action.state, due_at=action.due_at, contact_id=action.contact_id)


def interview_public(stored: StoredInterview, *, now: datetime, next_action: Action | None) -> InterviewPublic:
    interview = stored.interview
    agency = interview.agency
    return InterviewPublic(
        id=interview.id,
        candidate_name=interview.candidate_name,
        candidate_email=interview.candidate_email,
        job_title=interview.job_title,
        company_name=interview.company_name,
        starts_at=interview.starts_at,
        duration_minutes=interview.duration_minutes,
        timezone=interview.timezone,
        format=interview.format,
        interviewers=[
            ContactPublic(
                id=c.id,
                name=c.name,
                email=c.email,
                role=c.role,
                is_human=c.is_human,
                rapport=c.rapport,
                linkedin_url=c.linkedin_url,
            )
            for c in interview.interviewers
        ],
        topics=list(interview.topics),
        missed_points=interview.missed_points,
        decision_timeline_days=interview.decision_timeline_days,
        agency=(
            AgencyPublic(name=agency.name, contact_name=agency.contact_name, contact_email=agency.contact_email)
            if agency
            else None
        ),
        external_ref=stored.external_ref,
        notes=stored.notes,
        status=status_of(stored, now),
        next_action=next_action_public(next_action),
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def event_public(stored: StoredEvent) -> EventPublic:
    event = stored.event
    return EventPublic(
        id=stored.id,
        interview_id=stored.interview_id,
        type=event.type,
        occurred_at=event.occurred_at,
        contact_id=event.contact_id,
        timeline_days=event.timeline_days,
        note=event.note,
        created_at=stored.created_at,
    )


def message_dict(message: RenderedMessage) -> dict:
    """The MessagePublic shape as a plain dict (serialised with orjson on the hot route)."""
    recipient = message.recipient
    return {
        "kind": message.kind,
        "channel": message.channel,
        "recipient": {"name": recipient.name, "email": recipient.email} if recipient else None,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "warnings": [{"code": w.code, "message": w.message} for w in message.warnings],
        "locale": message.locale,
        "template": {"source": message.template_source, "id": message.template_id},
    }


def template_public(stored: StoredTemplate) -> TemplatePublic:
    return TemplatePublic(
        id=stored.id,
        message_kind=MessageKind(stored.message_kind),
        locale=stored.locale,
        subject=stored.subject,
        text=stored.text,
        html=stored.html,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )
