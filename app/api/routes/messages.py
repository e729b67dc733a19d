"""Messages: rendered for a stored interview, or for one sent inline."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

from app.api.deps import DbDep, NowDep, SettingsDep, TenantDep
from app.api.params import InterviewId, NoNul
from app.api.presenters import json_bytes, message_dict
from app.api.responses import problems
from app.api.routing import CheckedRoute
from app.api.schemas.common import Timestamp
from app.api.schemas.messages import MessagePublic, RenderRequest
from app.domain.model import Interview, MessageKind
from app.messages.types import RenderedMessage
from app.services import messages as service
from app.services.stateless import inline_events, inline_interview

router = APIRouter(tags=["messages"], route_class=CheckedRoute)

EML = "message/rfc822"
_EML_RESPONSE = {
    200: {
        "description": "The message as JSON, or as a ready-to-send `.eml` with `Accept: message/rfc822`.",
        "content": {EML: {"schema": {"type": "string", "format": "binary"}}},
    }
}


#: The answer depends on these request headers (RFC 9110 12.5.5): a cache must not
#: hand the JSON answer to a client that asked for the .eml, or German to a French reader.
VARY = {"Vary": "Accept, Accept-Language"}


def wants_eml(accept: str | None) -> bool:
    """Whether `Accept` prefers the .eml to JSON (RFC 9110 12.5.1): `message/rfc822` (or
    `message/*`) with a q-value above 0 and at least JSON's; `q=0` means "not this"."""
    if accept is None or "message/" not in accept.lower():
        return False
    eml_q = json_q = 0.0
    for media_range in accept.lower().split(","):
        media, *params = (part.strip() for part in media_range.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if media in (EML, "message/*"):
            eml_q = max(eml_q, q)
        elif media in ("application/json", "application/*", "*/*"):
            json_q = max(json_q, q)
    return eml_q > 0 and eml_q >= json_q


async def _answer(message: RenderedMessage, *, interview: Interview, at: datetime, accept: str | None, domain: str) -> Response:
    if wants_eml(accept):
        # In a thread: the email package folds a long non-ASCII header in time that grows
        # faster than its length (a 998-character subject: half a second), which on the
        # event loop every other request would wait for.
        eml = await asyncio.to_thread(service.as_eml, message, interview=interview, at=at, message_id_domain=domain)
        filename = f"{message.kind.value}.eml"
        return Response(eml, media_type=EML, headers={"Content-Disposition": f'attachment; filename="{filename}"', **VARY})
    return Response(json_bytes(message_dict(message)), media_type="application/json", headers=VARY)


async def _render(tenant, source: service.RenderInput, **kwargs) -> RenderedMessage:
    """Built-ins render inline (~100 µs); tenant templates wait on the sandbox in a thread."""
    if source.custom is None:
        return service.render(tenant=tenant, source=source, **kwargs)
    return await asyncio.to_thread(lambda: service.render(tenant=tenant, source=source, **kwargs))


@router.get(
    "/v1/interviews/{interview_id}/messages/{message_kind}",
    response_model=MessagePublic,
    responses={**_EML_RESPONSE, **problems(404)},
)
async def render_interview_message(
    interview_id: InterviewId,
    message_kind: Annotated[MessageKind, Path(description="The message to render.")],
    request: Request,
    db: DbDep,
    tenant: TenantDep,
    now: NowDep,
    contact_id: Annotated[str | None, Query(max_length=100, description="Required for thank_you (but for the one thank-you of an AI interview with no human contact) and linkedin_note; the rules choose a follow-up's or rejection reply's recipient, and an id naming no contact is refused.")] = None,
    at: Annotated[Timestamp | None, Query(description="The moment the message is written at; default now.")] = None,
    locale: Annotated[str | None, Query(max_length=35, description="en, de, fr or es; else Accept-Language."), NoNul] = None,
) -> Response:
    """Render a message (thank-you, follow-up, LinkedIn note, rejection reply) for an interview.

    `Accept: message/rfc822` answers a ready-to-send `.eml`; `Accept-Language`
    picks the language when `locale` is not given.
    """
    # Headers read directly: each FastAPI Header() parameter costs measurable time here.
    accept, accept_language = request.headers.get("accept"), request.headers.get("accept-language")
    settings = request.app.state.settings
    moment = at or now
    with db.session(write=False) as session:  # closed before any wait on the sandbox
        source = service.load_render_input(
            session=session, tenant=tenant, interview_id=interview_id, kind=message_kind, locale=locale, accept_language=accept_language
        )
    message = await _render(
        tenant, source, kind=message_kind, contact_id=contact_id, at=moment, locale=locale, accept_language=accept_language
    )
    return await _answer(message, interview=source.interview, at=moment, accept=accept, domain=settings.message_id_domain)


@router.post("/v1/render", response_model=MessagePublic, responses={**_EML_RESPONSE, **problems(400, 413)})
async def render_message(
    body: RenderRequest,
    db: DbDep,
    tenant: TenantDep,
    settings: SettingsDep,
    now: NowDep,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Render a message for an interview sent inline, with the tenant's own templates; nothing is stored."""
    interview = inline_interview(body.interview.model_dump())
    events = inline_events(interview, [e.model_dump() for e in body.events], now=now)
    moment = body.at or now
    custom = None
    if tenant.has_templates:
        with db.session(write=False) as session:  # closed before any wait on the sandbox
            custom = service.tenant_template(
                session=session, tenant=tenant, kind=body.message_kind, locale=body.locale, accept_language=accept_language
            )
    source = service.inline_input(interview, events, custom)
    message = await _render(
        tenant, source, kind=body.message_kind, contact_id=body.contact_id, at=moment, locale=body.locale, accept_language=accept_language
    )
    return await _answer(message, interview=interview, at=moment, accept=accept, domain=settings.message_id_domain)
