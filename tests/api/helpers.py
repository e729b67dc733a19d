"""Helpers shared by the API tests: request bodies, problem checks, row snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.tables import metadata

PROBLEM = "application/problem+json"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def ago(**delta: float) -> datetime:
    """A moment in the past, rounded to the second (aware, UTC)."""
    return (datetime.now(UTC) - timedelta(**delta)).replace(microsecond=0)


def interview_body(**overrides: Any) -> dict[str, Any]:
    """A valid interview that ended three days ago, with two interviewers."""
    body: dict[str, Any] = {
        "candidate_name": "Alex Kim",
        "candidate_email": "alex@example.com",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": iso(ago(days=3)),
        "duration_minutes": 45,
        "timezone": "Europe/Berlin",
        "format": "virtual",
        "interviewers": [
            {"name": "Dana Lee", "email": "dana@acme.example", "role": "hiring_manager", "rapport": "good"},
            {"name": "Sam Roe", "email": "sam@acme.example", "role": "recruiter"},
        ],
        "topics": ["streaming pipelines"],
        "decision_timeline_days": 10,
    }
    body.update(overrides)
    return body


def create_interview(client, tenant, **overrides: Any) -> dict[str, Any]:
    r = client.post("/v1/interviews", json=interview_body(**overrides), headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()


def record_event(client, tenant, interview_id: str, **fields: Any) -> dict[str, Any]:
    r = client.post(f"/v1/interviews/{interview_id}/events", json=fields, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()


def random_id() -> str:
    return str(uuid.uuid4())


def assert_problem(response, status: int, *, validation: bool | None = None) -> dict[str, Any]:
    """An RFC 9457 document with the given status; 422s carry `errors` [{loc, message}]."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:1000]}"
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM, response.headers
    body = response.json()
    for field, kind in (("type", str), ("title", str), ("status", int), ("detail", str)):
        assert isinstance(body.get(field), kind), f"problem field {field!r} missing or not {kind.__name__}: {body}"
    assert body["status"] == status
    assert body["detail"].strip() and body["title"].strip()
    assert "Traceback" not in response.text
    if validation is None:
        validation = status == 422
    if validation:
        errors = body.get("errors")
        assert isinstance(errors, list) and errors, body
        for error in errors:
            assert set(error) == {"loc", "message"}, error
            assert isinstance(error["loc"], str) and isinstance(error["message"], str) and error["message"], error
    return body


def error_locs(response) -> list[str]:
    return [e["loc"] for e in response.json().get("errors") or []]


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: "changes nothing" is `before == after`."""
    rows: dict[str, list[tuple]] = {}
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in connection.execute(select(table).order_by(*order))]
    return rows


@contextmanager
def counted_client(postgres_database: str, *, fast_lane: bool, now: datetime) -> Iterator[TestClient]:
    """A client of an app on the emptied PostgreSQL test database, its clock at
    `now` and API keys cached (so a round-trip count sees the request's own reads);
    the database is emptied again afterwards."""
    from app.api.app import create_app
    from app.api.deps import get_now
    from app.settings import Settings
    from tests.conftest import _truncate_all

    _truncate_all(postgres_database)
    app = create_app(Settings(database_url=postgres_database, run_jobs=False, auth_cache_seconds=60, fast_lane=fast_lane))
    app.dependency_overrides[get_now] = lambda: now
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        _truncate_all(postgres_database)
