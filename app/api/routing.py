"""The route class of every router: what FastAPI's own request handling leaves out.

FastAPI reads a JSON body with `Request.json` (json.loads), which keeps the last of
a repeated key; the request handed to the handler here reads it with
app.api.unique_keys.loads, whose RepeatedKey FastAPI turns into its 400 "error
parsing the body" (app.api.problems answers it as malformed JSON). Routes without a
body keep FastAPI's handler as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.api import unique_keys


class UniqueKeysRequest(Request):
    """A request whose JSON body may not repeat a key in one object (RepeatedKey)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = unique_keys.loads(await self.body())
        return self._json


class CheckedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            return await handler(UniqueKeysRequest(request.scope, request.receive))

        return checked
