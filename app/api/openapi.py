"""The OpenAPI document: readable operation ids, problem+json errors, links.

Operation ids are the handler names (`create_interview`), so generated
clients get good method names. Links let stateful tools (schemathesis) and
readers follow a created interview to its sub-resources.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

VERSION = "1.0.0"

_FROM_INTERVIEW = {
    "get_interview": "interview_id",
    "update_interview": "interview_id",
    "delete_interview": "interview_id",
    "create_event": "interview_id",
    "list_events": "interview_id",
    "list_interview_actions": "interview_id",
    "render_interview_message": "interview_id",
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
    created = operations.get("create_interview", {}).get("responses", {}).get("201")
    if created is None:
        return
    created["links"] = {
        target: {"operationId": target, "parameters": {param: "$response.body#/id"}}
        for target, param in _FROM_INTERVIEW.items()
        if target in operations
    }


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
    _security(spec)
    app.openapi_schema = spec
    return spec
