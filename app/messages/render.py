"""Render a message for an interview: recipient, applicability, language, template.

`render_message` is the one entry point the service layer calls. Built-in
templates render in-process from the cached strict Environment; a tenant's
template (`custom`) renders in the sandbox worker pool (app.messages.sandbox).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.domain.model import Channel, Contact, Event, Interview, MessageKind, Recipient
from app.domain.recipients import follow_up_recipient, human_contacts, recipient_of, rejection_reply_recipient
from app.echo import clipped
from app.messages.applicability import check_applicable
from app.messages.context import build_context
from app.messages.environment import builtin_template, one_line, render_builtin_part, text_to_html, tidy_text
from app.messages.errors import MessageRequestError, TemplateTooLarge
from app.messages.linkedin import fit_note, note_length
from app.messages.locales import asked_languages, knows_language, negotiate_locale, primary_language
from app.messages.types import (
    MessageWarning,
    RenderedMessage,
    TemplateSource,
    TemplateSourceKind,
    WarningCode,
)

#: RFC 5322's limit for one header line. A tenant template's subject may be longer (the
#: sandbox caps a message at 256 KiB), but no mail reader shows it, and the email package
#: takes seconds to fold one of a few thousand non-ASCII characters into an .eml.
MAX_SUBJECT_CHARS = 998
LINKEDIN_MIN_CHARS = 100
LINKEDIN_MAX_CHARS = 300
_NEEDS_CONTACT = (MessageKind.THANK_YOU, MessageKind.LINKEDIN_NOTE)
#: C0 controls but tab and line feed, and DEL: never visible in an email or a note, and a NUL
#: in a body sent as 7bit breaks RFC 2045/5322. A lone CR is a line break, made an LF first.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def without_controls(text: str) -> str:
    """`text` with CRLF and CR made LF and every other C0 control (but tab) and DEL removed.

    Removed, not refused: the byte may come from the interview's data (missed
    points may hold any control but NUL) as well as from a template, and nothing
    visible is lost, so the message stays sendable instead of failing on one
    interview only.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def _message_kind(value: MessageKind | str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        known = ", ".join(k.value for k in MessageKind)
        raise MessageRequestError(f"Unknown message kind {clipped(str(value))!r}; use one of {known}.") from None


def resolve_recipient(
    *, interview: Interview, events: tuple[Event, ...], kind: MessageKind, contact_id: str | None, to_agency: bool
) -> tuple[Recipient | None, Contact | None]:
    """Whom the message goes to, and the contact it concerns (None for the agency or nobody).

    A thank-you names its contact, except rule 2's: with no human contact known
    (an AI interview, or nobody recorded), the plan's one thank-you has no
    contact, and its message goes to nobody yet (`_warnings` asks for a contact).
    """
    # For every kind an id naming nobody is a mistake to report, though the rules choose
    # a follow-up's and a rejection reply's recipient themselves (rule 9).
    contact = interview.contact(contact_id) if contact_id else None
    if contact_id and contact is None:
        raise MessageRequestError(f"No contact with id {clipped(contact_id)!r} in this interview.", field="contact_id")
    if kind in _NEEDS_CONTACT:
        if contact is None:
            if kind is MessageKind.THANK_YOU and not human_contacts(interview):
                return None, None
            raise MessageRequestError(f"contact_id is required for {kind.value} messages", field="contact_id")
        return recipient_of(contact), contact
    if kind is MessageKind.FOLLOW_UP:
        return follow_up_recipient(interview, to_agency=to_agency)
    return rejection_reply_recipient(interview, events, to_agency=to_agency)


def _warnings(
    *, kind: MessageKind, channel: Channel, recipient: Recipient | None, context: dict[str, Any], locale_note: str | None
) -> list[MessageWarning]:
    warnings: list[MessageWarning] = []
    if locale_note:
        warnings.append(MessageWarning(WarningCode.LOCALE_FALLBACK, locale_note))
    if recipient is None and kind is MessageKind.THANK_YOU:
        warnings.append(
            MessageWarning(
                WarningCode.NO_RECIPIENT,
                "No person from the company is known yet, so this thank-you has no name or address: add the "
                "recruiter or hiring contact to the interview and address it to them.",
            )
        )
    elif recipient is None:
        warnings.append(
            MessageWarning(
                WarningCode.NO_RECIPIENT,
                "Nobody is known to receive this message: add a human contact (or an agency contact) "
                "to the interview.",
            )
        )
    elif channel is Channel.EMAIL and not recipient.email:
        who = recipient.name or "the recipient"
        warnings.append(
            MessageWarning(WarningCode.NO_RECIPIENT_EMAIL, f"No email address is known for {who}; add one before sending.")
        )
    if kind is MessageKind.THANK_YOU and context["topic"] is None:
        warnings.append(
            MessageWarning(
                WarningCode.GENERIC_MESSAGE,
                "No specific topic from the interview was given, so the message is generic; "
                "add a topic you discussed to personalise it.",
            )
        )
    return warnings


def _render_builtin(kind: MessageKind, locale: str, context: dict[str, Any], limit: int) -> tuple[str | None, str, str]:
    if kind is MessageKind.LINKEDIN_NOTE:
        def render(variant: str, ctx: dict[str, Any]) -> str:
            return tidy_text(without_controls(render_builtin_part(builtin_template(locale, kind.value, variant), ctx)))

        text = fit_note(render, context, limit)
        return None, text, text_to_html(text)
    subject = one_line(without_controls(render_builtin_part(builtin_template(locale, kind.value, "subject.txt"), context)))
    text = tidy_text(without_controls(render_builtin_part(builtin_template(locale, kind.value, "txt"), context)))
    html = without_controls(render_builtin_part(builtin_template(locale, kind.value, "html"), context)).strip()
    return subject, text, html


def _render_custom(kind: MessageKind, custom: TemplateSource, context: dict[str, Any]) -> tuple[str | None, str, str]:
    from app.messages.sandbox import render_template  # the pool is only touched when needed

    parts = {name: without_controls(value or "") for name, value in render_template(custom, context).items()}
    text = tidy_text(parts["text"])
    html = parts["html"].strip() or text_to_html(text)
    subject = None if kind is MessageKind.LINKEDIN_NOTE else one_line(parts["subject"])
    if subject is not None and len(subject) > MAX_SUBJECT_CHARS:
        raise TemplateTooLarge(
            f"the rendered subject has {len(subject)} characters; a subject is at most {MAX_SUBJECT_CHARS}"
        )
    return subject, text, html


def _template_language(custom: TemplateSource, chosen: str) -> tuple[str, str | None]:
    """The language a tenant template's values are written in, and a note when it cannot be its own.

    A template is written in one language, and its dates, lists and durations
    follow it wherever Babel can write them (`knows_language`): an Italian
    template says "del 3 marzo 2025". For a tag Babel does not know they stay
    in the reader's language (`chosen`), and the note says so.
    """
    custom_locale = primary_language(custom.locale)
    if knows_language(custom_locale):
        return custom_locale, None
    note = (
        f"Template {custom.id!r} is written in {custom.locale[:35]!r}, a language dates and lists cannot be "
        f"written in; they are in {chosen!r}."
    )
    return chosen, note


def render_message(
    *,
    interview: Interview,
    events: Iterable[Event],
    message_kind: MessageKind | str,
    contact_id: str | None,
    at: datetime,
    locale: str | None,
    accept_language: str | None = None,
    to_agency: bool = True,
    linkedin_max_chars: int = LINKEDIN_MAX_CHARS,
    custom: TemplateSource | None = None,
) -> RenderedMessage:
    """Render one message as of `at` (only events at or before `at` count).

    Raises `MessageRequestError` (missing/unknown contact, bad arguments),
    `MessageNotApplicable` (the kind cannot apply), and for `custom` templates
    `TemplateInvalid` / `TemplateTimeout` / `TemplateTooLarge`.
    """
    kind = _message_kind(message_kind)
    if at.tzinfo is None or at.utcoffset() is None:
        raise MessageRequestError("at must be a timezone-aware timestamp.")
    if not LINKEDIN_MIN_CHARS <= linkedin_max_chars <= LINKEDIN_MAX_CHARS:
        raise MessageRequestError(
            f"linkedin_max_chars must be between {LINKEDIN_MIN_CHARS} and {LINKEDIN_MAX_CHARS}."
        )
    if custom is not None and MessageKind(custom.message_kind) is not kind:
        raise MessageRequestError(f"Template {custom.id!r} is for {custom.message_kind} messages, not {kind.value}.")
    past = tuple(e for e in events if e.occurred_at <= at)
    recipient, contact = resolve_recipient(
        interview=interview, events=past, kind=kind, contact_id=contact_id, to_agency=to_agency
    )
    check_applicable(message_kind=kind, contact=contact, events=past)

    chosen, locale_note = negotiate_locale(locale, accept_language)
    if custom is not None:
        # The built-ins' fallback note stands unless the template is in a language asked for
        # (locale=it answered by the tenant's English template is still a fallback to English).
        fallback_note = None if primary_language(custom.locale) in asked_languages(locale, accept_language) else locale_note
        chosen, template_note = _template_language(custom, chosen)
        locale_note = " ".join(note for note in (fallback_note, template_note) if note) or None
    channel = Channel.LINKEDIN if kind is MessageKind.LINKEDIN_NOTE else Channel.EMAIL
    context = build_context(
        interview=interview,
        contact=contact,
        recipient=recipient,
        events=past,
        message_kind=kind,
        at=at,
        locale=chosen,
        linkedin_max_chars=linkedin_max_chars,
    )
    warnings = _warnings(kind=kind, channel=channel, recipient=recipient, context=context, locale_note=locale_note)

    if custom is None:
        subject, text, html = _render_builtin(kind, chosen, context, linkedin_max_chars)
    else:
        subject, text, html = _render_custom(kind, custom, context)
        if kind is MessageKind.LINKEDIN_NOTE and note_length(text) > linkedin_max_chars:
            warnings.append(
                MessageWarning(
                    WarningCode.LINKEDIN_NOTE_TOO_LONG,
                    f"The note has {note_length(text)} characters; LinkedIn allows {linkedin_max_chars}. "
                    "Shorten it before sending.",
                )
            )
    return RenderedMessage(
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=subject,
        text=text,
        html=html,
        warnings=tuple(warnings),
        locale=chosen,
        template_source=TemplateSourceKind.CUSTOM if custom is not None else TemplateSourceKind.BUILTIN,
        template_id=custom.id if custom is not None else None,
    )
