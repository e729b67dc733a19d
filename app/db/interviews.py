"""Interviews and their contacts, read back as domain values."""

from __future__ import annotations

import uuid
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, select, update

from app.db import idempotency as idempotency_repo
from app.db import plans as plans_repo
from app.db.driver import RawSQL, json_value, rows_by_first, utc
from app.db.events import TIMELINE_SQL, timeline_of
from app.db.tables import CHANGE_SPAN_BUCKET, CHANGE_SPAN_TOP
from app.db.tables import Contact as ContactRow
from app.db.tables import Interview as InterviewRow
from app.domain.model import Agency, Contact, ContactRole, Event, Interview, InterviewFormat, PlannedStep, Rapport

interview_t = InterviewRow.__table__
contact_t = ContactRow.__table__


@dataclass(frozen=True, slots=True)
class StoredInterview:
    """A domain interview plus what only storage knows about it."""

    interview: Interview
    tenant_id: str
    external_ref: str | None
    notes: str | None
    outcome: str | None
    version: int
    plan_policy_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InterviewFilter:
    status: str | None = None
    company_name: str | None = None
    external_ref: str | None = None
    updated_after: datetime | None = None


def new_id() -> str:
    return str(uuid.uuid4())


def _contact_values(interview_id: str, contacts: tuple[Contact, ...]) -> list[dict]:
    return [
        {
            "id": c.id,
            "interview_id": interview_id,
            "position": position,
            "name": c.name,
            "email": c.email,
            "role": c.role.value,
            "is_human": c.is_human,
            "rapport": c.rapport.value if c.rapport else None,
            "linkedin_url": c.linkedin_url,
        }
        for position, c in enumerate(contacts)
    ]


def _interview_values(interview: Interview) -> dict:
    agency = interview.agency
    return {
        "candidate_name": interview.candidate_name,
        "candidate_email": interview.candidate_email,
        "job_title": interview.job_title,
        "company_name": interview.company_name,
        "starts_at": interview.starts_at,
        "ends_at": interview.ends_at,
        "duration_minutes": interview.duration_minutes,
        "timezone": interview.timezone,
        "format": interview.format.value,
        "topics": list(interview.topics),
        "missed_points": interview.missed_points,
        "decision_timeline_days": interview.decision_timeline_days,
        "agency": (
            {"name": agency.name, "contact_name": agency.contact_name, "contact_email": agency.contact_email}
            if agency
            else None
        ),
    }


def insert_interview(
    session: Connection,
    *,
    tenant_id: str,
    interview: Interview,
    external_ref: str | None,
    notes: str | None,
    plan_policy_version: int,
    now: datetime,
) -> None:
    session.execute(
        interview_t.insert().values(
            id=interview.id,
            tenant_id=tenant_id,
            external_ref=external_ref,
            notes=notes,
            outcome=None,
            version=1,
            plan_policy_version=plan_policy_version,
            created_at=now,
            updated_at=now,
            **_interview_values(interview),
        )
    )
    if interview.interviewers:
        session.execute(contact_t.insert(), _contact_values(interview.id, interview.interviewers))


def update_interview(
    session: Connection,
    *,
    stored: StoredInterview,
    interview: Interview,
    external_ref: str | None,
    notes: str | None,
    replace_contacts: bool,
    now: datetime,
) -> None:
    session.execute(
        update(interview_t)
        .where(interview_t.c.id == interview.id)
        .values(
            external_ref=external_ref,
            notes=notes,
            version=stored.version + 1,
            updated_at=now,
            **_interview_values(interview),
        )
    )
    if replace_contacts:
        session.execute(delete(contact_t).where(contact_t.c.interview_id == interview.id))
        if interview.interviewers:
            session.execute(contact_t.insert(), _contact_values(interview.id, interview.interviewers))


def touch_interview(
    session: Connection, *, stored: StoredInterview, outcome: str | None, policy_version: int, now: datetime
) -> None:
    """Record that the interview changed through its events (new ETag, status, plan)."""
    with RawSQL(session) as raw:
        raw.execute(
            "UPDATE interview SET outcome = ?, version = ?, updated_at = ?, plan_policy_version = ? WHERE id = ?",
            (outcome, stored.version + 1, raw.param(now), policy_version, stored.interview.id),
        )


def mark_planned(session: Connection, *, interview_id: str, policy_version: int) -> None:
    session.execute(
        update(interview_t).where(interview_t.c.id == interview_id).values(plan_policy_version=policy_version)
    )


def delete_interview(session: Connection, *, tenant_id: str, interview_id: str) -> None:
    session.execute(delete(contact_t).where(contact_t.c.interview_id == interview_id))
    session.execute(
        delete(interview_t).where(interview_t.c.id == interview_id, interview_t.c.tenant_id == tenant_id)
    )


def _to_domain(row, contacts: tuple[Contact, ...]) -> StoredInterview:
    """From a Core row or an `_InterviewRow` of driver values (JSON text, UTC text on SQLite)."""
    agency = json_value(row.agency)
    return StoredInterview(
        interview=Interview(
            id=row.id,
            candidate_name=row.candidate_name,
            candidate_email=row.candidate_email,
            job_title=row.job_title,
            company_name=row.company_name,
            starts_at=utc(row.starts_at),
            duration_minutes=row.duration_minutes,
            timezone=row.timezone,
            format=_FORMATS[row.format],
            interviewers=contacts,
            topics=tuple(json_value(row.topics) or ()),
            missed_points=row.missed_points,
            decision_timeline_days=row.decision_timeline_days,
            agency=Agency(**agency) if agency else None,
        ),
        tenant_id=row.tenant_id,
        external_ref=row.external_ref,
        notes=row.notes,
        outcome=row.outcome,
        version=row.version,
        plan_policy_version=row.plan_policy_version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def _contact(row) -> Contact:
    return Contact(
        id=row.id,
        name=row.name,
        email=row.email,
        role=_ROLES[row.role],
        is_human=bool(row.is_human),
        rapport=_RAPPORTS[row.rapport] if row.rapport else None,
        linkedin_url=row.linkedin_url,
    )


_INTERVIEW_COLUMNS = (
    "id", "tenant_id", "candidate_name", "candidate_email", "job_title", "company_name", "starts_at",
    "duration_minutes", "timezone", "format", "topics", "missed_points", "decision_timeline_days", "agency",
    "external_ref", "notes", "outcome", "version", "plan_policy_version", "created_at", "updated_at",
)  # fmt: skip
# Enum members by value through a dict: constructing them costs ~0.5 µs each on the hot read.
_FORMATS = {m.value: m for m in InterviewFormat}
_ROLES = {m.value: m for m in ContactRole}
_RAPPORTS = {m.value: m for m in Rapport}
_InterviewRow = namedtuple("_InterviewRow", _INTERVIEW_COLUMNS)
_ContactRow = namedtuple("_ContactRow", ("id", "name", "email", "role", "is_human", "rapport", "linkedin_url"))
_INTERVIEW_SQL_COLUMNS = ", ".join("i." + name for name in _INTERVIEW_COLUMNS)
_CONTACT_SQL_COLUMNS = ", ".join("c." + name for name in _ContactRow._fields)

_INTERVIEW_SQL = (
    f"SELECT {_INTERVIEW_SQL_COLUMNS}, {_CONTACT_SQL_COLUMNS} "
    "FROM interview i LEFT JOIN contact c ON c.interview_id = i.id "
    "WHERE i.id = ? AND i.tenant_id = ? ORDER BY c.position"
)


def load_interview(
    session: Connection, *, tenant_id: str, interview_id: str, for_update: bool = False
) -> StoredInterview | None:
    """One interview of this tenant with its contacts, or None (a foreign id looks
    exactly like a missing one).

    The hottest read of the service: one driver-level query (app.db.driver).
    `for_update` locks the interview row on PostgreSQL (SQLite's writers are
    already serialised by BEGIN IMMEDIATE).
    """
    with RawSQL(session) as reader:
        if not for_update:
            return _stored_of(reader.all(_INTERVIEW_SQL, (interview_id, tenant_id)))
        return _stored_of(reader.all_together(_locked_read(session, interview_id, tenant_id))[-1])


class ForEvent(NamedTuple):
    """What recording an event reads: the locked interview, its timeline, its stored plan."""

    stored: StoredInterview
    events: list[Event]
    plan: list[PlannedStep]


def load_for_event(
    session: Connection, *, tenant_id: str, interview_id: str, claim: idempotency_repo.Claim | None = None
) -> tuple[ForEvent | None, bool]:
    """`load_interview(for_update=True)`, the timeline and the stored plan, in one round trip;
    with a `claim`, the Idempotency-Key is claimed first, in the same round trip.

    Recording an event needs all three; the other two queries run after the
    lock is taken, so no other writer can add an event or rewrite the plan in
    between (every plan writer locks the interview first). The claim comes
    before the lock, as `idempotency.claim` alone would: a concurrent
    duplicate waits for the first on the key. Returns what was read (None for
    an interview that is not the tenant's) and whether the key was claimed
    (True without a claim).
    """
    with RawSQL(session) as reader:
        queries = [
            *_locked_read(session, interview_id, tenant_id),
            (TIMELINE_SQL, (interview_id,)),
            (plans_repo.PLAN_ROWS_SQL, (interview_id,)),
        ]
        if claim is not None:
            queries.insert(0, claim.query(reader))
        results = reader.all_together(queries)
    claimed = claim is None or bool(results.pop(0))
    interview_rows, event_rows, plan_rows = results[-3:]
    stored = _stored_of(interview_rows)
    found = None if stored is None else ForEvent(stored, timeline_of(event_rows), plans_repo.steps_of(plan_rows))
    return found, claimed


class WithTimeline(NamedTuple):
    """An interview with its timeline, and the rows of the reads sent along."""

    stored: StoredInterview
    events: list[Event]
    also: list[list[tuple]]


def load_with_timeline(
    session: Connection, *, tenant_id: str, interview_id: str, also: Sequence[tuple[str, Sequence[Any]]] = ()
) -> WithTimeline | None:
    """One interview of this tenant with its timeline, and the rows of the `also`
    reads, in one round trip on PostgreSQL (a message's render reads these)."""
    found = load_interview_with(
        session, tenant_id=tenant_id, interview_id=interview_id, also=[(TIMELINE_SQL, (interview_id,)), *also]
    )
    if found is None:
        return None
    stored, (event_rows, *rest) = found
    return WithTimeline(stored, timeline_of(event_rows), rest)


def load_interview_with(
    session: Connection, *, tenant_id: str, interview_id: str, also: Sequence[tuple[str, Sequence[Any]]]
) -> tuple[StoredInterview, list[list[tuple]]] | None:
    """One interview of this tenant and the rows of the `also` reads, in one round trip on PostgreSQL.

    None when the interview is not the tenant's. The `also` reads may know only
    the interview id (the timeline, the plan), so their rows are then dropped
    unseen: another tenant's data never leaves this function.
    """
    with RawSQL(session) as reader:
        # One snapshot: a write committing between the reads would pair the old interview
        # (status, ETag) with the new timeline or plan.
        interview_rows, *rest = reader.all_together([(_INTERVIEW_SQL, (interview_id, tenant_id)), *also], snapshot=True)
    stored = _stored_of(interview_rows)
    return None if stored is None else (stored, rest)


_LOCK_SQL = "SELECT id FROM interview WHERE id = ? AND tenant_id = ? FOR UPDATE"


def _locked_read(session: Connection, interview_id: str, tenant_id: str) -> list[tuple[str, tuple[str, str]]]:
    """The queries that read the interview with its row locked; its rows come last.

    On PostgreSQL the lock is a statement of its own, before the read: a
    statement that waits for a row lock re-reads that row once it is free, but
    keeps its snapshot of the rows it joins, so `_INTERVIEW_SQL ... FOR UPDATE`
    returned the contacts as they were before the writer it waited for (an
    event could then name a contact that writer had just removed). The read
    after the lock takes a fresh snapshot. Still one round trip in a pipeline.
    SQLite's writers are serialised by BEGIN IMMEDIATE: the read alone.
    """
    read = (_INTERVIEW_SQL, (interview_id, tenant_id))
    return [(_LOCK_SQL, (interview_id, tenant_id)), read] if session.dialect.name == "postgresql" else [read]


def _stored_of(rows: list[tuple]) -> StoredInterview | None:
    """An interview from the rows of `_INTERVIEW_SQL` (one per contact), or None."""
    if not rows:
        return None
    contacts = tuple(_contact(_ContactRow._make(row[21:])) for row in rows if row[21] is not None)
    return _to_domain(_InterviewRow._make(rows[0][:21]), contacts)


class ListedPage(NamedTuple):
    """A page of interviews (up to `limit + 1`) with the rows of their stored plans."""

    interviews: list[StoredInterview]
    plan_rows: dict[str, list[Sequence]]


def list_page(
    session: Connection,
    *,
    tenant_id: str,
    filters: InterviewFilter,
    now: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> ListedPage:
    """A page in (created_at, id) order, keyset-paginated (fetches `limit + 1`),
    with its interviews' contacts and stored plans: one round trip on PostgreSQL.

    The contacts and plans are found by the page's own filter as a subquery,
    so the three reads go out together, in one snapshot
    (`RawSQL.all_together(snapshot=True)`): a page member whose status
    changes meanwhile keeps its contacts and plan. The server runs the
    filter three times: for a plain page, three short range scans of
    `ix_interview_tenant_created` (13 us each for 51 of 400 interviews,
    EXPLAIN ANALYZE), far less than the two round trips saved; a filter the
    indexes do not serve (a company name) walks the tenant's interviews
    three times until the page is full.
    """
    with RawSQL(session) as reader:
        postgres = session.dialect.name == "postgresql"
        source, source_params = _source(reader, tenant_id=tenant_id, filters=filters, now=now, fence=postgres)
        if postgres and source == "interview i" and filters.updated_after is not None:
            # The cursor bounds each of _window_ids' parts on its own, not the page's filter.
            where, params = _page_filter(reader, tenant_id=tenant_id, filters=filters, now=now, after=None)
            window_only = InterviewFilter(updated_after=filters.updated_after)
            window_filter = None  # the tenant and `updated_after` alone, when the page filters on more
            if filters != window_only:
                window_filter = _page_filter(reader, tenant_id=tenant_id, filters=window_only, now=now, after=None)
            ids, params = _window_ids(reader, (where, params), window_filter, filters.updated_after, after, limit)
            page = f"FROM interview i WHERE i.id = ANY(ARRAY({ids})) ORDER BY i.created_at, i.id"
            ids = f"SELECT unnest(ARRAY({ids}))"
        else:
            where, params = _page_filter(reader, tenant_id=tenant_id, filters=filters, now=now, after=after)
            page = f"FROM {source} WHERE {where} ORDER BY i.created_at, i.id LIMIT ?"
            params = (*source_params, *params, limit + 1)
            ids = f"SELECT i.id {page}"
        interview_rows, contact_rows, plan_rows = reader.all_together(
            [
                (f"SELECT {_INTERVIEW_SQL_COLUMNS} {page}", params),
                (f"SELECT c.interview_id, {_CONTACT_SQL_COLUMNS} FROM contact c WHERE c.interview_id IN ({ids}) "
                 "ORDER BY c.interview_id, c.position", params),
                (plans_repo.PLANS_OF_SQL.format(ids), params),
            ],
            snapshot=True,
        )  # fmt: skip
    page_ids = [row[0] for row in interview_rows]
    contacts = rows_by_first(contact_rows, page_ids)
    interviews = [
        _to_domain(_InterviewRow._make(row), tuple(_contact(_ContactRow._make(c[1:])) for c in contacts[row[0]]))
        for row in interview_rows
    ]
    return ListedPage(interviews, rows_by_first(plan_rows, page_ids))


#: Up to this many interviews of a narrow filter are read and sorted for a page (~100 ms at most).
FEW = 100_000


def _source(
    reader: RawSQL, *, tenant_id: str, filters: InterviewFilter, now: datetime, fence: bool
) -> tuple[str, tuple[Any, ...]]:
    """What a page reads from: the tenant's interviews, or only those of a narrow
    filter (`status=scheduled`) when there are few of them.

    It asks for the newest interviews (not yet held), which come last in the
    list's (created_at, id) order. PostgreSQL's planner expects them spread
    along that order and walks `ix_interview_tenant_created` from the oldest,
    reading the whole tenant: for 1,000,000 interviews, 2.3 s for the 9,755
    scheduled ones (EXPLAIN ANALYZE, estimates right). The fence (OFFSET 0 keeps
    the subquery apart) makes it read just those, from
    `ix_interview_tenant_unfinished`, and sort them. More than `FEW` keep the
    walk, which then meets them early; the count stops at `FEW`, on the index
    alone. `updated_after` is read in two parts instead (`_window_ids`).
    PostgreSQL only (`fence`): SQLite has no OFFSET without a LIMIT, nor this planner.
    """
    narrow: list[tuple[str, tuple[Any, ...]]] = []
    if filters.status == "scheduled":
        narrow.append(("outcome IS NULL AND ends_at > ?", (reader.param(now),)))
    for condition, params in narrow if fence else ():
        count_sql = f"SELECT count(*) FROM (SELECT 1 FROM interview WHERE tenant_id = ? AND {condition} LIMIT ?) s"
        if reader.all(count_sql, (tenant_id, *params, FEW + 1))[0][0] <= FEW:
            return f"(SELECT * FROM interview WHERE tenant_id = ? AND {condition} OFFSET 0) i", (tenant_id, *params)
    return "interview i", ()


def _window_ids(
    reader: RawSQL,
    page_filter: tuple[str, tuple[Any, ...]],
    window_filter: tuple[str, tuple[Any, ...]] | None,
    since: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> tuple[str, tuple[Any, ...]]:
    """The ids of a page of `updated_after=since` (PostgreSQL), with their parameters:
    the page's filter (without its cursor) read in two parts split at `since`.
    `window_filter` is its tenant and `updated_after` alone, when it has more.

    In the list's (created_at, id) order every interview created at or before
    `since` comes before every one created after it. Those created after it were
    (nearly) all changed after it too: a walk of `ix_interview_tenant_created`
    from `since` (or the cursor) meets a page of them at once. Those created at
    or before it and changed after it are few but spread over the whole tenant:
    walking the list from the oldest until they come read up to the whole tenant
    (5.3 s for a 90-day window at 1,000,000 interviews), reading the ones changed
    after `since` from `ix_interview_tenant_updated` (and sorting) read every
    changed interview (0.4 s for 50,000; index-only with created_at beside it,
    still 130-180 ms for a year). `ix_interview_tenant_change_span` holds the
    interviews changed after their creation by the bucket k of that change's
    length (< 2^(k+2) s): in bucket k the ones changed after `since` were created
    in the 2^(k+2) s before it, so one short range scan per bucket finds the first
    `limit + 1` of them (8-16 ms whatever the window, EXPLAIN ANALYZE).

    The cursor bounds each scan as a plain `created_at` bound: a row comparison
    beside another bound on `created_at` made the scans start at the cursor and
    read on to `since` (23 ms) or to each bucket's window (29 ms), EXPLAIN
    ANALYZE; its tie on `id` is then a filter.

    With other filters (a company, a status), which the index cannot check, a
    bucket's scan reads its candidates from the index alone, in order, and looks
    up each one's row for the rest until it has `limit + 1`: filtering in the
    scan fetched the row of every entry in the bucket's window (70-130 ms).
    """
    where, params = page_filter
    stamp = reader.param(since)
    late = f"(SELECT i.id, i.created_at FROM interview i WHERE {where} AND "
    if after is None:
        late += "i.created_at > ?"
        late_params: tuple[Any, ...] = (*params, stamp)
    elif after[0] <= since:  # everything created after `since` comes after the cursor
        late += "i.created_at > ?"
        late_params = (*params, stamp)
    else:
        late += "(i.created_at, i.id) > (?, ?)"
        late_params = (*params, reader.param(after[0]), after[1])
    late += " ORDER BY i.created_at, i.id LIMIT ?)"
    late_params = (*late_params, limit + 1)
    if after is not None and after[0] > since:  # past every interview created at or before `since`
        return f"SELECT p.id FROM {late} p ORDER BY p.created_at, p.id", late_params
    cursor, cursor_params = "", ()
    if after is not None:
        cursor = "AND i.created_at >= ? AND (i.created_at > ? OR i.id > ?) "
        cursor_params = (reader.param(after[0]), reader.param(after[0]), after[1])
    scan_where, scan_params = window_filter or page_filter
    scan = (
        f"SELECT i.id, i.created_at FROM interview i WHERE {scan_where} AND i.updated_at > i.created_at "
        f"AND {CHANGE_SPAN_BUCKET.format(t='i.')} = s.k AND i.created_at > s.low AND i.created_at <= ? {cursor}"
        "ORDER BY i.created_at, i.id"
    )
    scan_params = (*scan_params, stamp, *cursor_params)
    if window_filter is None:
        bucket, bucket_params = f"{scan} LIMIT ?", (*scan_params, limit + 1)
    else:
        bucket = (
            f"SELECT i.id, i.created_at FROM ({scan} OFFSET 0) c JOIN interview i ON i.id = c.id "
            f"WHERE {where} ORDER BY c.created_at, c.id LIMIT ?"
        )
        bucket_params = (*scan_params, *params, limit + 1)
    sql = (
        "SELECT p.id FROM ("
        "SELECT b.id, b.created_at FROM ("
        f"SELECT k, CASE WHEN k < {CHANGE_SPAN_TOP} THEN ?::timestamptz - make_interval(secs => power(2.0, k + 2)) "
        f"ELSE '-infinity'::timestamptz END AS low FROM generate_series(0, {CHANGE_SPAN_TOP}) k) s, "
        f"LATERAL ({bucket}) b "
        f"UNION ALL {late}"
        ") p ORDER BY p.created_at, p.id LIMIT ?"
    )
    return sql, (stamp, *bucket_params, *late_params, limit + 1)


def _page_filter(
    reader: RawSQL, *, tenant_id: str, filters: InterviewFilter, now: datetime, after: tuple[datetime, str] | None
) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of a page of the tenant's interviews, with its parameters."""
    clauses, params = ["i.tenant_id = ?"], [tenant_id]
    if filters.company_name is not None:
        clauses.append("i.company_name = ?")
        params.append(filters.company_name)
    if filters.external_ref is not None:
        clauses.append("i.external_ref = ?")
        params.append(filters.external_ref)
    if filters.updated_after is not None:
        clauses.append("i.updated_at > ?")
        params.append(reader.param(filters.updated_after))
    if filters.status == "scheduled":
        clauses.append("i.outcome IS NULL AND i.ends_at > ?")
        params.append(reader.param(now))
    elif filters.status == "active":
        clauses.append("i.outcome IS NULL AND i.ends_at <= ?")
        params.append(reader.param(now))
    elif filters.status is not None:
        clauses.append("i.outcome = ?")
        params.append(filters.status)
    if after is not None:
        created_at, interview_id = after
        # A row comparison, not `a > ? OR (a = ? AND b > ?)`: PostgreSQL starts the index
        # range scan at the cursor only for this form; the OR form read every row before it
        # (2 s for a page 700,000 interviews into a tenant, EXPLAIN ANALYZE).
        clauses.append("(i.created_at, i.id) > (?, ?)")
        params.extend((reader.param(created_at), interview_id))
    return " AND ".join(clauses), tuple(params)


def external_ref_taken(session: Connection, *, tenant_id: str, external_ref: str, except_id: str | None) -> bool:
    query = select(interview_t.c.id).where(
        interview_t.c.tenant_id == tenant_id, interview_t.c.external_ref == external_ref
    )
    if except_id is not None:
        query = query.where(interview_t.c.id != except_id)
    return session.execute(query.limit(1)).first() is not None


def stale_interview_ids(session: Connection, *, tenant_id: str, policy_version: int, limit: int) -> list[str]:
    return list(
        session.execute(
            select(interview_t.c.id)
            .where(interview_t.c.tenant_id == tenant_id, interview_t.c.plan_policy_version != policy_version)
            .limit(limit)
        ).scalars()
    )
