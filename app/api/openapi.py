"""The OpenAPI document: readable operation ids, problem+json errors, links, headers.

Operation ids are the handler names (`create_interview`), so generated
clients get good method names. Links let stateful tools (schemathesis) and
readers follow a created interview, event or template to what reads and
changes it. Response headers that clients act on (ETag for If-Match,
Location, Retry-After, ...) are declared where they are sent, so a
generated client can expose them and a fuzzer checks that they are.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

VERSION = "1.0.0"

_INTERVIEW_ID = {"interview_id": "$response.body#/id"}
_TEMPLATE_ID = {"template_id": "$response.body#/id"}
_SAME_INTERVIEW = {"interview_id": "$request.path.interview_id"}

#: Where a created resource leads: (operation, status) -> {target operation: its
#: parameters as OpenAPI runtime expressions}. A generated client's docs and a
#: stateful fuzzer follow these from a new interview, event or template.
_LINKS: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("create_interview", "201"): {
        target: _INTERVIEW_ID
        for target in (
            "get_interview", "update_interview", "delete_interview", "create_event", "list_events",
            "list_interview_actions", "render_interview_message",
        )
    },  # fmt: skip
    ("create_event", "201"): {
        "get_event": {**_SAME_INTERVIEW, "event_id": "$response.body#/id"},
        "list_events": _SAME_INTERVIEW,
        "list_interview_actions": _SAME_INTERVIEW,
        "render_interview_message": _SAME_INTERVIEW,
    },
    ("create_template", "201"): {target: _TEMPLATE_ID for target in ("get_template", "replace_template", "delete_template")},
}


_WRITE_ONCE = ("Location", "Idempotent-Replayed")  # a create that takes an Idempotency-Key

#: Headers sent on a success: (operation, status) -> header names.
_SUCCESS_HEADERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("create_interview", "201"): ("ETag", *_WRITE_ONCE),
    ("get_interview", "200"): ("ETag",),
    ("update_interview", "200"): ("ETag",),
    ("create_event", "201"): ("ETag", *_WRITE_ONCE),
    ("get_event", "200"): ("ETag",),
    ("create_template", "201"): ("ETag", *_WRITE_ONCE),
    ("get_template", "200"): ("ETag",),
    ("replace_template", "200"): ("ETag",),
    ("get_policy", "200"): ("ETag",),
    ("replace_policy", "200"): ("ETag",),
    ("render_interview_message", "200"): ("Content-Disposition",),
    ("render_message", "200"): ("Content-Disposition",),
}

#: Headers sent with every response of a status, whatever the operation.
_STATUS_HEADERS = {"401": ("WWW-Authenticate",), "503": ("Retry-After",)}

_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The version of the resource; send it back in `If-Match` to change it safely.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$', "example": '"3"'},
    },
    "Location": {
        "description": "The path of the created resource.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/v1/"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Content-Disposition": {
        "description": "With the `.eml` (`Accept: message/rfc822`): an attachment and its file name.",
        "schema": {"type": "string", "pattern": "^attachment; filename="},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": "The scheme the API wants: a Bearer API key.",
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    },
    "X-Request-ID": {
        "description": "The request's `X-Request-ID` when it sent a sane one, else a new id: quote it in a bug report.",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    },
}


def operation_id(route: APIRoute) -> str:
    return route.name


def _problem_only(spec: dict[str, Any]) -> None:
    """Error responses are problem+json only (FastAPI adds application/json)."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code[0] in "45" and "application/problem+json" in content:
                    content.pop("application/json", None)


def _links(spec: dict[str, Any]) -> None:
    operations = {
        op.get("operationId"): op for path in spec.get("paths", {}).values() for op in path.values() if isinstance(op, dict)
    }
    for (source, status), targets in _LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is not None:
            response["links"] = {
                target: {"operationId": target, "parameters": dict(parameters)}
                for target, parameters in targets.items()
                if target in operations
            }


def _headers(spec: dict[str, Any]) -> None:
    spec.setdefault("components", {})["headers"] = _HEADERS
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                names = (
                    *_SUCCESS_HEADERS.get((operation.get("operationId"), status), ()),
                    *_STATUS_HEADERS.get(status, ()),
                    "X-Request-ID",
                )
                response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _security(spec: dict[str, Any]) -> None:
    """Every /v1 operation needs `Authorization: Bearer fu_...` (checked in app.api.deps)."""
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearerAuth"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `fu_` followed by random URL-safe characters.",
    }
    for path, item in spec.get("paths", {}).items():
        if path.startswith("/v1/"):
            for operation in item.values():
                operation["security"] = [{"bearerAuth": []}]


def build(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title="followup",
        version=VERSION,
        summary="What to do after a job interview, and the messages to send.",
        description=(
            "Stores interviews, plans the follow-up (thank-you, follow-up, LinkedIn, rejection reply) "
            "and renders the messages. Every error is `application/problem+json` (RFC 9457)."
        ),
        routes=app.routes,
    )
    _problem_only(spec)
    _links(spec)
    _headers(spec)
    _security(spec)
    app.openapi_schema = spec
    return spec
