"""replan after reason wording changes; percent-encode Unicode spaces in stored LinkedIn URLs

Two things stored by earlier versions that this one would otherwise trip on:

- The close-out's reason now names whoever the last follow-up went to and, with
  a cap of 0, what set its day; a 0-day timeline reads "the same day". Stored
  plans keep the old sentences until re-planned (app.db.rule_changes).
- `linkedin_url` now refuses Unicode spaces (U+00A0, U+3000, thin spaces...). An
  earlier version stripped a trailing one but kept an inner one, so a client that
  reads such an interview and PATCHes its interviewers back would get a 422 on a
  field it never touched. Each such space is percent-encoded (U+2009 becomes
  %E2%80%89), which is how an IRI maps to a URI (RFC 3987 3.1): the same address,
  now without a space in it.

Revision ID: e7c1d9a4b362
Revises: e4b7c2a9d610
Create Date: 2026-11-27 05:30:00
"""

from collections.abc import Sequence
from urllib.parse import quote

import sqlalchemy as sa
from alembic import op

from app.db.rule_changes import replan_every_tenant

revision: str = "e7c1d9a4b362"
down_revision: str | None = "e4b7c2a9d610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The whitespace app.api.schemas.interviews.Url refuses since this revision and accepted
#: before it (controls and ASCII spaces were always refused).
UNICODE_SPACES = "\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u202f\u205f\u3000"


def upgrade() -> None:
    replan_every_tenant()
    contact = sa.table("contact", sa.column("id", sa.String), sa.column("linkedin_url", sa.String))
    url = contact.c.linkedin_url
    bind = op.get_bind()
    spaced = bind.execute(sa.select(contact.c.id, url).where(sa.or_(*(url.contains(space) for space in UNICODE_SPACES)))).all()
    for contact_id, value in spaced:
        encoded = "".join(quote(ch, safe="") if ch in UNICODE_SPACES else ch for ch in value)
        if len(encoded) > 2048:  # the column's limit: the spaces go rather than the URL's end
            encoded = "".join(ch for ch in value if ch not in UNICODE_SPACES)
        bind.execute(contact.update().where(contact.c.id == contact_id).values(linkedin_url=encoded))


def downgrade() -> None:
    """Nothing to undo: the re-planned steps and the encoded URLs are valid for an older version too."""
