"""Typed errors raised by the services, mapped to problem+json in one place
(app.api.problems).

    ServiceError
    ├── Unauthenticated     401  no API key, or not a valid one
    ├── NotFound            404  the id does not exist for this tenant
    ├── Conflict            409  the request clashes with stored state
    ├── PreconditionFailed  412  If-Match names an older version
    ├── InvalidInput        422  a value breaks a rule; `errors` name each field
    ├── IdempotencyMismatch 422  an Idempotency-Key reused with another body
    └── Unavailable         503  a dependency (the database) is down
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 500
    title = "Internal error"
    #: The problem type when several titles share one (None: named after the title).
    slug: str | None = None

    def __init__(self, detail: str, *, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class PreconditionFailed(ServiceError):
    status = 412
    title = "Precondition failed"


class InvalidInput(ServiceError):
    status = 422
    title = "Invalid input"
    slug = "validation"  # the same problem as a request the schema refuses


class IdempotencyMismatch(ServiceError):
    status = 422
    title = "Idempotency key reused"


class Unavailable(ServiceError):
    status = 503
    title = "Service unavailable"


class Unauthenticated(ServiceError):
    status = 401
    title = "Unauthorized"
