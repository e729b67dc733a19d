"""Spreading keep-alive connections evenly over `followup serve --workers N`.

Why: a worker serves the requests of its connections one at a time, and a
keep-alive connection stays with the worker that accepted it, so the split of
connections is the split of the load. Left to the kernel it is a lottery:
with a listener per worker (SO_REUSEPORT) each connection is hashed to one,
and wrk's 16 connections came out 9/7, 10/6, 12/4 or 13/3. In a 12/4 run
one worker served 75% of the requests, near its limit, while the other
idled, and every slow request of the run was on the busy one
(bench/load.py, per-request timings inside the workers). A proxy's
connection pool or an ATS integration's few keep-alive connections are split
the same way.

How: every worker listens on the one shared socket, and each publishes how
many connections it holds in a small table that all of them map from a file
(`ConnectionTable`). When a connection waits to be accepted, every idle
worker is woken; one that holds more connections than the least-loaded live
worker leaves it for that worker for `ACCEPT_YIELD_SECONDS`, and takes it
itself only if it is still waiting then (the other worker may be busy with a
request). Each wake-up accepts one connection, not the whole backlog as
asyncio does, so a burst is shared out too. This is nginx's idea of letting
a loaded worker stand back from `accept`, with counts instead of a mutex. A
connection is never refused: at worst a busier worker accepts it
`ACCEPT_YIELD_SECONDS` late. And a worker stuck in a long request no longer
holds up new connections: with a listener per worker, those the kernel had
hashed to it waited in its queue until it was free.

The table is advisory. A count read while its worker updates it, or the
slot of a worker that died, at worst costs a connection its few
milliseconds or lands it on the busier worker; requests are unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger("uvicorn.error")

#: How long a busier worker leaves a waiting connection to the least-loaded
#: one: longer than a wake-up on a loaded machine, short against the life of a
#: keep-alive connection.
ACCEPT_YIELD_SECONDS = 0.003

#: A slot: the worker's pid and how many connections it holds (0 pid: free).
_SLOT = struct.Struct("=ii")


def table_path(supervisor_pid: int) -> Path:
    """Where the supervisor with this pid keeps its workers' table (tmpfs where there is one)."""
    shm = Path("/dev/shm")
    folder = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return folder / f"followup-connections-{supervisor_pid}"


@contextlib.contextmanager
def table_for_workers(workers: int) -> Iterator[Path | None]:
    """The supervisor's side: a zeroed table for `workers` (and restarted ones), removed on exit.

    Where no table can be written (a read-only file system without /dev/shm),
    the server still starts, with connections split as the kernel splits them.
    """
    path = table_path(os.getpid())
    slots = workers + 8  # a restarted worker takes a dead one's slot; the spare ones cover a restart before that
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, bytes(slots * _SLOT.size))
        finally:
            os.close(fd)
    except OSError as error:
        logger.warning("connections will not be balanced over the workers: %s", error)
        yield None
        return
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ConnectionTable:
    """One worker's view of the table: its own slot to write, the others' to read."""

    def __init__(self, path: Path) -> None:
        self._pid = os.getpid()
        fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, os.fstat(fd).st_size)
            fcntl.flock(fd, fcntl.LOCK_EX)  # two workers starting at once must not take the same slot
            try:
                self._slot = self._claim()
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        self.held = 0

    @classmethod
    def join(cls, path: Path) -> ConnectionTable | None:
        """This worker's slot in the table at `path`, or None (no table, or no free slot)."""
        try:
            return cls(path)
        except FileNotFoundError:
            return None
        except (OSError, LookupError, ValueError) as error:  # ValueError: an empty file cannot be mapped
            logger.warning("connections will not be balanced over the workers: %s", error)
            return None

    def _slots(self) -> Iterator[tuple[int, int, int]]:
        """(slot, pid, connections held) for every slot of the table."""
        for slot in range(len(self._map) // _SLOT.size):
            yield slot, *_SLOT.unpack_from(self._map, slot * _SLOT.size)

    def _claim(self) -> int:
        for slot, holder, _ in self._slots():
            if holder == 0 or not _alive(holder):
                _SLOT.pack_into(self._map, slot * _SLOT.size, self._pid, 0)
                return slot
        raise LookupError("the table has no free slot")

    def opened(self) -> None:
        self.held += 1
        self._publish()

    def closed(self) -> None:
        self.held = max(0, self.held - 1)
        self._publish()

    def _publish(self) -> None:
        _SLOT.pack_into(self._map, self._slot * _SLOT.size, self._pid, self.held)

    def holds_more_than_least(self) -> bool:
        """Whether another live worker holds fewer connections than this one."""
        return any(
            slot != self._slot and pid != 0 and held < self.held and _alive(pid) for slot, pid, held in self._slots()
        )

    def leave(self) -> None:
        """Free the slot (a worker shutting down), so that nobody waits for it."""
        _SLOT.pack_into(self._map, self._slot * _SLOT.size, 0, 0)


class BalancedEventLoop(asyncio.SelectorEventLoop):
    """asyncio's loop, accepting as `ConnectionTable` says (see the module docstring).

    It overrides `_accept_connection`, the selector loop's reader callback for
    a listening socket. That method is private, but its arguments have been
    the same from Python 3.11 to 3.13; tests/e2e/test_workers.py fails if
    the split stops being even.
    """

    def __init__(self, table: ConnectionTable | None = None) -> None:
        super().__init__()
        self.connections = table

    def _accept_connection(self, protocol_factory, sock, sslcontext=None, server=None, backlog=100, *rest):  # type: ignore[override]
        table = self.connections
        if table is None:
            return super()._accept_connection(protocol_factory, sock, sslcontext, server, backlog, *rest)
        if table.holds_more_than_least():
            self._remove_reader(sock.fileno())
            self.call_later(
                ACCEPT_YIELD_SECONDS, self._accept_if_still_waiting, protocol_factory, sock, sslcontext, server, backlog, *rest
            )
            return None
        return super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *rest)

    def _accept_if_still_waiting(self, protocol_factory, sock, sslcontext, server, backlog, *rest) -> None:
        """After standing back: take the connection if no other worker did, and listen again."""
        if sock.fileno() == -1 or (server is not None and not server.is_serving()):
            return  # the server closed meanwhile
        # Listen first: on too many open files asyncio's accept stops listening for a while, and that must stand.
        self._add_reader(sock.fileno(), self._accept_connection, protocol_factory, sock, sslcontext, server, backlog, *rest)
        super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *rest)  # nothing if another worker took it

    def close(self) -> None:
        if self.connections is not None:
            self.connections.leave()
        super().close()


def balanced_loop() -> BalancedEventLoop:
    """uvicorn's `loop` factory in a worker: the loop, with this worker's slot in its supervisor's table."""
    return BalancedEventLoop(ConnectionTable.join(table_path(os.getppid())))


def connection_opened(loop: asyncio.AbstractEventLoop) -> None:
    """Count a new connection of this worker (called by its protocol)."""
    table = getattr(loop, "connections", None)
    if table is not None:
        table.opened()


def connection_closed(loop: asyncio.AbstractEventLoop) -> None:
    table = getattr(loop, "connections", None)
    if table is not None:
        table.closed()
