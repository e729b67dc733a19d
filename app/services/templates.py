"""Tenant templates: validated on upload, one per message kind and locale."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from app.db import templates as repo
from app.db import tenants as tenants_repo
from app.db.tables import TEMPLATE_SLOT
from app.db.templates import StoredTemplate
from app.domain.model import MessageKind
from app.messages.errors import MessageError, SandboxUnavailable, TemplateError, TemplateTimeout, TemplateTooLarge
from app.messages.render import render_message
from app.messages.sandbox import jobs_of, validate_template
from app.messages.types import TemplateSource
from app.services import messages
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.preconditions import check_if_match
from app.services.samples import SAMPLE_CONTACT_ID, sample_events, sample_interview
from app.services.tenancy import TenantContext
from app.services.unique import taken_as_conflict


def validate(
    *, tenant: TenantContext, now: datetime, message_kind: MessageKind, locale: str, subject: str | None, text: str, html: str | None
) -> None:
    """Compile the sources in the sandbox, and render them once on the preview's sample.
    A template refused on upload is refused input (422 `validation`, each error at
    `body.<part>`), like a body the schema refuses; a stored template that fails later
    to render is another problem (app.api.problems).

    Blocking (up to twice the sandbox's time limit): call it outside any transaction.
    """
    source = TemplateSource(None, message_kind, locale, subject, text, html)
    try:
        with jobs_of(tenant.tenant_id):
            validate_template(source)
        _render_the_sample(tenant, source, now)
    except TemplateError as refused:
        parts = getattr(refused, "errors", [])
        errors = [(f"body.{part}", message) for part, message in parts] or [("body", str(refused))]
        raise InvalidInput(f"The template cannot be used: {refused}", errors=errors) from refused


def _render_the_sample(tenant: TenantContext, source: TemplateSource, now: datetime) -> None:
    """A template that compiles may still exhaust the sandbox's limits whatever it is
    given (`{{ 'a' * 10**9 }}`, `{% for i in range(10**6) %}`): rendered once on the
    sample interview, it is refused on upload rather than on every render. Only the
    limits count here: a variable the sample lacks (an interviewer's name in a follow-up
    that the sample's agency receives) may well be there in the tenant's interviews."""
    interview = sample_interview(now)
    events = sample_events(interview, [], message_kind=source.message_kind, at=now)
    try:
        messages.render(
            tenant=tenant,
            source=messages.inline_input(interview, events, source),
            kind=source.message_kind,
            contact_id=SAMPLE_CONTACT_ID,
            at=now,
            locale=source.locale,
            accept_language=None,
        )
    except (TemplateTimeout, TemplateTooLarge, SandboxUnavailable):
        raise
    except MessageError:
        return


def stored_problem(stored: StoredTemplate, *, now: datetime) -> str | None:
    """Why a stored template fails today's checks, or None: the upload's checks (a
    template stored by an earlier version is never checked again), then one render on
    the preview's sample, where every failure counts (`followup templates check`)."""
    source = TemplateSource(stored.id, MessageKind(stored.message_kind), stored.locale, stored.subject, stored.text, stored.html)
    interview = sample_interview(now)
    events = sample_events(interview, [], message_kind=source.message_kind, at=now)
    try:
        with jobs_of(stored.tenant_id):
            validate_template(source)
            render_message(
                interview=interview, events=events, message_kind=source.message_kind, contact_id=SAMPLE_CONTACT_ID,
                at=now, locale=source.locale, custom=source,
            )  # fmt: skip
    except TemplateError as refused:
        return str(refused)
    except SandboxUnavailable:
        raise
    except MessageError:
        return None  # not this template's fault (the sample's message does not apply)
    return None


def _unique(session: Connection, tenant_id: str, kind: str, locale: str, except_id: str | None) -> None:
    if repo.find(session, tenant_id=tenant_id, message_kind=kind, locale=locale, except_id=except_id) is not None:
        raise Conflict(_slot_taken(kind, locale))


def _slot_taken(kind: str, locale: str) -> str:
    return f"This tenant already has a {kind} template for locale {locale!r}; replace it with PUT instead."


def create_template(
    *, session: Connection, tenant_id: str, message_kind: MessageKind, locale: str, subject: str | None, text: str, html: str | None, now: datetime
) -> StoredTemplate:
    _unique(session, tenant_id, message_kind.value, locale, None)
    template = StoredTemplate(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        message_kind=message_kind.value,
        locale=locale,
        subject=subject,
        text=text,
        html=html,
        version=1,
        created_at=now,
        updated_at=now,
    )
    with taken_as_conflict(TEMPLATE_SLOT, _slot_taken(message_kind.value, locale)):
        repo.insert(session, template=template)
    tenants_repo.count_templates(session, tenant_id=tenant_id, change=+1)
    return template


def get_template(*, session: Connection, tenant_id: str, template_id: str, for_update: bool = False) -> StoredTemplate:
    found = repo.get(session, tenant_id=tenant_id, template_id=template_id, for_update=for_update)
    if found is None:
        raise NotFound(f"No template with id {template_id!r}.")
    return found


def replace_template(
    *,
    session: Connection,
    tenant_id: str,
    template_id: str,
    message_kind: MessageKind,
    locale: str,
    subject: str | None,
    text: str,
    html: str | None,
    if_match: str | None,
    now: datetime,
) -> StoredTemplate:
    current = get_template(session=session, tenant_id=tenant_id, template_id=template_id, for_update=True)
    check_if_match(if_match, current.version, what="template")
    _unique(session, tenant_id, message_kind.value, locale, template_id)
    updated = replace(
        current,
        message_kind=message_kind.value,
        locale=locale,
        subject=subject,
        text=text,
        html=html,
        version=current.version + 1,
        updated_at=now,
    )
    with taken_as_conflict(TEMPLATE_SLOT, _slot_taken(message_kind.value, locale)):
        repo.replace(session, template=updated)
    return updated


def delete_template(*, session: Connection, tenant_id: str, template_id: str, if_match: str | None) -> None:
    current = get_template(session=session, tenant_id=tenant_id, template_id=template_id, for_update=True)
    check_if_match(if_match, current.version, what="template")
    repo.remove(session, tenant_id=tenant_id, template_id=template_id)
    tenants_repo.count_templates(session, tenant_id=tenant_id, change=-1)


def list_templates(
    *, session: Connection, tenant_id: str, after: tuple[datetime, str] | None, limit: int
) -> tuple[list[StoredTemplate], bool]:
    rows = repo.page(session, tenant_id=tenant_id, after=after, limit=limit)
    return rows[:limit], len(rows) > limit
