"""Regular expressions the spec publishes, each with the sentence a person reads when a value fails one.

A `pattern` in the OpenAPI document tells generated clients and fuzzers what
is refused. Pydantic's own message for a mismatch quotes the expression
("String should match pattern '^[ -~]*[!-~][ -~]*$'"), which nobody calling
the API should have to decode: app.api.problems answers with the sentence
registered here instead.
"""

from __future__ import annotations

_SENTENCES: dict[str, str] = {}


def readable(pattern: str, sentence: str) -> str:
    """`pattern`, remembered with the sentence a mismatch answers (e.g. "must be a time of day as HH:MM")."""
    _SENTENCES[pattern] = sentence
    return pattern


def sentence_for(pattern: str) -> str | None:
    return _SENTENCES.get(pattern)
