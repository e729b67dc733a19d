"""Every problem document carries every member the spec's `Problem` lists.

api-contract "Conventions": absent optional values are `null`, not omitted. A
problem without an `errors` list left the member out, so a client reading
`problem.errors` met a missing key on a 404 and a list on a 422.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.settings import Settings
from tests.api.helpers import assert_problem, create_interview, interview_body
from tests.conftest import make_tenant

ORIGIN = "https://careers.example"


@pytest.fixture
def small_client(database_url):
    """Bodies over 2 KiB are refused (413) and one origin may call from a browser."""
    settings = Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0, cors_origins=[ORIGIN], max_body_bytes=2048)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _members(client) -> set[str]:
    return set(client.app.openapi()["components"]["schemas"]["Problem"]["properties"])


def test_every_problem_has_every_member_null_when_absent(small_client):
    client = small_client
    tenant = make_tenant(client.app.state.db)
    interview = create_interview(client, tenant, external_ref="ATS-1")
    url = f"/v1/interviews/{interview['id']}"
    json_body = {**tenant.headers, "Content-Type": "application/json"}
    answers = {
        401: client.get("/v1/interviews"),
        404: client.get("/v1/interviews/00000000-0000-4000-8000-000000000000", headers=tenant.headers),
        405: client.put("/v1/interviews", headers=tenant.headers),
        409: client.post("/v1/interviews", json=interview_body(external_ref="ATS-1"), headers=tenant.headers),
        412: client.patch(url, json={"notes": "x"}, headers={**tenant.headers, "If-Match": '"99"'}),
        413: client.post("/v1/interviews", content=b"{" + b" " * 4096 + b"}", headers=json_body),
        415: client.post("/v1/interviews", content=b"x", headers={**tenant.headers, "Content-Type": "text/plain"}),
        400: client.post("/v1/interviews", content=b"{", headers=json_body),
        422: client.post("/v1/interviews", json=interview_body(candidate_name=""), headers=tenant.headers),
    }
    refused_preflight = client.options(
        "/v1/interviews", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    )
    members = _members(client)
    assert "errors" in members
    lists = {400, 422}  # malformed JSON and invalid input say where
    for status, answer in [*answers.items(), ("preflight", refused_preflight)]:
        body = assert_problem(answer, answer.status_code, validation=status in lists)
        assert set(body) >= members, (status, body)
        if status not in lists:
            assert body["errors"] is None, (status, body)
