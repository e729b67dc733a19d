"""Interview use cases: create, read, list, change, delete."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from app.db import events as events_repo
from app.db import interviews as interviews_repo
from app.db import plans as plans_repo
from app.db.interviews import InterviewFilter, StoredInterview
from app.db.tables import INTERVIEW_EXTERNAL_REF
from app.domain.model import Action, Agency, Contact, ContactRole, Interview, InterviewFormat, PlannedStep, Rapport
from app.domain.planner import materialize, next_action, schedule
from app.echo import clipped
from app.services import planning
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.preconditions import check_if_match as check_version
from app.services.preconditions import etag
from app.services.tenancy import TenantContext
from app.services.unique import taken_as_conflict

_INTERVIEW_FIELDS = (
    "candidate_name",
    "candidate_email",
    "job_title",
    "company_name",
    "starts_at",
    "duration_minutes",
    "timezone",
    "format",
    "topics",
    "missed_points",
    "decision_timeline_days",
)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[StoredInterview]
    has_more: bool
    #: The rows of each interview's stored plan, read along with the page.
    plan_rows: dict[str, list[Sequence]]


def etag_of(stored: StoredInterview) -> str:
    return etag(stored.version)


def check_if_match(stored: StoredInterview, if_match: str | None) -> None:
    check_version(if_match, stored.version, what="interview")


def contact_from(data: Mapping[str, Any], contact_id: str) -> Contact:
    role = ContactRole(data.get("role") or ContactRole.INTERVIEWER)
    is_human = data.get("is_human")
    if is_human is None:
        is_human = role is not ContactRole.AI
    rapport = data.get("rapport")
    return Contact(
        id=contact_id,
        name=data["name"],
        email=data.get("email"),
        role=role,
        is_human=bool(is_human) and role is not ContactRole.AI,
        rapport=Rapport(rapport) if rapport else None,
        linkedin_url=str(data["linkedin_url"]) if data.get("linkedin_url") else None,
    )


def _agency(data: Mapping[str, Any] | None) -> Agency | None:
    if not data:
        return None
    return Agency(name=data.get("name"), contact_name=data.get("contact_name"), contact_email=data.get("contact_email"))


def build_interview(interview_id: str, fields: Mapping[str, Any], contacts: tuple[Contact, ...]) -> Interview:
    return Interview(
        id=interview_id,
        candidate_name=fields["candidate_name"],
        candidate_email=fields.get("candidate_email"),
        job_title=fields["job_title"],
        company_name=fields["company_name"],
        starts_at=fields["starts_at"],
        duration_minutes=fields.get("duration_minutes") or 60,
        timezone=fields.get("timezone") or "UTC",
        format=InterviewFormat(fields["format"]),
        interviewers=contacts,
        topics=tuple(fields.get("topics") or ()),
        missed_points=fields.get("missed_points"),
        decision_timeline_days=fields.get("decision_timeline_days"),
        agency=_agency(fields.get("agency")),
    )


def _external_ref_free(session: Connection, tenant: TenantContext, external_ref: str | None, except_id: str | None) -> None:
    if external_ref is not None and interviews_repo.external_ref_taken(
        session, tenant_id=tenant.tenant_id, external_ref=external_ref, except_id=except_id
    ):
        raise Conflict(_external_ref_taken(external_ref))


def _external_ref_taken(external_ref: str | None) -> str:
    shown = external_ref if external_ref is None else clipped(external_ref)
    return f"Another interview already has external_ref {shown!r}."


@dataclass(frozen=True, slots=True)
class Planned:
    """An interview as just written, with the schedule stored for it."""

    stored: StoredInterview
    steps: tuple[PlannedStep, ...]


def create_interview(*, session: Connection, tenant: TenantContext, fields: Mapping[str, Any], now: datetime) -> Planned:
    """Store a new interview with server-assigned ids, and its plan."""
    external_ref = fields.get("external_ref")
    _external_ref_free(session, tenant, external_ref, None)
    contacts = tuple(contact_from(c, str(uuid.uuid4())) for c in fields.get("interviewers") or ())
    interview = build_interview(str(uuid.uuid4()), fields, contacts)
    with taken_as_conflict(INTERVIEW_EXTERNAL_REF, _external_ref_taken(external_ref)):
        interviews_repo.insert_interview(
            session,
            tenant_id=tenant.tenant_id,
            interview=interview,
            external_ref=external_ref,
            notes=fields.get("notes"),
            plan_policy_version=tenant.policy_version,
            now=now,
        )
    steps = schedule(interview, (), tenant.policy)
    plans_repo.insert_plan(session, tenant_id=tenant.tenant_id, interview_id=interview.id, steps=steps)
    stored = StoredInterview(
        interview=interview,
        tenant_id=tenant.tenant_id,
        external_ref=external_ref,
        notes=fields.get("notes"),
        outcome=None,
        version=1,
        plan_policy_version=tenant.policy_version,
        created_at=now,
        updated_at=now,
    )
    return Planned(stored, steps)


def get_interview(*, session: Connection, tenant: TenantContext, interview_id: str, for_update: bool = False) -> StoredInterview:
    stored = interviews_repo.load_interview(
        session, tenant_id=tenant.tenant_id, interview_id=interview_id, for_update=for_update
    )
    if stored is None:
        raise interview_not_found(interview_id)
    return stored


def get_with_next_action(
    *, session: Connection, tenant: TenantContext, interview_id: str, now: datetime
) -> tuple[StoredInterview, Action | None]:
    """One interview and its next action at `now`: the interview and its stored
    plan are read in one round trip on PostgreSQL (a plan that predates the
    tenant's policy is planned afresh: `planning.stored_steps`)."""
    found = interviews_repo.load_interview_with(
        session, tenant_id=tenant.tenant_id, interview_id=interview_id, also=[(plans_repo.PLAN_ROWS_SQL, (interview_id,))]
    )
    if found is None:
        raise interview_not_found(interview_id)
    stored, (plan_rows,) = found
    steps = planning.stored_steps(session, tenant=tenant, stored=stored, plan_rows=plan_rows)
    return stored, next_action(materialize(interview_id, steps, now))


def interview_not_found(interview_id: str) -> NotFound:
    """The one answer for an id that is missing or another tenant's (they look alike)."""
    return NotFound(f"No interview with id {clipped(interview_id)!r}.")


def list_interviews(
    *,
    session: Connection,
    tenant: TenantContext,
    filters: InterviewFilter,
    after: tuple[datetime, str] | None,
    limit: int,
    now: datetime,
) -> Page:
    found = interviews_repo.list_page(
        session, tenant_id=tenant.tenant_id, filters=filters, now=now, after=after, limit=limit
    )
    return Page(items=found.interviews[:limit], has_more=len(found.interviews) > limit, plan_rows=found.plan_rows)


def _merge_contacts(
    session: Connection, stored: StoredInterview, entries: Sequence[Mapping[str, Any]]
) -> tuple[Contact, ...]:
    """A PATCH's `interviewers` replaces the list; known ids keep their identity."""
    existing = {c.id: c for c in stored.interview.interviewers}
    merged: list[Contact] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        contact_id = entry.get("id")
        if contact_id is not None:
            if contact_id not in existing:
                raise InvalidInput(
                    f"interviewers[{index}].id {clipped(contact_id)!r} is not a contact of this interview; "
                    "leave id out to add a new contact.",
                    errors=[(f"body.interviewers.{index}.id", "unknown contact id")],
                )
            if contact_id in seen:
                raise InvalidInput(
                    f"Contact id {clipped(contact_id)!r} appears twice in interviewers.",
                    errors=[(f"body.interviewers.{index}.id", "duplicate contact id")],
                )
            seen.add(contact_id)
        merged.append(contact_from(entry, contact_id or str(uuid.uuid4())))
    removed = set(existing) - seen
    named = events_repo.contacts_named_by_events(session, interview_id=stored.interview.id) & removed
    if named:
        names = ", ".join(sorted(existing[i].name for i in named))
        raise Conflict(f"Cannot remove {names}: recorded events name them. Keep them in interviewers.")
    return tuple(merged)


def update_interview(
    *,
    session: Connection,
    tenant: TenantContext,
    interview_id: str,
    changes: Mapping[str, Any],
    if_match: str | None,
    now: datetime,
) -> Planned:
    """Apply a partial update (only the fields sent) and re-plan."""
    stored = get_interview(session=session, tenant=tenant, interview_id=interview_id, for_update=True)
    check_if_match(stored, if_match)
    current = stored.interview
    fields: dict[str, Any] = {name: getattr(current, name) for name in _INTERVIEW_FIELDS}
    fields["format"] = current.format.value
    fields["agency"] = (
        {"name": current.agency.name, "contact_name": current.agency.contact_name, "contact_email": current.agency.contact_email}
        if current.agency
        else None
    )
    fields.update({k: v for k, v in changes.items() if k not in ("interviewers", "external_ref", "notes")})
    for required in ("candidate_name", "job_title", "company_name", "starts_at", "format"):
        if fields.get(required) is None:
            raise InvalidInput(f"{required} cannot be null.", errors=[(f"body.{required}", "may not be null")])
    contacts = (
        _merge_contacts(session, stored, changes["interviewers"] or ())
        if "interviewers" in changes
        else current.interviewers
    )
    external_ref = changes.get("external_ref", stored.external_ref)
    _external_ref_free(session, tenant, external_ref, interview_id)
    interview = build_interview(interview_id, fields, contacts)
    events = events_repo.timeline(session, interview_id=interview_id)
    if events and min(e.occurred_at for e in events) < interview.starts_at:
        raise InvalidInput(
            "starts_at cannot move after events that are already recorded "
            f"(the first happened at {min(e.occurred_at for e in events).isoformat()}).",
            errors=[("body.starts_at", "later than a recorded event")],
        )
    notes = changes.get("notes", stored.notes)
    if (interview, external_ref, notes) == (current, stored.external_ref, stored.notes):
        # Nothing changes (`{}`, or every field sent as stored): no new version, ETag or
        # updated_at, so a client syncing by `updated_after` is not sent it again for nothing.
        if stored.plan_policy_version == tenant.policy_version:
            return Planned(stored, schedule(current, events, tenant.policy))
        steps = planning.replan(session, tenant=tenant, stored=stored, events=events)  # a plan from an older policy
        return Planned(replace(stored, plan_policy_version=tenant.policy_version), steps)
    with taken_as_conflict(INTERVIEW_EXTERNAL_REF, _external_ref_taken(external_ref)):
        interviews_repo.update_interview(
            session,
            stored=stored,
            interview=interview,
            external_ref=external_ref,
            notes=notes,
            replace_contacts="interviewers" in changes,
            now=now,
        )
    updated = get_interview(session=session, tenant=tenant, interview_id=interview_id)
    steps = planning.replan(session, tenant=tenant, stored=updated, events=events)
    return Planned(replace(updated, plan_policy_version=tenant.policy_version), steps)


def delete_interview(
    *, session: Connection, tenant: TenantContext, interview_id: str, if_match: str | None
) -> None:
    stored = get_interview(session=session, tenant=tenant, interview_id=interview_id, for_update=True)
    check_if_match(stored, if_match)
    interviews_repo.delete_interview(session, tenant_id=tenant.tenant_id, interview_id=interview_id)
