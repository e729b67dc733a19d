"""Rendering messages for stored or inline interviews, built-in or tenant templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app.db import interviews as interviews_repo
from app.db import templates as templates_repo
from app.domain.model import Event, Interview, MessageKind
from app.messages.eml import build_eml
from app.messages.locales import asked_languages, negotiate_locale
from app.messages.render import render_message
from app.messages.sandbox import jobs_of
from app.messages.types import RenderedMessage, TemplateSource
from app.services.interviews import interview_not_found
from app.services.tenancy import TenantContext


@dataclass(frozen=True, slots=True)
class RenderInput:
    """Everything a render needs, read in one short transaction."""

    interview: Interview
    events: tuple[Event, ...]
    custom: TemplateSource | None


def _wanted_locales(locale: str | None, accept_language: str | None) -> list[str]:
    """The languages asked for, in preference order, then the one the built-ins would use."""
    chosen, _ = negotiate_locale(locale, accept_language)
    return list(dict.fromkeys([*asked_languages(locale, accept_language), chosen]))


def source_of(stored: templates_repo.StoredTemplate) -> TemplateSource:
    return TemplateSource(
        id=stored.id,
        message_kind=MessageKind(stored.message_kind),
        locale=stored.locale,
        subject=stored.subject,
        text=stored.text,
        html=stored.html,
    )


def load_render_input(
    *,
    session: Connection,
    tenant: TenantContext,
    interview_id: str,
    kind: MessageKind,
    locale: str | None,
    accept_language: str | None,
) -> RenderInput:
    """The interview, its timeline and the tenant's own template for this kind
    in the first wanted language (if the tenant has templates), in one round
    trip on PostgreSQL."""
    locales = _wanted_locales(locale, accept_language) if tenant.has_templates else []
    also = [templates_repo.first_query(tenant_id=tenant.tenant_id, message_kind=kind.value, locales=locales)] if locales else []
    found = interviews_repo.load_with_timeline(session, tenant_id=tenant.tenant_id, interview_id=interview_id, also=also)
    if found is None:
        raise interview_not_found(interview_id)
    template = templates_repo.first_of(found.also[0], locales) if locales else None
    custom = source_of(template) if template is not None else None
    return RenderInput(found.stored.interview, tuple(found.events), custom)


def render(
    *,
    tenant: TenantContext,
    source: RenderInput,
    kind: MessageKind,
    contact_id: str | None,
    at: datetime,
    locale: str | None,
    accept_language: str | None,
) -> RenderedMessage:
    """Render with the tenant's policy (agency routing, LinkedIn limit); a tenant
    template's sandbox jobs count as the tenant's (app.messages.sandbox.jobs_of)."""
    with jobs_of(tenant.tenant_id):
        return render_message(
            interview=source.interview,
            events=source.events,
            message_kind=kind,
            contact_id=contact_id,
            at=at,
            locale=locale,
            accept_language=accept_language,
            to_agency=tenant.policy.follow_ups_to_agency,
            linkedin_max_chars=tenant.policy.linkedin_note_max_chars,
            custom=source.custom,
        )


def as_eml(message: RenderedMessage, *, interview: Interview, at: datetime, message_id_domain: str) -> bytes:
    """The `.eml`, dated `at` in the candidate's time zone (the interview's), as the mail
    program of its sender would write it (RFC 5322 3.3: the local time and its offset)."""
    return build_eml(
        message,
        candidate_name=interview.candidate_name,
        candidate_email=interview.candidate_email,
        at=at.astimezone(interview.zone),
        message_id_domain=message_id_domain,
    )


def inline_input(interview: Interview, events: Sequence[Event], custom: TemplateSource | None = None) -> RenderInput:
    return RenderInput(interview, tuple(events), custom)


def tenant_template(
    *, session: Connection, tenant: TenantContext, kind: MessageKind, locale: str | None, accept_language: str | None
) -> TemplateSource | None:
    """The tenant's own template for this kind in the first wanted language, as the
    stored routes pick it (`load_render_input`): `POST /v1/render` has the same
    semantics, only the interview comes inline."""
    if not tenant.has_templates:
        return None
    locales = _wanted_locales(locale, accept_language)
    template = templates_repo.first(session, tenant_id=tenant.tenant_id, message_kind=kind.value, locales=locales)
    return source_of(template) if template is not None else None
