"""Interviews and their contacts (api-contract "Interviews")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from app.api.patterns import readable
from app.api.schemas.actions import NextAction
from app.api.schemas.common import Int, JsonInt, LongText, Name, Strict, Timestamp, TimeZoneName, Topic, UtcOut
from app.domain.model import ContactRole, InterviewFormat, InterviewStatus, Rapport

#: RFC 5321 4.5.3.1: a forward path is at most 256 octets with its angle brackets, so an
#: address is at most 254; a local part at most 64 (4.5.3.1.1; in UTF-8 for RFC 6531's).
EMAIL_MAX = 254
LOCAL_PART_MAX = 64


def _email_text(value: Any) -> Any:
    """Refuse text longer than any address before email-validator reads it: that one takes
    `Name <address>` up to 2,048 characters and keeps only the address, so the published
    `maxLength` would not hold for what is sent."""
    if isinstance(value, str) and len(value) > EMAIL_MAX:
        raise ValueError(f"is too long: an email address has at most {EMAIL_MAX} characters (RFC 5321)")
    return value


def _local_part(value: str) -> str:
    """email-validator checks the whole address's 254 octets, but the local part's 64 only in
    its strict mode; a longer one cannot be sent, and the `.eml` refuses it."""
    octets = len(value.rpartition("@")[0].encode("utf-8"))
    if octets > LOCAL_PART_MAX:
        raise ValueError(f"is too long before the @: at most {LOCAL_PART_MAX} bytes (RFC 5321; a non-ASCII character takes 2 to 4), not {octets}")
    return value


#: Published as `idn-email` and `iri`, not `email` and `uri`: the server takes what people
#: paste, `dana@straße.de` (sent IDNA 2008-encoded) and `https://www.linkedin.com/in/josé`,
#: which a client or fuzzer validating the stricter formats would call invalid.
Email = Annotated[
    EmailStr,
    BeforeValidator(_email_text),
    AfterValidator(_local_part),
    StringConstraints(max_length=EMAIL_MAX),
    Field(json_schema_extra={"format": "idn-email"}),
]
_HTTP_URL = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    """Validate as an http(s) URL but keep the text as sent: normalising it (a
    trailing `/`, percent-encoding) could push a 2048-character URL past the
    limit the spec states and the column holds. The pattern has refused every
    whitespace character, so there is nothing to strip either."""
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError("is not a valid http(s) URL") from None
    return value


#: The URL is kept as sent (not normalised by HttpUrl, which would percent-encode them),
#: so what no URL holds is refused here: spaces, line breaks and other controls (a NUL
#: was stored on SQLite and refused by PostgreSQL with no field named).
Url = Annotated[
    str,
    StringConstraints(
        max_length=2048,
        pattern=readable(
            # No whitespace at all, trailing included: the spec publishes this pattern with
            # `format: uri`, and a generated client (or the contract fuzzer) takes a URL
            # ending in a line break for invalid; the server must not accept it either.
            # Unicode spaces too (U+00A0, U+3000...): legal in an IRI, but in a profile URL
            # only ever a copy-and-paste slip, which the server used to strip when trailing.
            r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            "must be an http:// or https:// URL, without spaces or control characters",
        ),
    ),
    AfterValidator(_http_url),
    Field(json_schema_extra={"format": "iri"}),
]
ExternalRef = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=200,
        pattern=readable(r"^[^\x00-\x1f\x7f]*$", "must not contain control characters"),
    ),
]
Days = Annotated[int, Field(ge=0, le=365), JsonInt]


class ContactFields(Strict):
    name: Name
    email: Email | None = Field(default=None, description="Where emails to this contact go; without one the message warns.")
    role: ContactRole = ContactRole.INTERVIEWER
    is_human: StrictBool | None = Field(default=None, description="Default true; always false for role `ai`.")
    rapport: Rapport | None = Field(default=None, description="Null: unknown.")
    linkedin_url: Url | None = Field(default=None, description="The contact's LinkedIn profile, http(s), at most 2048 characters.")


class ContactCreate(ContactFields):
    """A contact of a new interview; the server assigns its id."""


class ContactPatch(ContactFields):
    id: str | None = Field(default=None, max_length=100, description="Keep this existing contact (and its events).")


class ContactPublic(BaseModel):
    id: str
    name: str
    email: str | None
    role: ContactRole
    is_human: bool = Field(description="Whether a person (not an AI) ran the conversation.")
    rapport: Rapport | None = Field(description="Null: unknown.")
    linkedin_url: str | None = Field(description="The contact's LinkedIn profile, or null.")


class AgencyFields(Strict):
    name: Name | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None


class AgencyPublic(BaseModel):
    """The agency contact as stored: every member is sent, null when not given."""

    name: str | None
    contact_name: str | None
    contact_email: str | None


class InterviewWritable(Strict):
    candidate_email: Email | None = Field(default=None, description="The candidate's address, the `.eml`'s From; without it the `.eml` is a 422.")
    duration_minutes: Int = Field(default=60, ge=1, le=1440, description="Length in minutes; the interview ends at `starts_at` plus this.")
    timezone: TimeZoneName = Field(default="UTC", description="IANA timezone of the candidate, e.g. Europe/Berlin.")
    topics: list[Topic] = Field(default_factory=list, max_length=20, description="Specific things discussed.")
    missed_points: LongText | None = Field(default=None, description="A point the candidate feels they missed; the thank-you may add it.")
    decision_timeline_days: Days | None = Field(default=None, description="Days after the interview within which the interviewer said they would decide; no follow-up opens before.")
    agency: AgencyFields | None = None
    external_ref: ExternalRef | None = Field(default=None, description="The ATS's id; unique per tenant.")
    notes: LongText | None = None


_INTERVIEW_EXAMPLE = {
    "candidate_name": "Alex Kim",
    "candidate_email": "alex@example.com",
    "job_title": "Data Engineer",
    "company_name": "Acme",
    "starts_at": "2026-04-14T10:00:00+02:00",
    "duration_minutes": 45,
    "timezone": "Europe/Berlin",
    "format": "virtual",
    "interviewers": [
        {"name": "Dana Lee", "email": "dana@acme.example", "role": "hiring_manager", "rapport": "good"},
        {"name": "Sam Roe", "email": "sam@acme.example", "role": "recruiter"},
    ],
    "topics": ["the streaming migration", "on-call rotation"],
    "decision_timeline_days": 10,
    "external_ref": "ATS-4711",
}


class InterviewCreate(InterviewWritable):
    model_config = ConfigDict(json_schema_extra={"examples": [_INTERVIEW_EXAMPLE]})

    candidate_name: Name
    job_title: Name
    company_name: Name
    starts_at: Timestamp
    format: InterviewFormat
    interviewers: list[ContactCreate] = Field(default_factory=list, max_length=20)


_REQUIRED = ("candidate_name", "job_title", "company_name", "starts_at", "format", "duration_minutes", "timezone")


class InterviewUpdate(InterviewWritable):
    """Only the fields sent change; `interviewers`, when sent, replaces the list."""

    # Required fields may be left out but not set to null: the spec says so
    # (SkipJsonSchema keeps null out of it) and the validator below refuses it.
    candidate_name: Name | SkipJsonSchema[None] = None
    job_title: Name | SkipJsonSchema[None] = None
    company_name: Name | SkipJsonSchema[None] = None
    starts_at: Timestamp | SkipJsonSchema[None] = None
    format: InterviewFormat | SkipJsonSchema[None] = None
    duration_minutes: Annotated[int, Field(ge=1, le=1440), JsonInt] | SkipJsonSchema[None] = Field(default=None, description="Length in minutes.")
    timezone: TimeZoneName | SkipJsonSchema[None] = Field(default=None, description="IANA timezone of the candidate, e.g. Europe/Berlin.")
    topics: list[Topic] | None = Field(default=None, max_length=20, description="Specific things discussed.")
    interviewers: list[ContactPatch] | None = Field(default=None, max_length=20)

    @field_validator(*_REQUIRED)
    @classmethod
    def _no_null_required(cls, value: Any) -> Any:
        """Run only on the fields sent: one 422 names every field sent as null, each at its place."""
        if value is None:
            raise ValueError("cannot be null: leave the field out to keep its value")
        return value


class InterviewPublic(BaseModel):
    id: str
    candidate_name: str
    candidate_email: str | None = Field(description="The candidate's address (the `.eml`'s From), or null.")
    job_title: str
    company_name: str
    starts_at: UtcOut
    duration_minutes: int = Field(description="Length in minutes.")
    timezone: str = Field(description="IANA timezone of the candidate, e.g. Europe/Berlin.")
    format: InterviewFormat
    interviewers: list[ContactPublic]
    topics: list[str] = Field(description="Specific things discussed.")
    missed_points: str | None = Field(description="A point the candidate feels they missed, or null.")
    decision_timeline_days: int | None = Field(description="When the interviewer said they would decide, in days; null if not said.")
    agency: AgencyPublic | None
    external_ref: str | None = Field(description="The ATS's id; unique per tenant.")
    notes: str | None
    status: InterviewStatus
    next_action: NextAction | None = Field(description="The open action due soonest (ties by priority), else the `wait`; null when nothing remains.")
    created_at: UtcOut
    updated_at: UtcOut


class ContactInline(ContactFields):
    """A contact in a stateless request; `id` is yours, needed only where an event or `contact_id` names it."""

    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description=(
            "Yours: what events and `contact_id` name. Left out, the contact is named by its place in the list, "
            "`#1`, `#2`... (`#1-2` if one of your ids is `#1`), and the actions' `contact_id` carries that name."
        ),
    )


class InterviewInline(InterviewWritable):
    """An interview sent whole with a stateless request (nothing is stored)."""

    id: str | None = Field(default=None, max_length=100, description="Yours; echoed as the actions' interview_id.")
    candidate_name: Name
    job_title: Name
    company_name: Name
    starts_at: Timestamp
    format: InterviewFormat
    interviewers: list[ContactInline] = Field(default_factory=list, max_length=20)
