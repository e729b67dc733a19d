"""Values the message library returns and accepts (frozen, slotted dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.model import Channel, MessageKind, Recipient


class WarningCode(StrEnum):
    """Stable codes of the warnings attached to a rendered message."""

    GENERIC_MESSAGE = "generic_message"
    NO_RECIPIENT_EMAIL = "no_recipient_email"
    NO_RECIPIENT = "no_recipient"
    LINKEDIN_NOTE_TOO_LONG = "linkedin_note_too_long"
    LOCALE_FALLBACK = "locale_fallback"


@dataclass(frozen=True, slots=True)
class MessageWarning:
    """Something the candidate should know before sending (`{code, message}` in the API)."""

    code: WarningCode
    message: str


#: The name the API contract uses; `MessageWarning` avoids shadowing the builtin.
Warning = MessageWarning  # noqa: A001


class TemplateSourceKind(StrEnum):
    """Whose wording a message used: the service's own (`builtin`) or one of the tenant's templates (`custom`)."""

    BUILTIN = "builtin"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class TemplateSource:
    """A tenant's own template, as stored: Jinja2 sources, never a file name.

    `subject` is ignored for LinkedIn notes (they have none) and may be None;
    `html` may be None, in which case the HTML body is derived from the text.
    """

    id: str | None
    message_kind: MessageKind
    locale: str
    subject: str | None
    text: str
    html: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A message ready to show or send (api-contract.md, "Messages")."""

    kind: MessageKind
    channel: Channel
    recipient: Recipient | None
    subject: str | None
    text: str
    html: str
    warnings: tuple[MessageWarning, ...]
    locale: str
    template_source: TemplateSourceKind
    template_id: str | None
