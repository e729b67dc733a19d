"""Tenant templates: validated on upload, one per message kind and locale."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from app.db import templates as repo
from app.db import tenants as tenants_repo
from app.db.tables import TEMPLATE_SLOT
from app.db.templates import StoredTemplate
from app.domain.model import MessageKind
from app.domain.policy import Policy
from app.echo import clipped
from app.messages.errors import MessageError, SandboxUnavailable, TemplateError, TemplateInvalid
from app.messages.locales import canonical_language
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

    Only the sandbox's limits count in the sample's render: a template that exhausts
    them there (`{{ 'a' * 10**9 }}`, `{% for i in range(10**6) %}`) would on every
    render, but a variable the sample lacks (an interviewer's name in a follow-up that
    the sample's agency receives) may well be there in the tenant's interviews.

    Blocking (up to twice the sandbox's time limit): call it outside any transaction.
    """
    source = TemplateSource(None, message_kind, locale, subject, text, html)
    try:
        with jobs_of(tenant.tenant_id):
            validate_template(source)
            with contextlib.suppress(TemplateInvalid):  # the sample's data, not the template
                _render_the_sample(source, now, tenant.policy)
    except TemplateError as refused:
        raise refused_input(refused, at="body") from refused


def refused_input(refused: TemplateError, *, at: str) -> InvalidInput:
    """A template sent in the request and refused, as refused input: each error at
    `<at>.<part>`, or at `at` when no part is named (a limit exhausted)."""
    errors = [(f"{at}.{part}", message) for part, message in getattr(refused, "errors", [])] or [(at, str(refused))]
    return InvalidInput(f"The template cannot be used: {refused}", errors=errors)


def stored_problem(stored: StoredTemplate, *, now: datetime) -> str | None:
    """Why a stored template fails today's checks, or None: the upload's checks (a
    template stored by an earlier version is never checked again), then one render on
    the preview's sample, where every failure counts (`followup templates check`).
    The tenant's own policy is not read: it changes no template's failures.

    A template still under a legacy language code (one migration a9e3c5d7f1b2 left beside
    its twin under the current code, or one an older process stored during a rolling
    upgrade) is found by no request: those are matched under the current code."""
    current = canonical_language(stored.locale)
    if current != stored.locale:
        return (
            f"its locale {stored.locale!r} is a legacy code, read as {current!r}, so no request finds it: "
            f"PUT it again (it is stored as {current!r}), or delete it if the tenant has a {current!r} one"
        )
    source = messages.source_of(stored)
    try:
        with jobs_of(stored.tenant_id):
            validate_template(source)
            _render_the_sample(source, now, Policy())
    except TemplateError as refused:
        return str(refused)
    return None


def _render_the_sample(source: TemplateSource, now: datetime, policy: Policy) -> None:
    """Render `source` once on the preview's sample interview (with a rejection when
    its kind needs one); raises what the template's render raised (`TemplateError`,
    or `SandboxUnavailable`). A message that does not apply to the sample is not the
    template's fault and passes."""
    interview = sample_interview(now)
    events = sample_events(interview, [], message_kind=source.message_kind, at=now)
    try:
        render_message(
            interview=interview, events=events, message_kind=source.message_kind, contact_id=SAMPLE_CONTACT_ID,
            at=now, locale=source.locale, to_agency=policy.follow_ups_to_agency,
            linkedin_max_chars=policy.linkedin_note_max_chars, custom=source,
        )  # fmt: skip
    except (TemplateError, SandboxUnavailable):
        raise
    except MessageError:
        return


def _unique(session: Connection, tenant_id: str, kind: str, locale: str, except_id: str | None) -> None:
    if repo.find(session, tenant_id=tenant_id, message_kind=kind, locale=locale, except_id=except_id) is not None:
        raise Conflict(_slot_taken(kind, locale))


def _slot_taken(kind: str, locale: str) -> str:
    return f"This tenant already has a {kind} template for locale {clipped(locale)!r}; replace it with PUT instead."


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
        raise NotFound(f"No template with id {clipped(template_id)!r}.")
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
