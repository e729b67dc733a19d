"""A client generated from openapi/openapi.json by openapi-python-client drives the live server.

Generates the client into a temporary folder, imports it from there (nothing
is installed into the venv), and runs a full scenario against `followup
serve`: a tenant made with the CLI, an interview with a panel of three,
events, actions, and every message kind the spec lists. The module paths
are asserted, since they are the method names client authors read.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.live import ROOT, create_tenant_key, live_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SPEC = ROOT / "openapi" / "openapi.json"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "followup_client"
#: Module paths a client author sees: api/<tag>/<operation_id>.py.
EXPECTED_MODULES = {
    "api/interviews/create_interview.py",
    "api/interviews/list_interviews.py",
    "api/interviews/get_interview.py",
    "api/interviews/update_interview.py",
    "api/interviews/delete_interview.py",
    "api/events/create_event.py",
    "api/events/list_events.py",
    "api/actions/list_interview_actions.py",
    "api/actions/list_actions.py",
    "api/actions/plan_interview.py",
    "api/policy/get_policy.py",
    "api/policy/replace_policy.py",
}


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory) -> Path:
    if not GENERATOR.exists():
        pytest.skip(f"openapi-python-client is not installed at {GENERATOR}: pip install -e '.[test]'")
    if not SPEC.exists():
        pytest.skip("openapi/openapi.json is missing: run .venv/bin/followup openapi -o openapi/openapi.json")
    out = tmp_path_factory.mktemp("pyclient")
    config = out / "config.json"
    # No post hooks: the default runs ruff, which the venv need not have.
    config.write_text(json.dumps({"project_name_override": "followup-client", "package_name_override": PACKAGE, "post_hooks": []}))
    target = out / "followup-client"
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(SPEC), "--output-path", str(target), "--meta", "setup",
         "--config", str(config), "--overwrite", "--fail-on-warning"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"openapi-python-client failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return target


def test_operation_modules_read_well(generated_client):
    package = generated_client / PACKAGE
    modules = {p.relative_to(package).as_posix() for p in (package / "api").rglob("*.py") if p.name != "__init__.py"}
    missing = EXPECTED_MODULES - modules
    assert not missing, f"generated modules missing: {sorted(missing)}; got {sorted(modules)}"
    spec = json.loads(SPEC.read_text())
    op_ids = {op["operationId"] for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op}
    names = {Path(m).stem for m in modules}
    assert names == op_ids, f"module names differ from operation ids: {sorted(names ^ op_ids)}"
    for module in modules:
        assert "_v1_" not in module and not module.endswith(("_get.py", "_post.py")), module


def _import(generated_client: Path):
    sys.path.insert(0, str(generated_client))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE)


def test_full_scenario_through_the_generated_client(generated_client, database_url, tmp_path):
    key = create_tenant_key(database_url, "pyclient")
    _import(generated_client)
    try:
        from followup_client import AuthenticatedClient
        from followup_client.api.actions import list_actions, list_interview_actions
        from followup_client.api.events import create_event, list_events
        from followup_client.api.interviews import create_interview, get_interview
        from followup_client.models import EventCreate, InterviewCreate, MessageKind
        from followup_client.types import Response

        with live_server(database_url, log_dir=tmp_path) as server:
            client = AuthenticatedClient(base_url=server.url, token=key, raise_on_unexpected_status=True)
            started = datetime.now(UTC) - timedelta(days=3)
            body = InterviewCreate.from_dict(
                {
                    "candidate_name": "Ada Lovelace",
                    "candidate_email": "ada@example.com",
                    "job_title": "Analyst",
                    "company_name": "Engines Ltd",
                    "starts_at": started.isoformat(),
                    "format": "virtual",
                    "timezone": "Europe/London",
                    "topics": ["the difference engine"],
                    "interviewers": [
                        {"name": "Charles Babbage", "email": "charles@example.com", "role": "hiring_manager"},
                        {"name": "Mary Somerville", "email": "mary@example.com", "role": "interviewer",
                         "linkedin_url": "https://www.linkedin.com/in/mary"},
                        {"name": "Grace Recruiter", "email": "grace@example.com", "role": "recruiter"},
                    ],
                }
            )  # fmt: skip
            created: Response = create_interview.sync_detailed(client=client, body=body, idempotency_key="scenario-1")
            assert created.status_code == 201, created.content
            interview = created.parsed
            assert len(interview.interviewers) == 3
            assert created.headers["location"].endswith(interview.id)
            charles, mary, _grace = interview.interviewers

            again = get_interview.sync(interview.id, client=client)
            assert again.id == interview.id and again.candidate_name == "Ada Lovelace"
            # Timestamps are declared RFC 3339 in answers too, so the client parses them.
            assert isinstance(again.starts_at, datetime) and isinstance(again.created_at, datetime)
            assert abs(again.starts_at - started) < timedelta(milliseconds=1)

            sent = create_event.sync_detailed(
                interview.id,
                client=client,
                body=EventCreate.from_dict({"type": "thank_you_sent", "contact_id": charles.id,
                                            "occurred_at": (started + timedelta(hours=5)).isoformat()}),
            )  # fmt: skip
            assert sent.status_code == 201, sent.content
            timeline = list_events.sync(interview.id, client=client)
            assert [e.to_dict()["type"] for e in timeline.items] == ["thank_you_sent"]  # `type` is `type_` in Python

            actions = list_interview_actions.sync(interview.id, client=client)
            assert actions.interview_id == interview.id and actions.actions
            kinds = {a.kind.value for a in actions.actions}
            assert kinds & {"send_thank_you", "send_follow_up", "connect_on_linkedin", "wait"}, kinds
            for action in actions.actions:
                assert action.reason and action.rule
            tenant_wide = list_actions.sync(client=client)
            assert all(a.interview_id == interview.id for a in tenant_wide.items)

            rendered = _render_every_message_kind(client, interview.id, mary.id, started, MessageKind, EventCreate)
            assert rendered == {k.value for k in MessageKind}, rendered
    finally:
        sys.path.remove(str(generated_client))


def _render_every_message_kind(client, interview_id, contact_id, started, MessageKind, EventCreate) -> set[str]:
    """Render each kind the spec lists (messages routes may still be landing: then nothing)."""
    try:
        from followup_client.api.events import create_event
        from followup_client.api.messages import render_interview_message
    except ImportError:
        pytest.skip("the spec has no messages operations yet")
    rendered = set()
    kinds = sorted(MessageKind, key=lambda k: k.value == "rejection_reply")  # the reply needs a rejection first
    for kind in kinds:
        if kind.value == "rejection_reply":
            rejection = EventCreate.from_dict({"type": "rejection_received", "occurred_at": (started + timedelta(days=2)).isoformat()})
            assert create_event.sync_detailed(interview_id, client=client, body=rejection).status_code == 201
        needs_contact = kind.value in {"thank_you", "linkedin_note"}
        answer = render_interview_message.sync_detailed(
            interview_id, kind, client=client, contact_id=contact_id if needs_contact else None
        )
        assert answer.status_code == 200, f"{kind.value}: {answer.status_code} {answer.content[:500]!r}"
        message = answer.parsed
        assert message.kind.value == kind.value and message.text, kind
        rendered.add(kind.value)
    return rendered
