"""Typed errors of the message library; the API maps each of them to a 422,
except `SandboxUnavailable` (503: the server is busy, the template is not at fault).

Hierarchy::

    MessageError                 base class, never raised itself
    ├── MessageRequestError      the request is malformed (missing/unknown contact, kind)
    ├── MessageNotApplicable     the kind cannot apply (LinkedIn note to an AI, ...)
    ├── EmlError                 no .eml can be built (no address, not an email)
    ├── SandboxUnavailable       no sandbox worker could take the job in time (503)
    └── TemplateError            a tenant template failed
        ├── TemplateInvalid      syntax, unknown variable, refused construct, render error
        ├── TemplateTimeout      compile + render took longer than the sandbox allows
        └── TemplateTooLarge     output (or an intermediate value) past the cap

Every message is written for a person: the API can show `str(exc)` as the
problem's `detail`, and `TemplateInvalid.errors` as its `errors` list.
"""

from __future__ import annotations


class MessageError(Exception):
    """Base class of every error raised by app.messages."""


class MessageRequestError(MessageError):
    """The render request itself is wrong (e.g. contact_id missing or unknown); `field`
    names the request parameter at fault, where a client sent one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MessageNotApplicable(MessageError):
    """The message kind cannot apply to this interview/contact; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmlError(MessageError):
    """The message cannot be turned into a ready-to-send .eml file."""


class SandboxUnavailable(MessageError):
    """No sandbox worker could take the job in time: all busy, or a new one slow to
    start. The template is not at fault, so this is a 503 to retry, not a 422."""


class TemplateError(MessageError):
    """A tenant template could not be validated or rendered."""


class TemplateInvalid(TemplateError):
    """The template is refused; `errors` lists `(field, message)` pairs.

    `field` is the template part (`subject`, `text`, `html`) the error is in.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors))


class TemplateTimeout(TemplateError):
    """Compiling and rendering the template took longer than the sandbox allows."""


class TemplateTooLarge(TemplateError):
    """The template source, its output or an intermediate value is too large."""
