"""The .eml file parses back to exactly the intended headers, whatever the input."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone
from email import policy
from email.parser import BytesParser

import idna
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.model import Recipient
from app.messages.eml import build_eml, header_safe
from app.messages.errors import EmlError
from app.messages.render import render_message
from tests.messages.scenarios import AT, DANA, TYPICAL

EXPECTED_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
BASE = render_message(interview=TYPICAL, events=(), message_kind="thank_you", contact_id=DANA.id, at=AT, locale="fr")
SMALL = replace(BASE, text="Hi", html="<p>Hi</p>")
NASTY = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x00", "\x1b", "\x7f", "\u202e"]


def build(message=BASE, name="Jordan Müller", email="jordan@example.org"):
    return build_eml(message, candidate_name=name, candidate_email=email, at=AT, message_id_domain="followup.example")


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def addresses(msg, name: str):
    """The header's addresses as a mail reader reads them. Python 3.11 keeps the raw UTF-8
    of an RFC 6532 header as surrogates in the parsed `.addresses`, but decodes it in
    the header's text: parse that text again (for an ASCII header it is the same)."""
    return policy.default.header_factory(name, str(msg[name])).addresses


def test_eml_structure():
    msg = parse(build())
    assert list(msg.keys()) == EXPECTED_HEADERS
    assert msg["From"].addresses[0].display_name == "Jordan Müller"
    assert msg["To"].addresses[0].addr_spec == DANA.email
    assert msg["Subject"] == BASE.subject
    assert msg["Date"].datetime == AT
    assert msg["Message-ID"].endswith("@followup.example>")
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain" and text.get_content().replace("\r\n", "\n") == BASE.text + "\n"
    assert html.get_content_type() == "text/html" and html.get_content().replace("\r\n", "\n").strip() == BASE.html
    assert b"\r\n" in build() and b"\n\n" not in build().replace(b"\r\n", b"")


def test_the_message_id_is_random_and_tells_nothing_of_the_server():
    """Unique per file, but without the render time and the process id make_msgid puts in it."""
    import os
    import re

    ids = [parse(build())["Message-ID"] for _ in range(3)]
    assert len(set(ids)) == 3
    for message_id in ids:
        assert re.fullmatch(r"<[0-9a-f]{32}@followup\.example>", message_id), message_id
        assert str(os.getpid()) not in message_id


_pieces = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from(NASTY + ['"', ",", ";", ":", "<", ">", "@", "\\", "=?utf-8?q?x?=", "  ", "😀", "é", "Bcc: a@b.c"]),
)
header_text = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=header_text, recipient_name=header_text, subject=header_text)
def test_headers_round_trip_and_never_inject(name, recipient_name, subject):
    assert_round_trip("jordan@example.org", name, recipient_name, subject)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=header_text, recipient_name=header_text, subject=header_text)
def test_utf8_headers_round_trip_and_never_inject(name, recipient_name, subject):
    """The same under RFC 6532, where names and subjects are written in UTF-8, not encoded words."""
    assert_round_trip("jördan@example.org", name, recipient_name, subject)


def assert_round_trip(email, name, recipient_name, subject):
    message = replace(SMALL, subject=subject, recipient=Recipient(name=recipient_name, email=DANA.email))
    data = build(message, name=name, email=email)
    msg = parse(data)
    assert list(msg.keys()) == EXPECTED_HEADERS
    assert not msg.defects
    (sender,), (to,) = addresses(msg, "From"), addresses(msg, "To")
    assert sender.display_name == header_safe(name)
    assert sender.addr_spec == email
    assert to.display_name == header_safe(recipient_name)
    assert to.addr_spec == DANA.email
    assert msg["Subject"] == header_safe(subject)
    head = data.split(b"\r\n\r\n", 1)[0]
    assert all(line[:1] in (b" ", b"\t") or b":" in line for line in head.split(b"\r\n"))


@pytest.mark.parametrize("bad", NASTY)
def test_line_breaks_and_controls_become_spaces(bad):
    msg = parse(build(replace(BASE, subject=f"Hi{bad}Bcc: evil@example.com"), name=f"A{bad}X-Evil: 1"))
    assert msg["Subject"] == "Hi Bcc: evil@example.com"
    assert msg["From"].addresses[0].display_name == "A X-Evil: 1"
    assert "Bcc" not in msg and "X-Evil" not in msg


def test_accents_quotes_commas_and_emoji_survive():
    name = 'Zoë "Z" O\'Brien, PhD 😀'
    msg = parse(build(replace(BASE, subject="Überraschung, «ça» – 😀"), name=name))
    assert msg["From"].addresses[0].display_name == name
    assert msg["Subject"] == "Überraschung, «ça» – 😀"


def test_international_domain_is_punycoded():
    msg = parse(build(email="jordan@exämple.org"))
    assert msg["From"].addresses[0].addr_spec == "jordan@xn--exmple-cua.org"


def header_block(data: bytes) -> bytes:
    return data.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(
    ("email", "ascii_domain"),
    [
        ("dörte@example.de", "example.de"),
        ("用户@例子.广告", "xn--fsqu00a.xn--4rr70v"),  # the domain in A-labels, as for an ASCII local part
        ("josé.garcía+jobs@straße.de", "xn--strae-oqa.de"),
    ],
)
@pytest.mark.parametrize("who", ["candidate", "recipient"])
def test_a_non_ascii_local_part_makes_an_rfc_6532_message(email, ascii_domain, who):
    """RFC 2047 cannot encode an address, so the headers are written in UTF-8 (RFC 6532);
    the address reads back as it was stored, its domain as the A-labels of ASCII messages."""
    local = email.rsplit("@", 1)[0]
    message = replace(BASE, recipient=Recipient(name="Dörte Groß", email=email)) if who == "recipient" else BASE
    data = build(message, email=email if who == "candidate" else "jordan@example.org")
    msg = parse(data)
    assert list(msg.keys()) == EXPECTED_HEADERS and not msg.defects
    (address,) = addresses(msg, "From" if who == "candidate" else "To")
    assert address.addr_spec == f"{local}@{ascii_domain}"
    assert idna.decode(address.domain) == idna.decode(idna.encode(email.rsplit("@", 1)[1], uts46=True))
    assert f"<{local}@{ascii_domain}>".encode() in header_block(data)  # raw UTF-8, no encoded word
    assert msg["Subject"] == BASE.subject and addresses(msg, "From")[0].display_name == "Jordan Müller"
    assert contents(msg) == (BASE.text + "\n", BASE.html + "\n")


def test_only_a_non_ascii_local_part_makes_headers_8bit():
    """Accents in names and subjects and an international domain keep the headers ASCII
    (encoded words, A-labels): an RFC 6532 message needs an SMTPUTF8 server, so it is
    written only when an address cannot be written otherwise."""
    message = replace(BASE, subject="Überraschung 😀", recipient=Recipient(name="Dörte", email="dana@bücher.example"))
    assert header_block(build(message, email="jordan@straße.de")).isascii()
    assert not header_block(build(message, email="jördan@example.org")).isascii()


def test_a_name_too_long_for_one_line_beside_a_utf8_address_is_refused():
    """Python 3.11 would fold it unquoted ("x, y@evil.example" a second address): no name
    the schema accepts is that long, and the file is refused rather than written so."""
    with pytest.raises(EmlError, match="too long"):
        build(name="x, y@evil.example " * 60, email="jördan@example.org")


@pytest.mark.parametrize(
    ("domain", "ascii_domain"),
    [
        # IDNA 2003 (Python's own codec) maps these to other, existing-looking domains.
        ("straße.de", "xn--strae-oqa.de"),
        ("faß.de", "xn--fa-hia.de"),
        ("ςυμβολή.gr", "xn--jxah1acqpv.gr"),  # the final sigma kept (IDNA 2003: σ)
        ("Bücher.example", "xn--bcher-kva.example"),  # UTS 46 folds case, as resolvers do
    ],
)
def test_international_domains_are_encoded_as_idna_2008(domain, ascii_domain):
    msg = parse(build(email=f"jordan@{domain}"))
    assert msg["From"].addresses[0].addr_spec == f"jordan@{ascii_domain}"


def test_joiners_stay_in_names_and_subjects():
    """Zero-width (non-)joiners are part of how names are spelt; other format characters go."""
    persian, malayalam, family = "مهسا نیک\u200cزاده", "ശ്രീ\u200dകുമാർ", "Team \U0001F468\u200d\U0001F469\u200d\U0001F467"
    msg = parse(build(replace(BASE, subject=family), name=persian))
    assert msg["From"].addresses[0].display_name == persian
    assert msg["Subject"] == family
    msg = parse(build(replace(BASE, recipient=Recipient(name=malayalam, email=DANA.email))))
    assert msg["To"].addresses[0].display_name == malayalam
    assert header_safe("a\u202eb\u2066c\ufeffd") == "a b c d"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"email": None}, "candidate has no email"),
        ({"email": "not-an-address"}, "cannot be used"),
        ({"email": "a\r\nb@example.org"}, "cannot be used"),
        ({"email": "ö" * 33 + "@example.org"}, "cannot be used"),  # 66 octets before the @
        ({"email": "jö\u00a0rg@example.org"}, "cannot be used"),  # a space
        ({"email": "jö\u200brg@example.org"}, "cannot be used"),  # a format character
        ({"email": "jörg.@example.org"}, "cannot be used"),
        ({"message": replace(BASE, recipient=Recipient(name="Dana", email=None))}, "No email address is known for Dana"),
        ({"message": replace(BASE, recipient=None)}, "Nobody"),
    ],
)
def test_eml_errors(kwargs, match):
    with pytest.raises(EmlError, match=match):
        build(**kwargs)


def test_linkedin_note_is_not_an_email():
    note = render_message(interview=TYPICAL, events=(), message_kind="linkedin_note", contact_id=DANA.id, at=AT, locale="en")
    with pytest.raises(EmlError, match="LinkedIn"):
        build(note)


def test_date_keeps_the_offset_and_bad_domains_are_refused():
    other = AT.astimezone(timezone(timedelta(hours=-5)))
    data = build_eml(BASE, candidate_name="J", candidate_email="j@example.org", at=other, message_id_domain="x.example")
    assert parse(data)["Date"].datetime == other
    with pytest.raises(EmlError):
        build_eml(BASE, candidate_name="J", candidate_email="j@example.org", at=AT, message_id_domain="bad domain\r\nX: y")
    with pytest.raises(EmlError):
        build_eml(BASE, candidate_name="J", candidate_email="j@example.org", at=AT.replace(tzinfo=None), message_id_domain="x.example")


@pytest.mark.parametrize("email", ["jordan@example.org", "jördan@example.org"])
@pytest.mark.parametrize("unit", ["a@b.c ", "é, \"q\" ", "😀 x.y ", "Zoë O'Brien; ", '"', "\\"])
def test_long_values_at_the_schema_maximum_round_trip(unit, email):
    value = (unit * 200)[:200]
    msg = parse(build(replace(SMALL, subject=value, recipient=Recipient(name=value, email=DANA.email)), name=value, email=email))
    assert msg["Subject"] == header_safe(value)
    assert [a.display_name for a in addresses(msg, "From") + addresses(msg, "To")] == [header_safe(value)] * 2


# RFC 2045: quoted-printable and base64 lines are at most 76 characters; a body
# line that is longer must be encoded, whatever the headers' folding.
MAX_BODY_LINE = 76
LONG_POINT = (
    "Ich habe die Umstellung unserer Abrechnungsberichte auf dbt geleitet und die Laufzeit verkürzt – "
    "<b>ohne</b> Ausfälle & mit Tests. "
) * 80


def body_lines(data: bytes) -> list[bytes]:
    """Every line after the top-level header block: part headers, boundaries and bodies."""
    return data.split(b"\r\n\r\n", 1)[1].split(b"\r\n")


def contents(msg) -> tuple[str, str]:
    text, html = msg.get_payload()
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("locale", ["de", "en"])
def test_a_10000_character_field_gives_body_lines_of_at_most_76(locale):
    point = LONG_POINT[:10_000]
    interview = replace(TYPICAL, missed_points=point)
    message = render_message(interview=interview, events=(), message_kind="thank_you", contact_id=DANA.id, at=AT, locale=locale)
    assert point in message.text  # one line of 10,000 characters
    data = build(message)
    assert max(len(line) for line in body_lines(data)) <= MAX_BODY_LINE
    msg = parse(data)
    assert not msg.defects
    text, html = msg.get_payload()
    assert {text["Content-Transfer-Encoding"], html["Content-Transfer-Encoding"]} <= {"quoted-printable", "base64"}
    assert contents(msg) == (message.text + "\n", message.html + "\n")
    assert msg["Subject"] == message.subject


def test_short_lines_stay_readable_8bit():
    msg = parse(build(replace(SMALL, text="Grüße,\nJordan", html="<p>Grüße</p>")))
    assert [part["Content-Transfer-Encoding"] for part in msg.get_payload()] == ["8bit", "8bit"]
    assert contents(msg) == ("Grüße,\nJordan\n", "<p>Grüße</p>\n")


def with_final_newline(body: str) -> str:
    """A MIME text body ends with a line break: the email package adds one if missing."""
    return body if body.endswith("\n") else body + "\n"


_body_pieces = st.one_of(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    st.sampled_from(["\n", " ", "\t", ".", "=", "From ", "--", "a" * 77, "é" * 40, "😀" * 20, "=?utf-8?q?x?=", " \n"]),
)
body_text = st.lists(_body_pieces, max_size=300).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=body_text, html=body_text)
def test_bodies_round_trip_with_lines_of_at_most_76(text, html):
    data = build(replace(SMALL, text=text, html=html))
    assert max(len(line) for line in body_lines(data)) <= MAX_BODY_LINE
    msg = parse(data)
    assert not msg.defects and not any(part.defects for part in msg.get_payload())
    assert contents(msg) == (with_final_newline(text), with_final_newline(html))
