"""Path parameters, declared once with the description generated clients show for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

InterviewId = Annotated[str, Path(description="The interview's `id`; another tenant's answers 404 like a missing one.")]
EventId = Annotated[str, Path(description="The event's `id` (the end of its `Location`).")]
TemplateId = Annotated[str, Path(description="The template's `id`.")]
