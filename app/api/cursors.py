"""Opaque keyset cursors: base64url of the last row's sort key."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson

from app.services.errors import InvalidInput

_MAX_INT = 2**31 - 1  # the sort keys' numbers are INTEGER columns
_MAX_TEXT = 500  # longer than any id, kind or name a sort key holds


def encode(*parts: object) -> str:
    raw = orjson.dumps([p.isoformat() if isinstance(p, datetime) else p for p in parts])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, shape: tuple[type, ...]) -> tuple:
    """Parse a cursor made by `encode` with values of the given types.

    Timestamps come back in UTC: a hand-made one whose offset takes it past
    year 1 or 9999 is refused here, not left to overflow in a query; so are
    numbers past a 32-bit column and text no sort key holds (a NUL, which
    PostgreSQL cannot take, or more than a key's length).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        parsed = []
        for value, kind in zip(values, shape, strict=True):
            if kind is datetime:
                parsed_value = datetime.fromisoformat(value)
                if parsed_value.tzinfo is None:
                    raise ValueError
                parsed.append(parsed_value.astimezone(UTC))
            elif kind is int and type(value) is int and 0 <= value <= _MAX_INT:
                parsed.append(value)
            elif kind is str and isinstance(value, str) and len(value) <= _MAX_TEXT and "\x00" not in value:
                parsed.append(value)
            else:
                raise ValueError
        return tuple(parsed)
    except (ValueError, TypeError, OverflowError, orjson.JSONDecodeError, UnicodeError):
        raise InvalidInput(
            "The cursor is not valid: pass back the next_cursor of a previous page unchanged.",
            errors=[("query.cursor", "not a cursor this API issued")],
        ) from None
