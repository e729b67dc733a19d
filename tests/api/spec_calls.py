"""Calls built from the app's own OpenAPI document, so a new route cannot be forgotten.

`BODIES` holds a minimal valid body per operationId; a test asserts it covers every
operation that takes a body, so a new route fails the generated tests until it is
added here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from app.domain.policy import Policy
from tests.api.helpers import ago, interview_body, iso

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    spec: dict
    schemas: dict  # components/schemas of the whole document, to resolve $refs

    @property
    def path_params(self) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == "path"]

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.spec

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} ({self.operation_id})"


def v1_operations(spec: dict) -> list[Operation]:
    ops = [
        Operation(method, path, op["operationId"], op, spec.get("components", {}).get("schemas", {}))
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, op in item.items()
        if method in METHODS
    ]
    # Deletes last, so a caller that runs them all keeps its resources until the end.
    return sorted(ops, key=lambda o: (o.method == "delete", o.path, o.method))


def _policy_body(_ids: dict[str, str]) -> dict[str, Any]:
    return Policy().to_mapping()


def _plan_body(_ids: dict[str, str]) -> dict[str, Any]:
    interview = interview_body()
    interview["interviewers"] = [{"id": "dana", "name": "Dana Lee", "email": "dana@acme.example"}]
    return {"interview": interview, "events": [{"type": "thank_you_sent", "contact_id": "dana"}]}


def _render_body(ids: dict[str, str]) -> dict[str, Any]:
    body = _plan_body(ids)
    return {**body, "message_kind": "thank_you", "contact_id": "dana"}


#: A tenant template that the victim resources of the generated tests already hold
#: (kind and locale are unique per tenant, so creating uses another pair).
VICTIM_TEMPLATE = {"message_kind": "thank_you", "locale": "en", "subject": "Thank you", "text": "Thank you for your time."}


#: operationId -> a minimal valid body (given the ids of the resources in the path).
BODIES: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
    "create_interview": lambda ids: interview_body(),
    "update_interview": lambda ids: {"notes": "changed by a generated call"},
    "create_event": lambda ids: {"type": "response_received", "occurred_at": iso(ago(hours=1))},
    "plan_interview": _plan_body,
    "replace_policy": _policy_body,
    "render_message": _render_body,
    "create_template": lambda ids: {"message_kind": "follow_up", "locale": "de", "subject": "Nachfrage", "text": "Guten Tag."},
    "replace_template": lambda ids: {**VICTIM_TEMPLATE, "text": "Thank you again."},
    "preview_template": lambda ids: {"template": VICTIM_TEMPLATE},
}


#: operationId -> query parameters a valid call needs (beyond the spec's required ones).
QUERIES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "render_interview_message": lambda ids: {"contact_id": ids.get("contact_id", "unknown")},
}


def fill_path(op: Operation, ids: dict[str, str], *, unknown: str | None = None) -> str:
    """The path with each parameter replaced: an enum's first value, else `ids[name]`.

    With `unknown` set, a parameter missing from `ids` takes that value; without,
    it raises, so a test names the resource it still needs to create.
    """
    url = op.path
    for param in op.path_params:
        name = param["name"]
        schema = param.get("schema", {})
        if "$ref" in schema:
            schema = op.schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        enum = schema.get("enum")
        if enum:
            value = enum[0]
        elif name in ids:
            value = ids[name]
        elif unknown is not None:
            value = unknown
        else:
            raise LookupError(f"{op}: no value for path parameter {name!r}; create such a resource in the test")
        url = url.replace("{" + name + "}", value)
    return url


def request_args(op: Operation, ids: dict[str, str], *, unknown: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `client.request` (method, url, json)."""
    args: dict[str, Any] = {"method": op.method.upper(), "url": fill_path(op, ids, unknown=unknown)}
    if op.has_body:
        if op.operation_id not in BODIES:
            raise LookupError(f"{op}: add a minimal valid body for {op.operation_id!r} to tests/api/spec_calls.BODIES")
        args["json"] = BODIES[op.operation_id](ids)
    if op.operation_id in QUERIES:
        args["params"] = QUERIES[op.operation_id](ids)
    return args


def random_uuid() -> str:
    return str(uuid.uuid4())


def with_path_ids(ops: list[Operation]) -> Iterator[Operation]:
    return (op for op in ops if any(p["name"].endswith("_id") for p in op.path_params))
