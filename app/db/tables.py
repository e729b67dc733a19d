"""The tables. The schema itself is created by Alembic migrations only.

Rows are declared with SQLModel for one readable definition per table; the
repositories query them through SQLAlchemy Core (performance-notes.md: ORM
objects cost 2-8x on hot paths), selecting only the columns they need.
Enum-valued columns hold the public wire names as short strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db.types import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata

#: The per-tenant unique names a client can race for (app.db.unique, app.services.unique).
INTERVIEW_EXTERNAL_REF = "uq_interview_tenant_external_ref"
TEMPLATE_SLOT = "uq_template_tenant_kind_locale"


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Tenant(SQLModel, table=True):
    """A career site or an agency: owns keys, interviews, policy and templates."""

    __tablename__ = "tenant"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    policy: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    policy_version: int = Field(default=1)
    #: How many templates the tenant has: renders skip the template lookup at 0.
    template_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = _utc()


class ApiKey(SQLModel, table=True):
    """An API key, stored only as its SHA-256 hash."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=36)
    tenant_id: str = Field(sa_column=Column(String(36), ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True))
    key_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    prefix: str = Field(max_length=16)
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc(nullable=True)


#: The bucket of an interview's last change, by how long after its creation it came:
#: floor(log2(seconds)), at least 0, at most 33 (272 years and more). A row of bucket k < 33
#: was changed less than 2^(k+2) s after it was created (twice the bucket's top, a margin for
#: the logarithm's rounding). `{t}` is the table's alias with its dot, or nothing.
#: Written as SQLAlchemy reflects it back (less the casts), so that autogenerate sees the same index.
CHANGE_SPAN_BUCKET = (
    "LEAST(floor(log(2.0, GREATEST(EXTRACT(epoch FROM {t}updated_at - {t}created_at), 1))), 33)"
)
CHANGE_SPAN_TOP = 33


class Interview(SQLModel, table=True):
    """One interview of one tenant; contacts and events hang off it."""

    __tablename__ = "interview"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_ref", name=INTERVIEW_EXTERNAL_REF),
        Index("ix_interview_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_interview_tenant_updated", "tenant_id", "updated_at", "id"),
        # `updated_after=X`: the interviews created at or before X and changed after it
        # (app.db.interviews._window_ids), by the length of that change, PostgreSQL only.
        Index(
            "ix_interview_tenant_change_span",
            "tenant_id",
            text(CHANGE_SPAN_BUCKET.format(t="")),
            "created_at",
            "id",
            postgresql_include=["updated_at"],
            postgresql_where=text("updated_at > created_at"),
        ).ddl_if(dialect="postgresql"),
        Index("ix_interview_tenant_plan_version", "tenant_id", "plan_policy_version"),
        # `company_name=`, in the list's order.
        Index("ix_interview_tenant_company", "tenant_id", "company_name", "created_at", "id"),
        # `status=scheduled` (app.db.interviews._source).
        Index(
            "ix_interview_tenant_unfinished",
            "tenant_id",
            "ends_at",
            postgresql_where=text("outcome IS NULL"),
            sqlite_where=text("outcome IS NULL"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant_id: str = Field(sa_column=Column(String(36), ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False))
    candidate_name: str = Field(max_length=200)
    candidate_email: str | None = Field(default=None, max_length=320)
    job_title: str = Field(max_length=200)
    company_name: str = Field(max_length=200)
    starts_at: datetime = _utc()
    ends_at: datetime = _utc()
    duration_minutes: int
    timezone: str = Field(max_length=64)
    format: str = Field(max_length=16)
    topics: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    missed_points: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decision_timeline_days: int | None = None
    agency: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    external_ref: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome: str | None = Field(default=None, max_length=32)
    version: int = Field(default=1)
    plan_policy_version: int = Field(default=0)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class Contact(SQLModel, table=True):
    """An interviewer or other contact of one interview, in list order."""

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_interview_position", "interview_id", "position"),)

    id: str = Field(primary_key=True, max_length=36)
    interview_id: str = Field(sa_column=Column(String(36), ForeignKey("interview.id", ondelete="CASCADE"), nullable=False))
    position: int
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: str = Field(max_length=16)
    is_human: bool = True
    rapport: str | None = Field(default=None, max_length=16)
    linkedin_url: str | None = Field(default=None, max_length=2048)


class Event(SQLModel, table=True):
    """Something that happened to an interview (the timeline)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_interview_occurred", "interview_id", "occurred_at", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    interview_id: str = Field(sa_column=Column(String(36), ForeignKey("interview.id", ondelete="CASCADE"), nullable=False))
    type: str = Field(max_length=32)
    occurred_at: datetime = _utc()
    contact_id: str | None = Field(default=None, max_length=36)
    timeline_days: int | None = None
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc()


class PlannedAction(SQLModel, table=True):
    """One step of an interview's stored schedule (clock-free, see domain.PlannedStep).

    Rewritten in the same transaction as every write that can change it; the
    tenant-wide due list is one keyset scan of the partial index over open rows.
    """

    __tablename__ = "planned_action"
    __table_args__ = (
        Index(
            "ix_planned_action_open_due",
            "tenant_id",
            "due_at",
            "interview_id",
            "kind",
            "seq",
            # Covering: the clock-dependent filters (missed, waits, states) are
            # decided on index entries, without visiting the rows they skip.
            postgresql_include=["id", "available_at", "late_after", "missed_at", "shown_from"],
            sqlite_where=text("resolution IS NULL"),
            postgresql_where=text("resolution IS NULL"),
        ),
        # Every state, for a `state=` that names done or cancelled (resolved rows are
        # not in the partial index above); the states are decided on index entries.
        Index(
            "ix_planned_action_due",
            "tenant_id",
            "due_at",
            "interview_id",
            "kind",
            "seq",
            postgresql_include=["id", "resolution", "available_at", "late_after", "missed_at", "shown_from"],
        ),
        # `kind=close_out`: one row per interview, rare in the two indexes above
        # (app.db.plans._due_keys); every state, decided on index entries.
        Index(
            "ix_planned_action_close_out_due",
            "tenant_id",
            "due_at",
            "interview_id",
            "seq",
            postgresql_include=["id", "resolution", "available_at", "late_after", "missed_at", "shown_from"],
            sqlite_where=text("kind = 'close_out'"),
            postgresql_where=text("kind = 'close_out'"),
        ),
        Index("ix_planned_action_interview", "interview_id", "seq"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    tenant_id: str = Field(max_length=36)
    interview_id: str = Field(sa_column=Column(String(36), ForeignKey("interview.id", ondelete="CASCADE"), nullable=False))
    seq: int
    kind: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=36)
    recipient_name: str | None = Field(default=None, max_length=200)
    recipient_email: str | None = Field(default=None, max_length=320)
    channel: str | None = Field(default=None, max_length=16)
    available_at: datetime = _utc()
    due_at: datetime = _utc()
    late_after: datetime | None = _utc(nullable=True)
    suggested_send_at: datetime = _utc()
    priority: str = Field(max_length=8)
    rule: str = Field(max_length=32)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    message_kind: str | None = Field(default=None, max_length=32)
    resolution: str | None = Field(default=None, max_length=16)
    missed_at: datetime | None = _utc(nullable=True)
    shown_from: datetime | None = _utc(nullable=True)
    position: int = -1


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST with an `Idempotency-Key`, kept 24 h per tenant.

    The answer to an interview's or an event's create is that interview's data (names,
    emails, notes): `interview_id` ties it to the interview, so deleting the interview
    deletes it too.
    """

    __tablename__ = "idempotency_record"

    tenant_id: str = Field(sa_column=Column(String(36), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    interview_id: str | None = Field(
        default=None,
        sa_column=Column(String(36), ForeignKey("interview.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    response_headers: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc(index=True)
    completed_at: datetime | None = _utc(nullable=True)


class Job(SQLModel, table=True):
    """Background work (re-planning after a policy change), claimed with SKIP LOCKED."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_pending", "run_after", "id", sqlite_where=text("done_at IS NULL"), postgresql_where=text("done_at IS NULL")),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    kind: str = Field(max_length=32)
    tenant_id: str | None = Field(default=None, max_length=36)
    payload: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    run_after: datetime = _utc()
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc()
    #: After the commit that queued the job, unlike `created_at` (app.services.jobs.run_one).
    first_claimed_at: datetime | None = _utc(nullable=True)
    done_at: datetime | None = _utc(nullable=True)


class Template(SQLModel, table=True):
    """A tenant's own Jinja2 template for one message kind and locale."""

    __tablename__ = "template"
    __table_args__ = (UniqueConstraint("tenant_id", "message_kind", "locale", name=TEMPLATE_SLOT),)

    id: str = Field(primary_key=True, max_length=36)
    tenant_id: str = Field(sa_column=Column(String(36), ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False))
    message_kind: str = Field(max_length=32)
    locale: str = Field(max_length=16)
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = 1
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
