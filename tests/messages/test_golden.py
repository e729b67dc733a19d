"""Golden files: every built-in message, in every language, for the typical cases.

The goldens are committed and read by people: they are the review copy of the
built-in wording. Regenerate with `UPDATE_GOLDEN=1 pytest tests/messages/test_golden.py`
(CI never sets it), then read the diff.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pytest

from app.messages.errors import MessageNotApplicable
from app.messages.locales import SUPPORTED_LOCALES
from app.messages.render import render_message
from tests.messages.scenarios import AT, KINDS, contact_for, variants

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
VARIANTS = tuple(variants())


def render_case(variant: str, locale: str) -> str:
    interview, events = variants(locale)[variant]
    out: list[str] = []
    for kind in KINDS:
        out.append(f"=== {kind.value}")
        try:
            message = render_message(
                interview=interview,
                events=events,
                message_kind=kind,
                contact_id=contact_for(kind, interview),
                at=AT,
                locale=locale,
            )
        except MessageNotApplicable as exc:
            out += [f"not applicable: {exc.reason}", ""]
            continue
        recipient = message.recipient
        out.append(f"to: {recipient.name} <{recipient.email}>" if recipient else "to: (nobody)")
        out.append(f"channel: {message.channel.value}")
        out.append("warnings: " + (", ".join(w.code.value for w in message.warnings) or "-"))
        if message.subject is not None:
            out.append(f"subject: {message.subject}")
        out += ["", message.text, "", "--- html", message.html, ""]
    return "\n".join(out)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_builtin_messages_match_golden(variant: str, locale: str) -> None:
    path = GOLDEN / f"{variant}.{locale}.txt"
    actual = render_case(variant, locale)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def _visible_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_html_says_what_the_text_says(variant: str, locale: str) -> None:
    """The .html templates are hand-written twins of the .txt ones: they must not drift."""
    interview, events = variants(locale)[variant]
    for kind in KINDS:
        try:
            message = render_message(
                interview=interview, events=events, message_kind=kind,
                contact_id=contact_for(kind, interview), at=AT, locale=locale,
            )
        except MessageNotApplicable:
            continue
        assert _visible_text(message.html) == " ".join(message.text.split())


def test_goldens_have_no_leftovers() -> None:
    names = {p.name for p in GOLDEN.glob("*.txt")}
    assert names == {f"{v}.{loc}.txt" for v in VARIANTS for loc in SUPPORTED_LOCALES}
    for path in GOLDEN.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert "None" not in text and "{{" not in text and "Dear ," not in text, path.name
