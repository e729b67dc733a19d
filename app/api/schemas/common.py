"""Shared field types, the problem document and list pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Generic, TypeVar
from zoneinfo import available_timezones

from fastapi import Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from app.api.patterns import readable

T = TypeVar("T")

_NO_CONTROL = readable(
    r"^[^\x00-\x1f\x7f\u0085\u2028\u2029]*$", "must be one line of text, without line breaks or control characters"
)

#: A one-line human string (names, titles): no line breaks or control characters.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL)]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=_NO_CONTROL)]
#: Stored text may hold any character but NUL (PostgreSQL cannot store it; SQLite would).
NO_NUL = readable(r"^[^\x00]*$", "must not contain a NUL character")
#: Free text (notes): line breaks allowed, NUL never.
LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]


_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    """In UTC, and within years 1900-2999: planning adds days and hours to these
    times, and a moment near year 1 or 9999 would overflow (a 500) later on."""
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside the years 1900-2999") from None
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("lies outside the years 1900-2999")
    return value


_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339_text(value: object) -> object:
    """Refuse what pydantic would read as a Unix time (`0`, `"0.5"`): the contract is RFC 3339."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339_START.match(value):
        raise ValueError("must be an RFC 3339 timestamp with an offset, e.g. 2026-04-14T10:00:00+02:00")
    return value


def _json_integer(value: object) -> object:
    """A JSON integer: pydantic's lax mode also took `false` and `"7"` for an int."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be an integer")
    return value


#: Refuses booleans and strings where a body wants an integer (1.0 counts, as in JSON Schema).
#: Put it after the range (`Annotated[int, Field(ge=..), JsonInt]`) so the spec keeps minimum/maximum.
JsonInt = BeforeValidator(_json_integer)
#: An integer in a request body; the range goes on the field.
Int = Annotated[int, JsonInt]

#: What the spec promises to accept: RFC 3339 with an offset, years 1910-2899
#: (the validator allows 1900-2999 in UTC, so no offset can push a documented
#: value out of range).
_TIMESTAMP_SCHEMA = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(19[1-9][0-9]|2[0-8][0-9][0-9])-",
    "description": "RFC 3339 with an offset, e.g. 2026-04-14T10:00:00+02:00.",
}

#: An RFC 3339 timestamp with an offset; a naive one is refused (422).
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_utc), WithJsonSchema(_TIMESTAMP_SCHEMA)]
#: Timestamps are answered in UTC.
UtcOut = Annotated[
    datetime,
    PlainSerializer(lambda v: v.astimezone(UTC).isoformat().replace("+00:00", "Z"), return_type=str),
    # Declared as RFC 3339 so that generated clients parse it (a plain string otherwise).
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


#: Files of the system's tz directory that are no IANA zone: `localtime` is a link to
#: the host's own zone (/etc/localtime), so an interview stored with it would plan in
#: whatever zone the server is set to, and fail (a 500) on a host without the link.
_NOT_IANA = frozenset({"localtime"})


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_IANA


def _known_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"{value!r} is not an IANA timezone name (e.g. Europe/Berlin)")
    return value


TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_known_zone)]


class Strict(BaseModel):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class ProblemError(BaseModel):
    loc: str = Field(description="Where the problem is, e.g. `body.interviewers.0.email`.")
    message: str = Field(description="What is wrong there, in a sentence a person understands.")


class Problem(BaseModel):
    """An RFC 9457 problem document: every error this API answers."""

    type: str = Field(description="A URI naming the kind of problem; stable, compare it rather than the title.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    # Always sent (null without a list): absent values are null, not omitted (api-contract).
    errors: list[ProblemError] | None = Field(description="Each invalid field (validation problems); else null.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


Limit = Annotated[int, Query(ge=1, le=200, description="Items per page, 1-200.")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="The previous page's `next_cursor`; leave out for the first page.")
]
