"""Message rendering: built-in templates, tenant templates in a sandbox, .eml files.

Public entry points (importing this package has no side effects; the Jinja2
Environment and the sandbox pool are created on first use):

- `render_message(...) -> RenderedMessage`        (app.messages.render)
- `negotiate_locale(locale, accept_language)`     (app.messages.locales)
- `build_context(...) -> dict`                    (app.messages.context)
- `build_eml(message, ...) -> bytes`              (app.messages.eml)
- `validate_template(source)`, `shutdown_sandbox()` (app.messages.sandbox)
- `VARIABLES`: the template variables, name -> description (app.messages.variables)

Errors: see app.messages.errors.
"""

from app.messages.errors import (
    EmlError,
    MessageError,
    MessageNotApplicable,
    MessageRequestError,
    SandboxUnavailable,
    TemplateError,
    TemplateInvalid,
    TemplateTimeout,
    TemplateTooLarge,
)
from app.messages.types import (
    MessageWarning,
    RenderedMessage,
    TemplateSource,
    TemplateSourceKind,
    Warning,  # noqa: A004
    WarningCode,
)
from app.messages.variables import VARIABLES

__all__ = [
    "VARIABLES",
    "EmlError",
    "MessageError",
    "MessageNotApplicable",
    "MessageRequestError",
    "MessageWarning",
    "RenderedMessage",
    "SandboxUnavailable",
    "TemplateError",
    "TemplateInvalid",
    "TemplateSource",
    "TemplateSourceKind",
    "TemplateTimeout",
    "TemplateTooLarge",
    "Warning",
    "WarningCode",
]
