"""Every /v1 operation of the app's OpenAPI document refuses a request without a valid key.

The operations come from the spec the app serves, so a new route is covered the
day it is added (and fails here until tests/api/spec_calls.BODIES knows its body).
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.db import tenants as tenants_repo
from tests.api.helpers import assert_problem, snapshot
from tests.api.spec_calls import BODIES, request_args, v1_operations


def test_bodies_table_covers_every_operation_with_a_body(spec):
    ops = v1_operations(spec)
    with_body = {op.operation_id for op in ops if op.has_body}
    missing = with_body - set(BODIES)
    assert not missing, f"add a minimal valid body to tests/api/spec_calls.BODIES for: {sorted(missing)}"
    stale = set(BODIES) - {op.operation_id for op in ops}
    assert not stale, f"BODIES names operations the API no longer has: {sorted(stale)}"


def test_spec_lists_the_known_operations(spec):
    """Guards the generator itself: an empty or partial enumeration would pass vacuously."""
    ids = {op.operation_id for op in v1_operations(spec)}
    assert {"create_interview", "list_interviews", "get_interview", "update_interview", "delete_interview",
            "create_event", "list_events", "list_interview_actions", "list_actions", "get_policy",
            "replace_policy", "plan_interview", "create_template", "get_template"} <= ids


def _unauthorised_headers(real_key: str) -> dict[str, dict[str, str]]:
    return {
        "no key": {},
        "wrong key": {"Authorization": "Bearer fu_wrong"},
        "empty bearer": {"Authorization": "Bearer"},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        "no scheme": {"Authorization": real_key},
        "other scheme with a real key": {"Authorization": f"Token {real_key}"},
        "key without prefix": {"Authorization": "Bearer " + real_key.removeprefix("fu_")},
        "key with suffix": {"Authorization": f"Bearer {real_key}x"},
        "overlong key": {"Authorization": "Bearer fu_" + "a" * 5000},
        "key in another header": {"X-API-Key": real_key},
    }


def test_every_operation_answers_401(client, app, spec, tenant, victim):
    """Each way of not presenting a valid key, on each operation (failures listed together)."""
    before = snapshot(app.state.db)
    failures = []
    calls = 0
    for variant, headers in _unauthorised_headers(tenant.key).items():
        for op in v1_operations(spec):
            r = client.request(**request_args(op, victim, unknown="00000000-0000-4000-8000-000000000000"), headers=headers)
            calls += 1
            try:
                assert_problem(r, 401)
                assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), "401 needs WWW-Authenticate: Bearer"
            except AssertionError as error:
                failures.append(f"{variant}: {op}: {error}")
    assert not failures, "\n".join(failures)
    assert calls >= 10 * 19
    assert snapshot(app.state.db) == before, "an unauthenticated call changed stored data"


def test_the_same_calls_succeed_with_the_key(client, spec, tenant, victim):
    """The generated calls are valid: with the key, none of them is refused."""
    for op in v1_operations(spec):
        r = client.request(**request_args(op, victim), headers=tenant.headers)
        assert r.status_code < 300, f"{op}: {r.status_code} {r.text[:500]}"


def test_a_revoked_key_is_refused(client, app, tenant):
    assert client.get("/v1/interviews", headers=tenant.headers).status_code == 200
    with app.state.db.session(write=True) as session:
        keys = tenants_repo.list_keys(session, tenant_id=tenant.tenant_id)
        assert tenants_repo.revoke_key(session, key_id_or_prefix=keys[0].id, now=datetime.now(UTC)) == 1
    assert_problem(client.get("/v1/interviews", headers=tenant.headers), 401)


def test_auth_comes_before_validation(client, spec, victim):
    """Without a key, even an invalid request learns nothing but 401."""
    for op in v1_operations(spec):
        args = request_args(op, victim, unknown="not-a-uuid")
        if "json" in args:
            args["json"] = {"unknown_field": True}
        args["params"] = {**args.get("params", {}), "limit": "0", "at": "yesterday"}
        r = client.request(**args)
        assert_problem(r, 401)
