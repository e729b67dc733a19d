"""The route class of every router: what FastAPI's own request handling leaves out.

- A JSON body: FastAPI reads it with `Request.json` (json.loads), which keeps the
  last of a repeated key; the request handed to the handler here reads it with
  app.api.unique_keys.loads, whose RepeatedKey FastAPI turns into its 400 "error
  parsing the body" (app.api.problems answers it as malformed JSON).
- A query parameter that takes one value, sent more than once (`?status=active&status=closed`):
  FastAPI keeps the last, so a client that meant "either" got one without a word.
  It is refused input at `query.<name>` (422), before FastAPI reads the request.

Routes with neither keep FastAPI's handler as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from app.api import unique_keys

REPEATED = "was sent more than once; it takes one value"


class UniqueKeysRequest(Request):
    """A request whose JSON body may not repeat a key in one object (RepeatedKey)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = unique_keys.loads(await self.body())
        return self._json


class CheckedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        single = _single_valued(self.dependant)
        reads_json = self.body_field is not None
        if not single and not reads_json:
            return handler

        async def checked(request: Request) -> Response:
            if reads_json:
                request = UniqueKeysRequest(request.scope, request.receive)
            if single and request.scope["query_string"]:
                _refuse_repeats(request, single)
            return await handler(request)

        return checked


def _refuse_repeats(request: Request, single: frozenset[str]) -> None:
    params = request.query_params  # parsed once: FastAPI reads the same object
    if len(params) == len(params.multi_items()):
        return
    repeated = sorted(name for name in params if name in single and len(params.getlist(name)) > 1)
    if repeated:
        raise RequestValidationError([{"type": "repeated", "loc": ("query", name), "msg": REPEATED} for name in repeated])


def _single_valued(dependant: Dependant) -> frozenset[str]:
    """The query parameters of a route (its dependencies' included) that take one value."""
    names = {field.alias for field in dependant.query_params if not _takes_many(field.field_info.annotation)}
    for sub in dependant.dependencies:
        names |= _single_valued(sub)
    return frozenset(names)


def _takes_many(annotation: Any) -> bool:
    """A list, set or tuple (optional or not): FastAPI reads every value of it."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    kind = origin or annotation
    return isinstance(kind, type) and issubclass(kind, (Sequence, set, frozenset)) and not issubclass(kind, (str, bytes))
