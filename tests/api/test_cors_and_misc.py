"""CORS, request ids, open endpoints (health, docs, spec), and a database that is down."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.settings import Settings
from tests.api.helpers import assert_problem, create_interview, interview_body
from tests.conftest import make_tenant

ORIGIN = "https://careers.example"


@pytest.fixture
def cors_client(database_url):
    app = create_app(Settings(database_url=database_url, run_jobs=False, auth_cache_seconds=0, cors_origins=[ORIGIN]))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _preflight(client, origin: str, method: str = "POST", path: str = "/v1/interviews"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-match",
        },
    )


def test_cors_preflight_from_a_configured_origin_needs_no_key(cors_client):
    for method, path in (("POST", "/v1/interviews"), ("PATCH", "/v1/interviews/abc"), ("DELETE", "/v1/interviews/abc"), ("PUT", "/v1/policy")):
        r = _preflight(cors_client, ORIGIN, method, path)
        assert r.status_code == 200, (method, path, r.status_code, r.text)
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert method in r.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed


def test_cors_preflight_from_another_origin_is_refused(cors_client):
    r = _preflight(cors_client, "https://evil.example")
    assert "access-control-allow-origin" not in r.headers
    assert r.status_code >= 400
    assert_problem(r, r.status_code, validation=False)


def test_cors_headers_on_answers_and_errors(cors_client, database_url):
    tenant = make_tenant(cors_client.app.state.db)
    headers = {**tenant.headers, "Origin": ORIGIN}
    created = cors_client.post("/v1/interviews", json=interview_body(), headers=headers)
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in created.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "x-request-id"} <= exposed
    # A browser can read the errors too.
    unauthorised = cors_client.get("/v1/interviews", headers={"Origin": ORIGIN})
    assert_problem(unauthorised, 401)
    assert unauthorised.headers["access-control-allow-origin"] == ORIGIN
    too_big = cors_client.post(
        "/v1/interviews", content=b"x" * (1024 * 1024 + 1), headers={**headers, "content-type": "application/json"}
    )
    assert_problem(too_big, 413)
    assert too_big.headers.get("access-control-allow-origin") == ORIGIN, "a browser cannot read a 413 without CORS headers"
    # Not for an origin that is not configured.
    other = cors_client.get("/v1/interviews", headers={**tenant.headers, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_by_default(client):
    r = _preflight(client, ORIGIN)
    assert "access-control-allow-origin" not in r.headers


def test_request_id_is_echoed_or_assigned(client, tenant):
    r = client.get("/v1/interviews", headers={**tenant.headers, "X-Request-ID": "req-abc-123"})
    assert r.headers["x-request-id"] == "req-abc-123"
    r = client.get("/v1/interviews", headers={"X-Request-ID": "err-1"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "err-1"
    generated = client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/healthz").headers["x-request-id"] != generated
    assert client.get("/healthz", headers={"X-Request-ID": "x" * 500}).headers["x-request-id"] != "x" * 500
    assert len(client.get("/healthz", headers={"X-Request-ID": "a, b"}).headers.get_list("x-request-id")) == 1


def test_open_endpoints_need_no_key(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.")


def test_docs_work_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text)
    assert "/docs/static/swagger-ui-bundle.js" in assets and "/docs/static/swagger-ui.css" in assets
    assert not [a for a in assets if a.startswith(("http://", "https://", "//"))], f"/docs loads from the internet: {assets}"
    assert "/openapi.json" in r.text
    js = client.get("/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.content) > 100_000
    css = client.get("/docs/static/swagger-ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/docs/static/no-such-file.js").status_code == 404


DOWN = {
    "postgres": "postgresql+psycopg://postgres@127.0.0.1:1/none",
    "sqlite": "sqlite:////nonexistent-directory/followup.db",
}


@pytest.mark.parametrize("backend", list(DOWN))
def test_unreachable_database_is_503_with_retry_after(backend):
    settings = Settings(database_url=DOWN[backend], db_connect_timeout=1, run_jobs=False, auth_cache_seconds=0, retry_after_seconds=7)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/healthz").status_code == 200
        auth = {"Authorization": "Bearer fu_" + "k" * 43}
        calls = [
            client.get("/readyz"),
            client.get("/v1/interviews", headers=auth),
            client.post("/v1/interviews", json=interview_body(), headers=auth),
            client.post("/v1/interviews", json=interview_body(), headers={**auth, "Idempotency-Key": "x"}),
            client.get("/v1/policy", headers=auth),
        ]
        for r in calls:
            body = assert_problem(r, 503, validation=False)
            assert r.headers["retry-after"] == "7", r.headers
            assert "Traceback" not in json.dumps(body) and "127.0.0.1" not in body["detail"]


def test_a_body_that_is_not_json_is_415_on_every_operation(client, app, tenant):
    """Generated from the spec: every operation with a body refuses other media types."""
    from tests.api.helpers import create_interview, snapshot
    from tests.api.spec_calls import request_args, v1_operations

    interview = create_interview(client, tenant)
    ids = {"interview_id": interview["id"], "contact_id": interview["interviewers"][0]["id"]}
    ops = [op for op in v1_operations(client.get("/openapi.json").json()) if op.has_body]
    assert len(ops) >= 5
    before = snapshot(app.state.db)
    for op in ops:
        args = request_args(op, ids, unknown="00000000-0000-4000-8000-000000000000")
        payload = json.dumps(args.pop("json")).encode()
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {**tenant.headers, **({"content-type": content_type} if content_type else {})}
            r = client.request(**args, content=payload, headers=headers)
            assert r.status_code == 415, f"{op} with {content_type}: {r.status_code} {r.text[:200]}"
            assert_problem(r, 415, validation=False)
    assert snapshot(app.state.db) == before
    # A JSON media type with parameters, or a +json suffix, is JSON.
    r = client.post("/v1/interviews", content=json.dumps(interview_body()).encode(),
                    headers={**tenant.headers, "content-type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text


def test_a_browser_can_read_the_eml_filename_and_the_auth_scheme(cors_client):
    answer = cors_client.get("/v1/interviews", headers={"Origin": ORIGIN})
    exposed = {h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")}
    assert {"content-disposition", "www-authenticate", "retry-after"} <= exposed


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_preview_path_is_not_a_template_id(client, tenant, method):
    answer = client.request(method, "/v1/templates/preview", headers=tenant.headers, json={
        "message_kind": "follow_up", "subject": "Hi", "text": "Hello"})  # fmt: skip
    body = assert_problem(answer, 405)
    assert answer.headers["allow"] == "POST"
    assert "not allowed" in body["detail"]


def test_an_unexpected_error_is_a_500_problem_a_browser_can_read_and_trace(cors_client, monkeypatch, caplog):
    """A 500 nobody foresaw was answered outside the CORS and request-id middleware:
    a browser saw a CORS failure, and the answer had no X-Request-ID to quote."""
    from app.services import interviews as interviews_service

    tenant = make_tenant(cors_client.app.state.db)

    def broken(**_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(interviews_service, "list_interviews", broken)
    with caplog.at_level("ERROR", logger="followup.api"):
        r = cors_client.get("/v1/interviews", headers={**tenant.headers, "Origin": ORIGIN, "X-Request-ID": "trace-me-1"})
    logged = [rec for rec in caplog.records if rec.name == "followup.api" and rec.exc_info]
    assert len(logged) == 1 and "a bug" in str(logged[0].exc_info[1])  # once, with its traceback
    assert_problem(r, 500, validation=False)
    assert "a bug" not in r.text and "Traceback" not in r.text
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert r.headers["x-request-id"] == "trace-me-1"
    assert cors_client.get("/v1/interviews", headers=tenant.headers).status_code == 500  # answered again, not cached


def test_head_is_served_wherever_get_is(client, tenant):
    """RFC 9110 9.3.2: a HEAD answers what the GET would, without the body; load balancers
    and uptime checks probe with it (it was 405 everywhere)."""
    interview = create_interview(client, tenant)
    dana = interview["interviewers"][0]["id"]
    paths = [
        ("/healthz", {}),
        ("/readyz", {}),
        ("/docs", {}),
        ("/docs/static/swagger-ui.css", {}),
        ("/openapi.json", {}),
        (f"/v1/interviews/{interview['id']}", tenant.headers),
        (f"/v1/interviews/{interview['id']}/actions", tenant.headers),  # the fast lane's
        (f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id={dana}", tenant.headers),
        (f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id=nobody", tenant.headers),
        ("/v1/interviews", {}),  # 401
        ("/v1/interviews/00000000-0000-4000-8000-000000000000", tenant.headers),  # 404
    ]
    for path, headers in paths:
        get, head = client.get(path, headers=headers), client.head(path, headers=headers)
        assert head.status_code == get.status_code, (path, head.status_code, get.status_code)
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content)), path
        if "etag" in get.headers:
            assert head.headers["etag"] == get.headers["etag"], path
    assert client.head("/v1/interviews", headers=tenant.headers).status_code == 200


def test_configured_origins_are_read_as_browsers_send_them(monkeypatch):
    """A browser's `Origin` has no trailing slash and a lower-case host; an origin
    configured as `https://Careers.example.com/` never matched it."""
    monkeypatch.setenv("FOLLOWUP_CORS_ORIGINS", " https://Careers.example.com/ ,http://localhost:3000,, *")
    assert Settings().cors_origins == ["https://careers.example.com", "http://localhost:3000", "*"]
    assert Settings(cors_origins=["HTTPS://a.example/"]).cors_origins == ["https://a.example"]
