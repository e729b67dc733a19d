"""rename tenant templates stored under a legacy language code to its current code

A template uploaded as `iw` was stored as `iw`, so a request for `he` (Hebrew) did not
find it, and `iw` and `he` could hold two templates of one kind. Templates are now
stored, and requests matched, under the current code (app.messages.locales.
canonical_language): this renames the stored ones. Where the tenant already has a
template of that kind under the current code, the legacy one is left as it is: which
of the two the tenant meant is not ours to guess, and deleting a tenant's text is not a
migration's to do. No request picks it any more (a request for `iw` now finds the `he`
one); it is still listed, and the tenant can delete it.

A renamed template's `version` (its ETag) and `updated_at` move on: it reads differently.

Revision ID: a9e3c5d7f1b2
Revises: a6d3f1c8e925
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.types import UTCDateTime

revision: str = "a9e3c5d7f1b2"
down_revision: str | None = "a6d3f1c8e925"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: app.messages.locales.LEGACY_LANGUAGES as of this revision (a later change there needs a
#: migration of its own, not a different past for this one).
LEGACY_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "no": "nb"}


def upgrade() -> None:
    template = sa.table(
        "template",
        sa.column("tenant_id", sa.String),
        sa.column("message_kind", sa.String),
        sa.column("locale", sa.String),
        sa.column("version", sa.Integer),
        sa.column("updated_at", UTCDateTime()),
    )
    twin = template.alias("twin")
    now = datetime.now(UTC)
    for legacy, current in LEGACY_LANGUAGES.items():
        taken = sa.exists().where(
            twin.c.tenant_id == template.c.tenant_id, twin.c.message_kind == template.c.message_kind, twin.c.locale == current
        )
        op.execute(
            template.update()
            .where(template.c.locale == legacy, ~taken)
            .values(locale=current, version=template.c.version + 1, updated_at=now)
        )


def downgrade() -> None:
    """Nothing to undo: an older version reads a template under its current code too (it
    finds it for that code only, as it found one uploaded so)."""
