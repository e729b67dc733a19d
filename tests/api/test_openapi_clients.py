"""The OpenAPI document as a client generator reads it: what it types, names and documents.

A generated client types a property the spec leaves out of `required` as
"may be absent" (`Unset` in openapi-python-client, `?` in TypeScript), and
names an inline schema after the route (`HealthzResponseHealthz`). The
contract says absent optional values are null, not omitted, so what the
server always sends is declared required (and nullable where it can be null).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.api.app import create_app
from app.settings import Settings
from tests.api.test_openapi import operations


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(database_url="sqlite:///:memory:", run_jobs=False)).openapi()


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(spec: dict, roots: list) -> set[str]:
    schemas, seen = spec["components"]["schemas"], set()
    todo = [name for root in roots for name in _refs(root)]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(schemas[name]))
    return seen


def response_schemas(spec: dict) -> set[str]:
    """Every schema a response (success or problem) can contain."""
    return _reachable(spec, [op["responses"] for _, _, op in operations(spec)])


def test_response_properties_are_all_required(spec):
    """The server sends every member of a response object, null when it has no value."""
    schemas = spec["components"]["schemas"]
    loose = {
        name: sorted(set(schemas[name]["properties"]) - set(schemas[name].get("required", ())))
        for name in sorted(response_schemas(spec))
        if "properties" in schemas[name]
    }
    loose = {name: props for name, props in loose.items() if props}
    assert not loose, f"response properties a client would type as possibly absent: {loose}"


def test_a_partial_agency_is_answered_whole(client, tenant):
    """What the test above holds the spec to: the agency comes back with every member."""
    from tests.api.helpers import interview_body

    r = client.post("/v1/interviews", json=interview_body(agency={"name": "Hays"}), headers=tenant.headers)
    assert r.status_code == 201, r.text
    assert r.json()["agency"] == {"name": "Hays", "contact_name": None, "contact_email": None}


def test_json_responses_are_named_schemas(spec):
    """An inline object gets a name made up from the route (`HealthzResponseHealthz`)."""
    inline = [
        f"{method.upper()} {path} {status}"
        for path, method, op in operations(spec)
        for status, response in op["responses"].items()
        for media, content in response.get("content", {}).items()
        if media.endswith("json") and "$ref" not in content.get("schema", {})
    ]
    assert not inline, f"inline response schemas: {inline}"


def test_every_operation_says_what_it_does(spec):
    """The handler's docstring is the operation's description (a generated method's doc comment)."""
    from fastapi.routing import APIRoute

    from app.api.routes import actions, events, health, interviews, messages, policy, templates

    described = {op["operationId"]: op.get("description", "") for _, _, op in operations(spec)}
    routes = [r for m in (actions, events, health, interviews, messages, policy, templates) for r in m.router.routes]
    assert {r.name for r in routes} == set(described)
    missing = [
        route.name
        for route in routes
        if isinstance(route, APIRoute) and not described[route.name].startswith(route.endpoint.__doc__.strip().splitlines()[0])
    ]
    assert not missing, f"operations whose description drops what they do: {missing}"


def test_every_parameter_and_enum_is_described(spec):
    """A generated method's arguments and enum types carry these as doc comments."""
    bare = [
        f"{method.upper()} {path} {p['in']} {p['name']}"
        for path, method, op in operations(spec)
        for p in op.get("parameters", [])
        if not p.get("description")
    ]
    bare += [f"enum {name}" for name, schema in spec["components"]["schemas"].items() if "enum" in schema and not schema.get("description")]
    assert not bare, f"undescribed: {bare}"


#: Property names that say what they hold; every other property carries a description.
SELF_EVIDENT = {
    "id", "interview_id", "name", "email", "candidate_name", "job_title", "company_name", "contact_name",
    "contact_email", "starts_at", "created_at", "updated_at", "occurred_at", "due_at", "format", "kind", "state",
    "type", "status", "priority", "rule", "role", "code", "message", "items", "actions", "interviewers", "notes",
    "note", "agency", "source", "subject", "message_kind", "channel", "interview", "template",
}  # fmt: skip


def test_every_property_says_what_it_holds(spec):
    """Units, ranges, formats and what null means are in the description when the name does not say them."""
    bare = [
        f"{name}.{prop}"
        for name, schema in spec["components"]["schemas"].items()
        for prop, node in schema.get("properties", {}).items()
        if prop not in SELF_EVIDENT and not node.get("description")
    ]
    assert not bare, f"undescribed properties: {bare}"


@pytest.mark.parametrize("name", ["InterviewCreate", "EventCreate", "PolicyPut"])
def test_bodies_a_client_writes_by_hand_have_valid_examples(spec, name):
    """A reader of the docs copies these: each is one the server takes."""
    from app.api.schemas.events import EventCreate
    from app.api.schemas.interviews import InterviewCreate
    from app.api.schemas.policy import PolicyPut

    examples = spec["components"]["schemas"][name].get("examples")
    assert examples, f"{name} has no example"
    model = {"InterviewCreate": InterviewCreate, "EventCreate": EventCreate, "PolicyPut": PolicyPut}[name]
    for example in examples:
        model.model_validate(example)
