"""Rendered messages, tenant templates and the stateless render/preview bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.api.params import NoNul
from app.api.patterns import readable
from app.api.schemas.actions import RecipientPublic
from app.api.schemas.common import NO_NUL, Strict, Timestamp, UtcOut
from app.api.schemas.events import EventCreate
from app.api.schemas.interviews import InterviewInline
from app.domain.model import Channel, MessageKind
from app.messages.locales import canonical_language
from app.messages.types import TemplateSourceKind, WarningCode

#: A template's language, a primary language tag. Its values (dates, lists, durations) are written in
#: it wherever Babel can (app.messages.render: otherwise in the reader's language, with a warning).
#: Stored under the language's current code (`iw` as `he`), the one requests are matched by.
LocaleTag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        # Either case: the pattern is checked before `to_lower` (so "DE" was refused), the tag stored lower.
        pattern=readable(r"^[A-Za-z]{2,3}$", "must be a language tag of two or three letters, e.g. en or it"),
    ),
    AfterValidator(canonical_language),
]
TEMPLATE_SOURCE_MAX = 64 * 1024
#: A template's source, stored as text: no NUL, which PostgreSQL refuses (SQLite stored it).
TemplateText = Annotated[str, StringConstraints(min_length=1, max_length=TEMPLATE_SOURCE_MAX, pattern=NO_NUL)]


class MessageWarningPublic(BaseModel):
    code: WarningCode
    message: str


class TemplateRef(BaseModel):
    source: TemplateSourceKind
    id: str | None = Field(description="The tenant template's id; null for the built-in wording.")


class MessagePublic(BaseModel):
    kind: MessageKind
    channel: Channel
    recipient: RecipientPublic | None = Field(description="Null when nobody is known to write to.")
    subject: str | None = Field(description="Email kinds only; null for `linkedin_note`.")
    text: str = Field(description="The plain-text body.")
    html: str = Field(description="The HTML body.")
    warnings: list[MessageWarningPublic] = Field(description="What to check before sending (no topic given, no email address, note shortened).")
    locale: str = Field(description="The language it is written in, e.g. `en`.")
    template: TemplateRef = Field(description="The wording used.")


class RenderRequest(Strict):
    interview: InterviewInline
    events: list[EventCreate] = Field(default_factory=list, max_length=500, description="What happened so far, as for the stored route; at most 500.")
    message_kind: MessageKind
    contact_id: str | None = Field(default=None, max_length=100, description="Required for thank_you and linkedin_note: the `id` you gave the contact.")
    at: Timestamp | None = Field(default=None, description="The moment the message is written at; default now.")
    # NoNul: it picks the tenant's template, as the message route's `locale` does (app.api.params).
    locale: Annotated[str | None, StringConstraints(max_length=35), NoNul] = Field(default=None, description="en, de, fr or es; else Accept-Language.")


class TemplateFields(Strict):
    message_kind: MessageKind = Field(description="The message this template writes.")
    locale: LocaleTag = Field(default="en", description="Primary language tag, e.g. `en`, `de`.")
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
    locale: str = Field(description="The language it writes, e.g. `en`.")
    subject: str | None
    text: str = Field(description="Jinja2 source of the plain-text body.")
    html: str | None = Field(description="Null: derived from the text.")
    created_at: UtcOut
    updated_at: UtcOut


class PreviewRequest(Strict):
    template: TemplateFields
    interview: InterviewInline | None = Field(default=None, description="Default: a sample interview.")
    events: list[EventCreate] = Field(default_factory=list, max_length=500, description="What happened so far, as for the stored route; at most 500.")
    contact_id: str | None = Field(default=None, max_length=100, description="The contact written to (an `id` in `interview`); with the sample interview, default its interviewer.")
    at: Timestamp | None = Field(default=None, description="The moment the message is written at; default now.")
