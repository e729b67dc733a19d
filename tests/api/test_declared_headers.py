"""The response headers the OpenAPI document declares are the ones the service sends.

A generated client exposes declared headers (the ETag to send back in If-Match,
the Location of what was created, how long to wait after a 503), so each one
must be sent where it is declared, in the declared form. Generated from the
app's own document: every operation's success, its 401 and its 503.
"""

from __future__ import annotations

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.settings import Settings
from tests.api.helpers import assert_problem, interview_body
from tests.api.spec_calls import Operation, request_args, v1_operations

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = spec["components"][section][name]
    return node


def header_failures(spec: dict, op: Operation, response) -> list[str]:
    """Why `response` does not carry the headers `op` declares for its status (none: it does)."""
    where = f"{op} {response.status_code}"
    declared = op.spec["responses"].get(str(response.status_code))
    if declared is None:
        return [f"{where}: status not declared"]
    failures = []
    for name, node in declared.get("headers", {}).items():
        header = _resolve(spec, node)
        value = response.headers.get(name)
        if value is None:
            if header.get("required"):
                failures.append(f"{where}: declared header {name} is missing")
            continue
        schema = header["schema"]
        wire = int(value) if schema.get("type") == "integer" and value.isdigit() else value
        if not jsonschema_rs.is_valid(schema, wire):
            failures.append(f"{where}: {name}: {value!r} does not match {schema}")
    return failures


def test_every_response_declares_the_request_id(spec):
    for op in v1_operations(spec):
        for status, response in op.spec["responses"].items():
            assert "X-Request-ID" in response.get("headers", {}), f"{op} {status}"


def test_successes_send_their_declared_headers(client, spec, tenant, victim):
    ops = v1_operations(spec)
    failures, checked = [], set()
    for op in ops:
        r = client.request(**request_args(op, victim), headers=tenant.headers)
        assert r.status_code < 300, f"{op}: {r.status_code} {r.text[:500]}"
        failures += header_failures(spec, op, r)
        checked |= {name for name, node in op.spec["responses"][str(r.status_code)].get("headers", {}).items()
                    if _resolve(spec, node).get("required")}
    assert not failures, "\n".join(failures)
    assert {"ETag", "Location", "X-Request-ID"} <= checked  # guards the test: headers were there to check


def test_the_declared_etag_is_the_one_if_match_takes(client, spec, tenant, victim):
    r = client.get(f"/v1/interviews/{victim['interview_id']}", headers=tenant.headers)
    ops = {op.operation_id: op for op in v1_operations(spec)}
    assert not header_failures(spec, ops["get_interview"], r)
    r = client.patch(
        f"/v1/interviews/{victim['interview_id']}",
        json={"notes": "with the declared ETag"},
        headers={**tenant.headers, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text


def test_a_replayed_create_declares_that_it_is_one(client, spec, tenant, victim):
    ops = {op.operation_id: op for op in v1_operations(spec)}
    for op_id in ("create_interview", "create_event", "create_template"):
        op = ops[op_id]
        args = request_args(op, victim)
        if op_id == "create_template":
            args["json"] = {**args["json"], "locale": "fr"}
        headers = {**tenant.headers, "Idempotency-Key": f"replay-{op_id}"}
        first, again = client.request(**args, headers=headers), client.request(**args, headers=headers)
        assert first.status_code == again.status_code == 201, again.text
        assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
        assert again.headers["location"] == first.headers["location"]
        assert not header_failures(spec, op, first) + header_failures(spec, op, again)


def test_the_eml_declares_its_file_name(client, spec, tenant, victim):
    ops = {op.operation_id: op for op in v1_operations(spec)}
    for op_id in ("render_interview_message", "render_message"):
        r = client.request(**request_args(ops[op_id], victim), headers={**tenant.headers, "Accept": "message/rfc822"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("message/rfc822"), r.text
        assert r.headers["content-disposition"].endswith('.eml"')
        assert not header_failures(spec, ops[op_id], r)


def test_every_401_sends_its_declared_headers(client, spec, victim):
    failures = []
    for op in v1_operations(spec):
        r = client.request(**request_args(op, victim, unknown=UNKNOWN))
        assert_problem(r, 401)
        failures += header_failures(spec, op, r)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-directory/followup.db", "postgresql+psycopg://postgres@127.0.0.1:1/none"], ids=["sqlite", "postgres"]
)
def test_every_503_sends_its_declared_retry_after(url, spec):
    settings = Settings(database_url=url, db_connect_timeout=1, run_jobs=False, auth_cache_seconds=0, retry_after_seconds=7)
    ids = {"interview_id": UNKNOWN, "contact_id": "dana", "event_id": UNKNOWN, "template_id": UNKNOWN}
    failures = []
    with TestClient(create_app(settings), raise_server_exceptions=False) as down:
        for op in v1_operations(spec):
            args = request_args(op, ids)
            if op.operation_id == "create_interview":
                args["json"] = interview_body()
            r = down.request(**args, headers={"Authorization": "Bearer fu_" + "k" * 43})
            assert_problem(r, 503, validation=False)
            assert r.headers["retry-after"] == "7"
            failures += header_failures(spec, op, r)
    assert not failures, "\n".join(failures)
