"""Tenant templates: the tenant's own wording, rendered in a sandbox."""

from __future__ import annotations

import asyncio
import inspect
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response

from app.api import cursors
from app.api.deps import DbDep, NowDep, TenantDep
from app.api.idempotency import IdempotencyDep, json_response
from app.api.params import TemplateId
from app.api.presenters import json_bytes, message_dict, template_public
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.common import Cursor, Limit, Page
from app.api.schemas.messages import MessagePublic, PreviewRequest, TemplateCreate, TemplatePublic, TemplatePut
from app.messages.errors import TemplateError
from app.messages.types import TemplateSource
from app.messages.variables import VARIABLES
from app.services import messages as messages_service
from app.services import templates as service
from app.services.preconditions import etag
from app.services.samples import SAMPLE_CONTACT_ID, sample_events, sample_interview
from app.services.stateless import inline_events, inline_interview

VARIABLES_DOC = "Template variables (the same for built-in and tenant templates):\n\n" + "\n".join(
    f"- `{name}`: {description}" for name, description in VARIABLES.items()
)


def _with_variables(handler):
    """Append the variables to the handler's docstring, the operation's description: passed
    as `description=` they replaced it, and the spec no longer said what the operation does."""
    handler.__doc__ = f"{inspect.cleandoc(handler.__doc__ or '')}\n\n{VARIABLES_DOC}"
    return handler


router = APIRouter(prefix="/v1/templates", tags=["templates"], route_class=CheckedRoute)
IfMatch = Annotated[str | None, Header(max_length=200, description="The ETag you read; 412 when it is stale.")]


async def _validate(body, tenant, now: datetime) -> None:
    """Compiling and trying a tenant template may take up to the sandbox's limit each: off the event loop."""
    await asyncio.to_thread(
        service.validate,
        tenant=tenant,
        now=now,
        message_kind=body.message_kind,
        locale=body.locale,
        subject=body.subject,
        text=body.text,
        html=body.html,
    )


@router.post("", status_code=201, response_model=TemplatePublic, responses=problems(400, 409, 413))
@_with_variables
async def create_template(
    body: TemplateCreate, request: Request, db: DbDep, tenant: TenantDep, now: NowDep, idem: IdempotencyDep
) -> Response:
    """Create a tenant template for one message kind and locale."""
    if idem.key is not None:
        with db.session(write=False) as session:
            if (replayed := idem.stored(session)) is not None:
                return replayed  # before the sandbox checks: a retry gets its answer even when the sandbox is busy
    await _validate(body, tenant, now)  # outside the transaction: it may take up to the sandbox's limit
    with db.session(write=True) as session:
        if (replayed := idem.replay(session)) is not None:
            return replayed
        stored = service.create_template(session=session, tenant_id=tenant.tenant_id, now=now, **body.model_dump())
        request.app.state.key_cache.forget_tenant(tenant.tenant_id)  # its cached "has no templates" is stale
        headers = {"Location": f"/v1/templates/{stored.id}", "ETag": etag(stored.version)}
        return idem.remember(session, json_response(template_public(stored), status_code=201, headers=headers))


@router.get("", response_model=Page[TemplatePublic], responses=problems())
async def list_templates(
    db: DbDep,
    tenant: TenantDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TemplatePublic]:
    """List the tenant's templates."""
    with db.session(write=False) as session:
        after = cursors.decode(cursor, (datetime, str)) if cursor else None
        items, has_more = service.list_templates(session=session, tenant_id=tenant.tenant_id, after=after, limit=limit)
        next_cursor = cursors.encode(items[-1].created_at, items[-1].id) if has_more and items else None
        return Page[TemplatePublic](items=[template_public(t) for t in items], next_cursor=next_cursor)


@router.post("/preview", response_model=MessagePublic, responses=problems(400, 413))
@_with_variables
async def preview_template(body: PreviewRequest, tenant: TenantDep, now: NowDep) -> Response:
    """Render a template against sample or supplied data, without storing it."""
    if body.interview is None:  # a week before the moment previewed, so any `at` has an interview to write about
        interview = sample_interview(body.at or now)
        contact_id = body.contact_id or SAMPLE_CONTACT_ID
    else:
        interview = inline_interview(body.interview.model_dump())
        contact_id = body.contact_id
    events = inline_events(interview, [e.model_dump() for e in body.events], now=now)
    template = body.template
    if body.interview is None:  # the sample has had a rejection when a rejection reply is previewed
        events = sample_events(interview, events, message_kind=template.message_kind, at=body.at or now)
    custom = TemplateSource(None, template.message_kind, template.locale, template.subject, template.text, template.html)
    source = messages_service.inline_input(interview, events, custom)
    try:
        message = await asyncio.to_thread(
            lambda: messages_service.render(
                tenant=tenant,
                source=source,
                kind=template.message_kind,
                contact_id=contact_id,
                at=body.at or now,
                locale=template.locale,
                accept_language=None,
            )
        )
    except TemplateError as refused:  # the template is this request's input, as an upload's body is
        raise service.refused_input(refused, at="body.template") from refused
    return Response(json_bytes(message_dict(message)), media_type="application/json")


def _not_preview(template_id: str) -> None:
    """`/v1/templates/preview` is the preview's own path (POST only), never a template id:
    another method there is a 405 naming POST, not "no template with id 'preview'"."""
    if template_id == "preview":
        raise HTTPException(405)


@router.get("/{template_id}", response_model=TemplatePublic, responses=problems(404))
async def get_template(template_id: TemplateId, db: DbDep, tenant: TenantDep) -> Response:
    """Read one template."""
    _not_preview(template_id)
    with db.session(write=False) as session:
        stored = service.get_template(session=session, tenant_id=tenant.tenant_id, template_id=template_id)
        return json_response(template_public(stored), headers={"ETag": etag(stored.version)})


@router.put("/{template_id}", response_model=TemplatePublic, responses=problems(400, 404, 409, 412, 413))
@_with_variables
async def replace_template(
    template_id: TemplateId, body: TemplatePut, db: DbDep, tenant: TenantDep, now: NowDep, if_match: IfMatch = None
) -> Response:
    """Replace a template."""
    _not_preview(template_id)
    await _validate(body, tenant, now)  # outside the transaction: it may take up to the sandbox's limit
    with db.session(write=True) as session:
        stored = service.replace_template(
            session=session, tenant_id=tenant.tenant_id, template_id=template_id, if_match=if_match, now=now, **body.model_dump()
        )
        return json_response(template_public(stored), headers={"ETag": etag(stored.version)})


@router.delete("/{template_id}", status_code=204, responses=problems(404, 412))
async def delete_template(
    template_id: TemplateId, request: Request, db: DbDep, tenant: TenantDep, if_match: IfMatch = None
) -> Response:
    """Delete a template (the built-in wording applies again)."""
    _not_preview(template_id)
    with db.session(write=True) as session:
        service.delete_template(session=session, tenant_id=tenant.tenant_id, template_id=template_id, if_match=if_match)
        request.app.state.key_cache.forget_tenant(tenant.tenant_id)
        return Response(status_code=204)
