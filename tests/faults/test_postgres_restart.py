"""PostgreSQL faults against the real server, on a PostgreSQL cluster of its own.

The module creates a throwaway cluster with `pg_createcluster` on a free port
(trust auth on loopback), so restarting it disturbs no other test, and drops
it at the end. As root it runs PostgreSQL as the postgres user, as Debian's
tools do.

- A restart and an outage while clients write events with Idempotency-Key and
  retry: every acknowledged write is stored exactly once; meanwhile the
  service answers 503 problem+json with Retry-After (never a 500 or a
  traceback), and it serves again within 5 s of PostgreSQL coming back.
- The pool (FOLLOWUP_DB_POOL_SIZE=1, no overflow, 1 s timeout). Requests
  alone cannot exhaust it: a request's database work runs inline on the
  event loop and a transaction never spans an `await` (app/api/deps.py), so
  a process uses one connection at a time for requests, and 40 concurrent
  requests all succeed. What can happen is that the connection's holder is
  stuck: a request waiting for a row or table lock held elsewhere (which
  also stalls the event loop), or the background job thread. Lock waits
  are bounded by the pool timeout (`lock_timeout`, app/db/engine.py), so
  such a request answers 503 within it and the others go on; a request
  that finds the pool empty (shown in process, where the test can hold the
  only connection itself) answers 503 after the pool timeout. Never a hang.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.live import free_port, live_server

POOL_TIMEOUT = 1.0
RECOVERY_LIMIT = 5.0
PROBLEM = "application/problem+json"


def _missing() -> str | None:
    if shutil.which("pg_createcluster") is None:
        return "pg_createcluster is absent (Debian's postgresql-common): no cluster of our own to restart"
    if not Path("/usr/lib/postgresql").is_dir():
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if os.geteuid() != 0:
        return "managing a PostgreSQL cluster with pg_createcluster needs root here"
    return None


pytestmark = [
    pytest.mark.faults,
    pytest.mark.e2e,
    pytest.mark.timeout(90),
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
]


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    def ctl(self, action: str) -> None:
        done = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 0, f"pg_ctlcluster {action} failed: {done.stdout}{done.stderr}"

    def dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=3"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        name = f"followup_faults_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    version = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: int(v) if v.isdigit() else 0)[-1]
    name = f"followup_faults_{os.getpid()}"
    port = free_port()
    # Listens on localhost only (the default); trust auth, as on the main test server.
    subprocess.run(
        ["pg_createcluster", version, name, "--port", str(port), "--", "--auth-local=trust", "--auth-host=trust"],
        check=True, capture_output=True, timeout=60,
    )
    made = Cluster(version, name, port)
    try:
        made.ctl("start")
        yield made
    finally:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "immediate"],
                       capture_output=True, timeout=60)
        subprocess.run(["pg_dropcluster", version, name], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def migrated(cluster) -> str:
    """A database at the latest schema, the template of each test's own."""
    from app.db.migrate import upgrade

    database = cluster.create_database()
    upgrade(cluster.url(database))
    return database


@dataclass
class Seeded:
    url: str
    key: str
    database: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def seed(cluster: Cluster, template: str) -> Seeded:
    """A fresh database copied from the migrated template, with a tenant and its key."""
    from app.db.engine import Database
    from app.settings import Settings
    from tests.conftest import make_tenant

    database = cluster.create_database(template)
    url = cluster.url(database)
    db = Database(Settings(database_url=url))
    try:
        key = make_tenant(db, "faults").key
    finally:
        db.dispose()
    return Seeded(url, key, database)


@pytest.fixture
def seeded(cluster, migrated) -> Seeded:
    return seed(cluster, migrated)


def create_interview(client: httpx.Client, name: str) -> str:
    response = client.post(
        "/v1/interviews",
        json={
            "candidate_name": name,
            "job_title": "Site Reliability Engineer",
            "company_name": "Initech",
            "starts_at": "2026-01-05T10:00:00+00:00",
            "format": "virtual",
            "interviewers": [{"name": "Dana Reyes", "email": "dana@initech.example"}],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def assert_unavailable(response: httpx.Response) -> None:
    """A 503 as the contract has it: problem+json, Retry-After, no trace."""
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert response.headers["content-type"] == PROBLEM, response.headers
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status"] == 503 and body["title"] and body["detail"]
    assert "Traceback" not in response.text and "psycopg" not in response.text


# --- restart and outage under writes ---------------------------------------


@dataclass
class WriteLog:
    acknowledged: list[str] = field(default_factory=list)
    answers: list[tuple[float, httpx.Response]] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    reads: list[httpx.Response] = field(default_factory=list)


async def write_until_acknowledged(client: httpx.AsyncClient, interview_id: str, note: str, log: WriteLog) -> None:
    """POST one event with its own Idempotency-Key, retrying until a 201 (bounded)."""
    body = {"type": "follow_up_sent", "note": note}
    headers = {"Idempotency-Key": f"key-{note}"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            response = await client.post(f"/v1/interviews/{interview_id}/events", json=body, headers=headers)
        except httpx.TransportError as error:
            log.transport_errors.append(f"{note}: {error!r}")
            await asyncio.sleep(0.2)
            continue
        log.answers.append((time.monotonic(), response))
        if response.status_code == 201:
            log.acknowledged.append(note)
            return
        await asyncio.sleep(0.2)  # Retry-After says 1 s; a quicker retry measures recovery finely
    log.gave_up.append(note)


async def writer(client: httpx.AsyncClient, number: int, interview_id: str, stop: asyncio.Event, log: WriteLog) -> None:
    sequence = 0
    while not stop.is_set():
        sequence += 1
        await write_until_acknowledged(client, interview_id, f"w{number}-{sequence}", log)
        await asyncio.sleep(0.01)


async def reader(client: httpx.AsyncClient, interview_id: str, stop: asyncio.Event, log: WriteLog) -> None:
    """Reads alongside the writes: each answer must be a 200 or a well-formed 503."""
    paths = [f"/v1/interviews/{interview_id}/actions", f"/v1/interviews/{interview_id}/events", f"/v1/interviews/{interview_id}"]
    n = 0
    while not stop.is_set():
        n += 1
        try:
            response = await client.get(paths[n % len(paths)])
            log.reads.append(response)
        except httpx.TransportError as error:
            log.transport_errors.append(f"read: {error!r}")
        await asyncio.sleep(0.01)


async def time_to_serve(client: httpx.AsyncClient, interview_id: str, limit: float) -> float:
    """Seconds until a read succeeds again (capped a little past `limit`)."""
    start = time.monotonic()
    while time.monotonic() - start < limit + 5:
        try:
            response = await client.get(f"/v1/interviews/{interview_id}/events", params={"limit": 1})
            if response.status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    return float("inf")


async def restart_under_writes(cluster: Cluster, base_url: str, headers: dict, interviews: list[str]) -> dict:
    log = WriteLog()
    stop = asyncio.Event()
    outcome: dict = {"log": log}
    timeout = httpx.Timeout(10.0)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout) as client:
        writers = [asyncio.create_task(writer(client, n, iid, stop, log)) for n, iid in enumerate(interviews)]
        writers += [asyncio.create_task(reader(client, iid, stop, log)) for iid in interviews[:2]]
        await asyncio.sleep(1.5)
        before = len(log.acknowledged)

        # 1. A restart (fast shutdown: in-flight transactions are cut).
        await asyncio.to_thread(cluster.ctl, "restart")
        outcome["recovery_after_restart"] = await time_to_serve(client, interviews[0], RECOVERY_LIMIT)
        await asyncio.sleep(1.0)

        # 2. An outage of a few seconds: the service must say 503, not fail.
        await asyncio.to_thread(cluster.ctl, "stop")
        down_at = time.monotonic()
        await asyncio.sleep(0.5)
        outcome["readyz_down"] = await client.get("/readyz")
        outcome["read_down"] = await client.get(f"/v1/interviews/{interviews[0]}/actions")
        await asyncio.sleep(2.0)
        await asyncio.to_thread(cluster.ctl, "start")
        back_at = time.monotonic()
        outcome["recovery_after_outage"] = await time_to_serve(client, interviews[0], RECOVERY_LIMIT)
        outcome["answers_during_outage"] = [r for t, r in log.answers if down_at <= t <= back_at]
        await asyncio.sleep(1.0)

        stop.set()
        await asyncio.wait_for(asyncio.gather(*writers), timeout=40)
        outcome["acknowledged_before_faults"] = before
        outcome["readyz_after"] = await client.get("/readyz")
    return outcome


def stored_notes(cluster: Cluster, database: str) -> dict[str, int]:
    with psycopg.connect(cluster.dsn(database)) as connection:
        rows = connection.execute("SELECT note, count(*) FROM event WHERE note LIKE 'w%%' GROUP BY note").fetchall()
    return {note: count for note, count in rows}


def test_restart_and_outage_under_idempotent_writes(cluster, seeded, tmp_path):
    env = {"FOLLOWUP_RETRY_AFTER_SECONDS": "1", "FOLLOWUP_DB_CONNECT_TIMEOUT": "2"}
    with live_server(seeded.url, workers=2, log_dir=tmp_path, **env) as server:
        with httpx.Client(base_url=server.url, headers=seeded.headers, timeout=10) as client:
            interviews = [create_interview(client, f"Writer {n}") for n in range(4)]
        outcome = asyncio.run(restart_under_writes(cluster, server.url, seeded.headers, interviews))
        server_log = server.log()

    log: WriteLog = outcome["log"]
    # The clients kept going: every write they started was acknowledged.
    assert log.gave_up == []
    assert outcome["acknowledged_before_faults"] > 0
    # Exactly once: each acknowledged write stored once, nothing else stored.
    stored = stored_notes(cluster, seeded.database)
    assert len(log.acknowledged) == len(set(log.acknowledged))
    assert {note: stored.get(note, 0) for note in log.acknowledged} == {note: 1 for note in log.acknowledged}
    assert set(stored) == set(log.acknowledged)

    # Every answer was a 201 or a well-formed 503; the server never dropped a connection.
    failures = [r for _, r in log.answers if r.status_code != 201]
    for response in failures:
        assert_unavailable(response)
    assert log.transport_errors == []
    assert log.reads and all(r.status_code == 200 for r in log.reads[:5])
    for response in log.reads:
        if response.status_code != 200:
            assert_unavailable(response)
    assert outcome["answers_during_outage"], "no write was attempted while PostgreSQL was down"
    assert any(r.status_code == 503 for r in outcome["answers_during_outage"])
    assert_unavailable(outcome["readyz_down"])
    assert_unavailable(outcome["read_down"])
    assert outcome["readyz_after"].status_code == 200

    # Back within 5 s of PostgreSQL (pg_ctlcluster returns once it accepts connections).
    assert outcome["recovery_after_restart"] < RECOVERY_LIMIT, outcome
    assert outcome["recovery_after_outage"] < RECOVERY_LIMIT, outcome
    # No request failed unexpectedly (the job loop may log the outage, with its trace, as a warning).
    for marker in ("unhandled error", "database error", "Exception in ASGI application"):
        assert marker not in server_log, server_log[-3000:]
    print(
        f"\nacknowledged writes: {len(log.acknowledged)}, 503 answers to writes: {len(failures)}, "
        f"reads: {len(log.reads)} ({sum(r.status_code == 503 for r in log.reads)} answered 503), "
        f"recovered after restart in {outcome['recovery_after_restart']:.2f} s, "
        f"after outage in {outcome['recovery_after_outage']:.2f} s"
    )


# --- the pool ------------------------------------------------------------------

POOL_ENV = {
    "FOLLOWUP_DB_POOL_SIZE": "1",
    "FOLLOWUP_DB_MAX_OVERFLOW": "0",
    "FOLLOWUP_DB_POOL_TIMEOUT": str(POOL_TIMEOUT),
    "FOLLOWUP_RETRY_AFTER_SECONDS": "1",
    "FOLLOWUP_JOB_POLL_SECONDS": "0.05",  # the job thread takes the connection often
}
# "Within the pool timeout", with room for a loaded 2-core machine; a hang
# here lasts as long as the test holds its lock (until every answer is in).
BOUND = POOL_TIMEOUT + 2.0


@dataclass
class PoolServer:
    url: str
    seeded: Seeded
    cluster: Cluster
    log: Callable[[], str]

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.seeded.headers, timeout=15, **kwargs)

    def hold(self) -> psycopg.Connection:
        """A second session, as an operator's psql or a migration would be."""
        return psycopg.connect(self.cluster.dsn(self.seeded.database))


@pytest.fixture(scope="module")
def pool_server(cluster, migrated, tmp_path_factory) -> Iterator[PoolServer]:
    """One worker with a pool of one connection (no overflow, 1 s timeout)."""
    seeded = seed(cluster, migrated)
    with live_server(seeded.url, workers=1, log_dir=tmp_path_factory.mktemp("pool"), **POOL_ENV) as server:
        yield PoolServer(server.url, seeded, cluster, server.log)


async def timed(coroutine) -> tuple[float, httpx.Response | Exception]:
    start = time.monotonic()
    try:
        result = await coroutine
    except Exception as error:  # a timeout here is the hang this test is about
        result = error
    return time.monotonic() - start, result


def test_requests_alone_cannot_exhaust_the_pool(pool_server):
    """One connection serves 40 concurrent requests, one transaction at a time."""
    with pool_server.client() as client:
        interview_id = create_interview(client, "Pool")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=pool_server.url, headers=pool_server.seeded.headers, timeout=15) as client:
            calls = []
            for n in range(40):
                if n % 3 == 0:
                    calls.append(client.post(f"/v1/interviews/{interview_id}/events", json={"type": "follow_up_sent", "note": f"p{n}"}))
                elif n % 3 == 1:
                    calls.append(client.get(f"/v1/interviews/{interview_id}/actions"))
                else:
                    calls.append(client.get(f"/v1/interviews/{interview_id}/messages/follow_up"))
            return await asyncio.gather(*calls)

    answers = asyncio.run(burst())
    assert {r.status_code for r in answers} == {200, 201}, [(r.status_code, r.text[:200]) for r in answers if r.status_code >= 300]


def test_a_connection_stuck_on_a_row_lock_answers_503_and_never_hangs(pool_server):
    """The only connection waits on a row lock held elsewhere: 503 within the pool timeout."""
    with pool_server.client() as client:
        interview_id = create_interview(client, "Locked")

    async def contend() -> dict:
        async with httpx.AsyncClient(base_url=pool_server.url, headers=pool_server.seeded.headers, timeout=15) as client:
            write = asyncio.create_task(timed(client.post(
                f"/v1/interviews/{interview_id}/events", json={"type": "follow_up_sent", "note": "blocked"}
            )))
            await asyncio.sleep(0.3)  # the write now holds the only connection, waiting for the lock
            read, health = await asyncio.gather(timed(client.get("/v1/interviews")), timed(client.get("/healthz")))
            return {"write": await write, "read": read, "health": health}

    with pool_server.hold() as holder:
        holder.execute("SELECT id FROM interview WHERE id = %s FOR UPDATE", (interview_id,))
        answers = asyncio.run(contend())
        holder.rollback()
    with pool_server.client() as client:
        after = client.post(f"/v1/interviews/{interview_id}/events", json={"type": "follow_up_sent", "note": "after"})

    write_time, write = answers["write"]
    assert isinstance(write, httpx.Response), f"the write hung: {write!r} after {write_time:.1f} s"
    assert_unavailable(write)
    assert write_time < BOUND, write_time
    for name in ("read", "health"):
        elapsed, response = answers[name]
        assert isinstance(response, httpx.Response), f"{name} hung: {response!r}"
        assert response.status_code == 200, response.text
        assert elapsed < BOUND, (name, elapsed)
    assert after.status_code == 201, after.text
    print(f"\nwrite stuck on a row lock: 503 after {write_time:.2f} s")


def test_reads_stuck_on_a_table_lock_answer_503(pool_server):
    """A migration's ALTER TABLE holds ACCESS EXCLUSIVE: reads wait at most the pool timeout, then 503."""
    with pool_server.client() as client:
        interview_id = create_interview(client, "Migrating")
        assert client.get(f"/v1/interviews/{interview_id}/actions").status_code == 200
        answers = []
        for table in ("interview", "event"):
            with pool_server.hold() as holder:
                holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
                for path in (f"/v1/interviews/{interview_id}", f"/v1/interviews/{interview_id}/events"):
                    start = time.monotonic()
                    answers.append((table, path, client.get(path), time.monotonic() - start))
                holder.rollback()
        assert client.get(f"/v1/interviews/{interview_id}/actions").status_code == 200
    for table, path, response, elapsed in answers:
        assert response.status_code in (200, 503), (table, path, response.status_code, response.text[:300])
        if response.status_code == 503:
            assert_unavailable(response)
        assert elapsed < BOUND, (table, path, elapsed)
    assert all(response.status_code == 503 for table, _, response, _ in answers if table == "interview")
    assert "unhandled error" not in pool_server.log(), pool_server.log()[-3000:]


def test_the_job_thread_holding_the_only_connection_never_hangs_requests(pool_server):
    """The background job loop (a thread) holds the only connection, stuck on a table lock."""
    with pool_server.hold() as holder:
        holder.execute("LOCK TABLE job IN ACCESS EXCLUSIVE MODE")
        waiting = _wait_for_lock_waiter(pool_server.cluster, pool_server.seeded.database)
        answers = []
        with pool_server.client() as client:
            for _ in range(3):
                start = time.monotonic()
                try:
                    response: httpx.Response | Exception = client.get("/v1/interviews")
                except httpx.TimeoutException as error:
                    response = error
                answers.append((time.monotonic() - start, response))
        holder.rollback()
    assert waiting, "the job thread never waited on the lock"
    print("\njob thread holding the connection:", [(round(t, 2), getattr(r, "status_code", r)) for t, r in answers])
    for elapsed, response in answers:
        assert isinstance(response, httpx.Response), f"hung: {response!r}"
        assert elapsed < BOUND, elapsed
        if response.status_code != 200:
            assert_unavailable(response)


def test_an_exhausted_pool_answers_503_within_the_pool_timeout(seeded):
    """In process, the test itself takes the only connection: the next request gets a 503 after 1 s."""
    from fastapi.testclient import TestClient

    from app.api.app import create_app
    from app.settings import Settings

    settings = Settings(
        database_url=seeded.url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=POOL_TIMEOUT,
        retry_after_seconds=1, run_jobs=False, auth_cache_seconds=0,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers.update(seeded.headers)
        assert client.get("/v1/interviews").status_code == 200
        with client.app.state.db.engine.connect():
            start = time.monotonic()
            exhausted = client.get("/v1/interviews")
            elapsed = time.monotonic() - start
        assert client.get("/v1/interviews").status_code == 200
    assert_unavailable(exhausted)
    assert POOL_TIMEOUT * 0.9 <= elapsed < BOUND, elapsed


def _wait_for_lock_waiter(cluster: Cluster, database: str) -> bool:
    deadline = time.monotonic() + 5
    with psycopg.connect(cluster.dsn(database), autocommit=True) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", (database,)
            ).fetchone()
            if row and row[0] > 0:
                return True
            time.sleep(0.05)
    return False
