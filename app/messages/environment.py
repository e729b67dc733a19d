"""The one strict Jinja2 Environment for the built-in templates (style.md, habit 10).

Built lazily on first use and cached for the life of the process; importing this
module has no side effects. `StrictUndefined` makes an unknown name fail, and
`finalize` refuses to print a None: a missing value can never become "Dear ,".
Autoescaping is on for `.html` templates only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, UndefinedError, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).parent / "templates"

_BLANK_LINES = re.compile(r"\n\s*\n")
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")


def refuse_none(value: Any) -> Any:
    """`finalize` hook: printing None is a bug in the template, never an empty string."""
    if value is None:
        raise UndefinedError("a variable that is None was printed; guard it with {% if ... %}")
    return value


def paragraphs(value: str) -> Markup:
    """Filter: escape free text and turn it into HTML paragraphs (blank line = new one)."""
    parts = [p.strip() for p in _BLANK_LINES.split(str(value).replace("\r\n", "\n")) if p.strip()]
    return Markup("\n").join(Markup("<p>%s</p>") % Markup("<br>\n").join(escape(line) for line in p.split("\n")) for p in parts)


@pass_eval_context
def fr_de(eval_ctx: EvalContext, value: str) -> str:
    """Filter: French "de" + `value`, elided before a vowel ("le poste d'Ingénieur").

    In HTML the value is escaped but the apostrophe stays the template's own
    character, as in the rest of the French wording.
    """
    # Imported here: the sandbox worker imports this module and never needs Babel.
    from app.messages.locales import french_de

    written = french_de(str(value))
    if not eval_ctx.autoescape:
        return written
    head, word = written[: len(written) - len(str(value))], str(value)
    return Markup(head) + escape(word)


def text_to_html(text: str) -> str:
    """Derive an HTML body from a plain-text one (LinkedIn notes, tenant templates without html)."""
    return str(paragraphs(text))


def tidy_text(text: str) -> str:
    """Normalise rendered text: no trailing spaces, at most one blank line, no outer blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _EXTRA_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """Subjects are one line: every whitespace run (line breaks included) becomes one space."""
    return " ".join(text.split())


@lru_cache(maxsize=1)
def get_environment() -> Environment:
    """The process-wide Environment of the built-in templates (compiled templates cached)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=-1,
        finalize=refuse_none,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["fr_de"] = fr_de
    # The built-in templates call no global (range, dict, lipsum, ...), and
    # every render builds the set of the globals' names: an empty one is free.
    env.globals.clear()
    return env


def render_builtin_part(template: Template, context: dict[str, Any]) -> str:
    """`template.render(context)` without merging the environment's globals in.

    The built-in templates use no globals (no `range`, `dict`, ...), and
    `Template.render` copies them and the context into a new dict for every
    call: a third of a message's rendering time (measured with
    bench/message_route.py). Every built-in renders through this in the golden tests.
    """
    return template.environment.concat(template.root_render_func(template.new_context(context, shared=True)))


@lru_cache(maxsize=None)
def builtin_template(locale: str, kind: str, part: str) -> Template:
    """`<locale>/<kind>.<part>`, e.g. ("de", "thank_you", "subject.txt"), compiled once."""
    return get_environment().get_template(f"{locale}/{kind}.{part}")
