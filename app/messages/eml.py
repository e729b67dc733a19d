"""Ready-to-send .eml files, built with the modern email API only.

`EmailMessage` + `email.policy` (default rules, CRLF line ends as RFC 5322 asks),
multipart/alternative with the text and the HTML body, UTF-8 everywhere
(RFC 2047 encoded words in headers). A body stays 7bit/8bit when every line
fits in 76 octets; otherwise it is quoted-printable (or base64, when shorter)
with lines of at most 76 characters, as RFC 2045 requires (a 10,000-character
"missed points" paragraph is one line). See `EML_POLICY` and `BODY_POLICY`.

Header safety (this Python, 3.11.7, has no `verify_generated_headers`): every
header value built from user data goes through `header_safe`, which replaces
each line break (CR, LF, U+2028, U+2029, U+0085, VT, FF) and every other control
or format character (NUL, DEL, C1 controls, bidi overrides...) with a space and
collapses runs of whitespace. A value can therefore never start a new header,
and the email package never sees a character it would refuse. Text shaped like
an encoded word gets a space after its `=` so that readers show it literally. Addresses are
parsed as addresses; one that is not a plain `local@domain` is an `EmlError`.

Internationalized addresses: a domain is always written as IDNA A-labels
(`xn--...`), which every mail system reads. A local part cannot be encoded that way
(RFC 2047 forbids encoded words in an address), so an address like `dörte@example.de`
makes the file an RFC 6532 message: every header in raw UTF-8 (`EML_UTF8_POLICY`),
for delivery over SMTPUTF8 (RFC 6531). Only such a message is written so; every other
one stays ASCII-only, byte for byte as before.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

import idna

from app.domain.model import Channel
from app.messages.errors import EmlError
from app.messages.types import RenderedMessage

#: The file is generated under this policy: CRLF line ends, RFC 2047 for non-ASCII
#: headers, and headers folded only past 998 octets (RFC 5322's hard limit), not at
#: the recommended 78. At 78, Python 3.11's folder splits a long display name or
#: subject into several encoded words and cuts encoded-word look-alikes apart, and
#: its parser reads some of those back with an extra space, so a name would not
#: arrive as written (test_headers_round_trip_and_never_inject finds it). The cost:
#: long non-ASCII headers make encoded words longer than RFC 2047's 75 characters,
#: which mail readers accept.
EML_POLICY = policy.default.clone(linesep="\r\n", max_line_length=998)

#: The parts are built under this one, because `set_content` encodes a body with its
#: message's policy: a line longer than 76 octets switches the body to
#: quoted-printable (or base64, when shorter) with lines of at most 76 characters
#: (RFC 2045, 6.7 and 6.8); under EML_POLICY they would run to 998.
BODY_POLICY = EML_POLICY.clone(max_line_length=76)

#: For a message with a non-ASCII local part (RFC 6532): headers in raw UTF-8 instead of
#: encoded words, which no address may contain. The same folding and line ends. Python
#: 3.11 folds an address header under `utf8=True` with its display name unquoted
#: (`a, b@c.example` would become two addresses), so From and To must fit on one line:
#: they do for names of the schema's 200 characters, and `build_eml` checks it.
EML_UTF8_POLICY = EML_POLICY.clone(utf8=True)
BODY_UTF8_POLICY = BODY_POLICY.clone(utf8=True)

_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def valid_message_id_domain(value: str) -> bool:
    """A host name that can stand right of the `@` of a Message-ID (FOLLOWUP_MESSAGE_ID_DOMAIN)."""
    return bool(_DOMAIN.match(value or ""))


#: A dot-atom local part (RFC 5322 3.2.3), with RFC 6532's UTF-8 characters beside ASCII's
#: atext; at most 64 octets (RFC 5321 4.5.3.1.1), UTF-8 ones included.
_LOCAL_PART = re.compile(r"^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]|[^\x00-\x7f])+$")
_LOCAL_PART_OCTETS = 64


_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[^?]*\?[^?]*\?=")


def header_safe(value: str) -> str:
    """One line of printable text, shown by mail readers exactly as written.

    Control and format characters (line breaks included) become spaces and
    whitespace runs collapse, but for the zero-width joiner and non-joiner:
    they are part of how names are spelt (Persian, Indic scripts, emoji). Text that looks like an RFC 2047 encoded word
    (`=?utf-8?q?...?=`) gets a space after its `=`: the email package writes
    ASCII as is, and a reader would otherwise decode it into something else.
    """
    chars = [" " if ch not in _JOINERS and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") else ch for ch in value]
    text = " ".join("".join(chars).split())
    while _ENCODED_WORD.search(text):
        text = _ENCODED_WORD.sub(lambda m: "= " + m.group(0)[1:], text)
    return text


def _usable_local_part(local: str) -> bool:
    """A dot-atom of at most 64 octets whose non-ASCII characters are all visible: no
    control, format, surrogate, private-use, unassigned or space character (email-validator
    refuses them too, but a stored row may predate that or come from elsewhere)."""
    if not _LOCAL_PART.match(local) or len(local.encode("utf-8", "surrogatepass")) > _LOCAL_PART_OCTETS:
        return False
    if ".." in local or local.startswith(".") or local.endswith("."):
        return False
    return all(ch.isascii() or unicodedata.category(ch)[0] not in "CZ" for ch in local)


def _address(name: str | None, email: str, *, who: str) -> Address:
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at or not _usable_local_part(local):
        raise EmlError(f"The {who}'s email address {header_safe(email)[:100]!r} cannot be used in an email.")
    try:
        # IDNA 2008 with UTS 46 mapping, as mail systems resolve names today. Python's own
        # "idna" codec is IDNA 2003, which maps straße.de to strasse.de: another domain.
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        ascii_domain = ""
    if not _DOMAIN.match(ascii_domain):
        raise EmlError(f"The {who}'s email address {header_safe(email)[:100]!r} cannot be used in an email.")
    try:
        return Address(display_name=header_safe(name or ""), username=local, domain=ascii_domain)
    except (ValueError, TypeError) as exc:  # pragma: no cover - guarded above
        raise EmlError(f"The {who}'s email address cannot be used in an email.") from exc


def build_eml(
    message: RenderedMessage,
    *,
    candidate_name: str,
    candidate_email: str | None,
    at: datetime,
    message_id_domain: str,
) -> bytes:
    """The message as an RFC 5322 file: From the candidate, To the recipient, Date = `at`.

    Raises `EmlError` when there is no candidate email, no recipient (email), the
    message is a LinkedIn note, `at` is naive or the Message-ID domain is invalid.
    """
    if message.channel is not Channel.EMAIL or message.subject is None:
        raise EmlError("A LinkedIn note is not an email, so it cannot be downloaded as an .eml file.")
    if not candidate_email:
        raise EmlError("The candidate has no email address, so no .eml file can be built; add one to the interview.")
    recipient = message.recipient
    if recipient is None:
        raise EmlError("Nobody is known to receive this message, so no .eml file can be built.")
    if not recipient.email:
        who = header_safe(recipient.name or "the recipient")[:200]
        raise EmlError(f"No email address is known for {who}, so no .eml file can be built.")
    if at.tzinfo is None or at.utcoffset() is None:
        raise EmlError("The message date must be a timezone-aware timestamp.")
    if not valid_message_id_domain(message_id_domain):
        raise EmlError(f"{message_id_domain!r} is not a valid domain for a Message-ID.")

    sender = _address(candidate_name, candidate_email, who="candidate")
    to = _address(recipient.name, recipient.email, who="recipient")
    utf8 = not (sender.username.isascii() and to.username.isascii())
    msg = EmailMessage(policy=BODY_UTF8_POLICY if utf8 else BODY_POLICY)  # bodies encoded to RFC 2045 line lengths
    msg["From"] = sender
    msg["To"] = to
    if utf8 and any("\n" in msg[name].fold(policy=EML_UTF8_POLICY).rstrip("\r\n") for name in ("From", "To")):
        raise EmlError("A name is too long to be written beside an international email address.")
    msg["Subject"] = header_safe(message.subject)
    msg["Date"] = at
    # Random, not email.utils.make_msgid: that one spells out the render time to the
    # hundredth of a second and the service's process id to whoever receives the mail.
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{message_id_domain}>"
    msg.set_content(message.text)
    msg.add_alternative(message.html, subtype="html")
    try:
        return msg.as_bytes(policy=EML_UTF8_POLICY if utf8 else EML_POLICY)  # headers folded as the policy says
    except (ValueError, TypeError, UnicodeError) as exc:  # pragma: no cover - defensive
        raise EmlError("The message could not be encoded as an email.") from exc
