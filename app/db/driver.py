"""Driver-level reads for the hottest queries.

A SQLAlchemy Core round trip costs ~60-120 µs of Python on top of a query
that SQLite answers in ~3 µs (measured for bench/actions_route.py), so the
few reads every per-interview request makes go straight to the DB-API cursor
of the session's connection, inside the session's transaction. The SQL is
written once with `?` placeholders; values come back as the same Python
types the SQLAlchemy column types would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session


class RawReader:
    """Runs plain SELECTs on the session's DB-API connection."""

    __slots__ = ("_cursor", "_pg")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self._pg = connection.dialect.name == "postgresql"
        self._cursor = connection.connection.driver_connection.cursor()

    def all(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        if self._pg:
            sql = sql.replace("?", "%s")
        self._cursor.execute(sql, params)
        return self._cursor.fetchall()

    def close(self) -> None:
        self._cursor.close()

    def __enter__(self) -> RawReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def utc(value: datetime | str | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite keeps UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_value(value: Any) -> Any:
    """A JSON column's value (SQLite returns its text, psycopg the parsed value)."""
    if isinstance(value, (str, bytes)):
        return orjson.loads(value)
    return value
