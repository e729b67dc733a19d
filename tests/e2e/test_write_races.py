"""Two writes of one resource that race: the second sees what the first left.

Each test holds the resource's lock from a side connection (the row's
`FOR UPDATE` on PostgreSQL, the write lock on SQLite) while two requests
queue behind it, then lets go: both have read nothing yet, and they run
one after the other. Without the locks the service takes, on PostgreSQL both
passed their If-Match or existence check before either wrote (found by a
review with 4-worker races: 3 of 10 policy PUTs and 1 of 6 template PUTs
with one If-Match both answered 200, two DELETEs of one template both 204,
and 9 of 40 interviews kept an event naming a contact a racing PATCH removed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.live import create_tenant_key, live_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
QUEUED = 0.6  # seconds the lock is held after the requests were sent


@contextmanager
def held(database_url: str, table: str, row_id: str) -> Iterator[None]:
    """The row's lock (PostgreSQL) or the database's write lock (SQLite), until the block ends."""
    if database_url.startswith("postgresql"):
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            connection.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", (row_id,))  # noqa: S608 - fixed names
            yield
            connection.rollback()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
            connection.exec_driver_sql("ROLLBACK")
    finally:
        engine.dispose()


def queued(lock: Callable[[], object], *requests: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Send the requests in order (a moment apart) while `lock` holds, then release it."""
    answers: list[httpx.Response | None] = [None] * len(requests)

    def send(index: int) -> None:
        answers[index] = requests[index]()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    with lock():
        for thread in threads:
            thread.start()
            time.sleep(0.15)
        time.sleep(QUEUED)
    for thread in threads:
        thread.join(60)
    assert all(answer is not None for answer in answers)
    return answers  # type: ignore[return-value]


def rows(database_url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def policy(hours: int) -> dict:
    return {"thank_you_due_hours": hours}


def test_racing_writes_see_each_other(database_url, tmp_path):
    key = create_tenant_key(database_url, "acme")
    [(tenant_id,)] = rows(database_url, "SELECT id FROM tenant")
    with live_server(database_url, workers=4, log_dir=tmp_path, FOLLOWUP_AUTH_CACHE_SECONDS="0") as server:
        http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        with http:
            policies_with_one_if_match(http, database_url, tenant_id)
            template_writes_after_a_delete(http, database_url)
            contact_removed_while_an_event_names_it(http, database_url)
        log = server.log()
    assert "Traceback" not in log, log[-4000:]


def policies_with_one_if_match(http: httpx.Client, database_url: str, tenant_id: str) -> None:
    current = http.get("/v1/policy")
    body = {**current.json(), "thank_you_due_hours": 30}
    etag = current.headers["etag"]
    answers = queued(
        lambda: held(database_url, "tenant", tenant_id),
        lambda: http.put("/v1/policy", json=body, headers={"If-Match": etag}),
        lambda: http.put("/v1/policy", json={**body, "thank_you_due_hours": 40}, headers={"If-Match": etag}),
    )
    # PostgreSQL queues row locks in order; SQLite's busy writers retry in any order.
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    assert http.get("/v1/policy").json()["thank_you_due_hours"] == winner.json()["thank_you_due_hours"]


def template_writes_after_a_delete(http: httpx.Client, database_url: str) -> None:
    template = {"message_kind": "follow_up", "locale": "en", "subject": "Hello", "text": "Hi {{ recipient_name }}"}
    created = http.post("/v1/templates", json=template).json()
    answers = queued(
        lambda: held(database_url, "template", created["id"]),
        lambda: http.delete(f"/v1/templates/{created['id']}"),
        lambda: http.delete(f"/v1/templates/{created['id']}"),
        lambda: http.put(f"/v1/templates/{created['id']}", json={**template, "text": "Changed"}),
    )
    assert sorted(a.status_code for a in answers) in ([204, 404, 404], [200, 204, 404]), [a.text for a in answers]
    assert rows(database_url, "SELECT template_count FROM tenant") == [(0,)]
    # The count decides whether renders look for templates: a new one is used at once.
    again = http.post("/v1/templates", json={**template, "text": "Custom {{ recipient_name }}"})
    assert again.status_code == 201
    assert rows(database_url, "SELECT template_count FROM tenant") == [(1,)]


def contact_removed_while_an_event_names_it(http: httpx.Client, database_url: str) -> None:
    interview = http.post("/v1/interviews", json={
        "candidate_name": "Ada", "job_title": "Analyst", "company_name": "Acme", "starts_at": "2026-01-05T10:00:00Z",
        "format": "virtual", "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example"},
                                              {"name": "Sam Roe", "email": "sam@acme.example"}]}).json()  # fmt: skip
    dana, sam = interview["interviewers"]
    answers = queued(
        lambda: held(database_url, "interview", interview["id"]),
        lambda: http.patch(f"/v1/interviews/{interview['id']}", json={"interviewers": [{"id": sam["id"], "name": sam["name"]}]}),
        lambda: http.post(f"/v1/interviews/{interview['id']}/events", json={
            "type": "thank_you_sent", "contact_id": dana["id"], "occurred_at": "2026-01-05T12:00:00Z"}),  # fmt: skip
    )
    statuses = [a.status_code for a in answers]
    assert statuses in ([200, 422], [409, 201]), [a.text for a in answers]  # the PATCH first, or the event
    stored = {c for (c,) in rows(database_url, "SELECT contact_id FROM event WHERE interview_id = :i", i=interview["id"])}
    contacts = {c[0] for c in rows(database_url, "SELECT id FROM contact WHERE interview_id = :i", i=interview["id"])}
    assert stored <= contacts, "an event names a contact the interview no longer has"
    planned = rows(database_url, "SELECT contact_id FROM planned_action WHERE interview_id = :i", i=interview["id"])
    assert {c for (c,) in planned} <= contacts | {None}
