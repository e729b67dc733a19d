"""The committed OpenAPI document: no drift, readable operation ids, problem+json errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.api.app import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "openapi.json"
REGENERATE = ".venv/bin/followup openapi -o openapi/openapi.json"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(database_url="sqlite:///:memory:", run_jobs=False)).openapi()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_committed_spec_matches_the_app(spec):
    assert COMMITTED.exists(), f"openapi/openapi.json is missing: run `{REGENERATE}` and commit it"
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == spec, (
        f"openapi/openapi.json is stale (the app's routes or schemas changed): run `{REGENERATE}` and commit the result"
    )


def test_committed_spec_is_what_the_command_writes(spec, tmp_path):
    from app.cli import main

    out = tmp_path / "openapi.json"
    assert main(["openapi", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), f"run `{REGENERATE}`"


def test_operation_ids_are_readable_and_unique(spec):
    ids = [op.get("operationId") for _, _, op in operations(spec)]
    assert all(ids), "every operation needs an operationId"
    assert len(ids) == len(set(ids)), f"duplicate operationIds: {ids}"
    for path, method, op in operations(spec):
        op_id = op["operationId"]
        assert SNAKE.match(op_id), f"{method.upper()} {path}: {op_id!r} is not snake_case"
        # FastAPI's default ids glue the path and method on (create_interview_v1_interviews_post).
        assert "_v1_" not in op_id and not op_id.endswith(f"_{method}"), f"{method.upper()} {path}: {op_id!r}"
        assert len(op_id) <= 40, op_id


def test_expected_operation_ids(spec):
    """Names are fixed once published: generated clients depend on them."""
    ids = {(method.upper(), path): op["operationId"] for path, method, op in operations(spec)}
    expected = {
        ("POST", "/v1/interviews"): "create_interview",
        ("GET", "/v1/interviews"): "list_interviews",
        ("GET", "/v1/interviews/{interview_id}"): "get_interview",
        ("PATCH", "/v1/interviews/{interview_id}"): "update_interview",
        ("DELETE", "/v1/interviews/{interview_id}"): "delete_interview",
        ("POST", "/v1/interviews/{interview_id}/events"): "create_event",
        ("GET", "/v1/interviews/{interview_id}/events"): "list_events",
        ("GET", "/v1/interviews/{interview_id}/actions"): "list_interview_actions",
        ("GET", "/v1/actions"): "list_actions",
        ("GET", "/v1/policy"): "get_policy",
        ("PUT", "/v1/policy"): "replace_policy",
    }
    for key, op_id in expected.items():
        assert ids.get(key) == op_id, f"{key}: {ids.get(key)!r}"


def test_problem_schema(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "errors" in problem["properties"]


def test_error_responses_are_problem_json_only(spec):
    for path, method, op in operations(spec):
        for code, response in op["responses"].items():
            if code[0] not in "45":
                continue
            content = response.get("content")
            where = f"{method.upper()} {path} {code}"
            assert content, f"{where}: no content declared"
            assert set(content) == {"application/problem+json"}, f"{where}: {sorted(content)}"
            assert content["application/problem+json"]["schema"] == PROBLEM_REF, where


def test_every_operation_declares_its_problems(spec):
    for path, method, op in operations(spec):
        if not path.startswith("/v1/"):
            continue
        where = f"{method.upper()} {path}"
        codes = set(op["responses"])
        assert {"401", "422", "503"} <= codes, f"{where}: {sorted(codes)}"
        if "{" in path:
            assert "404" in codes, f"{where}: a path id can be unknown"
        if "requestBody" in op:
            assert {"400", "413", "415"} <= codes, f"{where}: a body can be malformed, too large or not JSON"
            assert set(op["requestBody"]["content"]) == {"application/json"}, where
        if method in ("patch", "put", "delete"):
            assert "412" in codes, f"{where}: If-Match can be stale"
            headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            assert "if-match" in headers, f"{where}: If-Match is honoured, so declare it"
        if method == "post" and "201" in op["responses"]:
            headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            assert "idempotency-key" in headers, f"{where}: Idempotency-Key is honoured, so declare it"
        successes = [c for c in codes if c.startswith("2")]
        assert len(successes) == 1, f"{where}: {successes}"


def test_every_v1_operation_requires_the_bearer_key(spec):
    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer
    for path, method, op in operations(spec):
        if path.startswith("/v1/"):
            assert op.get("security") == [{bearer[0]: []}], f"{method.upper()} {path}"
        else:
            assert not op.get("security"), f"{method.upper()} {path} is open"
