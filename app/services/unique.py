"""A write that lost a race for a unique name answers like the check it passed: 409.

The services look a name up before they write it (a clear message, no failed
statement); `taken_as_conflict` covers the window between that look-up and
the commit, in which another transaction can take the name (app.db.unique).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from app.db.unique import broken_unique
from app.services.errors import Conflict


@contextmanager
def taken_as_conflict(constraint: str, detail: str) -> Iterator[None]:
    """Raise Conflict(detail) when the writes inside break `constraint`; other errors pass."""
    try:
        yield
    except IntegrityError as error:
        if broken_unique(error) != constraint:
            raise
        raise Conflict(detail) from None
