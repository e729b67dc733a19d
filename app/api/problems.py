"""RFC 9457 problem+json for every error, mapped in one place.

Services raise typed errors (app.services.errors); validation, routing and
database failures are translated here too, so a client never sees a stack
trace or an HTML error page.
"""

from __future__ import annotations

import contextlib
import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path, get_route_path

from app.api.patterns import sentence_for
from app.api.unique_keys import RepeatedKey, line_and_column
from app.db.diagnostics import log_failure
from app.echo import clipped
from app.messages.errors import MessageError, MessageNotApplicable, MessageRequestError, SandboxUnavailable
from app.services.errors import ServiceError

log = logging.getLogger("followup.api")
PROBLEM = "application/problem+json"
TYPE_BASE = "https://followup.invalid/problems/"


#: Our wording where Python's phrase differs between versions or from BodyLimitMiddleware's
#: (3.11 says "Request Entity Too Large", 3.13 "Content Too Large").
_TITLES = {413: "Payload too large"}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    slug: str | None = None,
) -> Response:
    title = title or _TITLES.get(status) or _sentence_case(HTTPStatus(status).phrase)
    body: dict[str, Any] = {
        # One problem, one type: named after its title unless a slug groups several titles.
        "type": TYPE_BASE + (slug or title.lower().replace(" ", "-").replace("'", "")),
        "title": title,
        "status": status,
        "detail": detail,
        # Present on every problem, null when there is no list: absent values are null, not omitted.
        "errors": errors,
    }
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


def _sentence_case(phrase: str) -> str:
    """"Not Found" as "Not found": the titles the services give (app.services.errors), so a
    problem type has one title whichever layer answers it."""
    return phrase[:1] + phrase[1:].lower()


def _loc(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc)


def _validation_message(error: dict) -> str:
    message = error.get("msg", "is not valid")
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field: it is not part of this resource"
    if kind == "missing":
        return "is required"
    if kind == "timezone_aware":
        return "needs a UTC offset, e.g. 2026-04-14T10:00:00+02:00"
    if kind == "string_pattern_mismatch" and (sentence := sentence_for(str((error.get("ctx") or {}).get("pattern", "")))):
        return sentence
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be blank"
    if kind == "too_long" and "max_length" in ctx:
        return f"must have at most {ctx['max_length']} items"
    if kind == "too_short" and "min_length" in ctx:
        return f"must have at least {ctx['min_length']} item{'s' if ctx['min_length'] != 1 else ''}"
    raw = error.get("input")
    if kind.startswith(("datetime_", "date_")) and tuple(error.get("loc", ()))[:1] == ("query",) and isinstance(raw, str) and " " in raw:
        # An unescaped "+" in a query string arrives as a space (form encoding).
        return f"needs an RFC 3339 timestamp; a '+' in a query string must be sent as %2B, e.g. {clipped(raw.replace(' ', '%2B', 1))}"
    return message.removeprefix("Value error, ").rstrip(".")


def malformed_json(message: str) -> Response:
    """The one problem for a body that cannot be parsed, whatever the parser tripped on.
    Its error sits at `body`: a character offset is no field a client could show it at."""
    return problem(400, f"The request body {message}.", title="Malformed JSON", errors=[{"loc": "body", "message": message}])


def _syntax_error(error: dict, document: object) -> str:
    """`is not valid JSON: <what> at line L, column C` for the parser's first error."""
    what = str((error.get("ctx") or {}).get("error", "")).removesuffix(" at").strip() or "a syntax error"
    reason = f"is not valid JSON: {what[:1].lower()}{what[1:]}"
    position = error.get("loc", ("body", None))[-1]
    if not isinstance(position, int) or not isinstance(document, str):
        return reason
    return f"{reason} at {line_and_column(document, position)}"


def _unparsable(cause: BaseException | None) -> str:
    """Why the parser gave up where FastAPI only says "There was an error parsing the body"."""
    if isinstance(cause, RepeatedKey):
        return str(cause)
    if isinstance(cause, UnicodeDecodeError):
        return f"is not UTF-8 text: the byte at position {cause.start} (0x{cause.object[cause.start]:02x}) is not valid UTF-8"
    if isinstance(cause, RecursionError):
        return "nests arrays or objects too deeply to be read"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return "holds an integer with too many digits to be read"
    return "is not valid JSON"


#: What FastAPI says for a body its parser raised anything but a syntax error on (fastapi.routing).
_PARSE_FAILURE = "There was an error parsing the body"


def validation_problem(errors: list[dict], document: object = None) -> Response:
    for error in errors:
        if error.get("type") == "json_invalid":
            return malformed_json(_syntax_error(error, document))
    items = [{"loc": _loc(e.get("loc", ())), "message": _validation_message(e)} for e in errors]
    summary = "; ".join(f"{i['loc']}: {i['message']}" for i in items[:5])
    more = f" (and {len(items) - 5} more)" if len(items) > 5 else ""
    return problem(422, f"The request is not valid: {summary}{more}.", title="Invalid input", errors=items, slug="validation")


def _body_not_json(request: Request) -> bool:
    """A body was sent, but not as JSON (FastAPI then validates its raw bytes)."""
    headers = request.headers
    if headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers:
        return False
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return not (media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json")))


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (RFC 9110: `Allow` lists them all).

    Starlette answers 405 from the first route whose path matches, so its `Allow`
    names only that route's methods (e.g. `POST` where GET and POST both exist).
    FastAPI keeps included routers as nested entries of `app.router.routes`, so
    the routes are walked through `iter_route_contexts`, which yields each route
    with its full path.
    """
    path = get_route_path(request.scope)
    matches: list[tuple[int, set[str]]] = []
    for route in iter_route_contexts(request.app.router.routes):
        if route.path and route.methods:
            regex, _, convertors = compile_path(route.path)
            if regex.match(path):
                matches.append((len(convertors), set(route.methods)))
    # The most literal paths own the URL: /v1/templates/preview, not /v1/templates/{template_id}.
    fewest = min((params for params, _ in matches), default=0)
    methods: set[str] = set().union(*(m for params, m in matches if params == fewest))
    if not matches:
        methods = {"GET"}  # a mount of static files (the offline /docs assets)
    if "GET" in methods:
        methods.add("HEAD")  # served for every GET (app.api.fastlane.FollowupAPI)
    return ", ".join(sorted(methods))


def install(app: FastAPI, *, retry_after: int) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if _body_not_json(request) and any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors):
            return problem(
                415,
                "The request body must be JSON: send it with `Content-Type: application/json`.",
                title="Unsupported media type",
            )
        return validation_problem(errors, exc.body)

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError) -> Response:
        errors = [{"loc": loc, "message": message} for loc, message in exc.errors] if exc.errors or exc.status == 422 else None
        headers = None
        if exc.status == 503:
            headers = {"Retry-After": str(retry_after)}
        elif exc.status == 401:
            # RFC 9110 15.5.2 / RFC 6750 3: a 401 names the scheme it wants.
            headers = {"WWW-Authenticate": 'Bearer realm="followup"'}
        return problem(exc.status, exc.detail, title=exc.title, errors=errors, headers=headers, slug=exc.slug)

    @app.exception_handler(MessageError)
    async def _message(request: Request, exc: MessageError) -> Response:
        if isinstance(exc, SandboxUnavailable):
            return problem(503, f"The server is busy: {exc}.", headers={"Retry-After": str(retry_after)})
        if isinstance(exc, MessageRequestError) and exc.field:
            # A parameter the client sent (or left out) is refused input, at its place.
            where = "query" if request.method in ("GET", "HEAD") else "body"
            errors = [{"loc": f"{where}.{exc.field}", "message": str(exc)}]
            return problem(422, str(exc), title="Invalid input", errors=errors, slug="validation")
        errors = [{"loc": f"template.{field}", "message": message} for field, message in getattr(exc, "errors", [])]
        title = "Message not applicable" if isinstance(exc, MessageNotApplicable) else "Message cannot be rendered"
        return problem(422, str(exc), title=title, errors=errors or [{"loc": "message", "message": str(exc)}])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400 and detail == _PARSE_FAILURE:
            return malformed_json(_unparsable(exc.__cause__))
        if exc.status_code == 404 and detail == "Not Found":
            path = request.url.path
            if len(path) > 1 and path.endswith("/"):
                detail = f"There is no such resource here: the API's paths end without a slash ({path.rstrip('/')[:200]})."
            else:
                detail = "There is no such resource here; see /docs for the API."
        elif exc.status_code == 405:
            detail = "This method is not allowed on this resource; see /docs for the API."
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return problem(exc.status_code, detail, headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _unavailable(_request: Request, exc: Exception) -> Response:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return problem(
            503,
            "The database is unreachable or busy right now; retry shortly.",
            headers={"Retry-After": str(retry_after)},
        )

    @app.exception_handler(DBAPIError)
    async def _dbapi(_request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return await _unavailable(_request, exc)
        if "NUL (0x00)" in str(exc.orig):
            # PostgreSQL refuses NUL in text; in a path or query it is bad input, not a server fault.
            return problem(
                422,
                "Text may not contain NUL (0x00) characters.",
                title="Invalid input",
                errors=[{"loc": "request", "message": "contains a NUL character"}],
                slug="validation",
            )
        log_failure(log, "database error", exc)
        return problem(500, "An unexpected database error occurred; it has been logged.")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        return unexpected(exc)


def unexpected(exc: BaseException) -> Response:
    """The 500 for an error nobody foresaw: logged with its traceback, answered without it.

    Logged once: UnexpectedErrorMiddleware answers first and raises the error again,
    and Starlette's ServerErrorMiddleware then calls this handler too.
    """
    if not getattr(exc, _LOGGED, False):
        log.error("unhandled error", exc_info=exc)
        with contextlib.suppress(AttributeError):
            setattr(exc, _LOGGED, True)
    return problem(500, "An unexpected error occurred; it has been logged.")


_LOGGED = "_followup_logged"


class AlreadyLoggedFilter(logging.Filter):
    """Drops uvicorn's "Exception in ASGI application" for an error `unexpected` has logged.

    The error is raised again after its 500 is answered (UnexpectedErrorMiddleware), and
    uvicorn then prints the same traceback a second time, without the request id that
    ties the first one to the access line; a log reader saw two failures for one.
    Errors that never reached `unexpected` (a crash outside the app) still get uvicorn's line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not getattr(error, _LOGGED, False)
