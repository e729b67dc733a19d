"""One GET through the service's whole ASGI app in process (auth, validation, query,
serialisation): the server's time, without a client, a socket or a network."""

from __future__ import annotations

import time
from typing import Any


async def get(app: Any, key: str, path: str, query: str) -> tuple[float, bytes]:
    """(milliseconds, body) of `GET path?query` as the tenant of `key`; asserts a 200."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    started = time.perf_counter()
    await app(scope, receive, send)
    elapsed = (time.perf_counter() - started) * 1000
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert sent[0]["status"] == 200, (path, query, sent[0], body[:500])
    return elapsed, body
