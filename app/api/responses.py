"""OpenAPI declarations of the problem responses each route can answer."""

from __future__ import annotations

from typing import Any

from app.api.schemas.common import Problem

_DESCRIPTIONS = {
    400: "Malformed JSON body.",
    401: "Missing or invalid API key.",
    404: "No such resource for this tenant.",
    409: "Conflicts with stored data.",
    412: "If-Match names an older version.",
    413: "Body larger than 1 MiB.",
    415: "Unsupported media type.",
    422: "Invalid input; `errors` names each field.",
    503: "Database unreachable, or (tenant templates) every sandbox worker busy; retry after `Retry-After` seconds.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Problem responses for the given status codes, plus 401/422/503 always (and 415 with 413)."""
    extra = {415} if 413 in codes else set()  # a route that takes a body takes it as JSON only
    wanted = sorted({401, 422, 503, *codes, *extra})
    return {
        code: {
            "model": Problem,
            "description": _DESCRIPTIONS[code],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in wanted
    }
