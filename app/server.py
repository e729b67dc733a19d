"""Running the app under uvicorn.

Two things uvicorn's `--workers N` does not do well on its own:

- It hands the workers an inherited listening socket on which TCP_NODELAY is
  never set, and every keep-alive response then waits ~40 ms for Nagle's
  algorithm and delayed ACKs (uvicorn issue #3149; performance-notes.md).
  The protocol below sets TCP_NODELAY on each accepted connection, which
  keeps the default asyncio loop (steadier tail than uvloop at saturation)
  without the delay.
- It leaves the split of connections between the workers to chance: all
  workers accept from the one shared socket, and asyncio accepts every
  pending connection in one go, so a burst (a proxy opening its pool, a load
  generator) lands on whichever worker wakes first (wrk's 16 connections all
  went to one of two workers). app.connection_balance makes the workers share
  connections out evenly (tests/e2e/test_workers.py).

And one thing it does on its own that the API contract rules out: a request
httptools cannot parse (two Content-Lengths, a control character in a header)
was answered `text/plain`; the protocol answers it as problem+json.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import socket
from typing import Any

import uvicorn
import uvicorn.config
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from app import connection_balance
from app.api.app import create_app
from app.api.middleware import REQUEST_ID, request_id_of
from app.api.problems import PROBLEM, problem

#: The answer to a request httptools cannot parse, which no ASGI app ever sees.
_UNPARSABLE = problem(
    400,
    "The request is not valid HTTP/1.1 (a request line or header that is malformed or too long, a header value "
    "with a control character, or a Content-Length that is not one number or comes with Transfer-Encoding); it was not read.",
).body


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with TCP_NODELAY, counting its worker's connections."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        connection_balance.connection_opened(self.loop)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        connection_balance.connection_closed(self.loop)
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """What httptools refuses, as problem+json like every other error (uvicorn
        writes `text/plain` "Invalid HTTP request received."), then close, as uvicorn does."""
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        for name, value in (
            (b"content-type", PROBLEM.encode()),
            (b"content-length", str(len(_UNPARSABLE)).encode()),
            (b"connection", b"close"),
            (REQUEST_ID, request_id_of({"headers": []})),
        ):
            head.append(name + b": " + value + b"\r\n")
        self.transport.write(b"".join(head) + b"\r\n" + _UNPARSABLE)
        self.transport.close()


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


def log_config(log_level: str) -> dict[str, Any]:
    """uvicorn's logging, plus the service's own loggers at the same level.

    Without a handler of their own, the `followup.*` loggers (errors, jobs, the
    access log) fell through to Python's last-resort handler: bare messages,
    warnings only. Their lines name the request they were written for (its
    `X-Request-ID`, app.api.request_context); the access log goes to stdout
    like uvicorn's did. An unforeseen error's traceback is printed once, by the
    service with its request id, not again by uvicorn (problems.AlreadyLoggedFilter).
    """
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["request_id"] = {"()": "app.api.request_context.RequestIdFilter"}
    config["filters"]["already_logged"] = {"()": "app.api.problems.AlreadyLoggedFilter"}
    config["formatters"]["followup"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(message)s [request %(request_id)s]",
        "use_colors": None,
    }
    config["handlers"]["followup"] = {
        "formatter": "followup",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "filters": ["request_id"],
    }
    config["handlers"]["followup_access"] = {
        "formatter": "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    level = log_level.upper()
    config["loggers"]["followup"] = {"handlers": ["followup"], "level": level, "propagate": False}
    config["loggers"]["followup.access"] = {"handlers": ["followup_access"], "level": level, "propagate": False}
    config["loggers"]["uvicorn.error"]["filters"] = ["already_logged"]
    return config


def serve(
    *, host: str, port: int, workers: int, log_level: str = "info", app: str = "app.server:app_factory", factory: bool = True
) -> None:
    """Serve `app` (an import string; the benchmarks' control app runs under this too)."""
    options: dict[str, Any] = {
        "factory": factory,
        "host": host,
        "port": port,
        "workers": workers,
        "loop": "asyncio",
        "http": "app.server:NoDelayHttpToolsProtocol",
        "log_level": log_level,
        "log_config": log_config(log_level),
        "access_log": False,  # app.api.access_log writes one line per request instead
        "proxy_headers": True,
        "server_header": False,
        "timeout_graceful_shutdown": 10,
    }
    if workers <= 1:
        uvicorn.run(app, **options)
        return
    # uvicorn.run's multi-worker branch, with workers that share connections out evenly.
    config = uvicorn.Config(app, **{**options, "loop": "app.connection_balance:balanced_loop"})
    sockets = [config.bind_socket()]
    with connection_balance.table_for_workers(workers):
        try:
            Multiprocess(config, sockets=sockets).run()
        except KeyboardInterrupt:
            pass
