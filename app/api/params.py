"""Path parameters, declared once with the description generated clients show for them.

Every text a request names a stored row by (path ids, filters) refuses a NUL here:
PostgreSQL cannot compare text holding one, so the same request was a 404 or an
empty list on SQLite and the database's error on PostgreSQL. A validator, not a
pattern: the published spec stays as it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator


def _without_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


#: For a `str` (or `str | None`) parameter that reaches a query.
NoNul = AfterValidator(_without_nul)

InterviewId = Annotated[str, Path(description="The interview's `id`; another tenant's answers 404 like a missing one."), NoNul]
EventId = Annotated[str, Path(description="The event's `id` (the end of its `Location`)."), NoNul]
TemplateId = Annotated[str, Path(description="The template's `id`."), NoNul]
