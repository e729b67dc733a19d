"""Running the app under uvicorn.

Two things uvicorn's `--workers N` does not do well on its own:

- It hands the workers an inherited listening socket on which TCP_NODELAY is
  never set, and every keep-alive response then waits ~40 ms for Nagle's
  algorithm and delayed ACKs (uvicorn issue #3149; performance-notes.md).
  The protocol below sets TCP_NODELAY on each accepted connection, which
  keeps the default asyncio loop (steadier tail than uvloop at saturation)
  without the delay.
- All workers accept from that one shared socket, and asyncio accepts every
  pending connection in one go: a burst of new connections (a proxy opening
  its pool, a load generator) lands on whichever worker wakes first. wrk's 16
  connections all went to one of two workers, and the other sat idle
  (bench/load.py). On Linux each worker therefore listens on a socket of its
  own, bound to the same address with SO_REUSEPORT, and the kernel spreads
  new connections over the workers' sockets (tests/e2e/test_workers.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import sys
from multiprocessing.reduction import ForkingPickler
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from app.api.app import create_app

#: SO_REUSEPORT balances connections over listeners on Linux only (BSDs give them all to one).
REUSE_PORT = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")

logger = logging.getLogger("uvicorn.error")


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


class _AddressForEachWorker(socket.socket):
    """The parent's socket: bound (which reserves the port) but never listening.

    uvicorn passes it to every worker it spawns; pickled for a worker, it
    becomes a new socket bound to the same address (`_own_listener`), so
    each worker listens on a queue of its own.
    """


def _reuse_port_socket(kind: type[socket.socket], family: int, address: Any) -> socket.socket:
    sock = kind(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def _refuse_a_taken_port(family: int, address: Any) -> None:
    """Fail as a plain bind would when something already listens on the port.

    SO_REUSEPORT would otherwise let a second `followup serve` (an old
    instance left running, say) share the port and half the connections.
    """
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no conflict
        probe.bind(address)


def _own_listener(family: int, address: Any) -> socket.socket:
    """Runs in a worker as it unpickles the parent's socket."""
    return _reuse_port_socket(socket.socket, family, address)


ForkingPickler.register(_AddressForEachWorker, lambda sock: (_own_listener, (sock.family, sock.getsockname())))


class _ReusePortConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        if not REUSE_PORT or self.uds is not None or self.fd is not None:
            return super().bind_socket()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            _refuse_a_taken_port(family, (self.host, self.port))
            sock = _reuse_port_socket(_AddressForEachWorker, family, (self.host, self.port))
        except OSError as exc:
            logger.error(exc)
            sys.exit(STARTUP_FAILURE)
        host = f"[{self.host}]" if family == socket.AF_INET6 else self.host
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", host, sock.getsockname()[1])
        return sock


def serve(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "loop": "asyncio",
        "http": "app.server:NoDelayHttpToolsProtocol",
        "log_level": log_level,
        "proxy_headers": True,
        "server_header": False,
        "timeout_graceful_shutdown": 10,
    }
    if workers <= 1:
        uvicorn.run("app.server:app_factory", **options)
        return
    # uvicorn.run's multi-worker branch, with a listener for each worker.
    config = _ReusePortConfig("app.server:app_factory", **options)
    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass
