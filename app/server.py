"""Running the app under uvicorn.

With `--workers N` uvicorn hands the workers an inherited listening socket on
which TCP_NODELAY is never set, and every keep-alive response then waits
~40 ms for Nagle's algorithm and delayed ACKs (uvicorn issue #3149;
performance-notes.md). The protocol below sets TCP_NODELAY on each accepted
connection, which keeps the default asyncio loop (steadier tail than uvloop
at saturation) without the delay.
"""

from __future__ import annotations

import asyncio
import gc
import socket

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.api.app import create_app


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)


def app_factory() -> FastAPI:
    """Entry point for uvicorn's workers (each builds its own app and engine).

    The objects alive after start-up (routes, schemas, compiled templates)
    live as long as the process: freezing them keeps the garbage collector
    from walking them again on every full collection.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def serve(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    uvicorn.run(
        "app.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="asyncio",
        http="app.server:NoDelayHttpToolsProtocol",
        log_level=log_level,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
