"""Benchmark: the tenant-wide due list at scale.

Target (issue 3): `GET /v1/actions?due_before=...&limit=50` with p95 under
20 ms at the server, on PostgreSQL holding 1,000,000 interviews of one
tenant (plus other tenants' rows), and on SQLite holding 100,000.

The data is bulk-loaded (COPY / executemany), not sent through the API:
2,000 varied interviews are planned by the real engine, then replicated with
whole-week shifts, which keeps their weekday-dependent send times valid.
Requests go through the whole ASGI app in process (auth, validation, query,
serialisation), so the time is the server's, without a client or network.
Prints the query plan; exits non-zero when a target is missed.

    python bench/due_list.py                 # both databases
    python bench/due_list.py --sqlite-only   # no PostgreSQL needed
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from app.db.migrate import upgrade  # noqa: E402
from app.domain.model import Event, EventType  # noqa: E402
from app.domain.planner import schedule  # noqa: E402
from app.domain.policy import Policy  # noqa: E402
from app.services.interviews import build_interview, contact_from  # noqa: E402
from bench import in_process  # noqa: E402
from bench.seed import interview_fields  # noqa: E402

TARGET_P95_MS = 20.0
PG_ADMIN = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

INTERVIEW_COLUMNS = (
    "id", "tenant_id", "candidate_name", "job_title", "company_name", "starts_at", "ends_at", "duration_minutes",
    "timezone", "format", "version", "plan_policy_version", "created_at", "updated_at",
)
ACTION_COLUMNS = (
    "tenant_id", "interview_id", "seq", "kind", "contact_id", "recipient_name", "recipient_email", "channel",
    "available_at", "due_at", "late_after", "suggested_send_at", "priority", "rule", "reason", "message_kind",
    "resolution", "missed_at", "shown_from", "position",
)


def realistic_events(interview, rng: random.Random) -> list[Event]:
    """A plausible history: most thank-yous sent, some follow-ups, responses and outcomes."""
    end = interview.ends_at
    events = [
        Event(EventType.THANK_YOU_SENT, end + timedelta(hours=rng.randint(2, 40)), contact_id=c.id)
        for c in interview.interviewers
        if c.is_human and rng.random() < 0.7
    ]
    if rng.random() < 0.3:
        events.append(Event(EventType.LINKEDIN_REQUEST_SENT, end + timedelta(days=1)))
    if rng.random() < 0.4:
        events.append(Event(EventType.FOLLOW_UP_SENT, end + timedelta(days=rng.randint(8, 12))))
        if rng.random() < 0.3:  # the second and last: a close_out follows (rule 5)
            events.append(Event(EventType.FOLLOW_UP_SENT, end + timedelta(days=rng.randint(20, 24))))
    if rng.random() < 0.3:
        events.append(Event(EventType.RESPONSE_RECEIVED, end + timedelta(days=13), timeline_days=rng.choice([None, 7])))
    outcome = rng.random()
    for kind, threshold in ((EventType.REJECTION_RECEIVED, 0.2), (EventType.OFFER_RECEIVED, 0.25), (EventType.WITHDRAWN, 0.3), (EventType.CLOSED, 0.35)):
        if outcome < threshold:
            events.append(Event(kind, end + timedelta(days=rng.randint(14, 30))))
            break
    return events


def base_plans(count: int) -> list[tuple[dict, list]]:
    rng = random.Random(11)
    policy = Policy()
    out = []
    for _ in range(count):
        fields = interview_fields(rng, NOW)
        contacts = tuple(contact_from(c, str(uuid.uuid4())) for c in fields["interviewers"])
        interview = build_interview("base", fields, contacts)
        out.append((fields, list(schedule(interview, realistic_events(interview, rng), policy))))
    return out


def rows_for(tenant_id: str, interviews: int, bases: list, rng: random.Random):
    """Yield (interview_row, action_rows) with ids and week shifts.

    The interviews were created over the two years before NOW, and 70% of them
    were changed later (events), on average 10 days later, never after NOW: the
    recently changed ones are mostly the newest, last in the list's (created_at,
    id) order, as on a live tenant (bench/list_filters.py). These stamps come from
    a generator of their own, so the plans are the same as without them.
    """
    stamps = random.Random(17)
    for _ in range(interviews):
        fields, steps = bases[rng.randrange(len(bases))]
        shift = timedelta(weeks=rng.randint(-30, 30))
        interview_id = str(uuid.uuid4())
        starts = fields["starts_at"] + shift
        ends = starts + timedelta(minutes=fields["duration_minutes"])
        created = NOW - timedelta(seconds=stamps.randint(1, 730 * 86_400))
        updated = created + timedelta(seconds=stamps.expovariate(1 / (10 * 86_400)) if stamps.random() < 0.7 else 0)
        if updated > NOW:
            updated = created + (NOW - created) * stamps.random()
        interview = (
            interview_id, tenant_id, fields["candidate_name"], fields["job_title"], fields["company_name"], starts,
            ends, fields["duration_minutes"], fields["timezone"], fields["format"], 1, 1, created, updated,
        )
        actions = [
            (
                tenant_id, interview_id, seq, s.kind.value, s.contact_id, s.recipient.name if s.recipient else None,
                s.recipient.email if s.recipient else None, s.channel.value if s.channel else None,
                s.available_at + shift, s.due_at + shift, s.late_after + shift if s.late_after else None,
                s.suggested_send_at + shift, s.priority.value, s.rule.value, s.reason,
                s.message_kind.value if s.message_kind else None, s.resolution.value if s.resolution else None,
                s.missed_at + shift if s.missed_at else None, s.shown_from + shift if s.shown_from else None, s.position,
            )
            for seq, s in enumerate(steps)
        ]
        yield interview, actions


def _sqlite_text(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def load_sqlite(path: str, tenants: list[tuple[str, int]], bases) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    rng = random.Random(5)
    i_sql = f"INSERT INTO interview ({', '.join(INTERVIEW_COLUMNS)}) VALUES ({', '.join('?' * len(INTERVIEW_COLUMNS))})"
    a_sql = f"INSERT INTO planned_action ({', '.join(ACTION_COLUMNS)}) VALUES ({', '.join('?' * len(ACTION_COLUMNS))})"
    for tenant_id, count in tenants:
        connection.execute(
            "INSERT INTO tenant (id, name, policy, policy_version, created_at) VALUES (?, ?, NULL, 1, ?)",
            (tenant_id, tenant_id[:8], _sqlite_text(NOW)),
        )
        batch_i, batch_a = [], []
        for interview, actions in rows_for(tenant_id, count, bases, rng):
            batch_i.append(tuple(map(_sqlite_text, interview)))
            batch_a.extend(tuple(map(_sqlite_text, a)) for a in actions)
            if len(batch_i) >= 20_000:
                connection.executemany(i_sql, batch_i)
                connection.executemany(a_sql, batch_a)
                batch_i, batch_a = [], []
        connection.executemany(i_sql, batch_i)
        connection.executemany(a_sql, batch_a)
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()


def load_postgres(url: str, tenants: list[tuple[str, int]], bases) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(5)
    with psycopg.connect(dsn) as connection:
        # Bulk-load practice: secondary indexes are rebuilt after the COPY (from their
        # migrated definitions) and FK triggers are off while it runs.
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('interview', 'planned_action') "
            "AND indexname LIKE 'ix_%'"
        ).fetchall()
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        connection.execute("SET session_replication_role = replica")
        with connection.cursor() as cursor:
            for tenant_id, count in tenants:
                cursor.execute(
                    "INSERT INTO tenant (id, name, policy, policy_version, created_at) VALUES (%s, %s, NULL, 1, %s)",
                    (tenant_id, tenant_id[:8], NOW),
                )
                actions_buffer = []
                with cursor.copy(f"COPY interview ({', '.join(INTERVIEW_COLUMNS)}) FROM STDIN") as copy:
                    for interview, actions in rows_for(tenant_id, count, bases, rng):
                        copy.write_row(interview)
                        actions_buffer.extend(actions)
                with cursor.copy(f"COPY planned_action ({', '.join(ACTION_COLUMNS)}) FROM STDIN") as copy:
                    for row in actions_buffer:
                        copy.write_row(row)
                connection.commit()
        connection.execute("SET session_replication_role = DEFAULT")
        for _name, definition in indexes:
            connection.execute(definition)
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _create_key(url: str, tenant_id: str) -> str:
    from app.db import tenants as tenants_repo
    from app.db.engine import Database
    from app.settings import Settings

    db = Database(Settings(database_url=url))
    with db.session(write=True) as session:
        key = tenants_repo.create_key(session, tenant_id=tenant_id, label="bench", now=NOW)
    db.dispose()
    return key


async def _measure(url: str, key: str, requests: int) -> tuple[list[float], str]:
    from app.api.app import create_app
    from app.settings import Settings

    app = create_app(Settings(database_url=url, run_jobs=False, db_pool_size=2))
    rng = random.Random(3)
    timings: list[float] = []

    async def call(query: str) -> bytes:
        elapsed, body = await in_process.get(app, key, "/v1/actions", query)
        timings.append(elapsed)
        return body

    import orjson

    async with app.router.lifespan_context(app):
        for _ in range(20):
            await call("limit=50")
        timings.clear()
        while len(timings) < requests:
            due_before = (NOW + timedelta(days=rng.randint(-200, 200))).strftime("%Y-%m-%dT%H:%M:%SZ")
            at = (NOW + timedelta(days=rng.randint(-30, 30))).strftime("%Y-%m-%dT%H:%M:%SZ")
            query = f"due_before={due_before}&at={at}&limit=50"
            for _page in range(3):  # follow the cursor too
                body = orjson.loads(await call(query))
                if not body["next_cursor"]:
                    break
                query = f"due_before={due_before}&at={at}&limit=50&cursor={body['next_cursor']}"
    return timings, ""


def explain(url: str, tenant_id: str) -> str:
    from app.db.plans import OPEN, DueQuery, due_sql

    query = DueQuery(tenant_id=tenant_id, at=NOW, states=OPEN, kinds=None, due_before=NOW + timedelta(days=30), after=None, limit=50)
    engine = create_engine(url)
    with engine.connect() as connection:
        statement = due_sql(query)
        compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN ANALYZE " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        rows = connection.execute(text(prefix + str(compiled))).all()
    engine.dispose()
    return "\n".join("    " + " ".join(str(c) for c in row) for row in rows)


def run(label: str, url: str, load, main_count: int, others: int, requests: int) -> bool:
    tenant_id = str(uuid.uuid4())
    tenants = [(tenant_id, main_count)] + [(str(uuid.uuid4()), others // 3) for _ in range(3)]
    bases = base_plans(2000)
    started = time.perf_counter()
    load(url, tenants, bases)
    print(f"[{label}] loaded {main_count:,} interviews of the measured tenant + {others:,} of 3 others in {time.perf_counter() - started:.0f} s")
    key = _create_key(url, tenant_id)
    print(f"[{label}] query plan:\n{explain(url, tenant_id)}")
    timings, _ = asyncio.run(_measure(url, key, requests))
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    ok = p95 < TARGET_P95_MS
    print(
        f"[{label}] GET /v1/actions?due_before=..&limit=50 over {len(timings)} requests: "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms (target p95 < {TARGET_P95_MS} ms) -> {'PASS' if ok else 'MISS'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-interviews", type=int, default=1_000_000)
    parser.add_argument("--sqlite-interviews", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/due.db"
        upgrade(url)
        results.append(run("sqlite", url, lambda u, t, b: load_sqlite(u.removeprefix("sqlite:///"), t, b), args.sqlite_interviews, 30_000, args.requests))
    if not args.sqlite_only:
        name = f"followup_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        try:
            upgrade(url)
            results.append(run("postgresql", url, load_postgres, args.postgres_interviews, 200_000, args.requests))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
