"""Rendered messages, tenant templates and the stateless render/preview bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from app.api.schemas.actions import RecipientPublic
from app.api.schemas.common import Strict, Timestamp, UtcOut
from app.api.schemas.events import EventCreate
from app.api.schemas.interviews import InterviewInline
from app.domain.model import Channel, MessageKind
from app.messages.locales import SUPPORTED_LOCALES
from app.messages.types import TemplateSourceKind, WarningCode


def _formattable_locale(value: str) -> str:
    """Only a language the service formats dates, lists and durations in.

    A template's own words are in its locale, but `interview_date`,
    `topics_phrase` and `time_since_interview` can only be written in
    SUPPORTED_LOCALES: an Italian template would say "grazie per il colloquio
    del March 3, 2025", one message in two languages.
    """
    if value not in SUPPORTED_LOCALES:
        supported = ", ".join(SUPPORTED_LOCALES)
        reason = "the languages dates, lists and durations are formatted in"
        raise ValueError(f"{value[:35]!r} is not supported: use one of {supported} ({reason})")
    return value


_TEMPLATE_LOCALE_SCHEMA = {"type": "string", "enum": list(SUPPORTED_LOCALES)}

#: A template's language: exactly one of SUPPORTED_LOCALES, as the spec's enum says.
TemplateLocale = Annotated[str, AfterValidator(_formattable_locale), WithJsonSchema(_TEMPLATE_LOCALE_SCHEMA)]
TEMPLATE_SOURCE_MAX = 64 * 1024
TemplateText = Annotated[str, StringConstraints(min_length=1, max_length=TEMPLATE_SOURCE_MAX)]


class MessageWarningPublic(BaseModel):
    code: WarningCode
    message: str


class TemplateRef(BaseModel):
    source: TemplateSourceKind
    id: str | None


class MessagePublic(BaseModel):
    kind: MessageKind
    channel: Channel
    recipient: RecipientPublic | None
    subject: str | None
    text: str
    html: str
    warnings: list[MessageWarningPublic]
    locale: str
    template: TemplateRef


class RenderRequest(Strict):
    interview: InterviewInline
    events: list[EventCreate] = Field(default_factory=list, max_length=500)
    message_kind: MessageKind
    contact_id: str | None = Field(default=None, max_length=100)
    at: Timestamp | None = None
    locale: Annotated[str | None, StringConstraints(max_length=35)] = None


class TemplateFields(Strict):
    message_kind: MessageKind
    locale: TemplateLocale = Field(
        default="en",
        description=f"The language the template is written in: one of {', '.join(SUPPORTED_LOCALES)}, "
        "the languages its dates, lists and durations can be formatted in.",
    )
    subject: TemplateText | None = Field(default=None, description="Jinja2; required for email kinds, unused for linkedin_note.")
    text: TemplateText = Field(description="Jinja2 source of the plain-text body.")
    html: TemplateText | None = Field(default=None, description="Jinja2 source of the HTML body (autoescaped); default: derived from the text.")


class TemplateCreate(TemplateFields):
    pass


class TemplatePut(TemplateFields):
    pass


class TemplatePublic(BaseModel):
    id: str
    message_kind: MessageKind
    locale: str
    subject: str | None
    text: str
    html: str | None
    created_at: UtcOut
    updated_at: UtcOut


class PreviewRequest(Strict):
    template: TemplateFields
    interview: InterviewInline | None = Field(default=None, description="Default: a sample interview.")
    events: list[EventCreate] = Field(default_factory=list, max_length=500)
    contact_id: str | None = Field(default=None, max_length=100)
    at: Timestamp | None = None
