"""Opaque keyset cursors: base64url of the last row's sort key."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson

from app.services.errors import InvalidInput


def encode(*parts: object) -> str:
    raw = orjson.dumps([p.isoformat() if isinstance(p, datetime) else p for p in parts])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, shape: tuple[type, ...]) -> tuple:
    """Parse a cursor made by `encode` with values of the given types.

    Timestamps come back in UTC: a hand-made one whose offset takes it past
    year 1 or 9999 is refused here, not left to overflow in a query.
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
            elif isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
                parsed.append(value)
            else:
                raise ValueError
        return tuple(parsed)
    except (ValueError, TypeError, OverflowError, orjson.JSONDecodeError, UnicodeError):
        raise InvalidInput(
            "The cursor is not valid: pass back the next_cursor of a previous page unchanged.",
            errors=[("query.cursor", "not a cursor this API issued")],
        ) from None
