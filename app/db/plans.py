"""Stored schedules: the planned steps of each interview, and the due list.

The rows are clock-free (domain.PlannedStep); states are derived when read.
The tenant-wide list is one keyset scan of `ix_planned_action_open_due`, a
partial index over unresolved rows (`ix_planned_action_due` when resolved
states are asked for; `ix_planned_action_close_out_due` for the rare
`close_out`), selecting only the columns it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, literal_column, select, tuple_, union_all

from app.db.driver import RawSQL, utc
from app.db.tables import PlannedAction
from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    MessageKind,
    PlannedStep,
    Priority,
    Recipient,
    Rule,
)
from app.domain.steps import new_step

action_t = PlannedAction.__table__

_STEP_COLUMNS = (
    action_t.c.interview_id,
    action_t.c.seq,
    action_t.c.kind,
    action_t.c.contact_id,
    action_t.c.recipient_name,
    action_t.c.recipient_email,
    action_t.c.channel,
    action_t.c.available_at,
    action_t.c.due_at,
    action_t.c.late_after,
    action_t.c.suggested_send_at,
    action_t.c.priority,
    action_t.c.rule,
    action_t.c.reason,
    action_t.c.message_kind,
    action_t.c.resolution,
    action_t.c.missed_at,
    action_t.c.shown_from,
    action_t.c.position,
)


_INSERT_COLUMNS = (
    "tenant_id", "interview_id", "seq", "kind", "contact_id", "recipient_name", "recipient_email", "channel",
    "available_at", "due_at", "late_after", "suggested_send_at", "priority", "rule", "reason", "message_kind",
    "resolution", "missed_at", "shown_from", "position",
)  # fmt: skip
_INSERT_SQL = (
    f"INSERT INTO planned_action ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)


#: The columns of a step, after (tenant_id, interview_id, seq).
_STEP_VALUE_COLUMNS = _INSERT_COLUMNS[3:]
_UPDATE_SQL = (
    f"UPDATE planned_action SET {', '.join(f'{c} = ?' for c in _STEP_VALUE_COLUMNS)} WHERE interview_id = ? AND seq = ?"
)


def replace_plan(session: Connection, *, tenant_id: str, interview_id: str, steps: Sequence[PlannedStep]) -> None:
    """Rewrite an interview's stored schedule (every write that changes it; driver SQL)."""
    with RawSQL(session) as raw:
        raw.execute("DELETE FROM planned_action WHERE interview_id = ?", (interview_id,))
        _insert(raw, tenant_id, interview_id, steps, first_seq=0)


def update_plan(
    session: Connection, *, tenant_id: str, interview_id: str, stored: Sequence[PlannedStep], steps: Sequence[PlannedStep]
) -> None:
    """Write only the steps that differ from the `stored` schedule (read with the
    interview row locked, `PLAN_ROWS_SQL`).

    A new event changes some of an interview's 8 to 14 steps, often one or
    two: after a recorded follow-up, 81% of the rows of 300 seeded interviews
    stayed equal. Rewriting all of them left that many dead rows and index
    entries per write. Under bench/load.py's writes, six 8-second runs with no
    vacuum left 126,000 dead planned_action rows before this, 17,000 after,
    and the maximum of the mix went from 1,175-1,259 to 1,623-1,727 req/s.
    Changed steps are updated in place, surplus ones deleted, new ones
    inserted; the caller's `batched` block sends it all in one round trip.
    """
    with RawSQL(session) as raw:
        kept = min(len(stored), len(steps))
        changed = [seq for seq in range(kept) if stored[seq] != steps[seq]]
        if changed:
            raw.executemany(_UPDATE_SQL, [(*_values(raw, steps[seq]), interview_id, seq) for seq in changed])
        if len(stored) > kept:
            raw.execute("DELETE FROM planned_action WHERE interview_id = ? AND seq >= ?", (interview_id, kept))
        _insert(raw, tenant_id, interview_id, steps[kept:], first_seq=kept)


def insert_plan(session: Connection, *, tenant_id: str, interview_id: str, steps: Sequence[PlannedStep]) -> None:
    with RawSQL(session) as raw:
        _insert(raw, tenant_id, interview_id, steps, first_seq=0)


def _insert(raw: RawSQL, tenant_id: str, interview_id: str, steps: Sequence[PlannedStep], *, first_seq: int) -> None:
    raw.executemany(
        _INSERT_SQL,
        [(tenant_id, interview_id, seq, *_values(raw, s)) for seq, s in enumerate(steps, first_seq)],
    )


def _values(raw: RawSQL, s: PlannedStep) -> tuple:
    """A step's values in `_STEP_VALUE_COLUMNS` order."""
    p = raw.param
    return (
        s.kind.value, s.contact_id,
        s.recipient.name if s.recipient else None, s.recipient.email if s.recipient else None,
        s.channel.value if s.channel else None, p(s.available_at), p(s.due_at), p(s.late_after),
        p(s.suggested_send_at), s.priority.value, s.rule.value, s.reason,
        s.message_kind.value if s.message_kind else None, s.resolution.value if s.resolution else None,
        p(s.missed_at), p(s.shown_from), s.position,
    )  # fmt: skip


def _lookup(enum) -> dict:
    return {member.value: member for member in enum}


# Plain dict lookups: constructing enums by value costs ~1.5 µs each, ~40 per page.
_KIND, _CHANNEL, _PRIORITY, _RULE, _MESSAGE, _STATE = map(
    _lookup, (ActionKind, Channel, Priority, Rule, MessageKind, ActionState)
)


def _step(row: Sequence) -> PlannedStep:
    """A step from a row in `_STEP_COLUMNS` order (SQLAlchemy row or driver tuple)."""
    (_interview_id, _seq, kind, contact_id, recipient_name, recipient_email, channel, available_at, due_at,
     late_after, suggested_send_at, priority, rule, reason, message_kind, resolution, missed_at, shown_from,
     position) = row
    has_recipient = recipient_name is not None or recipient_email is not None
    return new_step(PlannedStep, (
        _KIND[kind],
        contact_id,
        Recipient(recipient_name, recipient_email) if has_recipient else None,
        _CHANNEL[channel] if channel else None,
        utc(available_at),
        utc(due_at),
        utc(late_after),
        utc(suggested_send_at),
        _PRIORITY[priority],
        _RULE[rule],
        reason,
        _MESSAGE[message_kind] if message_kind else None,
        _STATE[resolution] if resolution else None,
        utc(missed_at),
        utc(shown_from),
        position,
    ))  # fmt: skip


_PLAN_SQL = (
    "SELECT " + ", ".join(c.name for c in _STEP_COLUMNS) + " FROM planned_action "
    "WHERE interview_id IN ({}) ORDER BY interview_id, seq"
)


#: One interview's stored schedule in order, for `steps_of` (see `update_plan`).
PLAN_ROWS_SQL = _PLAN_SQL.format("?")
#: The stored schedules of the interviews a subquery (`{}`) selects.
PLANS_OF_SQL = _PLAN_SQL


def steps_of(rows: Sequence[Sequence]) -> list[PlannedStep]:
    """Steps from the rows of `PLAN_ROWS_SQL`."""
    return [_step(row) for row in rows]


_STORED_PLAN_SQL = (
    "SELECT i.plan_policy_version, " + ", ".join("p." + c.name for c in _STEP_COLUMNS) + " FROM interview i "
    "LEFT JOIN planned_action p ON p.interview_id = i.id WHERE i.id = ? AND i.tenant_id = ? ORDER BY p.seq"
)


def stored_plan(session: Connection, *, tenant_id: str, interview_id: str) -> tuple[int, list[PlannedStep]] | None:
    """(the policy version it was planned with, its steps) for one interview of
    this tenant, or None when there is no such interview; one query."""
    with RawSQL(session) as reader:
        rows = reader.all(_STORED_PLAN_SQL, (interview_id, tenant_id))
    if not rows:
        return None
    return rows[0][0], [_step(row[1:]) for row in rows if row[1] is not None]


@dataclass(frozen=True, slots=True)
class DueQuery:
    """The tenant-wide list (api-contract "GET /v1/actions")."""

    tenant_id: str
    at: datetime
    states: frozenset[ActionState]
    kinds: frozenset[ActionKind] | None
    due_before: datetime | None
    after: tuple[datetime, str, str, int] | None
    limit: int


OPEN = frozenset({ActionState.UPCOMING, ActionState.DUE, ActionState.OVERDUE})
HIDDEN_UNLESS_ASKED = (ActionKind.WAIT.value, ActionKind.CLOSE_OUT.value)


def _state_clause(state: ActionState, at: datetime):
    c = action_t.c
    not_missed = c.missed_at.is_(None) | (c.missed_at > at)
    unresolved = c.resolution.is_(None)
    if state is ActionState.DONE or state is ActionState.CANCELLED:
        return c.resolution == state.value
    if state is ActionState.MISSED:
        return unresolved & (c.missed_at <= at)
    if state is ActionState.UPCOMING:
        return unresolved & not_missed & (c.available_at > at)
    if state is ActionState.OVERDUE:
        return unresolved & not_missed & (c.late_after <= at)
    # DUE
    return (
        unresolved
        & not_missed
        & (c.available_at <= at)
        & (c.late_after.is_(None) | (c.late_after > at))
    )


def due_sql(query: DueQuery):
    """The keyset query of the due list (also EXPLAINed by bench/due_list.py).

    Two steps in one statement: the page's row ids come from the covering
    partial index alone (rows that are open by the index but closed at `at`,
    such as missed thank-yous, are skipped there), then only those rows are read.
    """
    c = action_t.c
    order = (c.due_at, c.interview_id, c.kind, c.seq)
    page = _due_keys(query).subquery("page")
    return select(*_STEP_COLUMNS).join_from(action_t, page, c.id == page.c.id).order_by(*order)


def _due_keys(query: DueQuery):
    """The page's row ids (and sort keys), `limit + 1` of them.

    `close_out` is rare among a tenant's rows (one per interview, most of them
    long resolved or far off): a scan of the list's order looking for it walked
    most of the tenant (0.4-1 s at 1,000,000 interviews). Its rows have an index
    of their own, `ix_planned_action_close_out_due`, so a `kind=` naming it reads
    them there, and the other kinds asked for along with it come from their own
    scan; the two sorted streams are merged (a Merge Append on PostgreSQL).
    """
    if query.kinds is None or ActionKind.CLOSE_OUT not in query.kinds:
        return _keys_of(query, query.kinds)
    branches = [_keys_of(query, frozenset({ActionKind.CLOSE_OUT}))]
    if len(query.kinds) > 1:
        branches.append(_keys_of(query, query.kinds - {ActionKind.CLOSE_OUT}))
    if len(branches) == 1:
        return branches[0]
    merged = union_all(*(select(*b.subquery().c) for b in branches)).subquery("merged")
    m = merged.c
    return select(m.id, m.due_at, m.interview_id, m.kind, m.seq).order_by(m.due_at, m.interview_id, m.kind, m.seq).limit(query.limit + 1)


def _keys_of(query: DueQuery, kinds: frozenset[ActionKind] | None):
    """The first `limit + 1` rows of kinds `kinds` (None: the default list's), in the list's order."""
    c = action_t.c
    stmt = select(c.id, c.due_at, c.interview_id, c.kind, c.seq).where(c.tenant_id == query.tenant_id)
    if query.states <= OPEN:
        # Keeps the scan on the partial index of unresolved rows.
        stmt = stmt.where(c.resolution.is_(None))
    state_filter = None
    for state in query.states:
        clause = _state_clause(state, query.at)
        state_filter = clause if state_filter is None else state_filter | clause
    stmt = stmt.where(state_filter)
    if kinds is None:
        stmt = stmt.where(c.kind.not_in(HIDDEN_UNLESS_ASKED))
    elif kinds == {ActionKind.CLOSE_OUT}:
        # A literal, not a parameter: a generic plan of `kind = $1` could not use the partial index.
        stmt = stmt.where(c.kind == literal_column(f"'{ActionKind.CLOSE_OUT.value}'"))
    else:
        stmt = stmt.where(c.kind.in_([k.value for k in kinds]))
    if kinds is None or ActionKind.WAIT in kinds:
        # A wait is the answer only inside its window (rule 10).
        stmt = stmt.where(
            (c.kind != ActionKind.WAIT.value) | ((c.shown_from.is_(None) | (c.shown_from <= query.at)) & (c.available_at > query.at))
        )
    if query.states == {ActionState.UPCOMING} or kinds == {ActionKind.WAIT}:
        # Every row asked for is available only after `at` (upcoming; a wait inside its
        # window), and no step is due before it is available (tests/domain/test_properties.py
        # test_times_are_ordered): so it is due after `at`,
        # and the index scan starts there instead of walking the tenant's past (0.7 s
        # for `state=upcoming`, 0.55 s for `kind=wait`, at 1,000,000 interviews).
        stmt = stmt.where(c.due_at > query.at)
        if query.after is not None and query.after[0] < query.at:
            # Every row due after `at` is after a cursor due before it: without the cursor's
            # bound the scan starts at `at` (with it, at the cursor: 0.3-0.4 s for the
            # waits' side of `kind=wait,close_out` at 1,000,000 interviews).
            query = replace(query, after=None)
    if query.due_before is not None:
        stmt = stmt.where(c.due_at < query.due_before)
    if query.after is not None and kinds == {ActionKind.CLOSE_OUT}:
        # The same bound on the columns of `ix_planned_action_close_out_due` (kind is one
        # value there), so the scan starts at the cursor: a row comparison naming kind did not.
        due_at, interview_id, kind, seq = query.after
        if kind == ActionKind.CLOSE_OUT.value:
            stmt = stmt.where(tuple_(c.due_at, c.interview_id, c.seq) > tuple_(due_at, interview_id, seq))
        elif kind < ActionKind.CLOSE_OUT.value:
            stmt = stmt.where(tuple_(c.due_at, c.interview_id) >= tuple_(due_at, interview_id))
        else:
            stmt = stmt.where(tuple_(c.due_at, c.interview_id) > tuple_(due_at, interview_id))
    elif query.after is not None:
        stmt = stmt.where(tuple_(c.due_at, c.interview_id, c.kind, c.seq) > tuple_(*query.after))
    return stmt.order_by(c.due_at, c.interview_id, c.kind, c.seq).limit(query.limit + 1)


def due_list(session: Connection, query: DueQuery) -> list[tuple[str, int, PlannedStep]]:
    """One page of (interview_id, seq, step), ordered by due_at, interview id, kind, seq."""
    return [(row[0], row[1], _step(row)) for row in session.execute(due_sql(query))]

